#!/bin/sh
# Nothing is lost: for every stage, in + split = out + dropped, the counts
# files agree with the records actually passed on, and write folds them all
# into MANIFEST.json.
set -eu
. "$(dirname "$0")/lib.sh"

sample=$MTPREP_SOURCE_DIR/corpora/sample/id
c=$work/counts
mkdir "$c"
"$MTPREP" ingest -q --counts "$c/ingest.json" "$sample" > "$work/1"
"$MTPREP" normalize -q --counts "$c/normalize.json" "$work/1" > "$work/2"
"$MTPREP" segment -q --counts "$c/segment.json" "$work/2" > "$work/3"
"$MTPREP" filter -q --counts "$c/filter.json" "$work/3" > "$work/4"
"$MTPREP" dedup -q --counts "$c/dedup.json" "$work/4" > "$work/5"
"$MTPREP" write -q --out "$work/corpus" --lang id --counts "$c/write.json" \
    --stage-counts "$c/ingest.json" --stage-counts "$c/normalize.json" \
    --stage-counts "$c/segment.json" --stage-counts "$c/filter.json" \
    --stage-counts "$c/dedup.json" "$work/5"

# value FILE NAME: one counter from a counts JSON file (flat, one key per line).
value() {
    v=$(sed -n "s/^ *\"$2\": \([0-9]*\),\{0,1\}$/\1/p" "$1")
    echo "${v:-0}"
}
dropped() {
    sed -n 's/^ *"dropped\.[^"]*": \([0-9]*\),\{0,1\}$/\1/p' "$1" | awk '{ s += $1 } END { print s + 0 }'
}

n=1
for stage in ingest normalize segment filter dedup write; do
    f=$c/$stage.json
    in=$(value "$f" in)
    out=$(value "$f" out)
    split=$(value "$f" split)
    drop=$(dropped "$f")
    [ $((in + split)) -eq $((out + drop)) ] ||
        fail "$stage: in $in + split $split != out $out + dropped $drop"
    if [ "$stage" != write ]; then
        lines=$(wc -l < "$work/$n")
        [ "$out" -eq "$lines" ] || fail "$stage: out $out but $lines records written"
        n=$((n + 1))
    fi
    if [ "$stage" != ingest ]; then
        [ "$in" -eq "$prev_out" ] || fail "$stage: in $in but the previous stage sent $prev_out"
    fi
    prev_out=$out
    grep -q "\"$stage\"" "$work/corpus/MANIFEST.json" || fail "manifest lacks $stage counts"
done
pass
