#!/bin/sh
# `mtprep build --threads N` writes the same bytes in every corpus file,
# MANIFEST.json and SHA256SUMS included, and the same summary lines, for
# N = 1, 2 and 7: over the sample corpus cut into many small blocks, and
# over a slice of news-id when the shared data is present.
set -eu
. "$(dirname "$0")/lib.sh"

sample=$MTPREP_SOURCE_DIR/corpora/sample/id
[ -d "$sample" ] || fail "no sample corpus in $sample"

# build_all NAME INPUT [BUILD OPTIONS...]: builds with 1, 2 and 7 threads
# into $work/NAME.N and keeps the summaries in $work/NAME.N.err.
build_all() {
    name=$1
    input=$2
    shift 2
    cat > "$work/$name.recipe" <<RECIPE
[build]
input = $input
output = $work/unused
lang = id
[write]
dev-ratio = 0.1
test-ratio = 0.1
RECIPE
    for n in 1 2 7; do
        "$MTPREP" build --threads "$n" "$@" --out "$work/$name.$n" "$work/$name.recipe" \
            2> "$work/$name.$n.err" || {
            cat "$work/$name.$n.err" >&2
            fail "$name: build --threads $n failed"
        }
        grep -v 'corpus written to' "$work/$name.$n.err" > "$work/$name.$n.sum"
    done
}

# same_all NAME: every file of the 2- and 7-thread corpora equals the 1-thread one.
same_all() {
    files=$(cd "$work/$1.1" && ls)
    [ -n "$files" ] || fail "$1: empty corpus"
    for n in 2 7; do
        [ "$(cd "$work/$1.$n" && ls)" = "$files" ] || fail "$1: file sets differ at $n threads"
        for f in $files; do
            cmp "$work/$1.1/$f" "$work/$1.$n/$f" || fail "$1: $f differs at $n threads"
        done
        cmp "$work/$1.1.sum" "$work/$1.$n.sum" || fail "$1: summaries differ at $n threads"
    done
}

# Blocks of 3 records: the sample's paragraphs spread over every worker.
build_all sample "$sample" --block-records 3
same_all sample
grep -q 'mtprep segment: in [1-9]' "$work/sample.1.sum" || fail "sample: no segment summary"
"$MTPREP" verify "$work/sample.7" > /dev/null || fail "sample: 7-thread corpus does not verify"

# The 1-thread build equals the build without --threads (the single-thread path).
"$MTPREP" build -q --out "$work/plain" "$work/sample.recipe"
for f in $(cd "$work/plain" && ls); do
    cmp "$work/plain/$f" "$work/sample.1/$f" || fail "$f differs between no --threads and --threads 1"
done

news=$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl
if [ -r "$news" ]; then
    head -n 1500 "$news" > "$work/news.jsonl"
    build_all news "$work/news.jsonl" --block-records 500
    same_all news
    [ "$(zstdcat "$work/news.1/train.id.zst" | wc -l)" -gt 10000 ] || fail "news: train split too small"
else
    echo "note: $news absent; news-id slice not compared"
fi
pass
