#!/bin/sh
# ingest on a raw scraped news page (the seed page): exactly the title as unit
# 1 and the article paragraphs come out; the date line, captions, credit,
# "Baca Juga" link, Editor/Sumber lines, tag and navigation lists and the lone
# "x" are dropped and counted by rule, the dateline prefix and the trailing
# *** are stripped. Skips when the shared corpora are absent.
set -eu
. "$(dirname "$0")/lib.sh"
need_shared corpora/seed/beritasoloraya-2022-09-06.txt
page=$MTPREP_SHARED_DIR/corpora/seed/beritasoloraya-2022-09-06.txt

count() { sed -n "s/^ *\"$1\": *\([0-9][0-9]*\).*/\1/p" "$2"; }

"$MTPREP" ingest --counts "$work/counts.json" "$page" >"$work/out" 2>"$work/err"
cmp "$work/out" "$MTPREP_SOURCE_DIR/tests/e2e/expected/ingest_seed_page.out" ||
    fail "output differs from expected/ingest_seed_page.out"

# every removal is counted by its rule, and in = out + dropped
test "$(count in "$work/counts.json")" = 29 || fail "in != 29: $(cat "$work/counts.json")"
test "$(count out "$work/counts.json")" = 18 || fail "out != 18"
for rule in date_line:1 read_also:1 credit_line:2 nav_list:6 close_button:1; do
    test "$(count "dropped.${rule%:*}" "$work/counts.json")" = "${rule#*:}" || fail "dropped.$rule"
done
for rule in dateline_site end_marker; do
    test "$(count "stripped.$rule" "$work/counts.json")" = 1 || fail "no stripped.$rule"
done
grep -q '^mtprep ingest: in 29, out 18, dropped 11 ' "$work/err" || fail "summary: $(cat "$work/err")"

# the same page gzip- and zstd-compressed gives the same records
gzip -n -c "$page" >"$work/beritasoloraya-2022-09-06.txt.gz"
"$MTPREP" ingest -q "$work/beritasoloraya-2022-09-06.txt.gz" >"$work/out.gz"
cmp "$work/out" "$work/out.gz" || fail "gzip input differs"
if command -v zstd >/dev/null 2>&1; then
    zstd -q -c "$page" >"$work/beritasoloraya-2022-09-06.txt.zst"
    "$MTPREP" ingest -q "$work/beritasoloraya-2022-09-06.txt.zst" >"$work/out.zst"
    cmp "$work/out" "$work/out.zst" || fail "zstd input differs"
fi

# --keep-boilerplate keeps every paragraph and counts matches instead
"$MTPREP" ingest -q --keep-boilerplate --counts "$work/keep.json" "$page" >"$work/keep"
test "$(wc -l <"$work/keep")" -eq 29 || fail "keep: $(wc -l <"$work/keep") records"
test "$(count matched.read_also "$work/keep.json")" = 1 || fail "keep: no matched.read_also"
pass
