#!/bin/sh
# The probe the chart runs (`healthcheck.sh --connect [--innodb_initialized]`), with the options of
# the upstream image's script that the chart uses: log in as the USAGE-only healthcheck user whose
# credentials the entrypoint wrote to /var/lib/mysql/.my-healthcheck.cnf, so no password is in argv.
set -eu
cnf=/var/lib/mysql/.my-healthcheck.cnf
[ -f "$cnf" ] || { echo "healthcheck: $cnf is missing" >&2; exit 1; }
for check in "$@"; do
  case "$check" in
    --connect)
      mariadb --defaults-extra-file="$cnf" --protocol=tcp --host=127.0.0.1 --skip-column-names --batch \
        -e 'SELECT 1' >/dev/null ;;
    --innodb_initialized)
      [ "$(mariadb --defaults-extra-file="$cnf" --skip-column-names --batch \
        -e "SELECT 1 FROM information_schema.ENGINES WHERE engine = 'InnoDB' AND support IN ('YES', 'DEFAULT')")" = 1 ] ;;
    *) echo "healthcheck: unknown check $check" >&2; exit 2 ;;
  esac
done
