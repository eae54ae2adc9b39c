#!/usr/bin/env bash
# Installs the Node side of the adapter bridge (bridge/node: next-auth@3, typeorm 0.2, pg,
# mysql) exactly as bridge/node/package-lock.json pins it. Idempotent: does nothing when
# node_modules already matches the lock file.
#
# Usage:  ci/bridge.sh
# Then:   cargo test -p nextauth-adapter-bridge   (with the database URLs: eval "$(ci/databases.sh)")
set -euo pipefail

cd "$(dirname "$0")/../bridge/node"
log() { echo "ci/bridge: $*" >&2; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "node and npm are required (Node 18 or later); install them first"
  exit 1
fi

stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ -f node_modules/next-auth/package.json ] \
   && [ "$stamp" -nt package-lock.json ]; then
  log "bridge/node/node_modules is up to date with package-lock.json"
  exit 0
fi

log "npm ci in bridge/node"
npm ci --no-audit --no-fund --loglevel=error >&2
log "installed next-auth $(node -p 'require("fs").readFileSync("node_modules/next-auth/package.json","utf8").match(/"version": "([^"]+)"/)[1]')"
