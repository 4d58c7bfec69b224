#!/bin/sh
# Results stay safe: two writers at once both land; a read-only database and a
# full disk are reported clearly at the first failed write, and what was
# committed before stays intact and consistent.
set -u
E=$1
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
DB=$D/r.db
S=scenarios/default.yaml

# two processes writing the same database at once
"$E" run $S --db $DB --quiet --set seed=1 & p1=$!
"$E" run $S --db $DB --quiet --set seed=2 & p2=$!
wait $p1 || fail "first concurrent run failed"
wait $p2 || fail "second concurrent run failed"
n=$(sqlite3 $DB "select count(*) from runs where status='complete'")
[ "$n" = 2 ] || fail "concurrent runs: $n complete, want 2"
n=$(sqlite3 $DB "select count(distinct run_id) from packets")
[ "$n" = 2 ] || fail "concurrent runs: packets of $n runs, want 2"

# read-only database: a clear one-line error, exit 2, nothing changed
msg=$("$E" run $S --db "file:$DB?mode=ro" --quiet 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "read-only db: exit $rc, want 2"
echo "$msg" | grep -q "readonly" || fail "read-only db: message '$msg'"
[ "$(printf '%s\n' "$msg" | wc -l)" -eq 1 ] || fail "read-only db: not one line: $msg"
n=$(sqlite3 $DB "select count(*) from runs")
[ "$n" = 2 ] || fail "read-only db: runs changed to $n"

# a full disk (the file capped at 20 pages): the first failed write is
# reported, the run stays marked incomplete, the file is consistent
F=$D/full.db
msg=$(E1KSIM_DB_MAX_PAGES=20 "$E" run $S --db $F --quiet 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] || fail "full disk: exit 0"
echo "$msg" | grep -q "full" || fail "full disk: message '$msg'"
[ "$(sqlite3 $F 'pragma integrity_check')" = ok ] || fail "full disk: integrity"
st=$(sqlite3 $F "select status from runs")
[ "$st" = incomplete ] || fail "full disk: run status '$st', want incomplete"
[ "$(sqlite3 $DB 'pragma integrity_check')" = ok ] || fail "integrity"
echo "db safety ok"
