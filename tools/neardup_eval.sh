#!/bin/sh
# neardup_eval.sh: precision and recall of dedup --docs on a near-duplicate
# set built from news-id at run time (no derived copy of news-id is stored).
#
# Usage: tools/neardup_eval.sh BUILD_DIR [THRESHOLD [SHINGLE_WORDS]]
#   BUILD_DIR holds the mtprep binary (a Release build for speed numbers).
#   THRESHOLD defaults to 0.8, SHINGLE_WORDS to 1. Environment: BASES (500),
#   COPIES per base (2), NEGATIVES (2000), SEED (2026), MIN_BASE_WORDS (80,
#   see 3.), EDITS (one or stacked, see 3.), INGEST_RULES (0 or 1, see 3.),
#   KEEP=1 keeps the work directory. Needs gawk (srand/rand streams differ
#   between awks) and the C.UTF-8 locale.
#
# The set:
#   1. news-id's articles.jsonl -> paragraph records (mtprep ingest
#      --no-rules: boilerplate stays in, so it counts against similarity).
#   2. Real near duplicates are excluded: the stage runs over the whole
#      corpus with word 1-grams at threshold 0.7, and every document in a
#      cluster of two or more (exact re-scrapes included) is left out.
#      Similar but distinct articles (Jaccard below ~0.7) stay in as
#      negatives, so a merge among them counts against precision.
#   3. From the rest, with awk's srand(SEED): BASES base articles of at
#      least MIN_BASE_WORDS words, NEGATIVES unrelated articles of any
#      length, and COPIES edited copies of each base (tools/neardup_gen.awk).
#      Why 80 words: the edits below are fixed in size, not in proportion.
#      One boilerplate line (5-15 words) or one paragraph is 20-40 % of a
#      40-word item, so most "copies" of such items are not near duplicates
#      at threshold 0.8 by the measure the stage promises (word-set
#      Jaccard): with MIN_BASE_WORDS=0, only about 60 % of the generated
#      pairs with bases under 100 words reach it. Syndicated copies are full
#      articles (news-id's median is 155 distinct words); its 18 % of items
#      under 80 words are mostly social-media claims from the hoax sets,
#      fact-check summaries and briefs, not wire copy. MIN_BASE_WORDS=0
#      gives the unrestricted set (recall 0.90 there, 0.65 on its bases
#      under 100 words, at precision 1.0); step 5 prints the short bases'
#      numbers either way.
#      Structural edits: boilerplate lines added
#      (1-2 of "Baca juga: ...", "ADVERTISEMENT", credits ...), boilerplate
#      removed (such lines; when the base has none, it gets 1-2 that the
#      copy lacks), one paragraph dropped, paragraphs shuffled. EDITS=one
#      (default): exactly one of the four, drawn uniformly (a paragraph is
#      dropped only from 5+ paragraphs, else they are shuffled);
#      EDITS=stacked: each with probability 1/2. Every copy also has a
#      uniform 2-5 % of its words replaced by words drawn from the set.
#      INGEST_RULES=1 writes the set as JSONL through `mtprep ingest` with
#      its boilerplate rules, as a real run does (ingest, then dedup
#      --docs); 0 (default) feeds the records to the stage, boilerplate and
#      all.
#   4. The documents are shuffled, run through the stage with --clusters,
#      and pairs are scored: a true pair is two documents of one base (the
#      base and a copy, or two copies); a predicted pair is two documents in
#      one cluster. precision = true predicted pairs / predicted pairs,
#      recall = true predicted pairs / true pairs.
#   5. The same decisions against exact Jaccard (tools/neardup_exact.awk):
#      near duplicates are the candidate pairs whose word-shingle sets have
#      Jaccard >= threshold; plus the generator's recall by base length.
set -eu
LC_ALL=C
export LC_ALL

build=${1:?usage: neardup_eval.sh BUILD_DIR [THRESHOLD [SHINGLE_WORDS]]}
threshold=${2:-0.8}
shingle=${3:-1}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
shared=${MTPREP_SHARED_DIR:-$src/../shared}
articles=$shared/corpora/news-id/articles.jsonl
bases=${BASES:-500}
minwords=${MIN_BASE_WORDS:-80}
copies=${COPIES:-2}
negatives=${NEGATIVES:-2000}
seed=${SEED:-2026}
mode=${EDITS:-one}
rules=${INGEST_RULES:-0}

