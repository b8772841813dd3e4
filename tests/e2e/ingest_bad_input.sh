#!/bin/sh
# ingest bad input under --on-error skip and fail: invalid UTF-8, a NUL byte,
# malformed JSONL, a bad doc_id, a truncated .gz and .zst, a missing file, an
# over-long line. skip drops and counts (exit 0, later inputs still read);
# fail stops with exit 1 and a message naming file and line.
set -eu
. "$(dirname "$0")/lib.sh"
data=$MTPREP_SOURCE_DIR/tests/data/ingest
cd "$data"

expect_exit 0 "$MTPREP" ingest --counts "$work/c.json" invalid_utf8.txt nul_byte.txt mixed.jsonl \
    truncated.txt.gz truncated.txt.zst "$work/missing.txt" whole.txt.gz
printf 'ok-1\t1\tJudul\nok-1\t2\tIsi satu.\nok-2\t1\tIsi dua.\nwhole\t1\tJudul Terkompresi\nwhole\t2\tIsi dalam gzip.\n' >"$work/want"
cmp "$work/stdout" "$work/want" || fail "skip output: $(cat "$work/stdout")"
for reason in invalid_utf8:1 nul_byte:1 malformed_json:1 bad_doc_id:1 corrupt_input:2 \
    unreadable:1 read_also:1; do
    grep -q "\"dropped.${reason%:*}\": ${reason#*:}" "$work/c.json" ||
        fail "missing dropped.$reason in $(cat "$work/c.json")"
done

expect_fail() {
    message=$1
    shift
    expect_exit 1 "$MTPREP" ingest -q --on-error fail "$@"
    grep -qF "$message" "$work/stderr" || fail "stderr '$(cat "$work/stderr")' lacks '$message'"
}
expect_fail 'mtprep ingest: invalid_utf8.txt:3: invalid_utf8' invalid_utf8.txt
expect_fail 'mtprep ingest: nul_byte.txt:3: nul_byte' nul_byte.txt
expect_fail 'mtprep ingest: mixed.jsonl:2: malformed_json' mixed.jsonl
expect_fail 'mtprep ingest: truncated.txt.gz: truncated gzip stream' truncated.txt.gz
expect_fail 'mtprep ingest: truncated.txt.zst: truncated zstd stream' truncated.txt.zst
expect_fail "mtprep ingest: $work/missing.txt: cannot read" "$work/missing.txt"
expect_fail 'mtprep ingest: long_line.txt:3: line_too_long' --max-line-bytes 32 long_line.txt

# records emitted before a failure stay on stdout
expect_exit 1 "$MTPREP" ingest -q --on-error fail whole.txt.gz truncated.txt.gz
test "$(wc -l <"$work/stdout")" -eq 2 || fail "records before the failure lost"
pass
