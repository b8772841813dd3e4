# shellcheck shell=bash
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
