#!/bin/sh
# Usage: make_db.sh E1KSIM DB
# Records the runs the report tests look at: scenarios/test-report.yaml (20 ms
# of 20 kpps) at four InterruptThrottleRate settings, one run recorded at
# summary level (histograms, no per-frame rows) and one without traffic.
# Run from the project's root.
set -eu
E=$1
DB=$2
S=scenarios/test-report.yaml
rm -f "$DB"
for itr in 0 3 1000 8000; do
    "$E" run "$S" --db "$DB" --quiet --set driver.itr=$itr
done
"$E" run "$S" --db "$DB" --quiet --set driver.itr=3000 --set record.level=summary
"$E" run "$S" --db "$DB" --quiet --set traffic.rx.source=none
