#!/bin/sh
# tools/slurm/submit.sh on a private single-node cluster (tools/slurm/
# slurm_local.sh, state in the work dir, MaxArraySize 3 so that the 4 map
# ranks need two arrays): a 4-shard, 3-partition build of the sample corpus
# equals `mtprep build` and the GNU parallel run; a map task killed by SIGKILL
# leaves the downstream jobs CANCELLED (not pending) and map rank 2 missing;
# submitting again submits exactly that rank plus the later stages and the
# corpus completes identical; a complete run submits nothing; jobs of the run
# still queued make submit.sh refuse. Every daemon the test started is gone
# at the end. Needs root (it installs Slurm when missing).
set -eu
# shellcheck source=tests/e2e/lib.sh
. "$MTPREP_SOURCE_DIR/tests/e2e/lib.sh"

[ "$(id -u)" -eq 0 ] || {
    echo "SKIP: the private Slurm cluster needs root"
    exit 77
}
tools=$MTPREP_SOURCE_DIR/tools
recipe=corpora/recipes/sample-id.recipe
cd "$MTPREP_SOURCE_DIR" # the recipe's paths are relative to the source tree

# The cluster: own state dir (munged wants every directory above its socket
# searchable by all, which mktemp -d's is not) and ports, 8 advertised CPUs so that a stage's
# tasks start together; stopped (and its state removed) whatever happens.
SLURM_LOCAL_DIR=$work/slurm
SLURM_LOCAL_CPUS=8
SLURM_LOCAL_MAX_ARRAY=3
SLURM_LOCAL_CTLD_PORT=16837
SLURM_LOCAL_SLURMD_PORT=16838
export SLURM_LOCAL_DIR SLURM_LOCAL_CPUS SLURM_LOCAL_MAX_ARRAY SLURM_LOCAL_CTLD_PORT SLURM_LOCAL_SLURMD_PORT
trap '"$tools/slurm/slurm_local_stop.sh" --purge <&- || true; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
chmod 755 "$work"
"$tools/slurm/slurm_local.sh" <&- > "$work/env" 2> "$work/start.err" || {
    cat "$work/start.err" >&2
    fail "slurm_local.sh could not start the cluster"
}
# shellcheck source=/dev/null # written by slurm_local.sh above
. "$work/env"
[ "$SLURM_CONF" = "$work/slurm/etc/slurm.conf" ] || fail "unexpected SLURM_CONF $SLURM_CONF"
daemons=$(cat "$work/slurm/munge/munged.pid" "$work/slurm/run/slurmctld.pid" "$work/slurm/run/slurmd.pid")
[ "$(echo "$daemons" | wc -w)" -eq 3 ] || fail "expected 3 daemon PIDs, got: $daemons"
"$tools/slurm/slurm_local.sh" <&- > "$work/env2" 2> /dev/null || fail "second slurm_local.sh failed"
cmp -s "$work/env" "$work/env2" || fail "second slurm_local.sh printed another environment"

# A stand-in for mtprep that SIGKILLs itself the first time it runs map rank 2.
cat > "$work/mtprep-killer" <<EOF
#!/bin/sh
case "\$*" in
"task map "*" 2") mkdir "$work/killed" 2> /dev/null && kill -KILL \$\$ ;;
esac
exec "$MTPREP" "\$@"
EOF
chmod +x "$work/mtprep-killer"

# submit NAME ARGS...: runs submit.sh, stdout to $work/NAME.out, stderr to $work/NAME.err.
submit() {
    name=$1
    shift
    set +e
    "$tools/slurm/submit.sh" "$@" --wait-timeout 60 <&- > "$work/$name.out" 2> "$work/$name.err"
    rc=$?
    set -e
    return $rc
}

# job_states ID: the distinct states of job ID (of all its array tasks).
job_states() {
    scontrol -o show job "$1" | grep -o 'JobState=[A-Z_]*' | sort -u | sed 's/JobState=//' | tr '\n' ' '
}

"$MTPREP" build -q --out "$work/ref" "$recipe" || fail "reference build failed"

# Usage: --help on stdout, misuse exits 2.
expect_exit 0 "$tools/slurm/submit.sh" --help
grep -q '^Usage: tools/slurm/submit.sh RUN' "$work/stdout" || fail "--help: no usage on stdout"
expect_exit 2 "$tools/slurm/submit.sh"
expect_exit 2 "$tools/slurm/submit.sh" "$work" --max-parallel 0
expect_exit 1 "$tools/slurm/submit.sh" "$work" --mtprep "$MTPREP"
grep -q "$work/plan.json" "$work/stderr" || fail "no plan: message does not name plan.json"

# A clean 4-shard run: map needs two arrays (MaxArraySize 3), the corpus equals
# the reference, and with --cpus 2 map and assemble run on 2 threads.
"$MTPREP" plan --shards 4 --partitions 3 --out "$work/clean" --run "$work/run.clean" "$recipe" > /dev/null
submit clean "$work/run.clean" --mtprep "$MTPREP" --max-parallel 4 --cpus 2 --wait || {
    cat "$work/clean.err" >&2
    fail "submit.sh --wait failed on a clean run"
}
[ "$(grep -c '^map ' "$work/clean.out")" -eq 2 ] || fail "4 map ranks not cut into 2 arrays: $(cat "$work/clean.out")"
same_corpus "$work/ref" "$work/clean"
[ -s "$work/run.clean/slurm/map.001.sbatch" ] || fail "no batch script kept in RUN/slurm"
grep -q ' task --threads 2 assemble ' "$work/run.clean/slurm/assemble.001.sbatch" ||
    fail "--cpus 2: assemble does not compress on 2 threads"
