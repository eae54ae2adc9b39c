#!/usr/bin/env bash
# A canary the test suites must never touch: `plant` puts a schema (PostgreSQL) and a database
# (MariaDB) named nextauth_canary, each with one table and one row, on the local servers before
# the tests; `check` (after every suite has run) fails unless both are still there, row and
# all, then removes them (this script made them). The suites create and drop only their own
# `nx_…` namespaces; this is the proof, on every CI run.
#   ci/canary.sh plant | check      (needs NEXTAUTH_TEST_POSTGRES_URL and NEXTAUTH_TEST_MYSQL_URL)
set -euo pipefail
: "${NEXTAUTH_TEST_POSTGRES_URL:?eval \"\$(ci/databases.sh)\" first}"
: "${NEXTAUTH_TEST_MYSQL_URL:?eval \"\$(ci/databases.sh)\" first}"
ROW="planted before the tests"

# mysql://user[:password]@host[:port]/db → the client's arguments.
mysql_args() {
  local rest=${NEXTAUTH_TEST_MYSQL_URL#*://} auth hostport
  auth=${rest%%@*}; hostport=${rest#*@}; hostport=${hostport%%/*}
  local user=${auth%%:*} password=""
  [[ $auth == *:* ]] && password=${auth#*:}
  printf -- '--host=%s\n--port=%s\n--user=%s\n' "${hostport%%:*}" "${hostport##*:}" "$user"
  [[ -n $password ]] && printf -- '--password=%s\n' "$password"
  return 0
}
my() { mapfile -t args < <(mysql_args); mysql "${args[@]}" -N -B -e "$1"; }
pg() { psql "$NEXTAUTH_TEST_POSTGRES_URL" -Atq -v ON_ERROR_STOP=1 -c "SET client_min_messages TO warning; $1"; }

case "${1:-}" in
  plant)
    pg "DROP SCHEMA IF EXISTS nextauth_canary CASCADE; CREATE SCHEMA nextauth_canary; CREATE TABLE nextauth_canary.keep (note text); INSERT INTO nextauth_canary.keep VALUES ('$ROW')"
    my "DROP DATABASE IF EXISTS nextauth_canary; CREATE DATABASE nextauth_canary; CREATE TABLE nextauth_canary.keep (note TEXT); INSERT INTO nextauth_canary.keep VALUES ('$ROW')"
    echo "ci/canary: planted nextauth_canary on PostgreSQL and MariaDB" >&2
    ;;
  check)
    pg_row=$(pg "SELECT note FROM nextauth_canary.keep" 2>&1 || true)
    my_row=$(my "SELECT note FROM nextauth_canary.keep" 2>&1 || true)
    pg "DROP SCHEMA IF EXISTS nextauth_canary CASCADE" || true
    my "DROP DATABASE IF EXISTS nextauth_canary" || true
    if [[ $pg_row != "$ROW" || $my_row != "$ROW" ]]; then
      echo "ci/canary: FAILURE: a suite touched what it did not create: PostgreSQL: $pg_row; MariaDB: $my_row" >&2
      exit 1
    fi
    echo "ci/canary: nextauth_canary survived every suite on PostgreSQL and MariaDB" >&2
    ;;
  *) echo "usage: ci/canary.sh plant|check" >&2; exit 2 ;;
esac
