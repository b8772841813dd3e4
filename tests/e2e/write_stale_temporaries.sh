#!/bin/sh
# write: temporaries a killed run left in the output directory (named
# NAME.PID.tmp-mtprep, and the train spool) are removed by the next run,
# which leaves only the corpus files; a file of another name stays.
set -eu
. "$(dirname "$0")/lib.sh"

printf 'doc-1\t1.1\tSatu dua tiga.\n' >"$work/in.tsv"
mkdir "$work/c"
printf 'partial' >"$work/c/train.id.zst.4242.tmp-mtprep"
printf 'partial' >"$work/c/train.spool.tmp-mtprep"
printf 'notes' >"$work/c/README.txt"
expect_exit 0 "$MTPREP" write -q --out "$work/c" --lang id "$work/in.tsv"
"$MTPREP" verify -q "$work/c"
(cd "$work/c" && ls) >"$work/files"
printf '%s\n' MANIFEST.json README.txt SHA256SUMS dev.id.zst test.id.zst train.id.zst \
    train.meta.tsv.zst >"$work/want"
diff "$work/want" "$work/files" || fail "unexpected files left in the corpus directory"
pass
