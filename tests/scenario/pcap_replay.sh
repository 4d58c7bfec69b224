#!/bin/sh
# pcap replay at recorded timestamps: each frame's offer time keeps the
# pcap's spacing exactly (ns x 1000 = ps; us x 10^6). Bad pcaps fail with one
# line naming the file (and the record).
. "$(dirname "$0")/lib.sh"
# the committed pcaps are what the generator makes
mkdir "$T/gen" && python3 tests/data/gen_pcaps.py "$T/gen" || fail "gen_pcaps.py failed"
for f in replay-ns replay-us raw-ip backwards; do
    cmp -s "$T/gen/$f.pcap" "tests/data/$f.pcap" || fail "tests/data/$f.pcap differs from gen_pcaps.py's"
done

# timestamp differences (ps) and lengths, read straight from a pcap file
pcap_diffs() {
    python3 - "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
magic = struct.unpack_from("<I", b, 0)[0]
scale = {0xA1B2C3D4: 1000000, 0xA1B23C4D: 1000}[magic]  # to ps
off, prev = 24, None
while off < len(b):
    s, f, cap, ln = struct.unpack_from("<IIII", b, off)
    t = (s * 10**9 * 1000) + f * scale
    print("%d|%s" % (ln, "" if prev is None else t - prev))
    prev, off = t, off + 16 + cap
PY
}
rows="select len, coalesce(t_offer_ps - lag(t_offer_ps) over (order by pkt_id), '')
      from packets where dir = 'rx' order by pkt_id"
for v in ns us; do
    DB=$T/$v.db
    "$E" run scenarios/test-pcap-replay.yaml --db "$DB" --quiet \
        --set traffic.rx.pcap=../tests/data/replay-$v.pcap || fail "$v: run exit $?"
    pcap_diffs "tests/data/replay-$v.pcap" > "$T/want-$v"
    q "$DB" "$rows" > "$T/got-$v"
    [ "$(wc -l < "$T/want-$v")" -eq 20 ] || fail "$v: the pcap should hold 20 frames"
    diff "$T/want-$v" "$T/got-$v" >&2 || fail "$v: offer times do not keep the pcap's spacing"
    [ "$(q "$DB" "select cast(value as integer) from counters where name = 'rx_delivered'")" -eq 20 ] ||
        fail "$v: not all 20 frames delivered"
done

# bad inputs: exit 2, one line naming the file (and the record)
err=$("$E" run scenarios/test-pcap-replay.yaml --db "$T/bad.db" --quiet \
      --set traffic.rx.pcap=../tests/data/raw-ip.pcap 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "raw-ip.pcap: exit $rc, want 2"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "raw-ip.pcap: not one line: $err"
echo "$err" | grep -q "raw-ip.pcap" || fail "raw-ip.pcap: message does not name the file: $err"
echo "$err" | grep -q "Ethernet" || fail "raw-ip.pcap: message does not say why: $err"
err=$("$E" run scenarios/test-pcap-replay.yaml --db "$T/bad.db" --quiet \
      --set traffic.rx.pcap=../tests/data/backwards.pcap 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "backwards.pcap: exit $rc, want 2"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "backwards.pcap: not one line: $err"
echo "$err" | grep -q "backwards.pcap: record 3" || fail "backwards.pcap: message: $err"
[ "$(q "$T/bad.db" "select status from runs order by id desc limit 1")" = failed ] ||
    fail "backwards.pcap: run not recorded as failed"
echo "pcap_replay ok"
