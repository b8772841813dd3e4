#!/bin/sh
# tools/parallel/run.sh over a 4-shard, 3-partition plan of the sample corpus
# (monolingual, and id-en aligned, which adds the align stage) writes the same
# bytes as `mtprep build`; a map task killed by SIGKILL makes
# the run fail without that rank's marker, running the script again completes
# it with the same bytes, and a finished run starts no task.
set -eu
# shellcheck source=tests/e2e/lib.sh
. "$MTPREP_SOURCE_DIR/tests/e2e/lib.sh"

command -v parallel > /dev/null 2>&1 || {
    echo "SKIP: GNU parallel not installed (tools/install-deps.sh installs it)"
    exit 77
}
runsh=$MTPREP_SOURCE_DIR/tools/parallel/run.sh
recipe=corpora/recipes/sample-id.recipe
cd "$MTPREP_SOURCE_DIR" # the recipe's paths are relative to the source tree

# A stand-in for mtprep that logs every task it starts to $work/calls and
# SIGKILLs itself the first time it is asked for map rank 2.
cat > "$work/mtprep-killer" <<EOF
#!/bin/sh
if [ "\$1" = task ]; then
    echo "\$*" >> "$work/calls"
    case "\$*" in
    "task map "*" 2" | "task --quiet map "*" 2")
        mkdir "$work/killed" 2> /dev/null && kill -KILL \$\$ ;;
    esac
fi
exec "$MTPREP" "\$@"
EOF
chmod +x "$work/mtprep-killer"

"$MTPREP" build -q --out "$work/ref" "$recipe" || fail "reference build failed"

# Usage: --help on stdout, misuse exits 2, a directory without a plan exits 1 naming it.
expect_exit 0 "$runsh" --help
grep -q '^Usage: tools/parallel/run.sh RUN' "$work/stdout" || fail "--help: no usage on stdout"
expect_exit 2 "$runsh"
expect_exit 2 "$runsh" "$work" --jobs 0
expect_exit 1 "$runsh" "$work" --mtprep "$MTPREP"
grep -q "$work/plan.json" "$work/stderr" || fail "no plan: message does not name plan.json"

# A clean run, stdin closed as in CI.
"$MTPREP" plan --shards 4 --partitions 3 --out "$work/clean" --run "$work/run.clean" "$recipe" > /dev/null
"$runsh" "$work/run.clean" --jobs 2 --mtprep "$MTPREP" <&- 2> "$work/clean.err" || {
    cat "$work/clean.err" >&2
    fail "run.sh failed on a clean run"
}
same_corpus "$work/ref" "$work/clean"
"$MTPREP" status "$work/run.clean" > /dev/null || fail "clean run: status says incomplete"

# An aligned plan: the align stage runs its one rank between map and reduce.
aligned=corpora/recipes/sample-id-en.recipe
"$MTPREP" build -q --out "$work/ref.aligned" "$aligned" || fail "aligned reference build failed"
"$MTPREP" plan --shards 4 --partitions 3 --out "$work/aligned" --run "$work/run.aligned" "$aligned" > /dev/null
"$runsh" "$work/run.aligned" --jobs 2 --mtprep "$MTPREP" <&- 2> "$work/aligned.err" || {
    cat "$work/aligned.err" >&2
    fail "run.sh failed on an aligned run"
}
grep -q '^run.sh: align: 1 rank(s) to run' "$work/aligned.err" || fail "aligned run: align stage not run"
grep -q '^run.sh: align: nothing missing' "$work/clean.err" || fail "monolingual run: align stage not skipped"
same_corpus "$work/ref.aligned" "$work/aligned"

# Map rank 2 killed: the run fails, map 2 has no marker and is the one missing map rank.
"$MTPREP" plan --shards 4 --partitions 3 --out "$work/retried" --run "$work/run" "$recipe" > /dev/null
expect_exit 1 "$runsh" "$work/run" --jobs 2 --mtprep "$work/mtprep-killer"
[ -d "$work/killed" ] || fail "map rank 2 was never started"
grep -q 'map: a task failed' "$work/stderr" || fail "failure: no message naming the map stage"
[ ! -e "$work/run/done/map/00002" ] || fail "killed map rank 2 has a marker"
"$MTPREP" status --missing map "$work/run" > "$work/missing"
grep -qx 2 "$work/missing" || fail "status --missing map does not list rank 2"
[ -z "$(ls "$work/run/done/reduce" 2> /dev/null)" ] || fail "reduce ran after a failed map"
[ ! -e "$work/retried" ] || [ -z "$(ls "$work/retried")" ] || fail "a failed run wrote a corpus"

# The retry runs exactly the missing map ranks (2, and any sibling that
# --halt now killed) and completes identically.
before=$(wc -l < "$work/calls")
"$runsh" "$work/run" --jobs 2 --mtprep "$work/mtprep-killer" <&- 2> "$work/retry.err" || {
    cat "$work/retry.err" >&2
    fail "run.sh retry failed"
}
same_corpus "$work/ref" "$work/retried"
grep -q '^task --threads 2 assemble ' "$work/calls" || fail "--jobs 2: assemble not on 2 threads"
sed -n "$((before + 1)),\$p" "$work/calls" | grep ' map ' | sed 's/.* //' > "$work/retried.map"
sort "$work/retried.map" | cmp -s - "$work/missing" ||
    fail "retry ran map ranks $(cat "$work/retried.map"), not the missing $(cat "$work/missing")"

# A finished run: nothing to do, no task started, the corpus untouched.
before=$(wc -l < "$work/calls")
expect_exit 0 "$runsh" "$work/run" --jobs 2 --mtprep "$work/mtprep-killer"
[ "$(wc -l < "$work/calls")" -eq "$before" ] || fail "a finished run started tasks"
grep -q 'map: nothing missing' "$work/stderr" || fail "finished run: no 'nothing missing' line"
expect_exit 0 "$runsh" "$work/run" --quiet --mtprep "$MTPREP"
[ ! -s "$work/stderr" ] || fail "--quiet printed: $(cat "$work/stderr")"
same_corpus "$work/ref" "$work/retried"
pass
