#!/bin/sh
# write and verify: --help goes to stdout with exit 0 and names every option;
# misuse goes to stderr with exit 2; a malformed clusters file exits 1.
set -eu
. "$(dirname "$0")/lib.sh"

"$MTPREP" write --help >"$work/help"
for opt in --out --lang --tgt-lang --dev-ratio --test-ratio --level --mem --stage-counts \
    --clusters --exclude --counts --on-error; do
    grep -q -e "$opt" "$work/help"
done
"$MTPREP" verify --help >"$work/help"
grep -q "Usage: mtprep verify" "$work/help"
grep -q -e "--leaks" "$work/help"
grep -q -e "--mem" "$work/help"

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
expect_usage write --out "$work/c" --exclude
grep -q "option '--exclude' requires a value" "$work/err"
expect_usage write --out "$work/c" --bogus
grep -q "unknown option '--bogus'" "$work/err"
expect_usage verify
expect_usage verify "$work" "$work"
expect_usage verify -x "$work"
grep -q "unknown option '-x'" "$work/err"
[ ! -e "$work/c" ]

# A malformed clusters file is bad input, named by file and line: exit 1.
printf 'a\ta\nb c\n' >"$work/clusters.tsv"
status=0
"$MTPREP" write -q --out "$work/c" --clusters "$work/clusters.tsv" </dev/null 2>"$work/err" ||
    status=$?
[ "$status" -eq 1 ] || { echo "exit $status for a malformed clusters file" >&2; exit 1; }
grep -q "clusters.tsv:2: not 'doc_id TAB cluster_id'" "$work/err"
[ ! -e "$work/c/MANIFEST.json" ]
pass
