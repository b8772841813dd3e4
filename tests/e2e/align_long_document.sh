#!/bin/sh
# One document pair of 20,000 source sentences with one-sided deletions and
# merges (synthetic, from the word list): the banded search must follow the
# drifting path and align nearly every sentence, in bounded time and memory.
set -eu
. "$(dirname "$0")/lib.sh"
dict=$MTPREP_SOURCE_DIR/corpora/dict.id-en.tsv

awk -F '\t' -v n=20000 -v src="$work/src" -v tgt="$work/tgt" '
    /^#/ || NF < 2 { next }
    { split($2, en, " "); ids[++w] = $1; ens[w] = en[1] }
    function sentence(   len, i, k, s, t) {
        len = 6 + int(rand() * 20); s = ""; t = ""
        for (i = 0; i < len; i++) {
            k = 1 + int(rand() * w)
            s = s (i ? " " : "") ids[k]; t = t (i ? " " : "") ens[k]
        }
        k = int(rand() * 5000)
        S = s " " k "."; T = t " " k "."
    }
    END {
        srand(7); ns = 0; nt = 0
        while (ns < n) {
            sentence(); r = rand()
            if (r < 0.05) { printf "long\t1.%d\t%s\n", ++ns, S > src; continue }
            if (r < 0.10) { printf "long\t1.%d\t%s\n", ++nt, T > tgt; continue }
            printf "long\t1.%d\t%s\n", ++ns, S > src
            printf "long\t1.%d\t%s\n", ++nt, T > tgt
            printf "1.%d=1.%d\n", ns, nt > "/dev/stderr"
        }
    }' "$dict" 2> "$work/gold"
expect_exit 0 "$MTPREP" align -q --dict "$dict" "$work/src" "$work/tgt"
cut -f 2 "$work/stdout" > "$work/got"
gold=$(wc -l < "$work/gold")
hits=$(sort "$work/gold" "$work/got" | uniq -d | wc -l)
echo "pairs: gold $gold, found $(wc -l < "$work/got"), exact $hits"
[ $((hits * 100)) -ge $((gold * 97)) ] || fail "only $hits of $gold gold pairs found"
pass
