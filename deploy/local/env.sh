# shellcheck shell=sh
# deploy/local/env.sh — every local address: the infrastructure's here, the
# portal's own processes' rendered from deploy/topology.toml (see below).
#
# Sourced (`. deploy/local/env.sh`) by the Makefile, by every script in this
# folder and by the tests' process starters. It only exports variables, each
# with a default that an already-set variable overrides, so a developer or CI
# can move any port or path without editing a file:
#     PORTAL_PG_PORT=25432 make test
#     IDENTITY_PORT=9101 PORTAL_INSTANCES_TRADE_ACCOUNTS_WORKER=3 make run
#
# Kept to POSIX sh (no bash-isms beyond an optional BASH_SOURCE) because make
# runs recipes with /bin/sh unless told otherwise. It never calls `set -e/-u`,
# which would change the caller's shell, and never fails under `set -u`.

# --- where the repository and the local state live --------------------------
if [ -z "${PORTAL_REPO_DIR:-}" ]; then
    # bash tells us where this file is; a plain sh (make) does not, so fall
    # back to git, then to the current directory (make runs from the root).
    if [ -n "${BASH_SOURCE:-}" ]; then
        PORTAL_REPO_DIR=$(cd "$(dirname "${BASH_SOURCE}")/../.." && pwd)
    else
        PORTAL_REPO_DIR=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
    fi
fi
export PORTAL_REPO_DIR
# All state (data, logs, pidfiles, downloaded tools) lives here; git-ignored.
export PORTAL_LOCAL_DIR="${PORTAL_LOCAL_DIR:-$PORTAL_REPO_DIR/.local}"

# Tools installed by setup.sh (versitygw, possibly uv) come first on PATH so the
# pinned versions win over whatever else the machine has. Guarded so sourcing
# twice does not grow PATH.
case ":$PATH:" in
    *":$PORTAL_LOCAL_DIR/bin:"*) ;;
    *) PATH="$PORTAL_LOCAL_DIR/bin:$PATH" ;;
esac
export PATH

# --- PostgreSQL 15 -----------------------------------------------------------
export PORTAL_PG_HOST="${PORTAL_PG_HOST:-127.0.0.1}"
export PORTAL_PG_PORT="${PORTAL_PG_PORT:-15432}"
# Superuser reachable over TCP with a scram password: tests use it to create
# and drop per-worker databases.
export PORTAL_PG_ADMIN_USER="${PORTAL_PG_ADMIN_USER:-portal_admin}"
export PORTAL_PG_ADMIN_PASSWORD="${PORTAL_PG_ADMIN_PASSWORD:-portal_admin}"
# Convenience DSN for the admin (libpq / asyncpg form; database "postgres").
export PORTAL_PG_ADMIN_URL="${PORTAL_PG_ADMIN_URL:-postgresql://$PORTAL_PG_ADMIN_USER:$PORTAL_PG_ADMIN_PASSWORD@$PORTAL_PG_HOST:$PORTAL_PG_PORT/postgres}"
# One role and one database per service (role = database = password = name):
# PORTAL_SERVICE_DBS and each <SERVICE>_DATABASE_URL come from the topology below.

# --- Kafka 4.x (KRaft, one node) --------------------------------------------
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:19092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"

# --- S3 (versitygw locally, MinIO in production) ----------------------------
# host:port without a scheme, as the minio SDK's Minio(endpoint, secure=False) wants.
export S3_ENDPOINT="${S3_ENDPOINT:-127.0.0.1:19000}"
export S3_ACCESS_KEY="${S3_ACCESS_KEY:-portal-local}"
export S3_SECRET_KEY="${S3_SECRET_KEY:-portal-local-secret-key}"
export S3_BUCKET="${S3_BUCKET:-portal-documents}"
export S3_REGION="${S3_REGION:-us-east-1}"

# --- SMTP sink -------------------------------------------------------------
export SMTP_HOST="${SMTP_HOST:-127.0.0.1}"
export SMTP_PORT="${SMTP_PORT:-10025}"
# Every mail the sink receives becomes one .eml file here.
export PORTAL_MAIL_DIR="${PORTAL_MAIL_DIR:-$PORTAL_LOCAL_DIR/mail}"

