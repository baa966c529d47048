#!/bin/bash
# PostgreSQL 15 from Debian, started the way the chart starts the upstream `postgres` image:
# POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
# POSTGRES_DB (default POSTGRES_USER), POSTGRES_INITDB_ARGS, PGDATA (default
# /var/lib/postgresql/data), PGPORT. An empty PGDATA is initialised (initdb, then the database is
# created on a socket-only temporary server), then the server is exec'd as PID 1 listening on all
# addresses with scram-sha-256 password authentication. Runs as the postgres user (uid 999); started as
# root it drops to that user first. The password reaches initdb through a pipe, never argv.
set -Eeuo pipefail

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
export PGDATA

if [ "${1:0:1}" = "-" ]; then
  set -- postgres "$@"
fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

# The socket directory is in the image (/var/run/postgresql, mode 3777); a runtime that mounts a fresh
# tmpfs on /run (ctr does, Kubernetes does not) hides it, and then the socket goes to /tmp.
SOCKET_DIR=/var/run/postgresql
if ! mkdir -p "$SOCKET_DIR" 2>/dev/null || [ ! -w "$SOCKET_DIR" ]; then
  SOCKET_DIR=/tmp
  if [ "$1" = postgres ]; then
    set -- "$@" -c unix_socket_directories=/tmp
  fi
fi
export PGHOST="$SOCKET_DIR"

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
    echo "postgres: the data directory is empty and POSTGRES_PASSWORD is not set; set it (or" \
      "POSTGRES_HOST_AUTH_METHOD=trust for throwaway use) to initialise a database" >&2
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA" 2>/dev/null || true
  echo "postgres: initialising $PGDATA for user $POSTGRES_USER"
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of options, as upstream treats it
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
    --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust \
    --auth-host="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" ${POSTGRES_INITDB_ARGS:-} >/dev/null
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"

  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses= -c unix_socket_directories=$SOCKET_DIR -p ${PGPORT:-5432}" start
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -q --username="$POSTGRES_USER" --dbname=postgres -p "${PGPORT:-5432}" \
      --set=db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) echo "postgres: running $f"; . "$f" ;;
      *.sql) echo "postgres: running $f"
        psql -v ON_ERROR_STOP=1 -q --username="$POSTGRES_USER" --dbname="$POSTGRES_DB" -p "${PGPORT:-5432}" -f "$f" ;;
      *) ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "postgres: initialisation done"
fi

exec "$@"
