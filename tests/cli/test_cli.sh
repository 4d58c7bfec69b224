#!/bin/sh
# CLI conventions: --help lists subcommands, bad options exit 2 with one line.
set -u
E=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$E" --help) || fail "--help exit $?"
echo "$out" | grep -q "version" || fail "--help does not list 'version'"
for c in $(echo "$out" | awk '/^commands:/{f=1;next} f&&/^  [a-z]/{print $1}'); do
    "$E" "$c" --help >/dev/null || fail "$c --help exit $?"
done
"$E" version | grep -q '^e1ksim ' || fail "version output"

err=$("$E" --bogus 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "--bogus exit $rc, want 2"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "--bogus message not one line: $err"
echo "$err" | grep -q -- "--bogus" || fail "--bogus message does not name the option"

err=$("$E" version --nope 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "version --nope exit $rc, want 2"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "message not one line: $err"

"$E" frobnicate >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown command exit $rc, want 2"
"$E" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "no command exit $rc, want 2"
echo "cli ok"
