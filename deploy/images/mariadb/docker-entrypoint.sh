#!/bin/bash
# MariaDB 10.11 from Debian, started the way the chart starts the upstream `mariadb` image:
# MARIADB_ROOT_PASSWORD (required for a new data directory), MARIADB_DATABASE, MARIADB_USER,
# MARIADB_PASSWORD; data in /var/lib/mysql; runs as mysql (uid 999). An empty data directory is
# initialised on a socket-only temporary server (root password, database, user with all privileges on
# it, and a USAGE-only `healthcheck` user whose generated password goes to
# /var/lib/mysql/.my-healthcheck.cnf for healthcheck.sh). A data directory without that file gets the
# healthcheck user again (MARIADB_AUTO_UPGRADE=1 also runs mariadb-upgrade then). Passwords travel
# as SQL on stdin, never in argv.
set -Eeuo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
PIDFILE=/run/mysqld/mysqld.pid

if [ "${1:0:1}" = "-" ]; then
  set -- mariadbd "$@"
fi
# A runtime that mounts a fresh tmpfs on /run (ctr does, Kubernetes does not) hides /run/mysqld.
if [ "$(id -u)" != 0 ] && { ! mkdir -p /run/mysqld 2>/dev/null || [ ! -w /run/mysqld ]; }; then
  SOCKET=/tmp/mysqld.sock
  PIDFILE=/tmp/mysqld.pid
  if [ "$1" = mariadbd ]; then
    set -- "$@" --socket="$SOCKET" --pid-file="$PIDFILE"
  fi
fi

# mariadbd (and mariadb-install-db's bootstrap) put InnoDB's temporary files in $TMPDIR, default /tmp.
# Straight into the image's /tmp (a directory of the image's lower layer) they failed with ENOENT in
# a container started by ctr as uid 999 ("Can't create/write to file '/tmp/ib...' (Errcode: 2)",
# tests/realnode/test_images.py); a directory made at start, in the container's own writable layer,
# works there and in a pod.
if [ -z "${TMPDIR:-}" ] && [ "$(id -u)" != 0 ]; then
  TMPDIR=$(mktemp -d /tmp/mariadb.XXXXXX)
  export TMPDIR
fi

if [ "$1" = mariadbd ] && [ "$(id -u)" = 0 ]; then
  chown mysql:mysql "$DATADIR"
  exec setpriv --reuid=mysql --regid=mysql --init-groups "$BASH_SOURCE" "$@"
fi

