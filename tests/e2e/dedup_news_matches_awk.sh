#!/bin/sh
# dedup on real news sentences (the first 3000 articles of news-id through
# ingest, normalize, segment and filter): --key exact keeps exactly the
# records that awk's first-occurrence idiom keeps on the text field, in the
# same order; --key loose keeps a subset of those; stats --pass sees the
# same records; the counts balance.
set -eu
. "$(dirname "$0")/lib.sh"
need_shared corpora/news-id/articles.jsonl

head -n 3000 "$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl" > "$work/articles.jsonl"
"$MTPREP" ingest -q "$work/articles.jsonl" | "$MTPREP" normalize -q |
    "$MTPREP" segment -q | "$MTPREP" filter -q > "$work/sentences"
[ -s "$work/sentences" ] || fail "no sentences"

"$MTPREP" dedup --counts "$work/counts.json" "$work/sentences" 2> /dev/null |
    "$MTPREP" stats -q --pass --json-out "$work/stats.json" > "$work/exact"
awk -F'\t' '!seen[$3]++' "$work/sentences" > "$work/awk"
cmp "$work/awk" "$work/exact" || fail "dedup --key exact differs from awk '!seen[\$3]++'"

in=$(wc -l < "$work/sentences")
out=$(wc -l < "$work/exact")
grep -q "\"in\": $in," "$work/counts.json" || fail "counts: in"
grep -q "\"out\": $out," "$work/counts.json" || fail "counts: out"
grep -q "\"dropped.duplicate_exact\": $((in - out))" "$work/counts.json" || fail "counts: dropped"
grep -q "^  \"records\": $out,\$" "$work/stats.json" || fail "stats saw a different record count"

"$MTPREP" dedup -q --key loose "$work/sentences" > "$work/loose"
[ "$(wc -l < "$work/loose")" -lt "$out" ] || fail "loose keeps as many records as exact"
# every loose survivor is an exact survivor, in the same order
awk -F'\t' 'NR == FNR { keep[$0] = 1; next } !($0 in keep) { exit 1 }' "$work/exact" "$work/loose" ||
    fail "loose kept a record exact dropped"
pass
