#!/bin/sh
# --threads: bad values are usage errors (exit 2) in build and in the record
# stages; 'threads' is refused as a recipe key (the recipe goes into the
# manifest); the per-record stages give the same bytes with --threads 2 and
# 7; a failing build fails the same way, with the same message, for every N.
set -eu
. "$(dirname "$0")/lib.sh"

sample=$MTPREP_SOURCE_DIR/corpora/sample/id
[ -d "$sample" ] || fail "no sample corpus in $sample"
cat > "$work/r.recipe" <<RECIPE
[build]
input = $sample
output = $work/out
RECIPE

# usage_error WANT_MESSAGE ARGS...: exit 2 and the message on stderr.
usage_error() {
    message=$1
    shift
    expect_exit 2 "$MTPREP" "$@"
    grep -qF -- "$message" "$work/stderr" || {
        cat "$work/stderr" >&2
        fail "no '$message' for: $*"
    }
}

usage_error "mtprep build: --threads takes a number from 1 to 256, not '0'" build --threads 0 "$work/r.recipe"
usage_error "not 'two'" build --threads two "$work/r.recipe"
usage_error "not '257'" build --threads 257 "$work/r.recipe"
usage_error "not '2x'" build --threads 2x "$work/r.recipe"
usage_error "option '--threads' requires a value" build "$work/r.recipe" --threads
usage_error "--block-records takes a positive number, not '0'" build --block-records 0 "$work/r.recipe"
for stage in normalize segment filter dedup; do
    usage_error "mtprep $stage: --threads takes a number from 1 to 256, not '0'" "$stage" --threads 0
done
[ ! -e "$work/out" ] || fail "a usage error wrote a corpus"

cp "$work/r.recipe" "$work/keyed.recipe"
printf '[segment]\nthreads = 2\n' >> "$work/keyed.recipe"
usage_error "[segment]: 'threads' is not a recipe key" build "$work/keyed.recipe"

expect_exit 0 "$MTPREP" build --help
grep -q -- '--threads N' "$work/stdout" || fail "build --help does not document --threads"
expect_exit 0 "$MTPREP" normalize --help
grep -q -- '--threads N' "$work/stdout" || fail "normalize --help does not document --threads"

# Per-record stages: the same bytes and counts whatever --threads says.
"$MTPREP" ingest -q "$sample" > "$work/paragraphs"
"$MTPREP" normalize -q < "$work/paragraphs" > "$work/normalized"
"$MTPREP" segment -q < "$work/normalized" > "$work/sentences"
for n in 2 7; do
    "$MTPREP" normalize -q --threads "$n" --counts "$work/n.$n.json" < "$work/paragraphs" > "$work/n.$n"
    cmp "$work/normalized" "$work/n.$n" || fail "normalize --threads $n changes the output"
    "$MTPREP" segment -q --threads "$n" < "$work/normalized" | cmp - "$work/sentences" ||
        fail "segment --threads $n changes the output"
    "$MTPREP" filter -q --threads "$n" < "$work/sentences" > "$work/f.$n"
done
"$MTPREP" normalize -q --counts "$work/n.1.json" < "$work/paragraphs" > /dev/null
for n in 2 7; do
    cmp "$work/n.1.json" "$work/n.$n.json" || fail "normalize --threads $n changes the counts"
done
cmp "$work/f.2" "$work/f.7" || fail "filter output depends on --threads"

# Bad record lines between good ones, in 150 copies of the sample's
# paragraphs (over 9000 records, so more than one block of 4096): under
# skip the same bytes and the same --counts file (drop reasons in the same
# order); under fail the same records before the failure, the same message
# and exit code.
k=0
while [ "$k" -lt 150 ]; do
    sed "s|^|copy$k/|" "$work/normalized"
    k=$((k + 1))
done | awk 'NR == 7 { print "no tabs here" } NR == 5000 { print "a\tb" } { print }
            END { print "last line bad" }' > "$work/bad_records"
for stage in normalize segment filter; do
    for n in 1 2 7; do
        "$MTPREP" "$stage" -q --threads "$n" --counts "$work/$stage.$n.json" \
            < "$work/bad_records" > "$work/$stage.$n.out"
        expect_exit 1 "$MTPREP" "$stage" -q --threads "$n" --on-error fail < "$work/bad_records"
        mv "$work/stdout" "$work/$stage.$n.partial"
        mv "$work/stderr" "$work/$stage.$n.err"
    done
    grep -q '"dropped.field_count": 3' "$work/$stage.1.json" || fail "$stage: bad lines not counted"
    grep -q "stdin:7: field_count" "$work/$stage.1.err" || fail "$stage: message names no line"
    for n in 2 7; do
        for kind in out json partial err; do
            cmp "$work/$stage.1.$kind" "$work/$stage.$n.$kind" ||
                fail "$stage --threads $n: the $kind file differs from one thread's"
        done
    done
done

# A malformed JSONL line under --on-error fail: same exit, same message, no manifest.
mkdir -p "$work/in"
cp -R "$sample/." "$work/in/"
printf '{"id": "x1", "text": "Satu paragraf yang cukup panjang untuk lolos."}\n{"id": broken\n' \
    > "$work/in/zz.jsonl"
sed "s|$sample|$work/in|" "$work/r.recipe" > "$work/bad.recipe"
for n in 1 2 7; do
    expect_exit 1 "$MTPREP" build --on-error fail --threads "$n" --block-records 2 \
        --out "$work/bad.$n" "$work/bad.recipe"
    cp "$work/stderr" "$work/bad.$n.err"
    [ ! -e "$work/bad.$n/MANIFEST.json" ] || fail "a failed build with $n threads left a manifest"
done
grep -q "zz.jsonl:2: malformed_json" "$work/bad.1.err" || fail "message does not name file and line"
cmp "$work/bad.1.err" "$work/bad.2.err" || fail "the failure message depends on --threads"
cmp "$work/bad.1.err" "$work/bad.7.err" || fail "the failure message depends on --threads"
pass
