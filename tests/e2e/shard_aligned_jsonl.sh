#!/bin/sh
# A sharded run of an aligned recipe over JSONL inputs: the source side a
# directory (one .jsonl, cut between lines into the shards, and a name
# ingest ignores), the target side one .jsonl file of another size, so the
# two sides are cut at different documents, and a directory holding only an
# ignored name (files_ignored counted per side); documents missing on either
# side, pairs repeated across shards (dedup --key loose). The corpus equals
# `mtprep build`'s byte for byte for N = 1, 2, 4, 7 and P = 1, 3.
set -eu
. "$(dirname "$0")/lib.sh"

mkdir "$work/id" "$work/en-extra"
printf 'not an input\n' > "$work/id/notes.md"
printf 'not an input either\n' > "$work/en-extra/skip.md"
# Document i: two paragraphs with numbers that anchor the alignment; d003's
# text comes back as d041 and d077 (duplicates for dedup), d020 has no
# English side and x999 no Indonesian one; a long Indonesian article
# without a counterpart (y000) moves the source side's cuts.
awk 'BEGIN {
    printf "{\"id\": \"y000\", \"text\": \""
    for (j = 0; j < 60; j++) printf "Berita panjang tanpa terjemahan nomor %d. ", j
    printf "\"}\n"
    for (i = 0; i < 80; i++) {
        t = (i == 41 || i == 77) ? 3 : i
        printf "{\"id\": \"d%03d\", \"text\": \"Harga beras naik %d persen di pasar Kota %d pagi ini. Pedagang berkata stok cukup untuk %d hari.\\n\\nPemerintah daerah akan membuka %d gudang baru tahun depan.\"}\n", i, t + 5, t, t + 30, t + 2
    }
}' > "$work/id/news.jsonl"
awk 'BEGIN {
    for (i = 0; i < 80; i++) {
        if (i == 20) continue
        t = (i == 41 || i == 77) ? 3 : i
        printf "{\"id\": \"d%03d\", \"text\": \"Rice prices rose %d percent at the market in City %d this morning. Traders said stock was enough for %d days.\\n\\nThe local government will open %d new warehouses next year.\"}\n", i, t + 5, t, t + 30, t + 2
        if (i == 60) printf "{\"id\": \"x999\", \"text\": \"An English story with no Indonesian side at all, told in 42 words.\"}\n"
    }
}' > "$work/en.jsonl"
cat > "$work/r.recipe" <<RECIPE
[build]
input = $work/id
tgt-input = $work/en.jsonl
tgt-input = $work/en-extra
lang = id
tgt-lang = en
output = $work/ref

[align]
min-score = 0.1

[filter]
min-chars = 3

[dedup]
key = loose
RECIPE
"$MTPREP" build -q "$work/r.recipe"
grep -q '"dropped.duplicate_loose": [1-9]' "$work/ref/MANIFEST.json" ||
    fail "the inputs hold no duplicate pairs"
[ "$(grep -c '"files_ignored": 1' "$work/ref/MANIFEST.json")" = 2 ] ||
    fail "not one ignored name counted on each side"

for n in 1 2 4 7; do
    for p in 1 3; do
        run=$work/run-$n-$p
        out=$work/out-$n-$p
        "$MTPREP" plan -q --shards "$n" --partitions "$p" --out "$out" --run "$run" "$work/r.recipe"
        k=$n
        while [ "$k" -gt 0 ]; do k=$((k - 1)); "$MTPREP" task -q map "$run" "$k"; done
        "$MTPREP" task -q align "$run" 0
        k=0
        while [ "$k" -lt "$p" ]; do "$MTPREP" task -q reduce "$run" "$k"; k=$((k + 1)); done
        k=$n
        while [ "$k" -gt 0 ]; do k=$((k - 1)); "$MTPREP" task -q write "$run" "$k"; done
        "$MTPREP" task -q assemble "$run" 0
        same_corpus "$work/ref" "$out"
    done
done

# The .jsonl files were cut between lines: with 7 shards, several map
# shards hold documents of each side, and the sides' cuts differ.
src=0
tgt=0
for k in 0 1 2 3 4 5 6; do
    [ -n "$(zstdcat "$work/run-7-3/map/shard-0000$k.src.rec.zst" | head -n 1)" ] && src=$((src + 1))
    [ -n "$(zstdcat "$work/run-7-3/map/shard-0000$k.tgt.rec.zst" | head -n 1)" ] && tgt=$((tgt + 1))
done
[ "$src" -ge 5 ] && [ "$tgt" -ge 5 ] || fail "JSONL not spread over shards: $src, $tgt"
first_src=$(zstdcat "$work/run-7-3/map/shard-00001.src.rec.zst" | head -n 1 | cut -f1)
first_tgt=$(zstdcat "$work/run-7-3/map/shard-00001.tgt.rec.zst" | head -n 1 | cut -f1)
[ "$first_src" != "$first_tgt" ] || fail "both sides cut at $first_src: not planned apart"
pass