# 'it''s' quoting for a SQL string literal; backslashes doubled (MariaDB treats them as escapes).
sql_string() {
  local value=${1//\\/\\\\}
  printf "'%s'" "${value//\'/\'\'}"
}
sql_ident() {
  printf '`%s`' "${1//\`/\`\`}"
}

start_temporary() {
  mariadbd --skip-networking --socket="$SOCKET" --pid-file="$PIDFILE" --datadir="$DATADIR" --skip-log-bin &
  TEMP_PID=$!
  for _ in $(seq 60); do
    if mariadb-admin --socket="$SOCKET" --user=root --no-defaults ping >/dev/null 2>&1 ||
       mariadb-admin --defaults-extra-file=<(printf '[client]\npassword=%s\n' "${MARIADB_ROOT_PASSWORD:-}") \
         --socket="$SOCKET" --user=root ping >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  echo "mariadb: the temporary server did not start" >&2
  exit 1
}

root_sql() {
  mariadb --defaults-extra-file=<(printf '[client]\npassword=%s\n' "${MARIADB_ROOT_PASSWORD:-}") \
    --socket="$SOCKET" --user=root --batch "$@"
}

healthcheck_user_sql() {
  local password
  password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '[mariadb-client]\nport=3306\nsocket=%s\nuser=healthcheck\npassword=%s\n' "$SOCKET" "$password" \
    >"$DATADIR/.my-healthcheck.cnf.new"
  chmod 600 "$DATADIR/.my-healthcheck.cnf.new"
  printf "CREATE USER IF NOT EXISTS healthcheck@'127.0.0.1' IDENTIFIED BY %s;\n" "$(sql_string "$password")"
  printf "CREATE USER IF NOT EXISTS healthcheck@'::1' IDENTIFIED BY %s;\n" "$(sql_string "$password")"
  printf "CREATE USER IF NOT EXISTS healthcheck@localhost IDENTIFIED BY %s;\n" "$(sql_string "$password")"
  printf "ALTER USER healthcheck@'127.0.0.1' IDENTIFIED BY %s;\n" "$(sql_string "$password")"
  printf "ALTER USER healthcheck@'::1' IDENTIFIED BY %s;\n" "$(sql_string "$password")"
  printf "ALTER USER healthcheck@localhost IDENTIFIED BY %s;\n" "$(sql_string "$password")"
}

if [ "$1" = mariadbd ] && [ ! -d "$DATADIR/mysql" ]; then
  if [ -z "${MARIADB_ROOT_PASSWORD:-}" ]; then
    echo "mariadb: the data directory is empty and MARIADB_ROOT_PASSWORD is not set" >&2
    exit 1
  fi
  echo "mariadb: initialising $DATADIR"
  # --force: a pod may have no resolvable hostname, which only the name check needs (names are not
  # resolved at all: skip-name-resolve).
  mariadb-install-db --datadir="$DATADIR" --skip-test-db --auth-root-authentication-method=normal --force \
    --skip-name-resolve >/dev/null
  mariadbd --skip-networking --socket="$SOCKET" --pid-file="$PIDFILE" --datadir="$DATADIR" --skip-log-bin &
  TEMP_PID=$!
  for _ in $(seq 60); do
    mariadb-admin --no-defaults --socket="$SOCKET" --user=root ping >/dev/null 2>&1 && break
    sleep 1
  done
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DELETE FROM mysql.global_priv WHERE user NOT IN ('mysql.sys', 'mariadb.sys', 'root') OR host NOT IN ('localhost');"
    printf "ALTER USER root@localhost IDENTIFIED BY %s;\n" "$(sql_string "$MARIADB_ROOT_PASSWORD")"
    printf "CREATE USER root@'%%' IDENTIFIED BY %s;\n" "$(sql_string "$MARIADB_ROOT_PASSWORD")"
    echo "GRANT ALL ON *.* TO root@'%' WITH GRANT OPTION;"
    if [ -n "${MARIADB_DATABASE:-}" ]; then
      printf 'CREATE DATABASE IF NOT EXISTS %s;\n' "$(sql_ident "$MARIADB_DATABASE")"
    fi
    if [ -n "${MARIADB_USER:-}" ] && [ -n "${MARIADB_PASSWORD:-}" ]; then
      printf "CREATE USER %s@'%%' IDENTIFIED BY %s;\n" "$(sql_string "$MARIADB_USER")" "$(sql_string "$MARIADB_PASSWORD")"
      if [ -n "${MARIADB_DATABASE:-}" ]; then
        printf "GRANT ALL ON %s.* TO %s@'%%';\n" "$(sql_ident "$MARIADB_DATABASE")" "$(sql_string "$MARIADB_USER")"
      fi
    fi
    healthcheck_user_sql
    echo "GRANT USAGE ON *.* TO healthcheck@'127.0.0.1', healthcheck@'::1', healthcheck@localhost;"
    echo "FLUSH PRIVILEGES;"
  } | mariadb --no-defaults --socket="$SOCKET" --user=root --batch
  mv "$DATADIR/.my-healthcheck.cnf.new" "$DATADIR/.my-healthcheck.cnf"
  kill "$TEMP_PID" && wait "$TEMP_PID" || true
  echo "mariadb: initialisation done"
elif [ "$1" = mariadbd ] && [ ! -f "$DATADIR/.my-healthcheck.cnf" ]; then
  echo "mariadb: recreating the healthcheck user"
  start_temporary
  if [ "${MARIADB_AUTO_UPGRADE:-}" = 1 ]; then
    mariadb-upgrade --defaults-extra-file=<(printf '[client]\npassword=%s\n' "${MARIADB_ROOT_PASSWORD:-}") \
      --socket="$SOCKET" --user=root || true
  fi
  { healthcheck_user_sql; echo "FLUSH PRIVILEGES;"; } | root_sql
  mv "$DATADIR/.my-healthcheck.cnf.new" "$DATADIR/.my-healthcheck.cnf"
  kill "$TEMP_PID" && wait "$TEMP_PID" || true
fi

exec "$@"
