#!/usr/bin/env bash
# Copy the plugin into a local QGIS profile, for development: the same file list as the zip
# (plus files not yet committed), so what you try is what ships. Restart QGIS (or use the
# Plugin Reloader) afterwards, and enable Claro once in Plugins ▸ Manage and Install Plugins.
# The checkout's .venv Python is recorded in the copy (development-python.txt) and used when
# no Python is chosen in the dock.
#   usage: scripts/deploy.sh [PLUGINS_FOLDER]
#   default: ~/.local/share/QGIS/QGIS3/profiles/default/python/plugins (or $QGIS_PLUGINS_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."

plugins=${1:-${QGIS_PLUGINS_DIR:-$HOME/.local/share/QGIS/QGIS3/profiles/default/python/plugins}}
target="$plugins/claro"
mkdir -p "$plugins"

# Replace only what is ours: a link (a developer's symlink to a checkout) or a Claro plugin folder.
if [ -L "$target" ]; then
  rm -f "$target"
elif [ -d "$target" ]; then
  if ! grep -qx 'name=Claro' "$target/metadata.txt" 2>/dev/null; then
    echo "deploy: $target exists and is not a Claro plugin; move it away first." >&2
    exit 1
  fi
  rm -rf "$target"
fi

stage="$plugins/.claro-deploy.$$"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"
bash scripts/plugin_files.sh --working | while IFS= read -r path; do
  mkdir -p "$stage/$(dirname "$path")"
  cp -p "$path" "$stage/$path"
done
# The copy has no .venv: record the checkout's, so the plugin finds its TensorFlow Python
# (plugin/environment.py, DEVELOPMENT_POINTER) instead of whatever python3 is first on PATH.
for python in "$(pwd)/.venv/bin/python" "$(pwd)/.venv/Scripts/python.exe"; do
  if [ -f "$python" ]; then
    printf '%s\n' "$python" > "$stage/development-python.txt"
    break
  fi
done
mv "$stage" "$target"
trap - EXIT
echo "deploy: Claro $(sed -n 's/^version=//p' metadata.txt) copied to $target"
