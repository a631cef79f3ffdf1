#!/usr/bin/env bash
# One-shot set-up for a fresh machine (Debian/Ubuntu, Node 20): system packages, npm dependencies,
# the native libtorch addon, and the TypeScript build. Safe to run again; skips what is present.
#   DEEPRELAX_SKIP_APT=1   do not apt-get (e.g. no root); the torch engine is then optional
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

if [[ "${DEEPRELAX_SKIP_APT:-0}" != "1" ]] && command -v apt-get >/dev/null 2>&1; then
  need=()
  dpkg -s libtorch-dev >/dev/null 2>&1 || need+=(libtorch-dev)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
  if ((${#need[@]})); then
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then
      if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else log "not root and no sudo: skipping ${need[*]}"; need=(); fi
    fi
    if ((${#need[@]})); then
      log "installing ${need[*]} with apt-get"
      export DEBIAN_FRONTEND=noninteractive
      $SUDO apt-get update -qq
      $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    fi
  fi
fi

log "npm ci"
npm ci --no-audit --no-fund --loglevel=error

log "building the native libtorch engine (skipped with a message when libtorch is absent)"
npm run build:native --silent || log "native build failed; the tfjs engine will be used"

log "tsc -b"
npm run build --silent
log "done"
