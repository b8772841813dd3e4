#!/bin/sh
# dedup --docs over news-id: every document whose paragraphs repeat an
# earlier document's exactly is dropped into that document's cluster, each
# cluster is named by a kept document, the counts balance, and two runs give
# identical bytes.
set -eu
. "$(dirname "$0")/lib.sh"
need_shared corpora/news-id/articles.jsonl

"$MTPREP" ingest -q "$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl" > "$work/in"
"$MTPREP" dedup --docs -q --clusters "$work/clusters" --counts "$work/counts.json" "$work/in" \
    > "$work/out"
"$MTPREP" dedup --docs -q --clusters "$work/clusters2" "$work/in" > "$work/out2"
cmp "$work/out" "$work/out2" || fail "two runs differ"
cmp "$work/clusters" "$work/clusters2" || fail "two runs' clusters differ"

# exact repeats: documents whose texts joined are those of an earlier one
awk -F '\t' '$1 != doc { if (doc != "") print doc "\t" text; doc = $1; text = "" }
    { text = text "\034" $3 } END { if (doc != "") print doc "\t" text }' "$work/in" |
    awk -F '\t' 'seen[substr($0, length($1) + 2)]++ { print $1 }' | sort > "$work/repeats"
[ -s "$work/repeats" ] || fail "news-id should hold exact repeats"
awk -F '\t' '$1 != $2 { print $1 }' "$work/clusters" | sort > "$work/dropped"
comm -23 "$work/repeats" "$work/dropped" > "$work/kept_repeats"
[ ! -s "$work/kept_repeats" ] || fail "exact repeats kept: $(head -3 "$work/kept_repeats")"

# every cluster id is a document that was kept (its records are in the output)
cut -f1 "$work/out" | uniq | sort > "$work/kept"
cut -f2 "$work/clusters" | sort -u | comm -23 - "$work/kept" > "$work/bad_ids"
[ ! -s "$work/bad_ids" ] || fail "cluster named by a dropped document: $(head -1 "$work/bad_ids")"

in=$(wc -l < "$work/in")
out=$(wc -l < "$work/out")
dropped=$(sed -n 's/.*"dropped.near_duplicate_doc": *\([0-9]*\).*/\1/p' "$work/counts.json")
[ "$in" -eq $((out + dropped)) ] || fail "in $in != out $out + dropped $dropped"
pass
