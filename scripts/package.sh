#!/usr/bin/env bash
# dist/claro-<version>.zip: what QGIS's "Install from ZIP" expects — one top folder `claro/`
# (the Python package name) holding the code, metadata.txt, resources and compiled translations,
# and nothing for developers (tests, benchmarks, scripts, caches, .venv).
# The version has one home, metadata.txt; an argument, when given, must agree with it.
#   usage: scripts/package.sh [VERSION]      (`make package` builds the translations first)
#   CLARO_DIST=folder puts the zip elsewhere than dist/ (the packaging test uses a temporary one)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

VERSION=$(sed -n 's/^version=//p' metadata.txt | tr -d '[:space:]')
if [ -z "$VERSION" ]; then
  echo "package: metadata.txt has no version= line; add one (e.g. version=0.1.0)." >&2
  exit 1
fi
if [ $# -ge 1 ] && [ -n "$1" ] && [ "$1" != "$VERSION" ]; then
  echo "package: asked for version $1 but metadata.txt says $VERSION; change metadata.txt (the one place the version lives)." >&2
  exit 1
fi
for ts in i18n/*.ts; do
  [ -f "$ts" ] || continue
  if [ ! -f "${ts%.ts}.qm" ] || [ "$ts" -nt "${ts%.ts}.qm" ]; then
    echo "package: ${ts%.ts}.qm is missing or older than $ts; run 'make translations' (or 'make package', which does)." >&2
    exit 1
  fi
done
command -v zip >/dev/null || { echo "package: the 'zip' command is missing; run 'make setup'." >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/claro-package.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/claro"
bash scripts/plugin_files.sh | while IFS= read -r path; do
  mkdir -p "$stage/claro/$(dirname "$path")"
  cp -p "$path" "$stage/claro/$path"
done
[ -f "$stage/claro/metadata.txt" ] || { echo "package: metadata.txt is not tracked by git." >&2; exit 1; }

DIST=$(mkdir -p "${CLARO_DIST:-dist}" && cd "${CLARO_DIST:-dist}" && pwd)
zipfile="$DIST/claro-$VERSION.zip"
tmpzip="$DIST/.claro-$VERSION.zip.tmp"
rm -f "$tmpzip"
(cd "$stage" && find claro -type f | LC_ALL=C sort | zip -q -X -D "$tmpzip" -@)
mv -f "$tmpzip" "$zipfile"
echo "package: $zipfile ($(unzip -Z1 "$zipfile" | wc -l) files, $(du -h "$zipfile" | cut -f1))"
# Placeholder e-mail/URLs (what counts as one is defined once, in scripts/validate_package.py):
# a WARNING, not a failure — fine for a local build, refused by plugins.qgis.org.
python3 scripts/validate_package.py --metadata metadata.txt
