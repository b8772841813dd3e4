#!/bin/sh
# Aligned recipes that cannot mean anything stop with exit 2 and a message
# naming the recipe line, before any file is written; a run that fails on
# bad input (--on-error fail) exits 1 and leaves neither a manifest nor the
# spool directory.
set -eu
. "$(dirname "$0")/lib.sh"

sample=$MTPREP_SOURCE_DIR/corpora/sample

# recipe NAME EXTRA: writes $work/NAME.recipe, an aligned recipe plus EXTRA lines.
recipe() {
    {
        printf '[build]\ninput = %s/id\ntgt-input = %s/en\noutput = %s/out/%s\n' \
            "$sample" "$sample" "$work" "$1"
        printf '%b' "$2"
    } > "$work/$1.recipe"
}

# refused NAME EXTRA MESSAGE: the recipe exits 2, says MESSAGE, writes nothing.
refused() {
    recipe "$1" "$2"
    expect_exit 2 "$MTPREP" build -q "$work/$1.recipe"
    grep -qF "$3" "$work/stderr" || {
        cat "$work/stderr" >&2
        fail "$1: expected '$3' on stderr"
    }
    [ ! -e "$work/out/$1" ] || fail "$1: the refused recipe wrote its output directory"
}

refused segment_lang '[segment]\nlang = en\n' "[segment] lang is set by build from [build]"
refused align_tgt_lang '[align]\ntgt-lang = de\n' "[align] tgt-lang is set by build"
refused write_tgt_lang '[write]\ntgt-lang = de\n' "[write] tgt-lang is set by build"
refused same_lang '[build]\nlang = en\n' "lang and tgt-lang are both 'en'"
refused unknown_side '[segment-fr]\nicu-only =\n' "unknown section [segment-fr]"
refused align_threads '[align]\nthreads = 2\n' "[align]: 'threads' is not a recipe key"
refused align_value '[align]\nemit-nulls = yes\n' "mtprep align: expected two inputs"
refused bad_build_key '[build]\nsrc-input = x\n' "unknown [build] key 'src-input'"
refused bad_option '[normalize-en]\nno-such-option = 1\n' "no-such-option"

# Target side only: no source input.
printf '[build]\ntgt-input = %s/en\noutput = %s/out/no_src\n' "$sample" "$work" > "$work/no_src.recipe"
expect_exit 2 "$MTPREP" build -q "$work/no_src.recipe"
grep -q "needs at least one 'input'" "$work/stderr" || fail "no_src: wrong message"

# tgt-lang without tgt-input is a monolingual recipe: the key is unknown there.
printf '[build]\ninput = %s/id\ntgt-lang = en\noutput = %s/out/mono\n' "$sample" "$work" \
    > "$work/mono.recipe"
expect_exit 2 "$MTPREP" build -q "$work/mono.recipe"
grep -q "unknown \[build\] key 'tgt-lang'" "$work/stderr" || fail "mono: wrong message"

# Bad input on the target side under fail: exit 1, file and line named,
# no manifest, no spool directory, no temporaries.
mkdir -p "$work/en/2022"
cp "$sample/en/2022/0906-banjir-kaliwungu.txt" "$work/en/2022/"
printf 'Title\n\nBad \377 byte.\n' > "$work/en/2022/0912-harga-beras.txt"
printf '[build]\ninput = %s/id\ntgt-input = %s/en\noutput = %s/out/failed\n' \
    "$sample" "$work" "$work" > "$work/failed.recipe"
expect_exit 1 "$MTPREP" build -q --on-error fail "$work/failed.recipe"
grep -q "0912-harga-beras.txt" "$work/stderr" || fail "failed: the message names no file"
[ ! -e "$work/out/failed/MANIFEST.json" ] || fail "failed run left a MANIFEST.json"
for d in "$work"/out/.mtprep-spool-*; do
    [ ! -e "$d" ] || fail "failed run left its spool directory $d"
done
! find "$work/out" -name '*.tmp-mtprep' | grep -q . || fail "failed run left temporaries"
pass
