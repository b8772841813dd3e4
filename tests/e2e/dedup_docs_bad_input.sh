#!/bin/sh
# dedup --docs: a document longer than --max-doc-bytes (fields plus 64 bytes
# a record) is bad input: skip drops all its records as doc_too_long, fail
# stops with exit 1 naming the record; an index that would outgrow --mem
# stops the run under either policy, naming the limit and the count.
set -eu
. "$(dirname "$0")/lib.sh"

printf 'x\t1\tkalimat yang cukup panjang ini\nx\t2\tkalimat yang cukup panjang ini\nx\t3\tlagi\ny\t1\tlain\n' \
    > "$work/long"
expect_exit 0 "$MTPREP" dedup --docs --max-doc-bytes 96 --counts "$work/counts.json" "$work/long"
printf 'y\t1\tlain\n' | cmp - "$work/stdout" || fail "skip: output"
grep -q '"dropped.doc_too_long": *3' "$work/counts.json" || fail "skip: count"

expect_exit 1 "$MTPREP" dedup --docs --max-doc-bytes 96 --on-error fail -q "$work/long"
echo 'mtprep dedup: doc_id x unit 2: doc_too_long (document longer than --max-doc-bytes 96)' |
    cmp - "$work/stderr" || fail "fail: message"

awk 'BEGIN { for (i = 0; i < 20; i++) printf "d%d\t1\tkata%d lain%d\n", i, i, i }' > "$work/many"
msg='mtprep dedup: document index would exceed --mem 50000 bytes after 17 documents (16 indexed); raise --mem'
for policy in skip fail; do
    expect_exit 1 "$MTPREP" dedup --docs --mem 50000 --on-error "$policy" -q "$work/many"
    echo "$msg" | cmp - "$work/stderr" || fail "$policy: --mem message"
    [ "$(wc -l < "$work/stdout")" -eq 16 ] || fail "$policy: 16 documents before the limit"
done
pass
