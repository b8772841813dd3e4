# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # sets state, conf, purge for the script; uses its prog
# Shared by slurm_local.sh and slurm_local_stop.sh (sourced, bash).

# pid_of PIDFILE COMM: prints the PID when PIDFILE names a live (not zombie)
# process called COMM; fails otherwise, so a reused PID is never mistaken
# for our daemon.
pid_of() {
    local pid stat
    [ -r "$1" ] || return 1
    pid=$(tr -dc 0-9 < "$1")
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2> /dev/null)" = "$2" ] || return 1
    stat=$(sed 's/.*) //' "/proc/$pid/stat" 2> /dev/null) || return 1
    case $stat in Z* | X*) return 1 ;; esac
    echo "$pid"
}

log() { echo "$prog: $*" >&2; }
die() {
    log "$*"
    exit 1
}
misuse() {
    log "$*"
    echo "Try '$prog --help'." >&2
    exit 2
}

# parse_state_args ARGS...: --help (the script's usage), --dir STATE, and
# --purge where the script allows it (allow_purge=1). Sets state (absolute;
# default $SLURM_LOCAL_DIR, else ${TMPDIR:-/tmp}/mtprep-slurm-local), conf
# and purge.
parse_state_args() {
    state=${SLURM_LOCAL_DIR:-${TMPDIR:-/tmp}/mtprep-slurm-local}
    purge=0
    while [ $# -gt 0 ]; do
        case $1 in
        --help) usage; exit 0 ;;
        --purge)
            [ "${allow_purge:-0}" -eq 1 ] || misuse "unknown argument '$1'"
            purge=1
            shift
            ;;
        --dir)
            [ $# -ge 2 ] || misuse "option --dir needs a value"
            state=$2
            shift 2
            ;;
        *) misuse "unknown argument '$1'" ;;
        esac
    done
    case $state in /*) ;; *) state=$PWD/$state ;; esac
    conf=$state/etc/slurm.conf
}
