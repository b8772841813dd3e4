#!/bin/sh
# normalize: --form nfkc folds the ligature and full-width digits that NFC
# keeps; --no-punct keeps curly quotes, dashes and the ellipsis;
# --no-mojibake leaves UTF-8-read-as-cp1252 alone.
set -eu
. "$(dirname "$0")/lib.sh"

# U+FB01 "nansial" U+FF12 U+FF10 U+FF12 U+FF14, then quotes/dash/ellipsis, then mojibake
printf 'd\t1\t\357\254\201nansial \357\274\222\357\274\220\357\274\222\357\274\224\n' >"$work/in.tsv"
printf 'd\t2\t\342\200\234Ya\342\200\235 \342\200\224 tunggu\342\200\246\n' >>"$work/in.tsv"
printf 'd\t3\tCaf\303\203\302\251\n' >>"$work/in.tsv"

"$MTPREP" normalize -q --form nfkc "$work/in.tsv" >"$work/nfkc.tsv"
printf 'd\t1\tfinansial 2024\nd\t2\t"Ya" - tunggu...\nd\t3\tCaf\303\251\n' >"$work/want"
cmp "$work/nfkc.tsv" "$work/want"

"$MTPREP" normalize -q "$work/in.tsv" >"$work/nfc.tsv"
printf 'd\t1\t\357\254\201nansial \357\274\222\357\274\220\357\274\222\357\274\224\n' >"$work/want"
printf 'd\t2\t"Ya" - tunggu...\nd\t3\tCaf\303\251\n' >>"$work/want"
cmp "$work/nfc.tsv" "$work/want"

"$MTPREP" normalize -q --no-punct --no-mojibake - <"$work/in.tsv" >"$work/off.tsv"
printf 'd\t1\t\357\254\201nansial \357\274\222\357\274\220\357\274\222\357\274\224\n' >"$work/want"
printf 'd\t2\t\342\200\234Ya\342\200\235 \342\200\224 tunggu\342\200\246\n' >>"$work/want"
printf 'd\t3\tCaf\303\203\302\251\n' >>"$work/want"
cmp "$work/off.tsv" "$work/want"
pass
