#!/usr/bin/env bash
# deploy/local/s3.sh start|stop|status — an S3 endpoint for development and
# tests: versitygw (Apache-2.0, built by setup.sh) with its POSIX backend.
#
#   endpoint  http://$S3_ENDPOINT          (127.0.0.1:19000, plain HTTP)
#   keys      $S3_ACCESS_KEY / $S3_SECRET_KEY (the gateway's root account)
#   objects   $PORTAL_LOCAL_DIR/s3/<bucket>/<key>   (one file per object)
#   metadata  xattrs on those files, or a sidecar tree in $PORTAL_LOCAL_DIR/s3-meta
#             when the filesystem has no user xattrs (probed at each start)
#   log       $PORTAL_LOCAL_DIR/log/s3.log
#
# `start` ends when GET /health answers and $S3_BUCKET exists (created through
# the S3 API, signed with curl's --aws-sigv4, so the gateway records its owner
# and ACL as it would for any client).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"
# shellcheck source=proc.sh
. "$here/proc.sh"

NAME=s3
VGW="${PORTAL_VERSITYGW:-$PORTAL_LOCAL_DIR/bin/versitygw}"
ROOT="$PORTAL_LOCAL_DIR/s3"
SIDECAR="$PORTAL_LOCAL_DIR/s3-meta"
SLOG="$PORTAL_LOCAL_DIR/log/s3.log"
START_TIMEOUT="${PORTAL_S3_START_TIMEOUT:-60}"
HOST=${S3_ENDPOINT%:*}
PORT=${S3_ENDPOINT##*:}
BASE="http://$S3_ENDPOINT"

# Does this filesystem take user.* extended attributes? (ext4, xfs, btrfs do;
# some overlay or tmpfs setups do not.) versitygw's posix backend keeps ETags,
# content types, user metadata and ACLs there unless given --sidecar.
xattrs_supported() {
    python3 - "$ROOT" <<'EOF'
import os, sys, tempfile
with tempfile.NamedTemporaryFile(dir=sys.argv[1], prefix=".xattr-probe-") as f:
    try:
        os.setxattr(f.name, "user.portal-probe", b"1")
    except OSError:
        sys.exit(1)
EOF
}

# Signed S3 call with curl (no AWS CLI or Python SDK needed here).
s3_curl() { # s3_curl METHOD PATH [curl args...] -> prints the HTTP status
    local method=(-X "$1") path=$2
    shift 2
    # `-X HEAD` would make curl wait for a body that never comes: use --head.
    [[ "${method[1]}" == HEAD ]] && method=(--head)
    curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "${method[@]}" \
        --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@" "$BASE$path"
}

ensure_bucket() {
    local code
    code=$(s3_curl HEAD "/$S3_BUCKET")
    case "$code" in
        200) return 0 ;;
        404) ;;
        *) proc_fail "$NAME" "$SLOG" "HEAD bucket $S3_BUCKET answered HTTP $code"; exit 1 ;;
    esac
    code=$(s3_curl PUT "/$S3_BUCKET")
    case "$code" in
        # 409 BucketAlreadyOwnedByYou: someone made it between HEAD and PUT.
        200 | 409) echo "s3: created bucket $S3_BUCKET" ;;
        *) proc_fail "$NAME" "$SLOG" "PUT bucket $S3_BUCKET answered HTTP $code"; exit 1 ;;
    esac
}

# Browsers post evidence straight to the store with the documents service's presigned
# form (the web client's progress bar): a cross-origin POST from the portal's pages,
# which the bucket must allow. Production MinIO needs the same rule for its public URL.
ensure_cors() {
    local rules="" origin body md5 code
    for origin in ${S3_CORS_ORIGINS:-$PORTAL_PUBLIC_URL ${PORTAL_PUBLIC_URL/127.0.0.1/localhost}}; do
        rules+="<CORSRule><AllowedOrigin>$origin</AllowedOrigin><AllowedMethod>POST</AllowedMethod>"
        rules+="<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule>"
    done
    body="<CORSConfiguration>$rules</CORSConfiguration>"
    md5=$(printf '%s' "$body" | python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.md5(sys.stdin.buffer.read()).digest()).decode())')
    code=$(s3_curl PUT "/$S3_BUCKET?cors=" -H "Content-MD5: $md5" -H "Content-Type: application/xml" --data-binary "$body")
    [[ "$code" == 200 ]] || { proc_fail "$NAME" "$SLOG" "PUT bucket CORS answered HTTP $code"; exit 1; }
}

cmd_start() {
    [[ -x "$VGW" ]] || { echo "s3: $VGW missing: run deploy/local/setup.sh" >&2; exit 1; }
    if proc_running "$NAME" && wait_http "$BASE/health" 1 2>/dev/null; then
        echo "s3: already running (pid $(proc_pid "$NAME")) on $BASE"
        ensure_bucket
        ensure_cors
        return 0
    fi
    if ! proc_running "$NAME"; then
        if port_in_use "$HOST" "$PORT"; then
            echo "s3: $HOST:$PORT is taken by another process (not ours: no live pidfile)" >&2
            exit 1
        fi
        mkdir -p "$ROOT"
        local meta=()
        if ! xattrs_supported; then
            echo "s3: no user xattrs on $ROOT's filesystem; metadata in sidecar $SIDECAR"
            mkdir -p "$SIDECAR"
            meta=(--sidecar "$SIDECAR")
        fi
        # --quiet: no line per request on stdout (tests make thousands); errors
        # are still logged. Keys are passed as flags, so they show in `ps` —
        # acceptable for these fixed local development credentials only.
        proc_start "$NAME" "$SLOG" -- "$VGW" --quiet \
            --access "$S3_ACCESS_KEY" --secret "$S3_SECRET_KEY" --region "$S3_REGION" \
            --port "$HOST:$PORT" --health /health \
            posix "${meta[@]}" "$ROOT"
    fi
    if ! wait_http "$BASE/health" "$START_TIMEOUT" "$NAME"; then
        proc_fail "$NAME" "$SLOG" "$BASE/health did not answer within ${START_TIMEOUT}s" || true
        proc_stop "$NAME" TERM 15 >&2 # leave nothing half-started behind
        exit 1
    fi
    ensure_bucket
    ensure_cors
    echo "s3: ready on $BASE (bucket $S3_BUCKET, browser uploads from ${S3_CORS_ORIGINS:-$PORTAL_PUBLIC_URL})"
}

cmd_status() {
    if proc_running "$NAME" && wait_http "$BASE/health" 1 2>/dev/null; then
        echo "s3: running (pid $(proc_pid "$NAME")) on $BASE"
    elif proc_running "$NAME"; then
        echo "s3: process $(proc_pid "$NAME") alive but $BASE/health not answering"
        return 1
    else
        echo "s3: stopped"
        return 3
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) proc_stop "$NAME" TERM 15 ;;
    status) cmd_status ;;
    restart) proc_stop "$NAME" TERM 15 && cmd_start ;;
    *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