[ -r "$articles" ] || { echo "SKIP: $articles not present"; exit 77; }
work=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
    echo "work directory: $work" >&2
else
    trap 'rm -rf "$work"' EXIT INT TERM
fi

run_stage() { # THRESHOLD SHINGLE_WORDS CLUSTERS < records > kept
    "$build/mtprep" dedup --docs --threshold "$1" --shingle-words "$2" --clusters "$3" -
}

"$build/mtprep" ingest -q --no-rules "$articles" > "$work/pool.tsv"

# 2. documents in real near-duplicate clusters
run_stage 0.7 1 "$work/real.clusters" < "$work/pool.tsv" > /dev/null 2>&1
awk -F '\t' '{ n[$2]++; c[$1] = $2 } END { for (d in c) if (n[c[d]] > 1) print d }' \
    "$work/real.clusters" | sort > "$work/excluded"

# 3. the set: bases, copies, negatives, shuffled; truth = doc_id -> base
format=records
[ "$rules" = 1 ] && format=jsonl
awk -F '\t' -v seed="$seed" -v nbase="$bases" -v ncopy="$copies" -v nneg="$negatives" -v mode="$mode" \
    -v minwords="$minwords" \
    -v format="$format" -v truth="$work/truth" -v edits="$work/edits" -f "$here/neardup_gen.awk" \
    "$work/excluded" "$work/pool.tsv" > "$work/set.$format"
if [ "$rules" = 1 ]; then
    "$build/mtprep" ingest -q --on-error fail "$work/set.jsonl" > "$work/set.records"
fi

# 4. run and score
start=$(date +%s.%N)
run_stage "$threshold" "$shingle" "$work/clusters" < "$work/set.records" \
    > "$work/kept.tsv" 2> "$work/summary"
end=$(date +%s.%N)
awk -F '\t' -v threshold="$threshold" -v shingle="$shingle" -v seed="$seed" -v mode="$mode" -v rules="$rules" \
    -v minwords="$minwords" -v excluded="$(wc -l < "$work/excluded")" -v missed="$work/missed" -v mixed="$work/mixed" '
    function pairs(n) { return n * (n - 1) / 2 }
    FNR == NR { group[$1] = $2; next }
    { cluster[$1] = $2; nc[$2]++; ng[group[$1]]++; cell[$2 SUBSEP group[$1]]++; docs++ }
    END {
        for (c in nc) predicted += pairs(nc[c])
        for (g in ng) truepairs += pairs(ng[g])
        for (k in cell) correct += pairs(cell[k])
        # for inspection: copies outside their base cluster, clusters mixing bases
        for (d in cluster) if (cluster[d] != cluster[group[d]]) print d "\t" group[d] > missed
        for (k in cell) { split(k, kk, SUBSEP); if (cell[k] < nc[kk[1]]) print kk[1] > mixed }
        printf "near-dup eval: seed %s, edits %s, ingest rules %s, bases of %d+ words, %d documents (%d in real near-dup clusters excluded before), word %d-grams, threshold %s\n", seed, mode, rules, minwords, docs, excluded, shingle, threshold
        printf "  true pairs %d, predicted pairs %d, correct %d\n", truepairs, predicted, correct
        printf "  precision %.4f  recall %.4f\n", predicted ? correct / predicted : 1, truepairs ? correct / truepairs : 1
    }' "$work/truth" "$work/clusters"
LC_ALL=C.UTF-8 awk -v k="$shingle" -v threshold="$threshold" -f "$here/neardup_exact.awk" \
    "$work/truth" "$work/clusters" "$work/set.records"
bytes=$(wc -c < "$work/set.records")
awk -v b="$bytes" -v s="$start" -v e="$end" 'BEGIN { printf "  stage run: %d bytes in %.3f s\n", b, e - s }'
cat "$work/summary"
