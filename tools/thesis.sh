#!/bin/sh
# Reproduce the latency experiments of the 2023 TUM thesis on userspace E1000
# emulation (nic-emu) in simulation: 60-byte frames at 10 kpps (low load) and
# 100 kpps (high load) into an 82540EM driven by the Linux e1000 driver with
# default settings, for the sdm and qemu moderation models and ITR modes 0, 3
# and a fixed 8000/s. Writes OUT/{low,high}.db, OUT/{low,high}.html and a
# screenshot OUT/high.png (headless Chromium) of the high-load report.
#
# usage: tools/thesis.sh [OUT]        (default: thesis-out; needs a build)
set -eu
E=${E1KSIM:-./build/sim/e1ksim}
OUT=${1:-thesis-out}
mkdir -p "$OUT"
for load in low high; do
    rate=10000
    [ $load = high ] && rate=100000
    rm -f "$OUT/$load.db"
    "$E" sweep scenarios/thesis.yaml --set traffic.rx.rate_pps=$rate \
        --grid device.mitigation=sdm,qemu --grid driver.itr=0,3,8000 \
        --jobs 2 --db "$OUT/$load.db" --quiet
    "$E" report "$OUT/$load.db" -o "$OUT/$load.html" \
        --title "Thesis reproduction: 60-byte frames at $rate frames/s"
    sqlite3 -header -column "$OUT/$load.db" "
        SELECT r.id,
               json_extract(r.params, '\$.\"device.mitigation\"') AS mitigation,
               json_extract(r.params, '\$.\"driver.itr\"') AS itr,
               round(p.p50_ns / 1000, 1) AS p50_us, round(p.p99_ns / 1000, 1) AS p99_us,
               round(p.max_ns / 1000, 1) AS max_us, round(i.per_second) AS irq_per_s,
               round(i.frames_per_interrupt, 2) AS frames_per_irq
        FROM runs r JOIN run_percentiles p ON p.run_id = r.id AND p.dir = 'rx'
        JOIN interrupt_rate i ON i.run_id = r.id ORDER BY mitigation, itr;"
done
if command -v chromium >/dev/null 2>&1; then
    prof=$(mktemp -d)
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-quic \
        --user-data-dir="$prof" --hide-scrollbars --window-size=1280,2200 \
        --screenshot="$OUT/high.png" "file://$(cd "$OUT" && pwd)/high.html" >/dev/null 2>&1 || true
    rm -rf "$prof"
fi
echo "reports: $OUT/low.html $OUT/high.html"
