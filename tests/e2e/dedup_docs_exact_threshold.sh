#!/bin/sh
# dedup --docs decides by the exact Jaccard index of the word sets, not by
# its MinHash estimate: a document of 100 distinct words, a copy holding 80
# of them (Jaccard 0.80) dropped at --threshold 0.8 and kept at 0.81, a copy
# holding 79 (0.79) kept at 0.8. The estimate's standard error (0.035)
# would put such copies on either side.
set -eu
. "$(dirname "$0")/lib.sh"

words() { # FIRST LIMIT: "kata<FIRST> ... kata<LIMIT-1>"
    awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i < b; i++) printf "%skata%d", (i > a ? " " : ""), i; print "" }'
}
printf 'a\t1\t%s\n' "$(words 0 100)" > "$work/a"
printf 'b\t1\t%s\n' "$(words 0 80)" > "$work/b"
printf 'c\t1\t%s\n' "$(words 21 100)" > "$work/c"

cat "$work/a" "$work/b" > "$work/ab"
expect_exit 0 "$MTPREP" dedup --docs -q --threshold 0.8 "$work/ab"
cmp "$work/a" "$work/stdout" || fail "Jaccard 0.80 copy kept at threshold 0.8"
expect_exit 0 "$MTPREP" dedup --docs -q --threshold 0.81 "$work/ab"
cmp "$work/ab" "$work/stdout" || fail "Jaccard 0.80 copy dropped at threshold 0.81"

cat "$work/a" "$work/c" > "$work/ac"
expect_exit 0 "$MTPREP" dedup --docs -q --threshold 0.8 "$work/ac"
cmp "$work/ac" "$work/stdout" || fail "Jaccard 0.79 copy dropped at threshold 0.8"
pass
