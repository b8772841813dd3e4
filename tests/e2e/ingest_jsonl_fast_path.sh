#!/bin/sh
# ingest reads common JSONL lines with its own scanner and leaves the rest to
# jansson: the same articles with the "text" key spelled with an escape
# ("\u0074ext", which only jansson reads) give identical records and counts.
set -eu
. "$(dirname "$0")/lib.sh"
need_shared corpora/news-id/articles.jsonl
news=$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl

head -n 2000 "$news" >"$work/fast.jsonl"
sed 's/"text": /"\\u0074ext": /' "$work/fast.jsonl" >"$work/slow.jsonl"
n=$(grep -c '"\\u0074ext": ' "$work/slow.jsonl")
test "$n" -eq 2000 || fail "only $n lines rewritten"

"$MTPREP" ingest -q --counts "$work/fast.json" "$work/fast.jsonl" >"$work/fast.out"
"$MTPREP" ingest -q --counts "$work/slow.json" "$work/slow.jsonl" >"$work/slow.out"
test -s "$work/fast.out" || fail "no records"
cmp "$work/fast.out" "$work/slow.out" || fail "records differ between the two paths"
cmp "$work/fast.json" "$work/slow.json" || fail "counts differ between the two paths"
pass
