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
# --strict: anomalies (here: reserved ICS bits, reads of write-only
# registers) fail a replay that otherwise passes; a clean trace still passes
"$E" replay --quiet traces/sdm/interrupts.e1kt || fail "interrupts trace fails without --strict"
"$E" replay --quiet --strict traces/sdm/interrupts.e1kt 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "replay --strict with anomalies: exit $rc, want 1"
"$E" replay --quiet --strict traces/sdm/reset-and-eeprom.e1kt || fail "clean trace fails with --strict"

# a malformed trace: exit 2 and one line naming the file and line
t=$(mktemp)
printf 'mem r32 CTRL\nmem w32 NOSUCH 1\n' > "$t"
err=$("$E" replay "$t" 2>&1 >/dev/null); rc=$?
rm -f "$t"
[ $rc -eq 2 ] || fail "malformed trace: exit $rc, want 2"
echo "$err" | grep -q ":2:" || fail "malformed trace: message lacks the line: $err"
echo "cli ok"
