#!/bin/sh
# normalize over the news-id corpus (after ingest): the output is a fixed
# point (normalizing it again changes no byte, for NFC and NFKC), holds no
# NBSP, ZWSP, BOM, soft hyphen or curly quote, and the counts balance.
set -eu
. "$(dirname "$0")/lib.sh"
need_shared corpora/news-id/articles.jsonl
corpus=$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl

"$MTPREP" ingest -q "$corpus" >"$work/paragraphs.tsv"
for form in nfc nfkc; do
    "$MTPREP" normalize -q --form "$form" --counts "$work/counts.json" \
        "$work/paragraphs.tsv" >"$work/once.tsv"
    "$MTPREP" normalize -q --form "$form" "$work/once.tsv" >"$work/twice.tsv"
    cmp "$work/once.tsv" "$work/twice.tsv"
    test -s "$work/once.tsv"
done

for bytes in '\302\240' '\342\200\213' '\357\273\277' '\302\255' '\342\200\234' '\342\200\231'; do
    pattern=$(printf "$bytes")
    if grep -q "$pattern" "$work/once.tsv"; then
        fail "normalized output still holds $bytes"
    fi
done

# in = out + dropped.* (normalize creates no records)
awk -F': *' '
    /"in"/ { gsub(/[^0-9]/, "", $2); total_in = $2 }
    /"out"/ { gsub(/[^0-9]/, "", $2); total_out = $2 }
    /"dropped\./ { gsub(/[^0-9]/, "", $2); dropped += $2 }
    END { exit !(total_in > 0 && total_in == total_out + dropped) }
' "$work/counts.json"
pass
