#!/bin/sh
# normalize: one unit record per edge case (NBSP, ZWSP, soft hyphen, BOM,
# combining acute, quotes, dashes, ellipsis, U+2028, runs, trimming, an
# all-space text, mojibake and a near miss, NFC leaving compatibility
# characters alone) gives exactly the expected records and counts.
set -eu
. "$(dirname "$0")/lib.sh"

# count_is NAME VALUE: the --counts file holds exactly that value
count_is() {
    grep -Eq "\"$1\": *$2([^0-9]|\$)" "$work/counts.json"
}

{
    printf 'd\t1\tRp\302\2405.000\n'                          # NBSP
    printf 'd\t2\tke\342\200\213pada\n'                       # ZWSP
    printf 'd\t3\tpe\302\255merintah\n'                       # soft hyphen
    printf 'd\t4\t\357\273\277Jakarta \357\273\277barat\n'    # BOM, leading and inside
    printf 'd\t5\tcafe\314\201\n'                             # e + U+0301
    printf 'd\t6\t\342\200\234Iya,\342\200\235 katanya \342\200\230ya\342\200\231\n'
    printf 'd\t7\tJakarta\342\200\224Presiden \342\200\223 1\342\200\2232\n'
    printf 'd\t8\ttunggu\342\200\246 ya\n'                    # U+2026
    printf 'd\t9\tbaris satu\342\200\250baris dua\n'          # U+2028
    printf 'd\t10\tsatu   dua\n'                              # run of spaces
    printf 'd\t11\t   awal akhir  \n'                         # both ends
    printf 'd\t12\t \302\240\342\200\203 \n'                  # only spaces: dropped
    printf 'd\t13\tNims Caf\303\203\302\251\n'                # mojibake of e-acute
    printf 'd\t14\tCaf\303\203\302\251 na\303\257ve\n'        # near miss: left alone
    printf 'd\t15\t\357\254\201le \357\274\221\n'             # U+FB01, U+FF11 under NFC
} >"$work/in.tsv"

"$MTPREP" normalize -q --counts "$work/counts.json" "$work/in.tsv" >"$work/out.tsv"
cmp "$work/out.tsv" "$MTPREP_SOURCE_DIR/tests/e2e/expected/normalize_edge_cases.out"
count_is in 15
count_is out 14
count_is dropped.empty 1
count_is changed.mojibake 1
count_is changed.punct 3
count_is changed.control 3
pass
