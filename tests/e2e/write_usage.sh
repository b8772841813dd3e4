#!/bin/sh
# write and verify: --help goes to stdout with exit 0 and names every option;
# misuse goes to stderr with exit 2.
set -eu
. "$(dirname "$0")/lib.sh"

"$MTPREP" write --help >"$work/help"
for opt in --out --lang --dev-ratio --test-ratio --level --mem --stage-counts --counts \
    --on-error; do
    grep -q -e "$opt" "$work/help"
done
"$MTPREP" verify --help >"$work/help"
grep -q "Usage: mtprep verify" "$work/help"

expect_usage() {
    status=0
    "$MTPREP" "$@" </dev/null >"$work/out" 2>"$work/err" || status=$?
    [ "$status" -eq 2 ] || { echo "exit $status for: $*" >&2; exit 1; }
    [ ! -s "$work/out" ]
    grep -q "^mtprep $1: " "$work/err"
}
expect_usage write
expect_usage write --out "$work/c" --dev-ratio 0.7 --test-ratio 0.7
expect_usage write --out "$work/c" --dev-ratio 1.5
expect_usage write --out "$work/c" --level 0
expect_usage write --out "$work/c" --lang ../x
expect_usage verify
expect_usage verify "$work" "$work"
[ ! -e "$work/c" ]
pass
