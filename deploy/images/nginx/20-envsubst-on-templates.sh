#!/bin/sh
# Renders /etc/nginx/templates/*.template into /etc/nginx/conf.d/ (without the suffix), replacing only
# variables set in the environment, so nginx's own $uri, $host ... stay as they are: the behaviour of
# the upstream image's script of the same name.
set -eu
templates=/etc/nginx/templates
out=/etc/nginx/conf.d
[ -d "$templates" ] || exit 0
defined=$(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/${\1}/p' | tr '\n' ' ')
for template in "$templates"/*.template; do
  [ -e "$template" ] || continue
  name=$(basename "$template" .template)
  echo "entrypoint: rendering $template into $out/$name"
  envsubst "$defined" <"$template" >"$out/$name"
done
