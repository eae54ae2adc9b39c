#!/usr/bin/env bash
# Runs every published cell N times (default 20) and says whether each run gave the same
# failing rules and findings: the bridged next-auth@3 cells (next_auth_v3, next_auth_v3_prisma),
# the npm Auth.js cells (authjs_ecosystem) and the Auth.js real-core lane (authjs_real_core).
# Each of those tests holds every cell to its exact failing MUST and SHOULD sets, its findings
# (cause, severity, reach) and, for the lane, its exact effects; so a run that passes gave the
# published sets, and N passing runs gave them N times. No test reruns a rule to get there.
#
# The four test executables are built once and copied aside (target/repeat-cells/bin), so the
# runs test one build even while the working tree changes, and no run waits on cargo.
#
# Usage:  ci/repeat-cells.sh [N]
# Prints one line per run and a last line `cells: K of N runs identical` (exit 0 iff K = N);
# each run's output is kept in target/repeat-cells/run-<i>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
eval "$(ci/databases.sh)"
ci/bridge.sh
export NEXTAUTH_REQUIRE_BACKENDS=postgres,mysql,bridge
logs=$PWD/target/repeat-cells
rm -rf "$logs"
mkdir -p "$logs/bin"
tests=(next_auth_v3 next_auth_v3_prisma authjs_ecosystem authjs_real_core)
# The workspace's build, as ci/test.sh makes it: `-p nextauth-adapter-bridge` alone would
# resolve the dependencies' features otherwise and compile sqlx, tokio and the rest again.
if ! cargo test --workspace --locked --no-run --message-format=json-render-diagnostics \
  >"$logs/artifacts.json"; then
  echo "ci/repeat-cells: the tests did not build" >&2
  exit 1
fi
dir=$(cargo metadata --no-deps --format-version 1 --locked |
  jq -r '.packages[] | select(.name == "nextauth-adapter-bridge") | .manifest_path' | xargs dirname)
for name in "${tests[@]}"; do
  exe=$(jq -r --arg n "$name" 'select(.reason == "compiler-artifact" and .profile.test
        and .target.name == $n and .executable != null
        and (.package_id | test("nextauth-adapter-bridge"))) | .executable' "$logs/artifacts.json")
  [ -n "$exe" ] || { echo "ci/repeat-cells: no executable for $name" >&2; exit 1; }
  cp "$exe" "$logs/bin/$name"
done
commit=$(git rev-parse --short HEAD)
[ -z "$(git status --porcelain -- ':!target')" ] || commit="$commit+changes"
same=0
for i in $(seq 1 "$runs"); do
  started=$SECONDS
  ok=1
  for name in "${tests[@]}"; do
    echo "     Running $name" >>"$logs/run-$i.log"
    (cd "$dir" && CARGO_MANIFEST_DIR="$dir" CARGO_PKG_NAME=nextauth-adapter-bridge \
      "$logs/bin/$name") >>"$logs/run-$i.log" 2>&1 || ok=0
  done
  if [ $ok -eq 1 ]; then
    same=$((same + 1))
    echo "run $i of $runs: every cell as published ($((SECONDS - started)) s)"
  else
    echo "run $i of $runs: DIFFERENT, see $logs/run-$i.log ($((SECONDS - started)) s)"
    grep -E "changed|expected but|failing now|NOT RUN|panicked" "$logs/run-$i.log" | head -20
  fi
done
echo "cells: $same of $runs runs identical ($(date -u +%Y-%m-%d), $commit)"
[ "$same" -eq "$runs" ]
