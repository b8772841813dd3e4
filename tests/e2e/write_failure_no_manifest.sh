#!/bin/sh
# write: runs that cannot complete exit non-zero and leave no MANIFEST.json
# or SHA256SUMS: the output "directory" is a file, its parent is missing,
# and pair records arrive without --tgt-lang in a directory that held a
# complete corpus before.
set -eu
. "$(dirname "$0")/lib.sh"

printf 'doc-1\t1.1\tSatu.\n' >"$work/in.tsv"

: >"$work/file"
status=0
"$MTPREP" write -q --out "$work/file" "$work/in.tsv" 2>"$work/err" || status=$?
[ "$status" -eq 1 ]
grep -q "not a directory" "$work/err"

status=0
"$MTPREP" write -q --out "$work/missing/parent/c" "$work/in.tsv" 2>"$work/err" || status=$?
[ "$status" -eq 1 ]
[ ! -e "$work/missing" ]

"$MTPREP" write -q --out "$work/c" "$work/in.tsv"
"$MTPREP" verify -q "$work/c"
printf 'doc-1\t1.1=1.1\tSatu.\tOne.\t0.9000\n' >"$work/pairs.tsv"
status=0
"$MTPREP" write -q --out "$work/c" "$work/pairs.tsv" 2>"$work/err" || status=$?
[ "$status" -eq 2 ]
grep -q "a pair record, but write takes unit records" "$work/err"
[ ! -e "$work/c/MANIFEST.json" ]
[ ! -e "$work/c/SHA256SUMS" ]
if ls "$work/c" | grep -q 'tmp'; then
    echo "temporary files left behind" >&2
    exit 1
fi
status=0
"$MTPREP" verify -q "$work/c" 2>/dev/null || status=$?
[ "$status" -eq 1 ]
pass
