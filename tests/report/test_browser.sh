#!/bin/sh
# The report as a browser renders it: headless Chromium takes a screenshot and
# dumps the DOM; check_render.py checks that the plots were drawn.
# Usage: test_browser.sh E1KSIM   (from the project's root)
# Exit 77 (skipped) only when Chromium is not installed or cannot start.
set -u
E=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
CHROME=""
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then CHROME=$c; break; fi
done
[ -n "$CHROME" ] || { echo "SKIP: no chromium (tools/setup.sh installs it)"; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/e1k-browser-test.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT INT TERM

# A fresh profile per start; no network, no updates, no GPU, no sandbox (CI
# containers run as root).
chrome() {
    profile=$(mktemp -d "$W/profile.XXXXXX")
    timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-quic \
        --user-data-dir="$profile" "$@" 2>>"$W/chrome.log"
}

echo '<!DOCTYPE html><p id="probe">ok</p>' >"$W/probe.html"
if ! chrome --dump-dom "file://$W/probe.html" | grep -q 'id="probe"'; then
    echo "SKIP: $CHROME cannot start:"; tail -5 "$W/chrome.log"; exit 77
fi

sh tests/report/make_db.sh "$E" "$W/r.db" || fail "making the database"
T='Browser check <itr sweep>'
"$E" report "$W/r.db" -o "$W/report.html" --title "$T" || fail "report exit $?"

chrome --screenshot="$W/shot.png" --window-size=1280,2000 "file://$W/report.html" >/dev/null ||
    fail "screenshot failed: $(tail -3 "$W/chrome.log")"
[ -s "$W/shot.png" ] || fail "no screenshot: $(tail -3 "$W/chrome.log")"
chrome --dump-dom "file://$W/report.html" >"$W/dom.html" || fail "--dump-dom failed"
python3 tests/report/check_render.py "$W/shot.png" "$W/dom.html" "$T" || exit 1
echo "browser ok"
