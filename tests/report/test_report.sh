#!/bin/sh
# e1ksim report from the command line: the page's elements, determinism,
# run selection, placeholders for an empty database, errors (exit 2, one line).
# Usage: test_report.sh E1KSIM   (from the project's root)
set -u
E=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/e1k-report-test.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT INT TERM
mkdir "$W/tmp"
export TMPDIR="$W/tmp"   # the report's scratch directory must be gone afterwards

sh tests/report/make_db.sh "$E" "$W/r.db" || fail "making the database"

T='Report <itr> & "sweep"'
"$E" report "$W/r.db" -o "$W/a.html" --title "$T" || fail "report exit $?"
"$E" report "$W/r.db" --runs all --title "$T" -o "$W/b.html" || fail "second report exit $?"
cmp -s "$W/a.html" "$W/b.html" || fail "two reports of the same database differ"
[ -z "$(ls -A "$W/tmp")" ] || fail "temporary files left: $(ls "$W/tmp")"

H="$W/a.html"
count() { grep -o -- "$1" "$H" | wc -l; }
[ "$(count '<svg')" -eq 5 ] || fail "want 5 <svg> elements, got $(count '<svg')"
[ "$(count '</svg>')" -eq 5 ] || fail "want 5 </svg>"
grep -q '<table id="runs">' "$H" || fail "no runs table"
[ "$(count '<tr id="run-')" -eq 6 ] || fail "want 6 run rows, got $(count '<tr id="run-')"
grep -q '<title>Report &lt;itr&gt; &amp; &quot;sweep&quot;</title>' "$H" || fail "title not in <title>, escaped"
grep -q '<h1 id="title">Report &lt;itr&gt; &amp; &quot;sweep&quot;</h1>' "$H" || fail "title not in <h1>"
for k in driver.itr record.level traffic.rx.source; do
    grep -q "<th class=\"l p\">$k</th>" "$H" || fail "no column for the varying key $k"
done
grep -q '<th class="l p">driver.mitigation' "$H" && fail "a constant key is a column"
for p in latency irqrate fpi tradeoff exits; do
    grep -q "<figure id=\"plot-$p\">" "$H" || fail "no figure plot-$p"
done
grep -q 'class="nodata"' "$H" && fail "a plot is missing: $(grep -o 'no data[^<]*' "$H")"
for h in p50 p99 p99.9 max; do grep -q "<th>$h µs</th>" "$H" || fail "no $h column"; done
grep -q 'Pareto front' "$H" || fail "no Pareto front in the trade-off plot"
grep -q '&gt;#3 itr=1000 ' "$H" || grep -q '>#3 itr=1000 ' "$H" || fail "points not labelled by their parameters"
# the summary-level run: percentiles from histogram buckets, marked
grep -q '<td>≤ ' "$H" || fail "histogram-derived latency not marked"
# self-contained: nothing fetched from anywhere
grep -Eiq '<script|<link|<img|<iframe|src=|@import|url\((["'"'"']?)(https?:|//)|href=["'"'"'][^#]' "$H" &&
    fail "external resource: $(grep -Eio '<script|<link|<img|src=[^ ]*|@import|href=["'"'"'][^#][^ ]*' "$H" | head -3)"
grep -q 'e1k-report-test\|/tmp/\|e1ksim-report-' "$H" && fail "a temporary path leaked into the page"

# selection: in the order given, duplicates once
"$E" report "$W/r.db" --runs 3,1,3 -o "$W/s.html" || fail "--runs 3,1 exit $?"
[ "$(grep -o '<tr id="run-[0-9]*"' "$W/s.html" | tr -d '\n')" = '<tr id="run-3"<tr id="run-1"' ] ||
    fail "--runs 3,1,3 rows: $(grep -o '<tr id="run-[0-9]*"' "$W/s.html" | tr '\n' ' ')"
"$E" report "$W/r.db" --runs 2-4 -o "$W/s.html" || fail "--runs 2-4 exit $?"
[ "$(grep -c '<tr id="run-' "$W/s.html")" -eq 3 ] || fail "--runs 2-4 wants 3 rows"
# a run without traffic alone: no plots, no crash
"$E" report "$W/r.db" --runs 6 -o "$W/n.html" 2>"$W/err" || fail "--runs 6 (no traffic) exit $?"
[ "$(grep -c 'class="nodata"' "$W/n.html")" -eq 5 ] || fail "no-traffic run: want 5 placeholders"
grep -q 'no run has traffic' "$W/err" || fail "no-traffic run: no warning"

# an empty results file: placeholders and a message, exit 0
cp "$W/r.db" "$W/e.db"
sqlite3 "$W/e.db" 'DELETE FROM packets; DELETE FROM interrupts; DELETE FROM histograms;
                   DELETE FROM counters; DELETE FROM runs;' || fail "emptying the database"
"$E" report "$W/e.db" -o "$W/e.html" 2>"$W/err" || fail "empty database: exit $?"
grep -q 'No runs to report' "$W/e.html" || fail "empty database: no message in the page"
[ "$(grep -c '<svg' "$W/e.html")" -eq 0 ] || fail "empty database: plots?"
grep -q 'no runs' "$W/err" || fail "empty database: no warning on stderr"

# errors: exit 2 with one line naming the problem
check2() { # name substring command...
    n=$1; want=$2; shift 2
    err=$("$@" 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] || fail "$n: exit $rc, want 2 ($err)"
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "$n: message not one line: $err"
    echo "$err" | grep -q -- "$want" || fail "$n: message '$err' does not mention '$want'"
}
check2 "missing db" "$W/none.db" "$E" report "$W/none.db" -o "$W/x.html"
echo "not a database" >"$W/junk.db"
check2 "junk db" "junk.db" "$E" report "$W/junk.db" -o "$W/x.html"
check2 "unknown run" "no run 99" "$E" report "$W/r.db" --runs 1,99 -o "$W/x.html"
check2 "bad --runs" "--runs" "$E" report "$W/r.db" --runs 1,x -o "$W/x.html"
check2 "no -o" "-o" "$E" report "$W/r.db"
check2 "no db" "database" "$E" report -o "$W/x.html"
check2 "bad output" "x.html" "$E" report "$W/r.db" -o "$W/nodir/x.html"
check2 "no gnuplot" "gnuplot" env PATH=/nonexistent "$E" report "$W/r.db" -o "$W/x.html"
[ -z "$(ls -A "$W/tmp")" ] || fail "temporary files left after errors: $(ls "$W/tmp")"
echo "report ok"
