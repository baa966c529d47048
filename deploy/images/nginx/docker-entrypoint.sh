#!/bin/sh
# nginx from Debian, started the way the upstream nginx-unprivileged image starts: when the command
# is nginx, every executable /docker-entrypoint.d/*.sh runs first (in name order), then the command is
# exec'd. The storefront image relies on this (its config renderer lives there).
set -eu
if [ "${1:-}" = nginx ] || [ "${1:-}" = nginx-debug ]; then
  for script in /docker-entrypoint.d/*.sh; do
    [ -e "$script" ] || continue
    if [ -x "$script" ]; then
      echo "entrypoint: running $script"
      "$script"
    else
      echo "entrypoint: ignoring $script, not executable"
    fi
  done
fi
exec "$@"
