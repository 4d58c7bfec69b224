#!/bin/sh
# A driver that falls behind (scenarios/test-ring-full.yaml: 8 descriptors,
# budget 4, 5 us per frame, 500 kpps): frames are dropped, and every frame
# offered is delivered, dropped or filtered, in the counters and in the
# packets table alike.
. "$(dirname "$0")/lib.sh"
DB=$T/r.db
"$E" run scenarios/test-ring-full.yaml --db "$DB" --quiet || fail "run exit $?"
c() { q "$DB" "select cast(value as integer) from counters where name = '$1'"; }
off=$(c rx_offered) del=$(c rx_delivered) drop=$(c rx_dropped) filt=$(c rx_filtered)
[ "$off" -eq 10000 ] || fail "offered $off, want 500 kpps x 20 ms = 10000"
[ "$drop" -gt 0 ] || fail "nothing dropped: the driver kept up"
[ "$del" -gt 0 ] || fail "nothing delivered"
[ $((del + drop + filt)) -eq "$off" ] ||
    fail "offered $off != delivered $del + dropped $drop + filtered $filt"
[ "$(q "$DB" "select count(*) from packets where dir = 'rx'")" -eq "$off" ] ||
    fail "packets table has $(q "$DB" "select count(*) from packets where dir = 'rx'") rx rows, want $off"
[ "$(q "$DB" "select count(*) from packets where dir = 'rx' and dropped")" -eq "$drop" ] ||
    fail "packets table: dropped rows != rx_dropped $drop"
[ "$(q "$DB" "select count(*) from packets where dir = 'rx' and not dropped
              and t_done_ps is not null")" -eq "$del" ] || fail "delivered rows != rx_delivered"
# delivered frames reached the stack in the order they were offered
[ "$(q "$DB" "select count(*) from (select t_done_ps, lag(t_done_ps) over (order by pkt_id) p
              from packets where dir = 'rx' and not dropped) where t_done_ps < p")" -eq 0 ] ||
    fail "frames delivered out of order"
echo "ring_full ok: $off offered, $del delivered, $drop dropped"
