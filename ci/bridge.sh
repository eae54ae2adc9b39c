#!/usr/bin/env bash
# Installs the Node side of the adapter bridge (bridge/node: next-auth@3, typeorm 0.2, pg,
# mysql, Prisma 7 with its PostgreSQL and MariaDB driver adapters) exactly as
# bridge/node/package-lock.json pins it, and the npm Auth.js adapters (bridge/node/authjs)
# as bridge/node/authjs/package-lock.json pins them, then generates the Prisma clients of the seed's
# schema (bridge/node/prisma/generate.js) and of @auth/prisma-adapter's documented schemas
# (bridge/node/authjs/prisma/generate.js). Idempotent: does nothing when node_modules matches
# the lock file and the clients are newer than their generator.
#
# Nothing here reaches beyond the npm registry: install scripts are not run (the only ones
# are Prisma's, which would download engines the Rust-free client does not use), and
# `prisma generate` writes only below bridge/node/prisma/build and bridge/node/authjs/prisma/build.
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
else
  log "npm ci in bridge/node"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
  log "installed next-auth $(node -p 'require("./node_modules/next-auth/package.json").version'), prisma $(node -p 'require("./node_modules/prisma/package.json").version')"
fi

# The npm Auth.js adapters (bridge/node/authjs), a package of their own: their dependencies
# (TypeORM 0.3, newer pg) clash with next-auth@3's.
authjs_stamp=authjs/node_modules/.package-lock.json
if [ -f "$authjs_stamp" ] && [ -f authjs/node_modules/@auth/pg-adapter/package.json ] \
   && [ "$authjs_stamp" -nt authjs/package-lock.json ]; then
  log "bridge/node/authjs/node_modules is up to date with its package-lock.json"
else
  log "npm ci in bridge/node/authjs"
  (cd authjs && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  log "installed @auth/pg-adapter $(node -p 'require("./authjs/node_modules/@auth/pg-adapter/package.json").version')"
fi

# Prisma clients: the seed's schema for next-auth@3's Prisma adapter (bridge/node/prisma), and
# @auth/prisma-adapter's documented schemas (bridge/node/authjs/prisma, from
# fixtures/ecosystem/prisma-adapter). Each is regenerated when its generator, its schemas,
# the shared generation code or its package's install is newer than the last run.
generate_clients() { # <dir> <stamp of the install> <schema files...>
  local dir=$1 installed=$2; shift 2
  local done="$dir/build/.generated" input
  if [ -f "$done" ]; then
    local fresh=1
    for input in "$dir/generate.js" lib/prisma-generate.js "$installed" "$@"; do
      [ "$done" -nt "$input" ] || fresh=0
    done
    if [ "$fresh" = 1 ]; then
      log "the Prisma clients of bridge/node/$dir are up to date"
      return
    fi
  fi
  log "generating the Prisma clients (bridge/node/$dir/build)"
  node "$dir/generate.js" >&2
  touch "$done"
}
generate_clients prisma "$stamp"
generate_clients authjs/prisma "$authjs_stamp" ../../fixtures/ecosystem/prisma-adapter/*.prisma
