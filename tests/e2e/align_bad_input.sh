#!/bin/sh
# Bad input under --on-error: a pair record or a malformed line among the
# unit records is dropped and counted (skip) or stops the run with the file
# and line named (fail, exit 1, no partial output claimed complete).
set -eu
. "$(dirname "$0")/lib.sh"

T=$(printf '\t')
printf 'a\t1.1\tPolisi menangkap tiga tersangka di Jakarta 2024.\na\t1.2=1.2\tx\ty\t0.5000\nno tabs\n' > "$work/src"
printf 'a\t1.1\tPolice arrested three suspects in Jakarta 2024.\n' > "$work/tgt"

expect_exit 0 "$MTPREP" align --no-dict --counts "$work/counts.json" "$work/src" "$work/tgt"
[ "$(wc -l < "$work/stdout")" -eq 1 ] || fail "skip: expected one pair"
grep -q '"dropped.not_unit_record": 1' "$work/counts.json" || fail "skip: pair record not counted"
grep -q '"dropped.field_count": 1' "$work/counts.json" || fail "skip: malformed line not counted"
grep -q '"in": 4' "$work/counts.json" || fail "skip: in should count every line"

expect_exit 1 "$MTPREP" align --no-dict --on-error fail "$work/src" "$work/tgt"
grep -q "^mtprep align: .*src:2: not_unit_record" "$work/stderr" || {
    cat "$work/stderr" >&2
    fail "fail: message does not name file and line"
}

# A document longer than --max-doc-sentences: the rest is bad input.
printf 'a\t1.1\tSatu 11.\na\t1.2\tDua 22.\na\t1.3\tTiga 33.\n' > "$work/long"
expect_exit 0 "$MTPREP" align --no-dict --max-doc-sentences 2 --counts "$work/counts.json" "$work/long" "$work/long"
grep -q '"dropped.doc_too_long": 2' "$work/counts.json" || fail "doc_too_long not counted"
expect_exit 1 "$MTPREP" align --no-dict --on-error fail --max-doc-sentences 2 "$work/long" "$work/long"
grep -q "long:3: doc_too_long" "$work/stderr" || fail "doc_too_long: place not named"
pass
