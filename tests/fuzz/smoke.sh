#!/bin/sh
# One short libFuzzer run of a target on a copy of its committed corpus, so the
# repository's corpus is never modified. (Crash regressions are not copied:
# the fuzz-regression tests run them.)
# Usage: smoke.sh FUZZER TARGET SRC_DIR(tests/fuzz) BUILD_DIR SECONDS
# The corpus copy is BUILD_DIR/fuzz-smoke/TARGET; new crashing inputs land in
# BUILD_DIR/artifacts/TARGET-crash-* (as with tools/fuzz.sh).
set -eu
fz=$1 t=$2 src=$3 out=$4 secs=$5
work=$out/fuzz-smoke/$t
rm -rf "$work"
mkdir -p "$work" "$out/artifacts"
find "$src/corpus/$t" -maxdepth 1 -type f -exec cp {} "$work"/ \;
dict=""
[ -f "$src/$t.dict" ] && dict="-dict=$src/$t.dict"
# shellcheck disable=SC2086
exec "$fz" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$t-" $dict "$work"
