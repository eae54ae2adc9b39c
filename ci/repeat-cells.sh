#!/usr/bin/env bash
# Runs every published cell N times (default 20) and says whether each run gave the same
# failing rules and findings: the bridged next-auth@3 cells (next_auth_v3, next_auth_v3_prisma),
# the npm Auth.js cells (authjs_ecosystem) and the Auth.js real-core lane (authjs_real_core).
# Each of those tests holds every cell to its exact failing MUST and SHOULD sets, its findings
# (cause, severity, reach) and, for the lane, its exact effects; so a run that passes gave the
# published sets, and N passing runs gave them N times. No test reruns a rule to get there.
#
# Usage:  ci/repeat-cells.sh [N]      (about 12 minutes a run on this project's 2-core machine)
# Prints one line per run and a last line `cells: K of N runs identical` (exit 0 iff K = N);
# each run's output is kept in target/repeat-cells/run-<i>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
eval "$(ci/databases.sh)"
ci/bridge.sh
export NEXTAUTH_REQUIRE_BACKENDS=postgres,mysql,bridge
logs=target/repeat-cells
mkdir -p "$logs"
cargo test --locked -p nextauth-adapter-bridge --no-run \
  --test next_auth_v3 --test next_auth_v3_prisma --test authjs_ecosystem --test authjs_real_core >&2 || exit 1
same=0
for i in $(seq 1 "$runs"); do
  started=$SECONDS
  if cargo test --locked -p nextauth-adapter-bridge --no-fail-fast \
      --test next_auth_v3 --test next_auth_v3_prisma --test authjs_ecosystem --test authjs_real_core \
      >"$logs/run-$i.log" 2>&1; then
    same=$((same + 1))
    echo "run $i of $runs: every cell as published ($((SECONDS - started)) s)"
  else
    echo "run $i of $runs: DIFFERENT, see $logs/run-$i.log ($((SECONDS - started)) s)"
    grep -E "changed|expected but|failing now|NOT RUN|panicked" "$logs/run-$i.log" | head -20
  fi
done
echo "cells: $same of $runs runs identical ($(date -u +%Y-%m-%d), $(git rev-parse --short HEAD))"
[ "$same" -eq "$runs" ]
