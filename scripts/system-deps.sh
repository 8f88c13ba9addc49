#!/usr/bin/env bash
# Debian packages the test suite uses for real: PostgreSQL (throwaway server for the store tests)
# and GDAL's ogr2ogr (loads the GeoJSON export as QGIS does). Installed when missing and we are
# root with apt-get; otherwise the tests that need them skip with a visible reason.
set -u
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
command -v ogr2ogr >/dev/null 2>&1 || need+=(gdal-bin)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: not installing ${need[*]} (needs root and apt-get); their tests will skip" >&2
  exit 0
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } >/tmp/sitroom-system-deps.log 2>&1 \
  || echo "system-deps: apt-get failed (see /tmp/sitroom-system-deps.log); those tests will skip" >&2
exit 0
