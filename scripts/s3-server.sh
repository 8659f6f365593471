#!/usr/bin/env bash
# Builds the local stack's S3-compatible server from the Go module proxy, once per pinned
# version: versitygw (Apache-2.0) with its posix backend, which keeps each object as a plain
# file under .local/s3/ so `make run` keeps its images across restarts.
#
#   scripts/s3-server.sh build   build (or reuse) $FACEAUTH_TOOLS_DIR/bin/versitygw
#   scripts/s3-server.sh path    print where the binary is (built or not)
#
# `make setup` runs `build`. The first build takes a few minutes (about 300 s of CPU).
set -euo pipefail

VERSITYGW_MODULE=github.com/versity/versitygw
VERSITYGW_VERSION=v1.8.0

TOOLS_DIR=${FACEAUTH_TOOLS_DIR:-$HOME/.cache/faceauth-tools}
BIN=$TOOLS_DIR/bin/versitygw
STATUS=$TOOLS_DIR/status/versitygw
LOG=$TOOLS_DIR/logs/versitygw.log

log() { printf '[s3-server] %s\n' "$*" >&2; }

build() {
  if [[ -x $BIN && -f $STATUS && $(head -n1 "$STATUS") == "ok $VERSITYGW_VERSION" ]]; then
    return 0
  fi
  command -v go >/dev/null || {
    log "Go is needed to build versitygw $VERSITYGW_VERSION (the local S3 server): install Go 1.25 or newer"
    exit 1
  }
  mkdir -p "$(dirname "$BIN")" "$(dirname "$STATUS")" "$(dirname "$LOG")"
  local staging started
  staging=$(mktemp -d)
  started=$(date +%s)
  log "building versitygw $VERSITYGW_VERSION into $BIN (a few minutes, once; log: $LOG)"
  # The machine is shared with other builds: two threads, low priority.
  if ! GOBIN=$staging GOFLAGS=-trimpath GOMAXPROCS=${GOMAXPROCS:-2} nice -n 10 \
    go install -ldflags "-s -w" "$VERSITYGW_MODULE/cmd/versitygw@$VERSITYGW_VERSION" >"$LOG" 2>&1; then
    tail -n 20 "$LOG" >&2
    rm -rf "$staging"
    log "building versitygw failed (log: $LOG)"
    exit 1
  fi
  mv "$staging/versitygw" "$BIN"
  rm -rf "$staging"
  echo "ok $VERSITYGW_VERSION" >"$STATUS"
  log "built versitygw $VERSITYGW_VERSION in $(($(date +%s) - started)) s"
}

case ${1:-} in
  build) build ;;
  path) echo "$BIN" ;;
  *)
    echo "usage: $0 build|path" >&2
    exit 2
    ;;
esac
