#!/bin/bash
# Stops the private cluster started by tools/slurm/slurm_local.sh.
#
# Order: cancel every job of the cluster (while slurmctld still runs), wait
# (bounded) until the queue is empty and no job step socket remains in the
# slurmd spool dir (slurmstepd outlives slurmd, so it must go first), then stop
# slurmd, slurmctld and munged. A daemon is signalled only through its own PID
# file in the state dir, and only when /proc/PID/comm names that daemon: TERM,
# up to 10 s of waiting (a zombie counts as exited: its parent may reap it
# late), then KILL to that PID alone. Never pkill or killall. Safe to run
# twice or with nothing running. --purge then removes the state dir.
set -euo pipefail

prog=slurm_local_stop.sh
# shellcheck source=tools/slurm/local_lib.sh
. "$(dirname "$0")/local_lib.sh"


usage() {
    cat <<'EOF'
Usage: tools/slurm/slurm_local_stop.sh [--dir STATE] [--purge] [--help]

Cancels the jobs of the private cluster of STATE (default $SLURM_LOCAL_DIR,
else ${TMPDIR:-/tmp}/mtprep-slurm-local) and stops its slurmd, slurmctld and
munged by their PID files. --purge also removes STATE.
Exit status: 0 stopped, 1 a daemon could not be stopped, 2 usage error.
EOF
}


# gone PID: true when PID has exited or is a zombie.
gone() {
    local stat
    stat=$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null) || return 0
    case $stat in Z* | X*) return 0 ;; esac
    return 1
}

# step_sockets: the job step sockets slurmstepd keeps in the spool dir
# (NODE_JOB.STEP; the glob must not match hwloc_topo_whole.xml).
step_sockets() {
    compgen -G "$state/spool/d/localhost_[0-9]*.[0-9]*" || true
}

cancel_jobs() {
    pid_of "$state/run/slurmctld.pid" slurmctld > /dev/null || return 0
    local ids
    ids=$(SLURM_CONF=$conf squeue -h -o %A 2> /dev/null | sort -u | tr '\n' ' ') || true
    if [ -n "${ids// /}" ]; then
        log "cancelling job(s) $ids"
        # shellcheck disable=SC2086 # one word per job ID
        SLURM_CONF=$conf scancel $ids 2> /dev/null || true
    fi
    local n=150 # 15 s
    while [ -n "$(SLURM_CONF=$conf squeue -h -o %A 2> /dev/null)" ] || [ -n "$(step_sockets)" ]; do
        n=$((n - 1))
        if [ "$n" -le 0 ]; then
            log "jobs still ending after 15 s: $(step_sockets | tr '\n' ' ')"
            return 0
        fi
        sleep 0.1
    done
}

# stop_daemon PIDFILE COMM: TERM, bounded wait, then KILL to that PID only.
stop_daemon() {
    local pid n=100
    pid=$(pid_of "$1" "$2") || return 0
    kill -TERM "$pid" 2> /dev/null || return 0
    while ! gone "$pid"; do
        n=$((n - 1))
        if [ "$n" -le 0 ]; then
            log "$2 (pid $pid) ignored TERM for 10 s; sending KILL"
            kill -KILL "$pid" 2> /dev/null || true
            sleep 0.2
            gone "$pid" || die "$2 (pid $pid) survives KILL"
            return 0
        fi
        sleep 0.1
    done
}

# purge_state: removes STATE, but only a dir that slurm_local.sh made.
purge_state() {
    [ -e "$state" ] || return 0
    grep -qs '^# mtprep slurm_local' "$conf" ||
        die "$state: not a slurm_local.sh state dir (no $conf); not removing it"
    rm -rf "$state"
}

main() {
    allow_purge=1
    parse_state_args "$@"
    cancel_jobs
    stop_daemon "$state/run/slurmd.pid" slurmd
    stop_daemon "$state/run/slurmctld.pid" slurmctld
    stop_daemon "$state/munge/munged.pid" munged
    [ "$purge" -eq 0 ] || purge_state
}

main "$@"
