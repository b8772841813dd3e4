#!/bin/sh
# English news about Indonesia keeps Indonesian street names: "Jl. Pemuda" is
# one sentence, not two.
set -eu
. "$(dirname "$0")/lib.sh"

printf 'd\t1\tThe water on Jl. Pemuda reached 60 centimeters. Residents moved upstairs.\n' |
    "$MTPREP" segment -q --lang en > "$work/out"
printf 'd\t1.1\tThe water on Jl. Pemuda reached 60 centimeters.\nd\t1.2\tResidents moved upstairs.\n' > "$work/want"
cmp "$work/out" "$work/want" || fail "Jl. split: $(cat "$work/out")"
pass
