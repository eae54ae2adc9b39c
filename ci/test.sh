#!/usr/bin/env bash
# The project's test command: makes the local databases reachable and installs the Node side
# of the adapter bridge, then runs every test of the workspace with the live PostgreSQL,
# MySQL/MariaDB, SQLite and bridge suites required, so a suite that could not run fails
# instead of being skipped. Then runs the PostgreSQL and MariaDB conformance suites once more
# with no server URL, so that they start their servers in containers (podman serving the
# Docker API, set up by ci/containers.sh: what a user with Docker and no database gets), as
# required backends. Then checks that a canary schema and database planted before the tests
# survived them (ci/canary.sh), that no crate declares a dependency it does not use, and that
# every crate packages (`cargo package`: what an adapter author would download).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(ci/databases.sh)"
ci/bridge.sh
export NEXTAUTH_REQUIRE_BACKENDS="${NEXTAUTH_REQUIRE_BACKENDS:-postgres,mysql,sqlite,bridge}"
# Every conformance run (ours, the examples, next-auth@3 through the bridge) leaves its JSON,
# JUnit and text report here, so CI keeps them; so does every interop run
# (interop-<server>-<tables>.json).
export NEXTAUTH_REPORT_DIR="${NEXTAUTH_REPORT_DIR:-$PWD/reports}"
echo "ci/test: live suites required: $NEXTAUTH_REQUIRE_BACKENDS; reports in $NEXTAUTH_REPORT_DIR"
# A schema and a database no suite may touch, checked after every suite has run.
ci/canary.sh plant
cargo test --workspace --locked "$@"
echo "ci/test: the container lane: PostgreSQL and MariaDB started in containers (no URL given)"
containers_up=$SECONDS
eval "$(ci/containers.sh up)"
trap 'ci/containers.sh down >&2' EXIT
lane=$SECONDS
# The restart rule runs here, each server in a container of its own that the rule stops and
# starts (docs/reliability.md); required, so a missing engine fails instead of printing NOT RUN.
env -u NEXTAUTH_TEST_POSTGRES_URL -u NEXTAUTH_TEST_MYSQL_URL \
  NEXTAUTH_REQUIRE_BACKENDS=postgres,mysql NEXTAUTH_REQUIRE_RESTART=1 \
  NEXTAUTH_REPORT_DIR="$NEXTAUTH_REPORT_DIR/containers" \
  cargo test --locked -p nextauth-adapter-postgres -p nextauth-adapter-mysql --test conformance --test restart
echo "ci/test: the container lane took $((SECONDS - lane)) s (engine and images ready in $((lane - containers_up)) s)"
ci/containers.sh down >&2
trap - EXIT
ci/canary.sh check
echo "ci/test: checking for unused dependencies (cargo-machete)"
if ! command -v cargo-machete >/dev/null; then
  cargo install --locked cargo-machete --version 0.9.2
fi
cargo machete
echo "ci/test: every crate packages, and builds from its package alone"
# cargo unpacks the packaged workspace crates under $CARGO_HOME/registry/src/-<hash of the
# temporary registry's path>/ and never unpacks a version it finds there again: a later run
# from the same checkout path would verify against an earlier run's sources. Our crates are in
# no public registry, so those copies are only ever stale.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/nextauth-*
cargo package --workspace --locked --allow-dirty
