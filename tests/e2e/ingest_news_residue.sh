#!/bin/sh
# ingest over the shared news corpus (13,895 JSONL articles): residue the
# rules target is gone from the output (ADVERTISEMENT, SCROLL TO CONTINUE,
# "Baca juga" paragraphs, datelines at the start of the first body paragraph,
# Gambas video embeds, ANTARA credit tails), every record is clean, in = out +
# dropped, and the rules remove at most 8% of the paragraphs.
set -eu
. "$(dirname "$0")/lib.sh"
need_shared corpora/news-id/articles.jsonl
news=$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl

"$MTPREP" ingest -q --counts "$work/c.json" "$news" >"$work/out"
for residue in 'ADVERTISEMENT' 'SCROLL TO CONTINUE WITH CONTENT' '[Gambas:' 'COPYRIGHT © ANTARA 2023'; do
    n=$(grep -cF "$residue" "$work/out" || true)
    test "$n" -le 12 || fail "$n records still hold '$residue'"
done
n=$(grep -ciE '	[0-9]+	baca juga' "$work/out" || true)
test "$n" -eq 0 || fail "$n paragraphs still start with 'Baca juga'"
n=$(grep -cE '	2	(jpnn\.com|Bisnis\.com|[A-Z]+, KOMPAS\.com|Jakarta \(ANTARA\)|Jakarta, CNN Indonesia)' "$work/out" || true)
test "$n" -le 5 || fail "$n first body paragraphs still start with a dateline"

# records are clean: three fields, no CR
awk -F '\t' 'NF != 3 || $3 == "" { bad++ } END { exit bad > 0 }' "$work/out" || fail "malformed record"
! grep -q "$(printf '\r')" "$work/out" || fail "CR in output"

# counts balance, and removal stays modest
tr -d '{}", ' <"$work/c.json" >"$work/counts"
in=$(sed -n 's/^in://p' "$work/counts")
out=$(sed -n 's/^out://p' "$work/counts")
dropped=$(sed -n 's/^dropped\.[a-z_0-9]*://p' "$work/counts" | awk '{ s += $1 } END { print s + 0 }')
test "$in" -eq $((out + dropped)) || fail "in $in != out $out + dropped $dropped"
test $((dropped * 100)) -le $((in * 8)) || fail "dropped $dropped of $in paragraphs"
pass
