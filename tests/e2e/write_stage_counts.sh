#!/bin/sh
# write --stage-counts: an earlier stage's counts file is folded into
# MANIFEST.json under its stage name; --counts writes write's own counts.
set -eu
. "$(dirname "$0")/lib.sh"

printf '{"stage":"filter","counts":{"in":5,"out":3,"dropped.too_short":2}}\n' >"$work/filter.json"
printf 'a\t1\tSatu.\nb\t1\tDua.\nc\t1\tTiga.\n' >"$work/in.tsv"
"$MTPREP" write -q --out "$work/c" --stage-counts "$work/filter.json" \
    --counts "$work/write.json" "$work/in.tsv"
grep -q '"dropped.too_short": 2' "$work/c/MANIFEST.json"
grep -q '"filter": {' "$work/c/MANIFEST.json"
grep -q '"write": {' "$work/c/MANIFEST.json"
grep -q '"stage": *"write"' "$work/write.json"
grep -q '"in": *3' "$work/write.json"

status=0
"$MTPREP" write -q --out "$work/d" --stage-counts "$work/nope.json" "$work/in.tsv" \
    2>"$work/err" || status=$?
[ "$status" -ne 0 ]
grep -q "nope.json" "$work/err"
[ ! -e "$work/d/MANIFEST.json" ]
pass
