#!/usr/bin/env bash
# The project's test command: makes the local databases reachable and installs the Node side
# of the adapter bridge, then runs every test of the workspace with the live PostgreSQL,
# MySQL/MariaDB, SQLite and bridge suites required, so a suite that could not run fails
# instead of being skipped (ci/run-tests.sh: what `cargo test --workspace` runs, several test
# executables at a time). Then runs the PostgreSQL and MariaDB conformance suites once more
# with no server URL, so that they start their servers in containers (podman serving the
# Docker API, set up by ci/containers.sh: what a user with Docker and no database gets), as
# required backends. Then checks that a canary schema and database planted before the tests
# survived them (ci/canary.sh), that no crate declares a dependency it does not use, and that
# every crate packages (`cargo package`: what an adapter author would download).
#
# Each phase prints how long it took beside its budget (seconds on this project's two-core
# machine, cold `target/` and warm: what was measured, docs/performance.md, *The test
# command*); a phase taking more than 1.5 times its budget fails the run, so growth is seen
# the day it happens. NEXTAUTH_NO_BUDGETS=1 only reports (a slower machine).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
phase_started=$SECONDS
over_budget=()
# Ends a phase: prints its duration and its budget, and remembers an overrun.
phase() {
  local name=$1 budget=$2 took=$((SECONDS - phase_started))
  echo "ci/test: phase '$name' took $took s (budget $budget s)"
  if [ $((took * 2)) -gt $((budget * 3)) ]; then
    over_budget+=("$name: $took s, more than 1.5 × its budget of $budget s")
  fi
  phase_started=$SECONDS
}

eval "$(ci/databases.sh)"
export NEXTAUTH_REQUIRE_BACKENDS="${NEXTAUTH_REQUIRE_BACKENDS:-postgres,mysql,sqlite,bridge}"
# Every conformance run (ours, the examples, next-auth@3 through the bridge) leaves its JSON,
# JUnit and text report here, so CI keeps them; so does every interop run
# (interop-<server>-<tables>.json).
export NEXTAUTH_REPORT_DIR="${NEXTAUTH_REPORT_DIR:-$PWD/reports}"
echo "ci/test: live suites required: $NEXTAUTH_REQUIRE_BACKENDS; reports in $NEXTAUTH_REPORT_DIR"
# A schema and a database no suite may touch, checked after every suite has run.
ci/canary.sh plant

# What waits on the network or the disk rather than on the compiler runs beside the build:
# the Node side, the container engine and its images, and cargo-machete.
mkdir -p target
side=target/ci-side
rm -rf "$side"
mkdir -p "$side"
ci/bridge.sh >"$side/bridge.log" 2>&1 &
bridge_pid=$!
ci/containers.sh up >"$side/containers.env" 2>"$side/containers.log" &
containers_pid=$!
trap 'ci/containers.sh down >&2 || true' EXIT
if ! command -v cargo-machete >/dev/null; then
  (nice cargo install --locked cargo-machete --version 0.9.2 >"$side/machete.log" 2>&1) &
  machete_pid=$!
else
  machete_pid=
fi
cargo test --workspace --locked --no-run "$@"
# A cold target/ (a fresh clone: CI) builds everything; a warm one builds what changed, which
# after a merge is most of the workspace: one budget, the cold build's.
phase build 600
wait "$bridge_pid" || { cat "$side/bridge.log"; echo "ci/test: ci/bridge.sh failed" >&2; exit 1; }
tail -n 3 "$side/bridge.log"
phase "node side (beyond the build)" 120

ci/run-tests.sh "$@"
phase tests 1200

echo "ci/test: the container lane: PostgreSQL and MariaDB started in containers (no URL given)"
wait "$containers_pid" || { cat "$side/containers.log"; echo "ci/test: ci/containers.sh up failed" >&2; exit 1; }
eval "$(cat "$side/containers.env")"
# The restart rule runs here, each server in a container of its own that the rule stops and
# starts (docs/reliability.md); required, so a missing engine fails instead of printing NOT RUN.
# The executables are the ones ci/run-tests.sh built and ran: nothing is compiled again.
lane() {
  local package=$1 test=$2 exe
  exe=$(awk -F'\t' -v p="$package" -v t="$test" '$5 == p && $3 == t && $4 == "test" { print $1 }' \
    target/test-logs/executables.tsv)
  [ -n "$exe" ] || { echo "ci/test: no test executable $package --test $test" >&2; return 1; }
  echo "ci/test: $package --test $test (in containers)"
  (cd "$(dirname "$(awk -F'\t' -v e="$exe" '$1 == e { print $2 }' target/test-logs/executables.tsv)")" &&
    env -u NEXTAUTH_TEST_POSTGRES_URL -u NEXTAUTH_TEST_MYSQL_URL \
      NEXTAUTH_REQUIRE_BACKENDS=postgres,mysql NEXTAUTH_REQUIRE_RESTART=1 \
      NEXTAUTH_REPORT_DIR="$NEXTAUTH_REPORT_DIR/containers" \
      CARGO_MANIFEST_DIR="$PWD" CARGO_PKG_NAME="$package" "$exe" --quiet)
}
lane nextauth-adapter-postgres conformance &
postgres_lane=$!
lane nextauth-adapter-mysql conformance &
mysql_lane=$!
wait "$postgres_lane" && wait "$mysql_lane"
lane nextauth-adapter-postgres restart
lane nextauth-adapter-mysql restart
ci/containers.sh down >&2
trap - EXIT
phase "container lane" 300

ci/canary.sh check
echo "ci/test: checking for unused dependencies (cargo-machete)"
if [ -n "$machete_pid" ]; then
  wait "$machete_pid" || { cat "$side/machete.log"; echo "ci/test: installing cargo-machete failed" >&2; exit 1; }
fi
cargo machete
phase "unused dependencies" 120

echo "ci/test: every crate packages, and builds from its package alone"
# cargo unpacks the packaged workspace crates under $CARGO_HOME/registry/src/-<hash of the
# temporary registry's path>/ and never unpacks a version it finds there again: a later run
# from the same checkout path would verify against an earlier run's sources. Our crates are in
# no public registry, so those copies are only ever stale.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/nextauth-*
cargo package --workspace --locked --allow-dirty
phase package 360

echo "ci/test: every suite passed; the command took $((SECONDS - started)) s"
if [ ${#over_budget[@]} -gt 0 ]; then
  for o in "${over_budget[@]}"; do echo "ci/test: OVER BUDGET: $o" >&2; done
  if [ "${NEXTAUTH_NO_BUDGETS:-}" != 1 ]; then
    echo "ci/test: FAILED: a phase took more than 1.5 × its budget (docs/performance.md)" >&2
    exit 1
  fi
fi
