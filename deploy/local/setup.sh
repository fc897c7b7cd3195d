#!/usr/bin/env bash
# deploy/local/setup.sh — install whatever the local infrastructure needs and
# the machine lacks. Safe to run on every `make test`: each step first checks
# and does nothing when the right version is already there (a warm run takes
# about a second, most of it `uv sync`).
#
# Steps: PostgreSQL 15 (Debian package) · Java 17+ / Maven present · Kafka jars
# from deploy/local/kafka/pom.xml · versitygw (go install, pinned) · uv (pinned)
# · the web client's npm packages · `uv sync` of the Python workspace (last).
#
# Env: PORTAL_SETUP_SKIP_UV_SYNC=1 skips the last step;
#      PORTAL_UV_SYNC_ARGS adds arguments to `uv sync` (e.g. --all-packages).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"

PG_BIN="${PORTAL_PG_BIN:-/usr/lib/postgresql/15/bin}"
VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.8.0}"
UV_VERSION="${PORTAL_UV_VERSION:-0.13.9}"

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$PORTAL_LOCAL_DIR/bin" "$PORTAL_LOCAL_DIR/log" "$PORTAL_LOCAL_DIR/run"

# --- apt: `apt-get update` at most once per run, and only if we install ------
apt_updated=0
apt_install() {
    [[ $(id -u) == 0 ]] || die "need root to apt-get install $*"
    if ((apt_updated == 0)); then
        log "apt-get update"
        apt-get update -qq
        apt_updated=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- basic tools the scripts use ---------------------------------------------
missing=()
command -v curl >/dev/null || missing+=(curl)
command -v setpriv >/dev/null || missing+=(util-linux)
((${#missing[@]} == 0)) || apt_install "${missing[@]}"

# --- PostgreSQL 15 -----------------------------------------------------------
if [[ ! -x "$PG_BIN/postgres" || ! -x "$PG_BIN/initdb" || ! -x "$PG_BIN/psql" ]]; then
    apt_install postgresql-15 postgresql-client-15
    [[ -x "$PG_BIN/postgres" ]] || die "postgresql-15 installed but $PG_BIN/postgres is missing"
fi
# The server refuses to run as root: postgres.sh runs it as this OS user, which
# the Debian package creates. Create a system user if it is somehow missing.
if ! id postgres >/dev/null 2>&1; then
    log "creating system user postgres"
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash --user-group postgres
fi

# --- Java 17+ and Maven (on the machine image; we do not install a JDK) -------
command -v java >/dev/null || die "java not found: Kafka needs a Java 17+ runtime (Debian: openjdk-17-jdk-headless)"
command -v mvn >/dev/null || die "mvn not found: the Kafka jars are resolved with Maven (Debian: maven)"
command -v javac >/dev/null || die "javac not found: kafka.sh compiles a small admin tool (Debian: openjdk-17-jdk-headless)"
java_major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
[[ "${java_major%%.*}" -ge 17 ]] 2>/dev/null || die "Java 17+ required for Kafka 4.x, found '${java_major:-unknown}'"

# --- Kafka jars ----------------------------------------------------------------
# Re-resolved only when the pom changed (its sha256 is stamped beside the jars)
# or the pinned kafka jar is missing; the folder is emptied first so that a
# version change leaves no stale jar on the classpath.
pom="$here/kafka/pom.xml"
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")
libs="$PORTAL_LOCAL_DIR/kafka/libs"
stamp="$libs/.pom.sha256"
pom_sum=$(sha256sum "$pom" | cut -d' ' -f1)
if [[ ! -f "$libs/kafka_2.13-$kafka_version.jar" || "$(cat "$stamp" 2>/dev/null)" != "$pom_sum" ]]; then
    log "resolving Kafka $kafka_version jars with Maven into $libs"
    rm -rf "$libs"
    mkdir -p "$libs"
    # Output to a log (Maven's jansi prints stray colour resets even with -q -B);
    # shown only if Maven fails.
    if ! (cd "$here/kafka" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies \
        -DoutputDirectory="$libs" -DincludeScope=runtime) >"$PORTAL_LOCAL_DIR/log/setup-maven.log" 2>&1; then
        cat "$PORTAL_LOCAL_DIR/log/setup-maven.log" >&2
        die "Maven could not resolve the Kafka jars (log: $PORTAL_LOCAL_DIR/log/setup-maven.log)"
    fi
    [[ -f "$libs/kafka_2.13-$kafka_version.jar" ]] || die "Maven did not produce kafka_2.13-$kafka_version.jar"
    echo "$pom_sum" >"$stamp"
fi

# --- versitygw (S3 gateway, POSIX backend) -----------------------------------
vgw="$PORTAL_LOCAL_DIR/bin/versitygw"
vgw_have=""
if [[ -x "$vgw" ]] && command -v go >/dev/null; then
    # `go version -m` reads the module version embedded in the binary.
    vgw_have=$(go version -m "$vgw" 2>/dev/null | awk '$1 == "mod" && $2 == "github.com/versity/versitygw" {print $3}')
elif [[ -x "$vgw" ]]; then
    vgw_have=$VERSITYGW_VERSION # no go to ask; trust the binary that is there
fi
if [[ "$vgw_have" != "$VERSITYGW_VERSION" ]]; then
    command -v go >/dev/null || die "go not found: needed once to build versitygw $VERSITYGW_VERSION"
    log "go install versitygw@$VERSITYGW_VERSION (a cold build takes a few minutes)"
    # Installing into a temporary GOBIN and moving the result keeps a half
    # written binary from ever sitting at $vgw.
    tmpbin=$(mktemp -d "$PORTAL_LOCAL_DIR/bin/.gobin.XXXXXX")
    GOBIN="$tmpbin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
        go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
    mv -f "$tmpbin/versitygw" "$vgw"
    rmdir "$tmpbin"
fi

# --- uv --------------------------------------------------------------------
# Pinned. If the machine's uv is another version, install the pin into a
# private venv under .local (never into the system's Python, which Debian
# marks externally managed) and link it into .local/bin, first on PATH.
uv_ok() { [[ "$(uv --version 2>/dev/null | awk '{print $2}')" == "$UV_VERSION" ]]; }
if ! uv_ok; then
    [[ -n "${UV_PYTHON:-}" ]] || die "no CPython 3.11 found (python3.11 or python3 = 3.11); the project requires it"
    log "installing uv==$UV_VERSION into $PORTAL_LOCAL_DIR/tools/uv"
    rm -rf "$PORTAL_LOCAL_DIR/tools/uv"
    if ! "$UV_PYTHON" -m venv "$PORTAL_LOCAL_DIR/tools/uv" 2>/dev/null; then
        # Debian's own python3 ships venv/ensurepip separately.
        rm -rf "$PORTAL_LOCAL_DIR/tools/uv"
        apt_install python3-venv
        "$UV_PYTHON" -m venv "$PORTAL_LOCAL_DIR/tools/uv"
    fi
    "$PORTAL_LOCAL_DIR/tools/uv/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
    ln -sf "$PORTAL_LOCAL_DIR/tools/uv/bin/uv" "$PORTAL_LOCAL_DIR/bin/uv"
    hash -r
    uv_ok || die "uv $UV_VERSION still not first on PATH after install"
fi

# --- the web client's browser assets (npm: USWDS, htmx, axe-core) -------------
# `npm ci` from web/package-lock.json, again only when the lock changed (its
# sha256 is stamped in node_modules). Never committed.
command -v npm >/dev/null || apt_install npm
web="$PORTAL_REPO_DIR/web"
web_stamp="$web/node_modules/.portal-lock.sha256"
web_sum=$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)
if [[ "$(cat "$web_stamp" 2>/dev/null)" != "$web_sum" ]]; then
    log "npm ci in web/ (USWDS, htmx, axe-core)"
    if ! (cd "$web" && npm ci --no-audit --no-fund --loglevel=error) >"$PORTAL_LOCAL_DIR/log/setup-npm.log" 2>&1; then
        cat "$PORTAL_LOCAL_DIR/log/setup-npm.log" >&2
        die "npm ci failed in web/ (log: $PORTAL_LOCAL_DIR/log/setup-npm.log)"
    fi
    echo "$web_sum" >"$web_stamp"
fi

# --- Python workspace (last: the other steps do not need it) -----------------
if [[ "${PORTAL_SETUP_SKIP_UV_SYNC:-0}" != 1 ]]; then
    [[ -n "${UV_PYTHON:-}" ]] || die "no CPython 3.11 found (python3.11 or python3 = 3.11); the project requires it"
    cd "$PORTAL_REPO_DIR"
    # --frozen: install exactly uv.lock, never rewrite it (CI must not drift).
    if [[ -f uv.lock ]]; then
        # shellcheck disable=SC2086
        uv sync --frozen ${PORTAL_UV_SYNC_ARGS:-}
    else
        # shellcheck disable=SC2086
        uv sync ${PORTAL_UV_SYNC_ARGS:-}
    fi
fi
log "ok"
