#!/usr/bin/env bash
# deploy/local/services.sh start|stop|status|stop-one NAME|restart NAME — the portal's own processes.
#
# Reads services.txt: each line is a process name, a readiness URL (or "-") and
# a command. A name ending in "-migrate" is a one-shot step run to completion;
# every other line is a long-running process with a pidfile and a log in
# .local/log/NAME.log. Every address comes from env.sh, so tests and `make run`
# start the same thing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"
# shellcheck source=proc.sh
. "$here/proc.sh"
cd "$PORTAL_REPO_DIR"

each_service() { # calls "$1 name url command..." per line of services.txt
    local fn=$1 name url cmd
    while read -r name url cmd; do
        [[ -z "$name" || "$name" == \#* ]] && continue
        "$fn" "$name" "$url" "$cmd"
    done <"$here/services.txt"
}

start_one() {
    local name=$1 url=$2 cmd=$3 log="$PROC_LOG_DIR/$1.log"
    mkdir -p "$PROC_LOG_DIR"
    if [[ "$name" == *-migrate ]]; then
        # shellcheck disable=SC2086
        "$PORTAL_REPO_DIR"/.venv/bin/$cmd >>"$log" 2>&1 || proc_fail "$name" "$log" "$name failed"
        return
    fi
    # shellcheck disable=SC2086
    proc_start "$name" "$log" -- "$PORTAL_REPO_DIR"/.venv/bin/$cmd
    if [[ "$url" != "-" ]]; then
        wait_http "$url" 60 "$name" || proc_fail "$name" "$log" "$name did not become ready at $url"
    fi
}

stop_one() {
    [[ "$1" == *-migrate ]] && return 0
    proc_stop "$1" TERM 20 || true
}

status_one() {
    [[ "$1" == *-migrate ]] && return 0
    if proc_running "$1"; then echo "$1: running (pid $(proc_pid "$1"))"; else echo "$1: stopped"; fi
}

case "${1:-}" in
start) each_service start_one; echo "services: up — gateway http://127.0.0.1:8080" ;;
stop)
    # reverse order: the gateway first, the databases' clients last
    mapfile -t names < <(grep -v '^\s*#' "$here/services.txt" | awk 'NF {print $1}' | tac)
    for name in "${names[@]}"; do stop_one "$name"; done
    ;;
status) each_service status_one ;;
stop-one)
    proc_stop "${2:?which process}" TERM 20
    ;;
restart)
    name=${2:?which process}
    read -r _ url cmd < <(awk -v n="$name" '$1 == n' "$here/services.txt")
    [[ -n "${cmd:-}" ]] || { echo "no process named $name in services.txt" >&2; exit 2; }
    proc_stop "$name" TERM 20 || true
    start_one "$name" "$url" "$cmd"
    ;;
*) echo "usage: $0 start|stop|status|stop-one NAME|restart NAME" >&2; exit 2 ;;
esac
