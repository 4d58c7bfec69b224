#!/bin/sh
# A run stopped by SIGINT is committed as 'incomplete' with what it recorded
# (exit 1); a run killed with SIGKILL leaves the file consistent, earlier
# runs in it intact, and the file usable.
. "$(dirname "$0")/lib.sh"
LONG=scenarios/test-long.yaml

# wait (up to $2 s) for process $1 to end; its exit status in $rc
wait_for() {
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$1" 2>/dev/null; then kill -9 "$1"; wait "$1"; fail "process $1 did not stop"; fi
    wait "$1"
    rc=$?
}

# -- SIGINT
DB=$T/int.db
"$E" run $LONG --db "$DB" --quiet & pid=$!
sleep 1
kill -INT $pid
wait_for $pid 20
[ $rc -eq 1 ] || fail "SIGINT: exit $rc, want 1"
[ "$(q "$DB" "pragma integrity_check")" = ok ] || fail "SIGINT: integrity_check fails"
[ "$(q "$DB" "select status from runs")" = incomplete ] || fail "SIGINT: status not incomplete"
st=$(q "$DB" "select sim_time_ps from runs")
[ "$st" -gt 0 ] || fail "SIGINT: sim_time_ps $st"
[ "$st" -lt 60000000000000 ] || fail "SIGINT: the run went to its end"
n=$(q "$DB" "select count(*) from packets")
[ "$n" -gt 0 ] || fail "SIGINT: no packets recorded"
[ "$(q "$DB" "select count(*) from packets where t_offer_ps > $st")" -eq 0 ] ||
    fail "SIGINT: packets offered after the run's end time"
m=$(q "$DB" "select cast(value as integer) from counters where name = 'measured_ps'")
[ -n "$m" ] && [ "$m" -gt 0 ] || fail "SIGINT: no measured_ps counter"
[ "$(q "$DB" "select count(*) from run_percentiles")" -ge 1 ] || fail "SIGINT: views unreadable"

# -- SIGKILL, with an earlier complete run in the same file
DB=$T/kill.db
"$E" run scenarios/test-pcap-replay.yaml --db "$DB" --quiet || fail "first run exit $?"
before=$(h "$DB" "select * from packets where run_id = 1 order by dir, pkt_id")
"$E" run $LONG --db "$DB" --quiet & pid=$!
sleep 1
kill -9 $pid
wait $pid 2>/dev/null
[ "$(q "$DB" "pragma integrity_check")" = ok ] || fail "SIGKILL: integrity_check fails"
[ "$(q "$DB" "select status from runs where id = 1")" = complete ] || fail "SIGKILL: run 1 changed"
[ "$(h "$DB" "select * from packets where run_id = 1 order by dir, pkt_id")" = "$before" ] ||
    fail "SIGKILL: run 1's packets changed"
[ "$(q "$DB" "select status from runs where id = 2")" = incomplete ] ||
    fail "SIGKILL: the killed run is not marked incomplete"
q "$DB" "select count(*) from packets where run_id = 2" >/dev/null || fail "SIGKILL: run 2 unreadable"
# and the file takes another run
"$E" run scenarios/test-pcap-replay.yaml --db "$DB" --quiet || fail "run after SIGKILL exit $?"
[ "$(q "$DB" "select status from runs where id = 3")" = complete ] || fail "run 3 not complete"
echo "interrupt ok: SIGINT at sim time $st ps with $n packets"
