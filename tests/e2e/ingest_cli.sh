#!/bin/sh
# ingest CLI: --help on stdout with exit 0; misuse exits 2 with a message on
# stderr; stdin by default and with -, JSONL recognised by its first byte;
# empty input gives no records and exit 0; text files' paragraph rules (BOM,
# CRLF, lone CR, TAB); --rules replaces the built-in rules, a malformed rules
# file names its line; --no-rules keeps everything.
set -eu
. "$(dirname "$0")/lib.sh"
data=$MTPREP_SOURCE_DIR/tests/data/ingest

"$MTPREP" ingest --help >"$work/out" 2>"$work/err"
grep -q '^Usage: mtprep ingest \[OPTIONS\] \[PATH\.\.\.\]' "$work/out"
for option in --rules --no-rules --keep-boilerplate --on-error --max-line-bytes --counts; do
    grep -q -- "$option" "$work/out" || fail "--help lacks $option"
done
test ! -s "$work/err"

expect_usage_error() {
    expect_exit 2 "$MTPREP" ingest "$@" </dev/null
    test ! -s "$work/stdout" || fail "stdout not empty for: $*"
    test -s "$work/stderr" || fail "no message for: $*"
}
expect_usage_error --bogus
expect_usage_error --rules
expect_usage_error --on-error maybe
expect_usage_error --no-rules --keep-boilerplate

# empty input: nothing out, exit 0
expect_exit 0 "$MTPREP" ingest </dev/null
test ! -s "$work/stdout" || fail "records from empty input"
: >"$work/empty.txt"
expect_exit 0 "$MTPREP" ingest "$work/empty.txt"
test ! -s "$work/stdout" || fail "records from an empty file"

# stdin: JSONL by its first byte, text otherwise (doc_id "stdin")
printf '{"id": "s1", "text": "Isi."}\n' | "$MTPREP" ingest -q - >"$work/out"
printf 's1\t1\tIsi.\n' | cmp - "$work/out" || fail "stdin JSONL: $(cat "$work/out")"
printf 'Judul\n\nIsi.\n' | "$MTPREP" ingest -q >"$work/out"
printf 'stdin\t1\tJudul\nstdin\t2\tIsi.\n' | cmp - "$work/out" || fail "stdin text: $(cat "$work/out")"

# BOM, CRLF and TAB; lone CR line ends
"$MTPREP" ingest -q "$data/crlf_bom.txt" "$data/lone_cr.txt" >"$work/out"
printf 'crlf_bom\t1\tJudul dengan BOM\ncrlf_bom\t2\tBaris satu baris dua.\ncrlf_bom\t3\tParagraf dengan tab.\nlone_cr\t1\tJudul CR\nlone_cr\t2\tSatu dua.\nlone_cr\t3\tTiga.\n' |
    cmp - "$work/out" || fail "line ends: $(cat "$work/out")"

# --rules FILE and --no-rules
printf 'Judul\n\nHapus baris ini\n\nTags\n' >"$work/a.txt"
printf '# one rule\nhapus\tdrop\ticase\thapus*\n' >"$work/rules.tsv"
"$MTPREP" ingest -q --rules "$work/rules.tsv" "$work/a.txt" >"$work/out"
printf 'a\t1\tJudul\na\t2\tTags\n' | cmp - "$work/out" || fail "--rules: $(cat "$work/out")"
"$MTPREP" ingest -q --no-rules "$work/a.txt" >"$work/out"
test "$(wc -l <"$work/out")" -eq 3 || fail "--no-rules dropped something"
printf 'ok\tdrop\ticase\tx\nbad\tdrop\ticase\t{nope}\n' >"$work/bad.tsv"
expect_exit 1 "$MTPREP" ingest --rules "$work/bad.tsv" "$work/a.txt"
grep -qF "bad.tsv:2: unknown {class} in pattern" "$work/stderr" || fail "rules error: $(cat "$work/stderr")"
expect_exit 1 "$MTPREP" ingest --rules "$work/none.tsv" "$work/a.txt"
grep -qF "none.tsv" "$work/stderr" || fail "missing rules file not named"
pass
