#!/bin/sh
# Render the storefront's runtime branding from the environment into config.js (one image for every
# store: nothing store-specific is baked in at build time). Run by the image at container start
# (/docker-entrypoint.d/) and by the browser tests, which serve what it writes.
#
#   STOREFRONT_NAME           store name shown in the header and the page title (default "Store")
#   STOREFRONT_PRIMARY_COLOR  CSS colour of buttons and links, #rgb or #rrggbb (default #18181b)
#   STOREFRONT_ACCENT_COLOR   CSS colour of highlights, #rgb or #rrggbb (default #7c3aed)
#   STOREFRONT_LOGO_URL       http(s) URL or site path of a logo image (default: none, the name is shown)
#   STOREFRONT_CONFIG_OUT     where to write (default /tmp/storefront/config.js)
#
# Values are data: each becomes a JSON string (backslash, quote and "<" escaped, control characters
# become spaces), so no value can end the string or the script. Invalid colours and URLs fall back to
# defaults instead of breaking the page.
set -eu

out="${STOREFRONT_CONFIG_OUT:-/tmp/storefront/config.js}"

json_string() {
  printf '%s' "$1" | tr '\001-\037\177' ' ' \
    | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/</\\u003c/g' -e 's/\xe2\x80\xa8/\\u2028/g' -e 's/\xe2\x80\xa9/\\u2029/g' \
    | { IFS= read -r line || true; printf '"%s"' "$line"; }
}

colour() {
  case "$1" in
    \#[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F] | \#[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]) printf '%s' "$1" ;;
    *) printf '%s' "$2" ;;
  esac
}

logo_url() {
  case "$1" in
    http://* | https://* | /*) printf '%s' "$1" ;;
    *) printf '' ;;
  esac
}

name="${STOREFRONT_NAME:-Store}"
primary="$(colour "${STOREFRONT_PRIMARY_COLOR:-}" "#18181b")"
accent="$(colour "${STOREFRONT_ACCENT_COLOR:-}" "#7c3aed")"
logo="$(logo_url "${STOREFRONT_LOGO_URL:-}")"

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
{
  printf 'window.__STOREFRONT_CONFIG__ = {'
  printf '"name": %s, ' "$(json_string "$name")"
  printf '"primaryColor": %s, ' "$(json_string "$primary")"
  printf '"accentColor": %s, ' "$(json_string "$accent")"
  printf '"logoUrl": %s' "$(json_string "$logo")"
  printf '};\n'
} > "$tmp"
mv "$tmp" "$out"
