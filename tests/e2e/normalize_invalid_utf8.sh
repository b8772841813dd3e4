#!/bin/sh
# normalize: invalid UTF-8 (a lone 0xFF, an overlong '/') is dropped and
# counted under --on-error skip (the default); under --on-error fail the
# run stops with exit 1 and a message naming the input and line.
set -eu
. "$(dirname "$0")/lib.sh"

printf 'd\t1\tbaik\n' >"$work/in.tsv"
printf 'd\t2\tru\377sak\n' >>"$work/in.tsv"
printf 'd\t3\tover\300\257long\n' >>"$work/in.tsv"
printf 'd\t4\tjuga\302\240baik\n' >>"$work/in.tsv"

"$MTPREP" normalize -q --counts "$work/counts.json" "$work/in.tsv" >"$work/out.tsv"
printf 'd\t1\tbaik\nd\t4\tjuga baik\n' >"$work/want"
cmp "$work/out.tsv" "$work/want"
grep -Eq '"dropped.invalid_utf8": *2([^0-9]|$)' "$work/counts.json"

expect_exit 1 "$MTPREP" normalize -q --on-error fail "$work/in.tsv"
grep -q 'in.tsv:2: invalid_utf8' "$work/stderr" || fail "message: $(cat "$work/stderr")"
pass
