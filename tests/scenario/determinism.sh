#!/bin/sh
# Determinism: the same scenario and seed give the same results to the bit,
# in separate files and in one file; another seed gives other results.
. "$(dirname "$0")/lib.sh"
S=scenarios/test-poisson.yaml
"$E" run $S --db "$T/a.db" --quiet || fail "run a exit $?"
"$E" run $S --db "$T/b.db" --quiet || fail "run b exit $?"
"$E" run $S --db "$T/a.db" --quiet || fail "run a2 exit $?"
"$E" run $S --db "$T/c.db" --quiet --seed 8 || fail "run c exit $?"

# each results table of run $2 in $1, without the run id
PK="select dir, pkt_id, len, dropped, t_offer_ps, t_mac_ps, t_dma_ps, t_wb_ps, t_irq_ps,
    t_handler_ps, t_done_ps, t_queued_ps, t_doorbell_ps, t_fetch_ps, t_wire_ps from packets"
tables() {
    echo "packets $(h "$1" "$PK where run_id = $2 order by dir, pkt_id")"
    echo "interrupts $(h "$1" "select seq, t_ps, causes, rx_frames, tx_frames from interrupts
                            where run_id = $2 order by seq")"
    echo "counters $(h "$1" "select name, value from counters where run_id = $2 order by name")"
    echo "histograms $(h "$1" "select dir, lo_ns, hi_ns, count from histograms
                            where run_id = $2 order by dir, lo_ns")"
    echo "anomalies $(h "$1" "select seq, time_ps, kind, offset, value, msg from anomalies
                           where run_id = $2 order by seq")"
    echo "runs $(h "$1" "select kind, scenario, seed, params, version, status, sim_time_ps,
                      anomalies, run_key from runs where id = $2")"
}
tables "$T/a.db" 1 > "$T/a"
tables "$T/b.db" 1 > "$T/b"
tables "$T/a.db" 2 > "$T/a2"
tables "$T/c.db" 1 > "$T/c"
[ "$(q "$T/a.db" "select count(*) from packets where run_id = 1 and dir = 'rx'")" -gt 1000 ] ||
    fail "too few rx packets recorded"
[ "$(q "$T/a.db" "select count(*) from packets where run_id = 1 and dir = 'tx'")" -gt 100 ] ||
    fail "too few tx packets recorded"
[ "$(q "$T/a.db" "select count(*) from interrupts where run_id = 1")" -gt 100 ] ||
    fail "too few interrupts recorded"
diff "$T/a" "$T/b" >&2 || fail "same seed, two files: results differ"
diff "$T/a" "$T/a2" >&2 || fail "same seed, one file twice: results differ"
for t in packets interrupts counters histograms runs; do
    [ "$(grep "^$t " "$T/a")" != "$(grep "^$t " "$T/c")" ] || fail "seed 8 gives the same $t as seed 7"
done
[ "$(q "$T/c.db" "select seed from runs")" = 8 ] || fail "--seed not recorded"
echo "determinism ok"
