#!/bin/sh
# One document pair of 20,000 source sentences with one-sided deletions
# (synthetic, from the word list): the banded search must follow the
# drifting path and align nearly every sentence, in bounded time and memory.
set -eu
. "$(dirname "$0")/lib.sh"
dict=$MTPREP_SOURCE_DIR/corpora/dict.id-en.tsv

awk -v n=20000 -v seed=7 -v doc=long -v src="$work/src" -v tgt="$work/tgt" \
    -v gold="$work/gold" -f "$MTPREP_SOURCE_DIR/tools/synth_align_doc.awk" "$dict"
expect_exit 0 "$MTPREP" align -q --dict "$dict" "$work/src" "$work/tgt"
cut -f 2 "$work/stdout" > "$work/got"
gold=$(wc -l < "$work/gold")
hits=$(sort "$work/gold" "$work/got" | uniq -d | wc -l)
echo "pairs: gold $gold, found $(wc -l < "$work/got"), exact $hits"
[ $((hits * 100)) -ge $((gold * 97)) ] || fail "only $hits of $gold gold pairs found"
pass
