# Sourced by the scenario tests: $1 is the e1ksim binary; the working
# directory is the project root. Each test gets a temporary directory $T,
# removed on exit.
set -u
E=$1
T=$(mktemp -d "${TMPDIR:-/tmp}/e1k-scenario.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# one value from a query
q() { sqlite3 -batch -noheader "$1" "$2"; }
# the query's rows, hashed
h() { sqlite3 -batch -noheader "$1" "$2" | sha256sum | cut -d' ' -f1; }
# an awk comparison: check "$a <= $b" etc. on decimals
ok() { awk "BEGIN { exit !($1) }"; }
