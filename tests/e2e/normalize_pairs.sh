#!/bin/sh
# normalize: both text fields of a pair record are normalized; doc_id, units
# and score pass unchanged; a pair with one side empty after normalization is
# dropped as dropped.empty.
set -eu
. "$(dirname "$0")/lib.sh"

printf 'd1\t3.2+3.3=4.1\t\342\200\234Halo\342\200\235\302\240 dunia\tcafe\314\201 \342\200\224 ok\t0.9731\n' >"$work/in.tsv"
printf 'd1\t5.1=6.1\tada\t\342\200\213\302\240\t0.5000\n' >>"$work/in.tsv"
printf 'd2\t1.1=1.1\tsama\tsame\t1.0000\n' >>"$work/in.tsv"

"$MTPREP" normalize -q --counts "$work/counts.json" <"$work/in.tsv" >"$work/out.tsv"
printf 'd1\t3.2+3.3=4.1\t"Halo" dunia\tcaf\303\251 - ok\t0.9731\n' >"$work/want"
printf 'd2\t1.1=1.1\tsama\tsame\t1.0000\n' >>"$work/want"
cmp "$work/out.tsv" "$work/want"
grep -Eq '"dropped.empty": *1([^0-9]|$)' "$work/counts.json"
grep -Eq '"changed.punct": *2([^0-9]|$)' "$work/counts.json"
pass
