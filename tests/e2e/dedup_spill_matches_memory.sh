#!/bin/sh
# dedup --mem 4K spills to disk and still writes the in-memory run's bytes
# and summary: exact and loose keys over the sample corpus's sentences, pair
# records keyed on both sides and on the source alone, and (when the shared
# data is present) the news-id sentences; no spill file is left behind.
set -eu
. "$(dirname "$0")/lib.sh"

mkdir "$work/tmp"
# same_as_memory FILE ARGS...: dedup ARGS over FILE in memory and with 4K
same_as_memory() {
    file=$1
    shift
    "$MTPREP" dedup "$@" "$file" > "$work/mem.out" 2> "$work/mem.err"
    "$MTPREP" dedup --mem 4K --tmp-dir "$work/tmp" "$@" "$file" > "$work/spill.out" 2> "$work/spill.err"
    cmp "$work/mem.out" "$work/spill.out" || fail "output differs with --mem 4K: $* $file"
    cmp "$work/mem.err" "$work/spill.err" || fail "summary differs with --mem 4K: $* $file"
    [ -z "$(ls -A "$work/tmp")" ] || fail "spill files left behind: $* $file"
}

"$MTPREP" ingest -q "$MTPREP_SOURCE_DIR/corpora/sample/id" | "$MTPREP" normalize -q |
    "$MTPREP" segment -q > "$work/sample"
# three copies, the later ones with the case changed on every other line, so
# that there are exact and loose duplicates to drop after the spill began
{
    cat "$work/sample"
    awk -F'\t' 'BEGIN { OFS = "\t" } { $1 = $1 "-copy"; if (NR % 2) $3 = toupper($3); print }' "$work/sample"
    cat "$work/sample"
} > "$work/units"
[ "$(wc -l < "$work/units")" -gt 250 ] || fail "sample corpus too small to spill"
same_as_memory "$work/units"
same_as_memory "$work/units" --key loose
grep -q 'duplicate_loose' "$work/spill.err" || fail "no loose duplicates in the sample"

# pairs: source = the sentence, target one of 97 texts
awk -F'\t' 'BEGIN { OFS = "\t" } { print $1, $2 "=" $2, $3, "target " (NR % 97), "0.5000" }' \
    "$work/units" > "$work/pairs"
same_as_memory "$work/pairs"
same_as_memory "$work/pairs" --key-side src

if [ -e "$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl" ]; then
    head -n 2000 "$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl" |
        "$MTPREP" ingest -q - | "$MTPREP" normalize -q | "$MTPREP" segment -q > "$work/news"
    [ -s "$work/news" ] || fail "no news sentences"
    same_as_memory "$work/news"
    same_as_memory "$work/news" --key loose
fi
pass
