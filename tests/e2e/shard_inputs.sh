#!/bin/sh
# Sharded runs list inputs exactly as ingest reads them: directories walked
# in byte order with hidden entries skipped and ignored names counted
# (files_ignored), .zst/.gz files whole, empty files, a BOM, a file argument
# besides directories, a JSONL file cut between lines (blank and malformed
# lines included), and dedup spilling to disk (a tiny --mem) with the loose
# key: the corpus equals `mtprep build`'s for N = 1, 3, 5, 9 and P = 2; and
# for an empty input directory.
set -eu
. "$(dirname "$0")/lib.sh"

in=$work/in
mkdir -p "$in/2022" "$in/sub/deeper" "$in/.cache"
printf '\357\273\277Judul berita pagi\n\nHarga beras naik lagi di pasar induk kota.\n' > "$in/2022/a.txt"
printf 'Banjir melanda desa.\n\nWarga mengungsi ke balai desa sejak kemarin malam.\n' |
    zstd -q > "$in/2022/b.txt.zst"
: > "$in/2022/empty.txt"
printf 'ignored\n' > "$in/README.md"
printf 'a,b\n' > "$in/notes.csv"
printf 'Hidden text is never read by ingest at all.\n' > "$in/.cache/x.txt"
printf 'Hidden text is never read by ingest at all.\n' > "$in/.hidden.txt"
printf 'Jalan tol baru dibuka untuk umum pada hari Senin pagi.\n' > "$in/sub/deeper/d.txt"
printf '{"id": "gz1", "text": "Harga beras naik lagi di pasar induk kota!"}\n' | gzip -n > "$in/c.jsonl.gz"
# A JSONL file of 400 lines with repeats (loose duplicates), blanks and a bad line.
i=0
{
    printf '\357\273\277'
    while [ "$i" -lt 400 ]; do
        case $((i % 37)) in
        0) printf '\n' ;;
        5) printf '{"id": "bad%d", "text": \n' "$i" ;;
        *) printf '{"id": "n%d", "text": "Berita nomor %d tentang harga cabai di pasar.\\n\\nHARGA CABAI naik, kata pedagang %d."}\n' \
            "$i" "$((i % 50))" "$((i % 7))" ;;
        esac
        i=$((i + 1))
    done
} > "$in/big.jsonl"
printf '{"id": "arg1", "text": "Berita dari berkas yang disebut langsung dalam resep."}\n' > "$work/extra.jsonl"

cat > "$work/r.recipe" <<RECIPE
[build]
input = $in/
input = $work/extra.jsonl
output = $work/ref
[filter]
min-words = 2
[dedup]
key = loose
mem = 2K
tmp-dir = $work
[write]
dev-ratio = 0.2
test-ratio = 0.1
RECIPE
"$MTPREP" build -q "$work/r.recipe"
grep -q '"files_ignored": 2' "$work/ref/MANIFEST.json" || fail "build did not count 2 ignored names"
grep -q '"dropped.malformed_json": 11' "$work/ref/MANIFEST.json" || fail "no malformed lines counted"

for n in 1 3 5 9; do
    run=$work/run-$n
    "$MTPREP" plan -q --shards "$n" --partitions 2 --out "$work/out-$n" --run "$run" "$work/r.recipe"
    for stage in map reduce write assemble; do
        for k in $("$MTPREP" status --missing "$stage" "$run" | sort -rn); do
            "$MTPREP" task -q "$stage" "$run" "$k" || fail "N=$n: $stage $k failed"
        done
    done
    "$MTPREP" status "$run" > /dev/null || fail "N=$n: incomplete"
    [ "$(cd "$work/ref" && ls)" = "$(cd "$work/out-$n" && ls)" ] || fail "N=$n: file set differs"
    for f in $(cd "$work/ref" && ls); do
        cmp "$work/ref/$f" "$work/out-$n/$f" || fail "N=$n: $f differs from mtprep build"
    done
done
# With 9 shards big.jsonl (most of the bytes) is cut into several pieces.
pieces=$(grep -c '"input": 3,' "$work/run-9/plan.json" || true)
[ "$pieces" -ge 3 ] || fail "big.jsonl cut into $pieces pieces, expected several"

# No input file at all (an empty directory): empty shards, an empty corpus.
mkdir "$work/none"
printf '[build]\ninput = %s/none\noutput = %s/none-ref\n' "$work" "$work" > "$work/none.recipe"
"$MTPREP" build -q "$work/none.recipe"
"$MTPREP" plan -q --shards 3 --partitions 2 --out "$work/none-out" --run "$work/none-run" \
    "$work/none.recipe"
for stage in map reduce write assemble; do
    for k in $("$MTPREP" status --missing "$stage" "$work/none-run"); do
        "$MTPREP" task -q "$stage" "$work/none-run" "$k" || fail "empty input: $stage $k failed"
    done
done
for f in $(cd "$work/none-ref" && ls); do
    cmp "$work/none-ref/$f" "$work/none-out/$f" || fail "empty input: $f differs"
done

# Under --on-error fail, a map names FILE:LINE as build does, lines counted
# from the start of the file even in a piece that starts mid-file.
sed 's/^\[filter\]/[ingest]\non-error = fail\n[filter]/' "$work/r.recipe" > "$work/fail.recipe"
expect_exit 1 "$MTPREP" build -q --out "$work/fail-ref" "$work/fail.recipe"
sed 's/^mtprep build: //' "$work/stderr" > "$work/build.err"
"$MTPREP" plan -q --shards 4 --out "$work/fail-out" --run "$work/fail-run" "$work/fail.recipe"
expect_exit 1 "$MTPREP" task map "$work/fail-run" 0
sed 's/^mtprep task: map 00000: //' "$work/stderr" > "$work/map0.err"
cmp "$work/build.err" "$work/map0.err" || fail "map 0 and build report the first error differently"
expect_exit 1 "$MTPREP" task map "$work/fail-run" 2
line=$(sed -n 's/.*big.jsonl:\([0-9]*\): malformed_json.*/\1/p' "$work/stderr")
[ -n "$line" ] && [ "$line" -gt 100 ] || fail "map 2's message: $(cat "$work/stderr")"
sed -n "${line}p" "$in/big.jsonl" | grep -q '"text": $' || fail "line $line of big.jsonl is not the bad one"
pass
