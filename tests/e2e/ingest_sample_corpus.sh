#!/bin/sh
# ingest on the project's sample corpus (corpora/sample/id): golden records,
# doc_ids relative to the directory argument, byte-sorted walk; the same bytes
# whether the directory is given with a trailing slash, file by file, or
# compressed.
set -eu
. "$(dirname "$0")/lib.sh"
root=$MTPREP_SOURCE_DIR/corpora/sample/id
expected=$MTPREP_SOURCE_DIR/tests/e2e/expected/ingest_sample_corpus.out

"$MTPREP" ingest --counts "$work/counts.json" "$root" >"$work/out" 2>"$work/err"
cmp "$work/out" "$expected" || fail "output differs from expected/ingest_sample_corpus.out"
grep -q '"files": 10,' "$work/counts.json" || fail "files: $(cat "$work/counts.json")"

"$MTPREP" ingest -q "$root/" >"$work/slash"
cmp "$work/out" "$work/slash" || fail "trailing slash changes the output"

# the walk order does not depend on the file system: copy in reverse order
mkdir -p "$work/copy/2022" "$work/copy/2023"
for f in $(cd "$root" && ls -r 2023/*.txt 2022/*.txt); do
    gzip -n -c "$root/$f" >"$work/copy/$f.gz"
done
"$MTPREP" ingest -q "$work/copy" >"$work/copy.out"
cmp "$work/out" "$work/copy.out" || fail "compressed copy differs"

# the exact duplicate article comes out twice, under its own doc_id
test "$(grep -c '^2023/0320-banjir-kaliwungu-salinan	' "$work/out")" -eq \
    "$(grep -c '^2022/0906-banjir-kaliwungu	' "$work/out")" || fail "duplicate article lost"
pass
