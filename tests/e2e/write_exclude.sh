#!/bin/sh
# write --exclude: sentences of an external test set (plain text with CRLF and
# an empty line, a .gz file, a corpus directory) are removed from every split
# by exact and loose key, counted as dropped.excluded_exact/_loose, and
# listed in MANIFEST.json with path, sha256, lines and matches, and in
# stats --stage-counts; pairs go when
# either side matches; two runs give the same bytes; bad excludes fail.
set -eu
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
cd "$work"

# 40 documents of 2 sentences told apart by letters (loose keys ignore digits).
awk 'BEGIN { a = "abcdefghijklmnopqrstuvwxyz"
  for (i = 1; i <= 40; i++) {
    w = substr(a, i % 26 + 1, 1) substr(a, int(i / 26) + 1, 1) "k"
    printf "doc-%d\t1.1\tKalimat pertama dokumen %s.\n", i, w
    printf "doc-%d\t2.1\tPenutup %s.\n", i, w } }' >in.tsv
# loose matches of doc-2 (dev) and doc-3 (test); an exact one of doc-4 (train)
printf 'Kalimat pertama dokumen CAK\nPENUTUP dak!\r\n\nTidak ada di korpus.\n' >testset.txt
printf 'Penutup eak.\n' | gzip -n >more.txt.gz

"$MTPREP" write -q --out c --dev-ratio 0.1 --test-ratio 0.1 --exclude testset.txt \
    --exclude more.txt.gz --counts counts.json in.tsv
"$MTPREP" verify -q c
sed -n '/^  "exclude": \[/,/^  \],/p' c/MANIFEST.json >exclude.json
diff "$here/expected/write_exclude.manifest" exclude.json
grep -q '"dropped.excluded_exact": 1' counts.json || fail "excluded_exact count"
grep -q '"dropped.excluded_loose": 2' counts.json || fail "excluded_loose count"
grep -q '"dropped.excluded_loose": 2' c/MANIFEST.json || fail "manifest count"
"$MTPREP" stats --stage-counts counts.json </dev/null >stats.out
grep -q 'excluded_loose 2' stats.out || fail "stats shows no excluded_loose"
if command -v zstd >/dev/null 2>&1; then
    zstd -dcq c/dev.id.zst c/test.id.zst c/train.id.zst >all.txt
    [ "$(wc -l <all.txt)" -eq 77 ] || fail "77 lines expected"
    grep -qi -e 'dokumen cak' -e 'penutup dak' -e 'penutup eak' all.txt && fail "excluded line kept"
fi

# Same inputs, same bytes.
"$MTPREP" write -q --out c2 --dev-ratio 0.1 --test-ratio 0.1 --exclude testset.txt \
    --exclude more.txt.gz in.tsv
for name in MANIFEST.json SHA256SUMS dev.id.zst test.id.zst train.id.zst train.meta.tsv.zst; do
    cmp c/$name c2/$name
done

# A corpus directory as the exclude set: its three text files, by name; only
# the three lines it lacks survive.
"$MTPREP" write -q --out d --exclude c --counts d.json in.tsv
grep -q '"dropped.excluded_exact": 77' d.json || fail "self-exclusion"
grep -q '"path": "c/dev.id.zst"' d/MANIFEST.json || fail "dir file listed"
grep -q '"path": "c/train.meta.tsv.zst"' d/MANIFEST.json && fail "meta read as text"

# Pairs: excluded when either side matches (here the target, loosely).
printf 'a\t1=1\tSatu.\tOne.\t0.9000\na\t2=2\tDua.\tTwo.\t0.8000\n' >pairs.tsv
printf 'two\n' >pairs.exclude
"$MTPREP" write -q --out p --tgt-lang en --dev-ratio 0 --test-ratio 0 --exclude pairs.exclude \
    pairs.tsv
grep -q '"dropped.excluded_loose": 1' p/MANIFEST.json || fail "pair exclusion"

expect_exit 1 "$MTPREP" write -q --out e --exclude nope.txt in.tsv
grep -q "^mtprep write: .*nope.txt" stderr || fail "missing exclude file message"
[ ! -e e/MANIFEST.json ]
mkdir empty
expect_exit 2 "$MTPREP" write -q --out e --exclude empty in.tsv
grep -q "empty: a directory without corpus text files" stderr || fail "empty dir message"
expect_exit 2 "$MTPREP" write -q --out e --exclude
grep -q "requires a value" stderr || fail "missing value message"
printf 'Sat\377u.\n' >bad.txt
expect_exit 1 "$MTPREP" write -q --on-error fail --out e --exclude bad.txt in.tsv
grep -q "bad.txt:1: exclude line is not valid UTF-8" stderr || fail "bad line message"
pass
