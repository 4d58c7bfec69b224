#!/bin/sh
# Fuzz e1ksim with libFuzzer (clang, ASan + UBSan): builds the fuzz
# configuration in build-fuzz/ and runs each target for SECONDS (default 600)
# on a copy of its committed corpus (tests/fuzz/corpus/TARGET), with as many
# parallel workers as there are cores (-jobs = -workers). The committed corpus
# is never modified.
#
# Usage: tools/fuzz.sh [-t SECONDS] [-j WORKERS] [-k] [TARGET...]
#   TARGET: fuzz_device, fuzz_trace, fuzz_qemu_import, fuzz_pcap, fuzz_scenario
#           (default: all five)
#   -k:     keep going after a crash (libFuzzer -fork=WORKERS -ignore_crashes=1),
#           e.g. while a known bug is still open; its cov: counts differ
#   e.g.    tools/fuzz.sh -t 180 fuzz_device
#
# Prints per target: executions, exec/s, coverage (cov: and ft: of libFuzzer's
# final status line, best worker) and crashes found. Crashing inputs are left
# in build-fuzz/artifacts/ (TARGET-crash-*, -leak-*, -timeout-*, -oom-*);
# worker logs in build-fuzz/fuzz-logs/TARGET/; the grown corpus in
# build-fuzz/fuzz-work/TARGET/. To turn a crash into a regression test:
#   build-fuzz/tests/fuzz/TARGET -minimize_crash=1 -runs=10000 \
#       -exact_artifact_path=tests/fuzz/regressions/TARGET/NAME ARTIFACT
# (tests/fuzz/regressions/TARGET/ runs in the normal and ASan builds' ctest.)
# Exit status: 0 when no target crashed, 1 otherwise.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

secs=600
workers=$(nproc 2>/dev/null || echo 1)
keep=0
while getopts t:j:kh opt; do
    case $opt in
    t) secs=$OPTARG ;;
    j) workers=$OPTARG ;;
    k) keep=1 ;;
    *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
targets=${*:-fuzz_device fuzz_trace fuzz_qemu_import fuzz_pcap fuzz_scenario}

bd=$root/build-fuzz
if [ ! -f "$bd/CMakeCache.txt" ]; then
    CC=clang cmake -S . -B "$bd" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DE1K_FUZZ=ON >/dev/null
fi
# shellcheck disable=SC2086
cmake --build "$bd" -j"$workers" --target $targets >/dev/null

mkdir -p "$bd/artifacts"
status=0
printf '%-18s %12s %8s %7s %7s %8s\n' target executions exec/s cov ft crashes
for t in $targets; do
    src=$root/tests/fuzz
    work=$bd/fuzz-work/$t
    logs=$bd/fuzz-logs/$t
    rm -rf "$logs"
    mkdir -p "$work" "$logs"
    find "$src/corpus/$t" -maxdepth 1 -type f -exec cp {} "$work"/ \;
    dict=""
    [ -f "$src/$t.dict" ] && dict="-dict=$src/$t.dict"
    find "$bd/artifacts" -name "$t-*" | sort >"$logs/artifacts.before"
    # -jobs=N: N fuzzing processes, each for $secs, all sharing $work; their
    # output goes to fuzz-JOB.log in the current directory. -fork=N: one
    # parent hands short jobs to N children and survives their crashes.
    if [ "$keep" = 1 ]; then
        par="-fork=$workers -ignore_crashes=1"
    else
        par="-jobs=$workers -workers=$workers"
    fi
    # shellcheck disable=SC2086
    (cd "$logs" && "$bd/tests/fuzz/$t" $par -max_total_time="$secs" -rss_limit_mb=2048 \
        -timeout=25 -print_final_stats=1 -artifact_prefix="$bd/artifacts/$t-" $dict "$work" \
        >"$logs/main.log" 2>&1) || true
    if [ "$keep" = 1 ]; then
        # The parent's last "#RUNS: cov: C ft: F corp: N exec/s E ..." line.
        sed -n 's/^#\([0-9]*\): cov: \([0-9]*\) ft: \([0-9]*\) .*exec\/s \([0-9]*\).*/\1 \4 \2 \3/p' \
            "$logs/main.log" | tail -1 >"$logs/fork.stats"
    fi
    find "$bd/artifacts" -name "$t-*" | sort | comm -13 "$logs/artifacts.before" - \
        >"$logs/artifacts.new"
    crashes=$(wc -l <"$logs/artifacts.new")
    execs=0 rate=0 cov="" ft=""
    if [ "$keep" = 1 ]; then
        read -r execs rate cov ft <"$logs/fork.stats" || true
        covft="$cov $ft"
    else
        execs=$(cat "$logs"/fuzz-*.log 2>/dev/null |
            awk '/^stat::number_of_executed_units:/ { s += $2 } END { print s + 0 }')
        rate=$(cat "$logs"/fuzz-*.log 2>/dev/null |
            awk '/^stat::average_exec_per_sec:/ { s += $2 } END { print s + 0 }')
        # Best cov:/ft: of the last status line any worker printed.
        covft=$(cat "$logs"/fuzz-*.log 2>/dev/null | grep -E '^#[0-9]+' |
            sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p' |
            sort -n -k1,1 -k2,2 | tail -1)
    fi
    printf '%-18s %12s %8s %7s %7s %8s\n' "$t" "$execs" "$rate" "${covft% *}" "${covft#* }" \
        "$crashes"
    if [ "$crashes" -gt 0 ]; then
        status=1
        sed 's/^/    /' "$logs/artifacts.new"
        grep -hE '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz_[a-z_]+: )' "$logs"/*.log |
            sort -u | head -10 | sed 's/^/    /'
    fi
done
exit $status
