#!/bin/sh
# Bad record input through a record stage (normalize, via the shared reader and
# driver): under fail, exit 1 and a message naming file and line; under skip,
# the record is dropped and counted by reason, the rest goes through.
set -eu
. "$(dirname "$0")/lib.sh"

good='d	1	Kalimat yang baik.'
printf '%s\n' "$good" > "$work/good.tsv"

# check NAME REASON LINE: the input $work/NAME fails at LINE, and is skipped with REASON.
check() {
    expect_exit 1 "$MTPREP" normalize --on-error fail "$work/$1"
    grep -q "^mtprep normalize: $work/$1:$3: $2" "$work/stderr" ||
        fail "$1: fail message: $(cat "$work/stderr")"
    expect_exit 0 "$MTPREP" normalize --on-error skip "$work/$1"
    grep -q "dropped 1 ($2 1)" "$work/stderr" || fail "$1: skip summary: $(cat "$work/stderr")"
    [ "$(cat "$work/stdout")" = "$good" ] || fail "$1: the good record did not come through"
}

printf '%s\nd\t2\tbad \377 byte\n' "$good" > "$work/utf8.tsv"
check utf8.tsv invalid_utf8 2
printf 'd\t2\tover\300\257long\n%s\n' "$good" > "$work/overlong.tsv"
check overlong.tsv invalid_utf8 1
printf '%s\nd\t2\tnul\000byte\n' "$good" > "$work/nul.tsv"
check nul.tsv nul_byte 2
printf '%s\nd\t2\tcrlf\r\n' "$good" > "$work/crlf.tsv"
check crlf.tsv cr_in_line 2
printf '%s\nonly one field\n' "$good" > "$work/fields.tsv"
check fields.tsv field_count 2
{ printf '%s\nd\t2\t' "$good"; head -c 3000 /dev/zero | tr '\0' a; printf '\n'; } > "$work/long.tsv"
expect_exit 1 "$MTPREP" normalize --on-error fail --max-line-bytes 1K "$work/long.tsv"
grep -q "long.tsv:2: line_too_long" "$work/stderr" || fail "long line: $(cat "$work/stderr")"
expect_exit 0 "$MTPREP" normalize --max-line-bytes 1K "$work/long.tsv"
grep -q "dropped 1 (line_too_long 1)" "$work/stderr" || fail "long line not counted"

# A BOM at the start and no final newline are fine.
printf '\357\273\277%s' "$good" > "$work/bom.tsv"
"$MTPREP" normalize -q "$work/bom.tsv" > "$work/out"
[ "$(cat "$work/out")" = "$good" ] || fail "BOM or missing final newline mishandled"

# Empty input: nothing out, exit 0.
: > "$work/empty.tsv"
"$MTPREP" normalize "$work/empty.tsv" > "$work/out" 2> "$work/err"
[ ! -s "$work/out" ] || fail "empty input produced output"
grep -q "in 0, out 0, dropped 0" "$work/err" || fail "empty input summary"

# Compressed input by magic bytes; truncated files are errors naming the file.
zstd -q -c "$work/good.tsv" > "$work/good.zst"
gzip -c "$work/good.tsv" > "$work/good.gz"
[ "$("$MTPREP" normalize -q "$work/good.zst")" = "$good" ] || fail "zstd input"
[ "$("$MTPREP" normalize -q "$work/good.gz")" = "$good" ] || fail "gzip input"
head -c 2000 /dev/urandom | base64 | sed 's/^/d\t1\t/' | zstd -q -c > "$work/big.zst"
head -c "$(($(wc -c < "$work/big.zst") - 5))" "$work/big.zst" > "$work/cut.zst"
expect_exit 1 "$MTPREP" normalize "$work/cut.zst"
grep -q "cut.zst: truncated zstd stream" "$work/stderr" || fail "truncated zstd: $(cat "$work/stderr")"
head -c 2000 /dev/urandom | base64 | sed 's/^/d\t1\t/' | gzip -c > "$work/big.gz"
head -c "$(($(wc -c < "$work/big.gz") - 5))" "$work/big.gz" > "$work/cut.gz"
expect_exit 1 "$MTPREP" normalize "$work/cut.gz"
grep -q "cut.gz: truncated gzip stream" "$work/stderr" || fail "truncated gzip: $(cat "$work/stderr")"

# Unreadable and missing inputs.
expect_exit 1 "$MTPREP" normalize "$work/missing.tsv"
grep -q "missing.tsv: cannot open: No such file or directory" "$work/stderr"
if [ "$(id -u)" -ne 0 ]; then
    printf '%s\n' "$good" > "$work/locked.tsv"
    chmod 000 "$work/locked.tsv"
    expect_exit 1 "$MTPREP" normalize "$work/locked.tsv"
fi

# A full disk: the write error is reported, exit 1.
if [ -w /dev/full ]; then
    set +e
    "$MTPREP" normalize "$work/good.tsv" > /dev/full 2> "$work/err"
    rc=$?
    set -e
    [ "$rc" -eq 1 ] || fail "full disk: exit $rc"
    grep -q "stdout: write failed: No space left on device" "$work/err" || fail "full disk message"
fi
pass