grep -q ' task --threads 2 map ' "$work/run.clean/slurm/map.001.sbatch" ||
    fail "--cpus 2: map does not run on 2 threads"
! grep -q -- '--threads' "$work/run.clean/slurm/reduce.001.sbatch" || fail "--threads given to reduce"
set -- "$work/run.clean/logs/slurm/mtprep-run.clean-assemble-"*
[ -s "$1" ] || fail "no assemble log in RUN/logs/slurm"

# The same plan through GNU parallel gives the same corpus.
if command -v parallel > /dev/null 2>&1; then
    "$MTPREP" plan --shards 4 --partitions 3 --out "$work/par" --run "$work/run.par" "$recipe" > /dev/null
    "$tools/parallel/run.sh" "$work/run.par" --jobs 2 --quiet --mtprep "$MTPREP" <&- ||
        fail "tools/parallel/run.sh failed"
    same_corpus "$work/clean" "$work/par"
else
    echo "note: GNU parallel not installed; Slurm corpus not compared with a parallel run"
fi

# Map rank 2 killed: submit --wait fails, the downstream arrays are CANCELLED, map 2 is missing.
"$MTPREP" plan --shards 4 --partitions 3 --out "$work/retried" --run "$work/run" "$recipe" > /dev/null
if submit fail "$work/run" --mtprep "$work/mtprep-killer" --wait; then
    fail "submit.sh --wait succeeded although map rank 2 was killed"
fi
[ -d "$work/killed" ] || fail "map rank 2 was never started"
grep -q 'incomplete' "$work/fail.err" || fail "failed run: no 'incomplete' message"
for stage in reduce write assemble; do
    ids=$(awk -v s="$stage" '$1 == s {print $2}' "$work/fail.out")
    [ -n "$ids" ] || fail "$stage was not submitted: $(cat "$work/fail.out")"
    for id in $ids; do
        [ "$(job_states "$id")" = "CANCELLED " ] || fail "$stage job $id ended $(job_states "$id"), not CANCELLED"
    done
done
[ "$("$MTPREP" status --missing map "$work/run")" = 2 ] || fail "status --missing map is not exactly rank 2"
[ ! -e "$work/run/done/map/00002" ] || fail "killed map rank 2 has a marker"
"$MTPREP" status "$work/run" > /dev/null && fail "status says complete after a killed map"

# Jobs of the run still queued: submit.sh refuses (a held job with a map job name).
held=$(sbatch --parsable --hold -J mtprep-run-map -o /dev/null --wrap true <&-)
if submit queued "$work/run" --mtprep "$MTPREP"; then
    fail "submit.sh submitted while job $held of the run was queued"
fi
grep -q "still queued" "$work/queued.err" || fail "queued: no 'still queued' message"
scancel "$held"

# The retry submits map rank 2 alone, then reduce, write (two arrays) and
# assemble, and completes identically.
submit retry "$work/run" --mtprep "$work/mtprep-killer" --wait || {
    cat "$work/retry.err" >&2
    fail "submit.sh retry failed"
}
awk '{print $1, $3}' "$work/retry.out" > "$work/retry.stages"
printf 'map 1\nreduce 3\nwrite 3\nwrite 1\nassemble 1\n' | cmp -s - "$work/retry.stages" ||
    fail "retry submitted $(tr '\n' ' ' < "$work/retry.stages"), not map 1 reduce 3 write 3+1 assemble 1"
[ "$(cat "$work/run/todo/map.002.txt")" = 2 ] || fail "retry todo map.002.txt does not hold rank 2 alone"
same_corpus "$work/ref" "$work/retried"

# A complete run: nothing submitted, exit 0.
submit again "$work/run" --mtprep "$MTPREP" --wait || fail "submit.sh on a complete run failed"
[ ! -s "$work/again.out" ] || fail "a complete run submitted: $(cat "$work/again.out")"
grep -q 'nothing submitted' "$work/again.err" || fail "complete run: no 'nothing submitted' line"

# Stop: every daemon gone (or a zombie awaiting its reaper), no job step left.
"$tools/slurm/slurm_local_stop.sh" <&- || fail "slurm_local_stop.sh failed"
for pid in $daemons; do
    if [ -r "/proc/$pid/stat" ]; then
        case $(sed 's/.*) //' "/proc/$pid/stat") in
        Z* | X*) ;;
        *) fail "daemon $pid ($(cat "/proc/$pid/comm")) still runs after slurm_local_stop.sh" ;;
        esac
    fi
done
for f in "$work/slurm/spool/d/localhost_"[0-9]*; do
    [ ! -e "$f" ] || fail "job step socket $f left in the spool dir"
done
pass
