#!/bin/sh
# Sweeps: the built-in worker pool and the GNU parallel path (--emit-jobs +
# merge) give identical results; a sweep stopped halfway and resumed, or run
# on a subset first, ends with every run exactly once; merging is idempotent;
# an incomplete run is replaced by a complete one, never the reverse.
# Usage: test_sweep.sh E1KSIM WORKDIR   (run from the source tree; a run.XXXXXX
# directory in WORKDIR holds the files, removed when the test passes)
set -u
E=$1
S=$(pwd)/scenarios/test-sweep.yaml
fail() { echo "FAIL: $* (files in $W)" >&2; exit 1; }
q() { sqlite3 "$@" || fail "sqlite3 $*"; }
# A fresh directory per invocation: concurrent ctest runs do not collide.
mkdir -p "$2" && W=$(cd "$2" && mktemp -d "$(pwd)/run.XXXXXX") || { echo "FAIL: cannot create a directory in $2" >&2; exit 1; }

GRID="--grid driver.itr=0,3 --grid traffic.rx.rate_pps=2000,5000,10000 --grid driver.rx_int_delay=0,8 --repeat 2"
RUNS=24

# Every result row, keyed by run key instead of run id.
dump() {
    q "$1" "
select 'run', run_key, status, seed, params, scenario, version, sim_time_ps, anomalies
  from runs order by run_key;
select 'pkt', r.run_key, p.dir, p.pkt_id, p.len, p.dropped, p.t_offer_ps, p.t_mac_ps, p.t_dma_ps,
       p.t_wb_ps, p.t_irq_ps, p.t_handler_ps, p.t_done_ps, p.t_queued_ps, p.t_doorbell_ps,
       p.t_fetch_ps, p.t_wire_ps
  from packets p join runs r on r.id = p.run_id order by 2, 3, 4;
select 'irq', r.run_key, i.seq, i.t_ps, i.causes, i.rx_frames, i.tx_frames
  from interrupts i join runs r on r.id = i.run_id order by 2, 3;
select 'ctr', r.run_key, c.name, c.value from counters c join runs r on r.id = c.run_id order by 2, 3;
select 'hist', r.run_key, h.dir, h.lo_ns, h.hi_ns, h.count
  from histograms h join runs r on r.id = h.run_id order by 2, 3, 4;
select 'anom', r.run_key, a.seq, a.time_ps, a.kind, a.offset, a.value, a.msg
  from anomalies a join runs r on r.id = a.run_id order by 2, 3;
select 'orphan', count(*) from packets where run_id not in (select id from runs);
select 'orphan', count(*) from interrupts where run_id not in (select id from runs);
select 'orphan', count(*) from counters where run_id not in (select id from runs);
"
}
# runs, distinct run keys, complete runs
counts() { q "$1" "select count(*) || ' ' || count(distinct run_key) || ' ' || sum(status = 'complete') from runs"; }

# 1. The built-in pool, 2 workers.
t0=$(date +%s.%N)
"$E" sweep "$S" $GRID --jobs 2 --db "$W/pool.db" --quiet 2>"$W/pool.err" || fail "sweep exit $?"
t1=$(date +%s.%N)
[ -s "$W/pool.err" ] && fail "sweep --quiet wrote to stderr: $(cat "$W/pool.err")"
[ "$(counts "$W/pool.db")" = "$RUNS $RUNS $RUNS" ] || fail "pool: runs/keys/complete $(counts "$W/pool.db")"
[ "$(q "$W/pool.db" 'select count(*) from packets')" -gt 100 ] || fail "pool: too few packets"
[ "$(q "$W/pool.db" 'select count(distinct seed) from runs')" -eq $RUNS ] || fail "seeds not distinct"
dump "$W/pool.db" >"$W/pool.dump"
echo "pool sweep: $RUNS runs in $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s"

# Same command again: everything is complete, nothing runs, nothing is added.
out=$("$E" sweep "$S" $GRID --jobs 2 --db "$W/pool.db") || fail "second sweep exit $?"
echo "$out" | grep -q "$RUNS already complete, 0 run" || fail "second sweep ran something: $out"
[ "$(counts "$W/pool.db")" = "$RUNS $RUNS $RUNS" ] || fail "second sweep changed the runs"
[ -z "$("$E" sweep "$S" $GRID --emit-jobs --db "$W/pool.db" --job-dir "$W/none")" ] ||
    fail "--emit-jobs lists runs that are complete"

