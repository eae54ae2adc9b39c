#!/bin/sh
# Entrypoint of localhost/nextauth-mariadb:10.11, written for this project; behaves like the
# official mariadb image's entrypoint for what the test suites use. At first start (empty
# /var/lib/mysql) it reads, each MARIADB_* name also accepted as MYSQL_*:
#   MARIADB_ROOT_PASSWORD              root password, or
#   MARIADB_ALLOW_EMPTY_ROOT_PASSWORD  non-empty: root has no password, or
#   MARIADB_RANDOM_ROOT_PASSWORD       non-empty: a generated one, printed to stdout
#                                      (one of the three is required, as upstream)
#   MARIADB_ROOT_HOST                  host part of the remote root account (default %)
#   MARIADB_DATABASE                   database created at first start
#   MARIADB_USER, MARIADB_PASSWORD     account created at first start, with all privileges
#                                      on MARIADB_DATABASE
#   /docker-entrypoint-initdb.d/*.sql, *.sql.gz, *.sql.xz  applied once, in MARIADB_DATABASE
#                                      (in bootstrap mode: plain SQL statements, no client
#                                      commands such as DELIMITER or SOURCE)
#   /docker-entrypoint-initdb.d/*.sh   run once, before the database exists (upstream runs
#                                      them against a temporary server: a difference)
# Arguments starting with "-" are passed to mariadbd; any other command is run as is.
#
# The server starts once, after the accounts and databases exist (they are created in
# mariadb-install-db's bootstrap pass, where a failing statement stops the container), so its
# single "mariadbd: ready for connections." (followed by "Version: ... port: 3306") on
# stderr means the database is ready to use.
set -eu

case "${1:-}" in
  '') set -- mariadbd ;;
  -*) set -- mariadbd "$@" ;;
esac
case "$1" in
  mariadbd|mysqld|/usr/sbin/mariadbd|/usr/sbin/mysqld) ;;
  *) exec "$@" ;;
esac

datadir=/var/lib/mysql
rundir=/run/mysqld

fail() {
  printf 'nextauth-mariadb: error: %s\n' "$*" >&2
  exit 1
}
# SQL string literal body: backslashes and quotes escaped (default sql_mode).
sql_str() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g"; }
# SQL identifier body, for use between backquotes.
# shellcheck disable=SC2016 # the backquotes are literal
sql_ident() { printf '%s' "$1" | sed -e 's/`/``/g'; }
# One line of output, verbatim (dash's echo would interpret backslashes in passwords).
line() { printf '%s\n' "$*"; }

root_password=${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}
allow_empty=${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-${MYSQL_ALLOW_EMPTY_PASSWORD:-}}
random_root=${MARIADB_RANDOM_ROOT_PASSWORD:-${MYSQL_RANDOM_ROOT_PASSWORD:-}}
root_host=${MARIADB_ROOT_HOST:-${MYSQL_ROOT_HOST:-%}}
database=${MARIADB_DATABASE:-${MYSQL_DATABASE:-}}
app_user=${MARIADB_USER:-${MYSQL_USER:-}}
app_password=${MARIADB_PASSWORD:-${MYSQL_PASSWORD:-}}

server=$1
shift
as_root=
if [ "$(id -u)" = 0 ]; then
  as_root=1
  mkdir -p "$datadir" "$rundir"
  chown mysql:mysql "$datadir" "$rundir"
fi

if [ -d "$datadir/mysql" ]; then
  echo "nextauth-mariadb: database directory already initialised; skipping initialisation"
else
  if [ -z "$root_password" ] && [ -z "$allow_empty" ] && [ -z "$random_root" ]; then
    fail "Database is uninitialized and password option is not specified
       You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD
       and MARIADB_RANDOM_ROOT_PASSWORD (or their MYSQL_* names), as the official image."
  fi
  if [ "$app_user" = root ]; then
    fail "MARIADB_USER=root is not allowed; use MARIADB_ROOT_PASSWORD for the root account"
  fi
  if [ -n "$app_user" ] && [ -z "$app_password" ]; then
    fail "MARIADB_USER is set without MARIADB_PASSWORD"
  fi
  if [ -z "$root_password" ] && [ -n "$random_root" ]; then
    root_password=$(tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 32)
    echo "GENERATED ROOT PASSWORD: $root_password"
  fi

  # Accounts, database and init SQL are written to a file that mariadb-install-db runs in
  # its own bootstrap pass, right after the system tables: any failing statement fails the
  # installation (and this container), and the server then starts once, fully set up.
  setup_sql=$(mktemp)
  pw=$(sql_str "$root_password")
  rh=$(sql_str "$root_host")
  {
    line "SET @@SESSION.SQL_LOG_BIN=0;"
    # The bootstrap pass runs with --skip-grant-tables; loading them allows account statements.
    line "FLUSH PRIVILEGES;"
    # mariadb-install-db also made root@127.0.0.1, root@::1 and root@<hostname>; upstream
    # keeps only root@localhost and root@<MARIADB_ROOT_HOST>.
    line "DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', 'root'@'$(sql_str "$(cat /proc/sys/kernel/hostname)")';"
    line "ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';"
    if [ "$root_host" != localhost ]; then
      line "CREATE USER IF NOT EXISTS 'root'@'$rh' IDENTIFIED BY '$pw';"
      line "GRANT ALL ON *.* TO 'root'@'$rh' WITH GRANT OPTION;"
    fi
    if [ -n "$database" ]; then
      line "CREATE DATABASE IF NOT EXISTS \`$(sql_ident "$database")\`;"
    fi
    if [ -n "$app_user" ]; then
      line "CREATE USER IF NOT EXISTS '$(sql_str "$app_user")'@'%' IDENTIFIED BY '$(sql_str "$app_password")';"
      if [ -n "$database" ]; then
        line "GRANT ALL ON \`$(sql_ident "$database")\`.* TO '$(sql_str "$app_user")'@'%';"
      fi
    fi
    [ -z "$database" ] || line "USE \`$(sql_ident "$database")\`;"
    for f in /docker-entrypoint-initdb.d/*; do
      case "$f" in
        *.sql)    cat "$f" ;;
        *.sql.gz) gzip -dc "$f" ;;
        *.sql.xz) xz -dc "$f" ;;
        *) continue ;;
      esac
      line
    done
  } > "$setup_sql"

  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        echo "nextauth-mariadb: running $f"
        # shellcheck disable=SC1090 # init scripts are the user's
        if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
      *.sql|*.sql.gz|*.sql.xz) echo "nextauth-mariadb: applying $f" ;;
      *) echo "nextauth-mariadb: ignoring $f" ;;
    esac
  done

  echo "nextauth-mariadb: initialising the database directory"
  install_log=$(mktemp)
  if ! mariadb-install-db --datadir="$datadir" ${as_root:+--user=mysql} \
         --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
         --skip-log-bin --extra-file="$setup_sql" > "$install_log" 2>&1; then
    cat "$install_log" >&2
    rm -f "$setup_sql"
    fail "initialising the database failed (see the lines above)"
  fi
  rm -f "$install_log" "$setup_sql"
  echo "MariaDB init process done. Ready for start up."
fi

exec "$server" ${as_root:+--user=mysql} "$@"
