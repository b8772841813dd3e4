#!/bin/sh
# segment CLI: help, misuse, output shape, bad input under both policies,
# --prefixes and --no-prefixes.
set -eu
LC_ALL=C
export LC_ALL
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$MTPREP" segment --help > help.out || fail "--help exit status"
grep -q -- '--lang id|en' help.out || fail "--help lists --lang"
grep -q -- '--on-error' help.out || fail "--help lists common options"

set +e
"$MTPREP" segment --bogus < /dev/null > out 2> err; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "unknown option: exit $rc"
grep -q '^mtprep segment: ' err || fail "unknown option message"
[ ! -s out ] || fail "unknown option wrote stdout"

set +e
"$MTPREP" segment --lang < /dev/null > out 2> err; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--lang without a value: exit $rc"
grep -q "^mtprep segment: option '--lang' requires a value" err || fail "missing value message"

set +e
"$MTPREP" segment -x < /dev/null > out 2> err; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "unknown short option: exit $rc"
grep -q "^mtprep segment: unknown option '-x'" err || fail "unknown short option message"

set +e
"$MTPREP" segment --lang fr < /dev/null > out 2> err; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--lang fr: exit $rc"

printf 'a\t1\tDr. Budi datang.  Ia duduk.\na\t2\t   \nb\t3\tSatu saja\n' > in.tsv
"$MTPREP" segment -q in.tsv > out
printf 'a\t1.1\tDr. Budi datang.\na\t1.2\tIa duduk.\nb\t3.1\tSatu saja\n' > want
cmp out want || fail "basic output"

"$MTPREP" segment --counts counts.json - < in.tsv > out 2> err
cmp out want || fail "stdin as -"
grep -q '"split": *1' counts.json || fail "split counted"
grep -q '"dropped.empty": *1' counts.json || fail "dropped.empty counted"

printf 'a\t2.1\tIa datang.\n' > seg.tsv
"$MTPREP" segment -q seg.tsv > out
[ ! -s out ] || fail "already segmented record passed under skip"
set +e
"$MTPREP" segment --on-error fail seg.tsv > out 2> err; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "already segmented under fail: exit $rc"
grep -q 'a/2.1: already_segmented' err || fail "fail message names doc/unit"

printf 'd\t1\tIa bertemu Prof. Budi.\n' > prof.tsv
"$MTPREP" segment -q prof.tsv > out
[ "$(wc -l < out)" -eq 1 ] || fail "built-in list keeps Prof."
"$MTPREP" segment -q --no-prefixes prof.tsv > out
[ "$(wc -l < out)" -eq 2 ] || fail "--no-prefixes breaks after Prof."
printf '# test list\nBudi\n' > list
printf 'd\t1\tIa bertemu Budi. Ani pulang.\n' > budi.tsv
"$MTPREP" segment -q --prefixes list budi.tsv > out
[ "$(wc -l < out)" -eq 1 ] || fail "--prefixes file used"
printf 'd\t1\tMr. Smith came. He sat.\n' > en.tsv
"$MTPREP" segment -q --lang en en.tsv > out
printf 'd\t1.1\tMr. Smith came.\nd\t1.2\tHe sat.\n' > want
cmp out want || fail "--lang en keeps Mr."

printf 'No #BAD#\n' > bad.list
set +e
"$MTPREP" segment --prefixes bad.list < /dev/null > out 2> err; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "bad prefix file accepted"
grep -q 'bad.list:1: unknown class' err || fail "bad prefix file message"
exit 0