# 2. The same sweep through --emit-jobs | GNU parallel, then merge.
"$E" sweep "$S" $GRID --emit-jobs --db "$W/par.db" >"$W/jobs.txt" || fail "--emit-jobs exit $?"
[ "$(wc -l <"$W/jobs.txt")" -eq $RUNS ] || fail "--emit-jobs: $(wc -l <"$W/jobs.txt") lines"
head -1 "$W/jobs.txt" | grep -q "^/.*e1ksim run $S --db $W/par.db.jobs/[0-9a-f]\{16\}\.db .*--seed [0-9]* --quiet$" ||
    fail "job line: $(head -1 "$W/jobs.txt")"
have_parallel=0
if command -v parallel >/dev/null 2>&1; then
    have_parallel=1
    t0=$(date +%s.%N)
    parallel --will-cite --jobs 2 <"$W/jobs.txt" || fail "parallel exit $?"
    "$E" merge --quiet "$W/par.db" "$W"/par.db.jobs/*.db || fail "merge exit $?"
    t1=$(date +%s.%N)
    echo "parallel + merge: $RUNS runs in $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s"
else
    echo "SKIP: GNU parallel is not installed (tools/setup.sh); running the job lines with sh"
    sh "$W/jobs.txt" || fail "jobs exit $?"
    "$E" merge --quiet "$W/par.db" "$W"/par.db.jobs/*.db || fail "merge exit $?"
fi
dump "$W/par.db" >"$W/par.dump"
cmp -s "$W/pool.dump" "$W/par.dump" || { diff "$W/pool.dump" "$W/par.dump" | head; fail "pool and parallel results differ"; }

# 3. Merging again (files, the directory, the other sweep's file) adds nothing.
out=$("$E" merge "$W/par.db" "$W/par.db.jobs" "$W/pool.db") || fail "re-merge exit $?"
echo "$out" | grep -q "0 runs added" || fail "re-merge added runs: $out"
dump "$W/par.db" | cmp -s - "$W/pool.dump" || fail "re-merge changed the results"
"$E" merge "$W/par.db" "$W/par.db" 2>/dev/null; [ $? -eq 2 ] || fail "merging a file into itself: want exit 2"
"$E" merge "$W/par.db" "$W/missing.db" 2>/dev/null; [ $? -eq 2 ] || fail "missing input: want exit 2"
[ ! -e "$W/missing.db" ] || fail "merge created its missing input"

# 4. A subset of the grid first, then the full grid: every run once, same results.
"$E" sweep "$S" --grid driver.itr=3 --grid traffic.rx.rate_pps=2000,10000 \
    --grid driver.rx_int_delay=0,8 --repeat 2 --jobs 2 --db "$W/sub.db" --quiet || fail "subset exit $?"
[ "$(counts "$W/sub.db")" = "8 8 8" ] || fail "subset: $(counts "$W/sub.db")"
out=$("$E" sweep "$S" $GRID --jobs 2 --db "$W/sub.db") || fail "resume exit $?"
echo "$out" | grep -q "8 already complete, 16 run (16 complete" || fail "resume: $out"
[ "$(counts "$W/sub.db")" = "$RUNS $RUNS $RUNS" ] || fail "resumed: $(counts "$W/sub.db")"
dump "$W/sub.db" | cmp -s - "$W/pool.dump" || fail "subset + resume differs from the full sweep"

# 5. Stopped halfway (SIGTERM once a run has landed), then resumed.
KG="--grid driver.itr=0,3 --repeat 2 --set duration=1s --set traffic.rx.rate_pps=20000"
"$E" sweep "$S" $KG --jobs 1 --db "$W/kill.db" --quiet 2>"$W/kill.err" &
pid=$!
i=0
while [ $i -lt 600 ]; do
    [ -e "$W/kill.db" ] && [ "$(sqlite3 "$W/kill.db" 'select count(*) from runs' 2>/dev/null || echo 0)" -ge 1 ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.02
    i=$((i + 1))
done
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
before=$(counts "$W/kill.db")
echo "stopped sweep: exit $rc, runs/keys/complete: $before"
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "stopped sweep exit $rc: $(cat "$W/kill.err")"
ls "$W"/kill.db.sweep-* >/dev/null 2>&1 && fail "stopped sweep left its temporary files"
"$E" sweep "$S" $KG --jobs 2 --db "$W/kill.db" --quiet || fail "resume after stop exit $?"
[ "$(counts "$W/kill.db")" = "4 4 4" ] || fail "resumed after stop: $(counts "$W/kill.db") (before: $before)"
"$E" sweep "$S" $KG --jobs 2 --db "$W/kill-ref.db" --quiet || fail "reference sweep exit $?"
dump "$W/kill-ref.db" >"$W/kill-ref.dump"
dump "$W/kill.db" | cmp -s - "$W/kill-ref.dump" ||
    fail "stopped + resumed sweep differs from an uninterrupted one"

# 6. Incomplete runs: replaced by a complete one, never replacing one.
one=$(ls "$W"/par.db.jobs/*.db | head -1)
cp "$one" "$W/inc.db" || fail "cp"
q "$W/inc.db" "update runs set status = 'incomplete'; delete from packets where pkt_id > 2;"
"$E" merge --quiet "$W/m1.db" "$W/inc.db" || fail "merge incomplete exit $?"
[ "$(q "$W/m1.db" "select status from runs")" = incomplete ] || fail "incomplete run not merged"
"$E" merge --quiet "$W/m1.db" "$W/inc.db" || fail "merge incomplete again exit $?"
[ "$(q "$W/m1.db" "select count(*) from runs")" -eq 1 ] || fail "incomplete merged twice"
"$E" merge --quiet "$W/m1.db" "$one" || fail "merge complete exit $?"
[ "$(counts "$W/m1.db")" = "1 1 1" ] || fail "complete did not replace incomplete: $(counts "$W/m1.db")"
want=$(q "$one" "select count(*) from packets")
[ "$(q "$W/m1.db" "select count(*) from packets")" -eq "$want" ] || fail "replaced run's packets"
"$E" merge --quiet "$W/m1.db" "$W/inc.db" || fail "merge incomplete over complete exit $?"
[ "$(counts "$W/m1.db")" = "1 1 1" ] || fail "incomplete replaced a complete run"
[ "$(q "$W/m1.db" "select count(*) from packets")" -eq "$want" ] || fail "packets changed"

# 7. Progress: on a terminal only, never with --quiet or into a file.
"$E" sweep "$S" --grid driver.itr=0,1 --db "$W/prog.db" 2>"$W/prog.err" >/dev/null || fail "exit $?"
[ -s "$W/prog.err" ] && fail "progress written to a non-terminal: $(cat "$W/prog.err")"
if command -v script >/dev/null 2>&1; then
    script -qec "$E sweep $S --grid driver.itr=3,4 --db $W/prog.db" /dev/null >"$W/prog.tty" 2>&1 ||
        fail "sweep on a terminal: $(cat "$W/prog.tty")"
    grep -q "sweep: [0-9]*/2 runs, ETA" "$W/prog.tty" || fail "no progress on a terminal: $(cat "$W/prog.tty")"
    script -qec "$E sweep $S --grid driver.itr=0,100 --db $W/prog.db --quiet" /dev/null >"$W/prog.tty" 2>&1 ||
        fail "sweep --quiet on a terminal"
    [ -s "$W/prog.tty" ] && fail "--quiet showed progress: $(cat "$W/prog.tty")"
fi

# 8. Bad input exits 2 with one line.
for args in "--grid driver.itr=0 --db $W/x.db --grid driver.itr=3" "--grid seed=1,2 --db $W/x.db" \
            "--grid driver.itr=0,0 --db $W/x.db" "--grid driver.itr=7x --db $W/x.db" \
            "--grid nope.key=1 --db $W/x.db" "--grid driver.itr=0" "--repeat 0 --db $W/x.db"; do
    err=$("$E" sweep "$S" $args 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] || fail "sweep $args: exit $rc, want 2"
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "sweep $args: not one line: $err"
done

rm -rf "$W"
[ $have_parallel -eq 1 ] || { echo "sweep ok (GNU parallel part skipped)"; exit 77; }
echo "sweep ok"