# --- Python / uv -------------------------------------------------------------
# Never let uv download an interpreter (only package registries are reachable):
# use the machine's CPython 3.11, resolved to its real path (not a pyenv shim,
# whose answer depends on the current directory's .python-version).
export UV_PYTHON_DOWNLOADS=never
if [ -z "${UV_PYTHON:-}" ]; then
    for _portal_py in python3.11 python3 /usr/bin/python3.11; do
        command -v "$_portal_py" >/dev/null 2>&1 || continue
        UV_PYTHON=$("$_portal_py" -c 'import sys; print(sys.executable if sys.version_info[:2] == (3, 11) else "")' 2>/dev/null || true)
        [ -n "$UV_PYTHON" ] && break
    done
    unset _portal_py
fi
# An empty UV_PYTHON would confuse uv: leave it unset (setup.sh then says why).
if [ -n "${UV_PYTHON:-}" ]; then export UV_PYTHON; else unset UV_PYTHON; fi

# --- the portal's own processes: from deploy/topology.toml ---------------------
# Every service's ports (IDENTITY_PORT, IDENTITY_WORKER_HEALTH_PORT, ...), the
# URL of its API's first instance (PORTAL_IDENTITY_URL), its database
# (IDENTITY_DATABASE_URL) and PORTAL_SERVICE_DBS, rendered by deploy/topology.py
# with the same keep-what-is-set defaults (`python3 deploy/topology.py env`
# prints the lines). Instance i of a process listens on its port + i x
# PORTAL_PORT_STEP (100); instance counts come from the topology, or from an
# exported PORTAL_INSTANCES_<PROCESS> (PORTAL_INSTANCES_IDENTITY=2,
# PORTAL_INSTANCES_TRADE_ACCOUNTS_WORKER=3).
if _portal_topology=$("${UV_PYTHON:-python3}" -S "$PORTAL_REPO_DIR/deploy/topology.py" env); then
    eval "$_portal_topology"
else
    echo "env.sh: deploy/topology.py env failed: the portal's own addresses are not set" >&2
fi
unset _portal_topology
export PORTAL_JWKS_URL="${PORTAL_JWKS_URL:-${PORTAL_IDENTITY_URL:-}/.well-known/jwks.json}"
export PORTAL_PUBLIC_URL="${PORTAL_PUBLIC_URL:-${PORTAL_GATEWAY_URL:-}}"
# The gateway's upstream table: every running service's API instances, as JSON
# lists. A table env.sh itself derived before (PORTAL_TOPOLOGY_UPSTREAMS) is
# derived again, so a changed instance count reaches it; one set by hand wins.
if [ -n "${_portal_upstreams:-}" ]; then
    if [ -z "${GATEWAY_UPSTREAMS:-}" ] || [ "$GATEWAY_UPSTREAMS" = "${PORTAL_TOPOLOGY_UPSTREAMS:-}" ]; then
        GATEWAY_UPSTREAMS=$_portal_upstreams
    fi
    PORTAL_TOPOLOGY_UPSTREAMS=$_portal_upstreams
    export GATEWAY_UPSTREAMS PORTAL_TOPOLOGY_UPSTREAMS
fi
unset _portal_upstreams

# Locally every client is 127.0.0.1 (tests, make bench), so the per-address
# limit is set far above what one machine sends; the gateway's own tests prove
# the limit with small numbers. A deployment keeps the defaults (200/s, 400).
export GATEWAY_RATE_LIMIT_PER_SECOND="${GATEWAY_RATE_LIMIT_PER_SECOND:-100000}"
export GATEWAY_RATE_LIMIT_BURST="${GATEWAY_RATE_LIMIT_BURST:-200000}"
# Every process appends its finished spans here as JSON lines (how the system
# tests follow one request across processes); OTEL_EXPORTER_OTLP_ENDPOINT,
# when set, sends them to a collector as well.
export PORTAL_TRACES_DIR="${PORTAL_TRACES_DIR:-$PORTAL_LOCAL_DIR/traces}"
# Record one new trace in ten, as a deployment would; a request that arrives
# with a sampled traceparent (as the system tests send) is always recorded.
export PORTAL_TRACE_SAMPLE_RATIO="${PORTAL_TRACE_SAMPLE_RATIO:-0.1}"
# ctpat's worker looks for annual review windows to open every 5 s here (a deployment: every 60 s),
# so a window opened on its day is seen soon in development and in the system tests.
export CTPAT_REVIEW_SCHEDULER_SECONDS="${CTPAT_REVIEW_SCHEDULER_SECONDS:-5}"

