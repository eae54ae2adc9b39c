#!/usr/bin/env bash
# Makes PostgreSQL and MariaDB reachable on loopback for the live test suites, then prints
# the URLs to export. Idempotent: starts what is installed and down, installs what is
# missing (Debian), and changes nothing that is already up and reachable.
#
# Usage:  eval "$(ci/databases.sh)"      # exports NEXTAUTH_TEST_POSTGRES_URL and NEXTAUTH_TEST_MYSQL_URL
set -euo pipefail

PG_URL="${NEXTAUTH_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"
MYSQL_URL="${NEXTAUTH_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}"

log() { echo "ci/databases: $*" >&2; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

wait_for() { # description, command...
  local what="$1"; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "$what did not become ready within 30 s"
  return 1
}

# --- PostgreSQL --------------------------------------------------------------------------
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432; }
if command -v pg_isready >/dev/null 2>&1 && pg_up; then
  log "PostgreSQL is up"
else
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql postgresql-client
  fi
  version="$(ls /etc/postgresql | sort -V | tail -n1)"
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  wait_for "PostgreSQL" pg_up
fi
if ! psql "$PG_URL" -Atqc 'select 1' >/dev/null 2>&1; then
  # A fresh Debian install asks for a password on TCP: give the postgres role the one in the URL.
  log "setting the postgres role's password for TCP logins"
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >&2
  psql "$PG_URL" -Atqc 'select 1' >/dev/null
fi

# --- MariaDB -----------------------------------------------------------------------------
mysql_up() { mariadb-admin ping --silent >/dev/null 2>&1 || mysqladmin ping --silent >/dev/null 2>&1; }
if command -v mariadb-admin >/dev/null 2>&1 && mysql_up; then
  log "MariaDB is up"
else
  if [ ! -x /usr/sbin/mariadbd ]; then
    apt_install mariadb-server mariadb-client
  fi
  log "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql >&2
  wait_for "MariaDB" mysql_up
fi
if ! mariadb -h 127.0.0.1 -u root -e 'select 1' >/dev/null 2>&1; then
  log "allowing root@127.0.0.1 with an empty password"
  mariadb -e "CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" >&2
fi
mariadb -h 127.0.0.1 -u root -e 'CREATE DATABASE IF NOT EXISTS test' >&2

echo "export NEXTAUTH_TEST_POSTGRES_URL='$PG_URL'"
echo "export NEXTAUTH_TEST_MYSQL_URL='$MYSQL_URL'"
