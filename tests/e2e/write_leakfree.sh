#!/bin/sh
# write on real text: the sample corpus, and a slice of news-id when the
# shared data is present, through ingest, normalize and segment, with the
# near-duplicate clusters of dedup --docs --clusters given to write while
# every document is kept. Checks: train shares no exact and no loose key
# with dev or test (dedup itself is the oracle: once each side is
# deduplicated, deduplicating dev+test then train drops nothing; verify
# --leaks agrees); every cluster lies in one split (a unique marker
# sentence per document shows where it went); the counts balance; a second
# run gives the same bytes.
set -eu
. "$(dirname "$0")/lib.sh"
command -v zstd >/dev/null 2>&1 || { echo "SKIP: no zstd program"; exit 77; }

# Adds "doc_id TAB 0 TAB penanda LETTERS" per document: digits spelled as
# letters, so that no two markers share a loose key.
add_markers() {
    awk -F'\t' '{ print } $1 != last { last = $1; m = $1
        gsub(/0/, "nol", m); gsub(/1/, "sa", m); gsub(/2/, "du", m); gsub(/3/, "ti", m)
        gsub(/4/, "em", m); gsub(/5/, "li", m); gsub(/6/, "en", m); gsub(/7/, "tu", m)
        gsub(/8/, "de", m); gsub(/9/, "se", m); gsub(/[^A-Za-z]/, "x", m)
        print $1 "\t0\tpenanda " m }' "$1"
}

# lines_of DIR SPLIT: the split's texts as unit records of one document.
lines_of() {
    zstd -dcq "$1/$2.id.zst" | awk -v d="$2" '{ print d "\t" NR "\t" $0 }'
}

check_no_shared_key() {
    { lines_of "$1" dev; lines_of "$1" test; } >"$work/heldout.tsv"
    lines_of "$1" train >"$work/train.tsv"
    for key in exact loose; do
        "$MTPREP" dedup -q --key "$key" "$work/heldout.tsv" >"$work/h.$key"
        "$MTPREP" dedup -q --key "$key" "$work/train.tsv" >"$work/t.$key"
        both=$(cat "$work/h.$key" "$work/t.$key" | "$MTPREP" dedup -q --key "$key" | wc -l)
        want=$(cat "$work/h.$key" "$work/t.$key" | wc -l)
        [ "$both" -eq "$want" ] || fail "$1: train shares $((want - both)) $key keys with dev/test"
    done
}

# Every cluster's members (listed in $2) have their markers in one split.
check_clusters() {
    for split in train dev test; do
        zstd -dcq "$1/$split.id.zst" | awk -v s="$split" '/^penanda / { print $2 "\t" s }'
    done >"$work/marker.split"
    add_markers "$3" | awk -F'\t' '$2 == "0" { print $1 "\t" substr($3, 9) }' >"$work/doc.marker"
    awk -F'\t' 'FILENAME == ARGV[1] { split_of[$1] = $2; next }
        FILENAME == ARGV[2] { marker[$1] = $2; next }
        { s = split_of[marker[$1]]
          if (!($2 in first)) first[$2] = s
          else if (first[$2] != s) { print "cluster " $2 " straddles " first[$2] " and " s; bad = 1 } }
        END { exit bad }' "$work/marker.split" "$work/doc.marker" "$2" ||
        fail "$1: a near-duplicate cluster straddles two splits"
}

# run NAME RECORDS DEV TEST: the whole check on one record stream.
run() {
    "$MTPREP" dedup -q --docs --clusters "$work/$1.clusters" "$2" >/dev/null
    add_markers "$2" >"$work/$1.marked"
    "$MTPREP" write -q --out "$work/$1" --dev-ratio "$3" --test-ratio "$4" \
        --clusters "$work/$1.clusters" --counts "$work/$1.counts" "$work/$1.marked"
    "$MTPREP" verify -q --leaks "$work/$1"
    check_no_shared_key "$work/$1"
    check_clusters "$work/$1" "$work/$1.clusters" "$2"
    grep -q '"moved_by_cluster": [1-9]' "$work/$1.counts" || fail "$1: no document was clustered"
    awk -F'[":, ]+' '$2 == "in" { n += $3 } $2 == "out" || $2 ~ /^dropped\./ { n -= $3 }
        END { exit n != 0 }' "$work/$1.counts" || fail "$1: in != out + dropped"
    "$MTPREP" write -q --out "$work/$1.again" --dev-ratio "$3" --test-ratio "$4" \
        --clusters "$work/$1.clusters" "$work/$1.marked"
    cmp "$work/$1/MANIFEST.json" "$work/$1.again/MANIFEST.json"
}

"$MTPREP" ingest -q "$MTPREP_SOURCE_DIR/corpora/sample/id" | "$MTPREP" normalize -q |
    "$MTPREP" segment -q >"$work/sample.tsv"
run sample "$work/sample.tsv" 0.3 0.3

if [ -e "$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl" ]; then
    head -n 2000 "$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl" >"$work/articles.jsonl"
    "$MTPREP" ingest -q "$work/articles.jsonl" | "$MTPREP" normalize -q |
        "$MTPREP" segment -q >"$work/news.tsv"
    run news "$work/news.tsv" 0.1 0.1
    grep -q '"dropped.cross_split_exact": [1-9]' "$work/news.counts" ||
        fail "news: no cross-split drop to check"
else
    echo "news-id not present: sample corpus only"
fi
pass
