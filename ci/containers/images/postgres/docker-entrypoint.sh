#!/bin/sh
# Entrypoint of localhost/nextauth-postgres:15, written for this project; behaves like the
# official postgres image's entrypoint for what the test suites use:
#   POSTGRES_PASSWORD          superuser password (required unless the auth method is trust)
#   POSTGRES_USER              superuser name (default postgres)
#   POSTGRES_DB                database created at first start (default: POSTGRES_USER)
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for TCP clients (default scram-sha-256 with a
#                              password; `trust` lets anyone in)
#   POSTGRES_INITDB_ARGS       extra initdb arguments
#   PGDATA                     cluster directory (default /var/lib/postgresql/data)
#   /docker-entrypoint-initdb.d/*.sql, *.sql.gz, *.sql.xz, *.sh  run once, at first start
# Arguments starting with "-" are passed to postgres (e.g. `-c fsync=off`); any other
# command is run as is.
#
# Log lines, as in the official image: the first start initialises the cluster with a
# temporary socket-only server whose log goes to stdout (it prints "database system is ready
# to accept connections" there); the final server logs on stderr, and its
# "database system is ready to accept connections" means TCP clients can connect.
set -eu

case "${1:-}" in
  '') set -- postgres ;;
  -*) set -- postgres "$@" ;;
esac
if [ "$1" != postgres ]; then
  exec "$@"
fi

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

# As root: prepare the directories, then run this script again as the postgres user.
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres /var/run/postgresql
  chmod 2777 /var/run/postgresql
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 700 "$PGDATA"
  HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

fail() {
  printf 'nextauth-postgres: error: %s\n' "$*" >&2
  exit 1
}

run_init_scripts() { # as the official image: *.sh sourced or run, SQL fed to psql
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          echo "nextauth-postgres: running $f"
          "$f"
        else
          echo "nextauth-postgres: sourcing $f"
          # shellcheck disable=SC1090 # init scripts are the user's
          . "$f"
        fi ;;
      *.sql)    echo "nextauth-postgres: running $f"; sql_in "$db" -f "$f" ;;
      *.sql.gz) echo "nextauth-postgres: running $f"; gzip -dc "$f" | sql_in "$db" ;;
      *.sql.xz) echo "nextauth-postgres: running $f"; xz -dc "$f" | sql_in "$db" ;;
      *)        echo "nextauth-postgres: ignoring $f" ;;
    esac
  done
}

sql_in() { # database, psql arguments...
  _db=$1; shift
  psql -X -q -v ON_ERROR_STOP=1 --no-password --username="$user" --dbname="$_db" "$@"
}

if [ -s "$PGDATA/PG_VERSION" ]; then
  echo "PostgreSQL Database directory appears to contain a database; Skipping initialization"
else
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  password=${POSTGRES_PASSWORD:-}
  method=${POSTGRES_HOST_AUTH_METHOD:-}
  if [ -z "$password" ] && [ "$method" != trust ]; then
    fail "Database is uninitialized and superuser password is not specified.
       Set POSTGRES_PASSWORD to a non-empty value for the superuser, or
       POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password
       (as the official postgres image requires)."
  fi
  [ -n "$method" ] || method=scram-sha-256

  # initdb reads the password from a file; keep it out of the process list and remove it.
  pwfile=
  if [ -n "$password" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$password" > "$pwfile"
  fi
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as upstream
  initdb --username="$user" --encoding=UTF8 --locale=C.UTF-8 --no-sync \
    ${pwfile:+--pwfile="$pwfile"} ${POSTGRES_INITDB_ARGS:-}
  [ -z "$pwfile" ] || rm -f "$pwfile"

  # Local (socket) connections stay trusted, as initdb made them; TCP clients use $method.
  printf '\n# added by the container entrypoint\nhost all all all %s\n' "$method" >> "$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"

  # Temporary server, reachable only through its socket; its log goes to stdout.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  if [ "$db" != postgres ]; then
    sql_in postgres -v db="$db" <<'SQL'
CREATE DATABASE :"db";
SQL
  fi
  run_init_scripts
  pg_ctl -D "$PGDATA" -m fast -w stop

  echo
  echo "PostgreSQL init process complete; ready for start up."
  echo
fi

exec "$@"
