#!/usr/bin/env bash
# Download the WooCommerce and theme zips the wordpress-woocommerce image bakes in, into ./zips.
#
# Run on a machine with internet access; copy ./zips to an air-gapped builder as-is. When
# zips.sha256 exists beside this script, every download is checked against it (commit that file
# after a first trusted fetch: `(cd zips && sha256sum plugins/*.zip themes/*.zip) > zips.sha256`).
set -euo pipefail

WOOCOMMERCE_VERSION=${WOOCOMMERCE_VERSION:-9.5.2}
STOREFRONT_VERSION=${STOREFRONT_VERSION:-4.6.0}
ASTRA_VERSION=${ASTRA_VERSION:-4.8.3}
BASE=https://downloads.wordpress.org

HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/zips"
mkdir -p "$OUT/plugins" "$OUT/themes"

fetch() {  # fetch URL DEST
  echo "fetch-zips: $1 -> ${2#"$HERE"/}" >&2
  curl -fsSL --retry 3 -o "$2.part" "$1"
  mv "$2.part" "$2"
}

fetch "$BASE/plugin/woocommerce.$WOOCOMMERCE_VERSION.zip" "$OUT/plugins/woocommerce.$WOOCOMMERCE_VERSION.zip"
# Theme zips are stored without a version: the setup recipe installs themes/<theme>.zip.
fetch "$BASE/theme/storefront.$STOREFRONT_VERSION.zip" "$OUT/themes/storefront.zip"
fetch "$BASE/theme/astra.$ASTRA_VERSION.zip" "$OUT/themes/astra.zip"

if [ -f "$HERE/zips.sha256" ]; then
  cp "$HERE/zips.sha256" "$OUT/SHA256SUMS"
  (cd "$OUT" && sha256sum -c SHA256SUMS)
else
  echo "fetch-zips: no zips.sha256 to check against; these are the digests fetched:" >&2
  (cd "$OUT" && sha256sum plugins/*.zip themes/*.zip) >&2
fi
