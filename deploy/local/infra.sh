#!/usr/bin/env bash
# deploy/local/infra.sh up|down|status — all local infrastructure at once.
#
#   up [--no-setup]  setup.sh (unless --no-setup or PORTAL_SKIP_SETUP=1), then
#                    start PostgreSQL, Kafka, S3 (versitygw) and the SMTP sink;
#                    Kafka (the slow one, a JVM) boots in the background while
#                    the others start. Each start is idempotent: a second `up`
#                    only checks. Exit status is non-zero if any failed.
#   down             stop them in reverse order (each by its pidfile).
#   status           one line per process; non-zero unless all run.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"

elapsed() { # seconds since $1 (an $EPOCHREALTIME), one decimal
    awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

cmd_up() {
    local t0=$EPOCHREALTIME skip_setup=${PORTAL_SKIP_SETUP:-0}
    [[ "${1:-}" == "--no-setup" ]] && skip_setup=1
    if [[ "$skip_setup" != 1 ]]; then
        "$here/setup.sh"
    fi

    # Kafka in the background: its JVM start dominates, the rest is quick.
    "$here/kafka.sh" start &
    local kafka_job=$! failed=()
    "$here/postgres.sh" start || failed+=(postgres)
    "$here/s3.sh" start || failed+=(s3)
    "$here/smtp.sh" start || failed+=(smtp)
    wait "$kafka_job" || failed+=(kafka)

    if ((${#failed[@]})); then
        echo "infra: FAILED to start: ${failed[*]} (logs in $PORTAL_LOCAL_DIR/log/)" >&2
        return 1
    fi
    echo "infra: up in $(elapsed "$t0")s — postgres $PORTAL_PG_HOST:$PORTAL_PG_PORT" \
        "| kafka $KAFKA_BOOTSTRAP_SERVERS | s3 http://$S3_ENDPOINT (bucket $S3_BUCKET)" \
        "| smtp $SMTP_HOST:$SMTP_PORT (mail in $PORTAL_MAIL_DIR)"
}

cmd_down() {
    local rc=0
    "$here/smtp.sh" stop || rc=1
    "$here/s3.sh" stop || rc=1
    "$here/kafka.sh" stop || rc=1
    "$here/postgres.sh" stop || rc=1
    return "$rc"
}

cmd_status() {
    local rc=0 s
    for s in postgres kafka s3 smtp; do
        "$here/$s.sh" status || rc=1
    done
    return "$rc"
}

case "${1:-}" in
    up) shift; cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *) echo "usage: $0 up [--no-setup]|down|status" >&2; exit 2 ;;
esac
