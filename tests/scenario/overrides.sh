#!/bin/sh
# --set overrides reach the run; bad keys, types and ranges, and a missing
# scenario file, exit 2 with one line naming the key (or file), and create
# no results.
. "$(dirname "$0")/lib.sh"
S=scenarios/test-itr8000.yaml
DB=$T/o.db
"$E" run $S --db "$DB" --quiet --set duration=10ms --set driver.itr=4000 \
    --set traffic.rx.rate_pps=50000 --seed 5 || fail "run exit $?"
c() { q "$DB" "select cast(value as integer) from counters where name = '$1'"; }
[ "$(c measured_ps)" -eq 10000000000 ] || fail "duration=10ms: measured $(c measured_ps) ps"
[ "$(c rx_offered)" -eq 500 ] || fail "rate_pps=50000 for 10 ms: offered $(c rx_offered), want 500"
[ "$(c driver_itr_rate)" -eq 4000 ] || fail "driver.itr=4000: rate $(c driver_itr_rate)"
[ "$(q "$DB" "select seed from runs")" = 5 ] || fail "--seed 5 not recorded"
q "$DB" "select params from runs" | grep -q '"driver.itr":4000' || fail "params lack driver.itr 4000"
q "$DB" "select params from runs" | grep -q '"duration":10000000000' || fail "params lack duration"
# ITR = 10^9 / (4000 x 256) = 976: no two interrupts closer than 249.856 us
gap=$(q "$DB" "select min(t_ps - p) from (select t_ps, lag(t_ps) over (order by seq) p
              from interrupts) where p is not null")
[ "$gap" -ge 249856000 ] || fail "driver.itr=4000: interrupts $gap ps apart"

bad() { # bad() WHAT EXPECTED-IN-MESSAGE ARGS...
    what=$1 want=$2
    shift 2
    err=$("$E" run "$@" --db "$T/bad.db" --quiet 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] || fail "$what: exit $rc, want 2"
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "$what: not one line: $err"
    echo "$err" | grep -qF -- "$want" || fail "$what: message does not name '$want': $err"
    [ ! -e "$T/bad.db" ] || fail "$what: a results file was created"
}
bad "unknown key" driver.bogus $S --set driver.bogus=1
bad "wrong type" driver.rx_ring $S --set driver.rx_ring=lots
bad "below range" driver.rx_ring $S --set driver.rx_ring=4
bad "not a multiple of 8" driver.rx_ring $S --set driver.rx_ring=12
bad "above range" driver.itr $S --set driver.itr=200000
bad "itr 2" driver.itr $S --set driver.itr=2
bad "enum" driver.model $S --set driver.model=dpdk
bad "duration unit" duration $S --set duration=5parsecs
bad "negative duration" duration $S --set duration=-1s
bad "no '='" driver.itr $S --set driver.itr
bad "missing file" "$T/nope.yaml" "$T/nope.yaml"
printf 'name: x\ndriver:\n  itr: -1\n' > "$T/bad-range.yaml"
bad "file range" "bad-range.yaml:3" "$T/bad-range.yaml"
printf 'name: x\ndriver:\n  napi_budjet: 64\n' > "$T/bad-key.yaml"
bad "file key" "driver.napi_budjet" "$T/bad-key.yaml"
echo "overrides ok"
