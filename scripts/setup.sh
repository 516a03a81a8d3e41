#!/usr/bin/env bash
# Idempotent set-up: Debian packages, .venv with system site packages (GDAL, QGIS), pinned
# Python packages with numpy<2, and the `claro` command. Safe to run again; quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TF_VERSION=2.21.0
DEBS=(qgis python3-qgis qgis-providers python3-gdal python3-pyproj python3-scipy python3-venv xvfb xauth python3-matplotlib pyqt5-dev-tools qttools5-dev-tools zip)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    bash -c "$cmd"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "setup: installing Debian packages with sudo: ${missing[*]}"
    sudo bash -c "$cmd"
  else
    echo "setup: these Debian packages are missing: ${missing[*]}"
    echo "setup: run as root:  $cmd"
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv from /usr/bin/python3 (with system site packages for GDAL and QGIS)"
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
PY=.venv/bin/python

if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  TF="tensorflow[and-cuda]==$TF_VERSION"
else
  TF="tensorflow-cpu==$TF_VERSION"
fi
stamp=.venv/.claro-installed
want="$TF $(cat requirements.txt constraints.txt | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing $TF and the pinned packages into .venv"
  $PY -m pip install --quiet --disable-pip-version-check -c constraints.txt "$TF" -r requirements.txt
  echo "$want" > "$stamp"
fi

# `import claro` from anywhere: a folder holding a `claro` link to this checkout, on the venv's path.
site=$($PY -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
mkdir -p .venv/claro-import
ln -sfn "$ROOT" .venv/claro-import/claro
echo "$ROOT/.venv/claro-import" > "$site/claro-checkout.pth"
cat > .venv/bin/claro <<EOS
#!$ROOT/.venv/bin/python
import sys
from claro.backend.cli import main
sys.exit(main())
EOS
chmod +x .venv/bin/claro
echo "setup: ready ($($PY -c 'import numpy, tensorflow as tf; print("TensorFlow", tf.__version__, "numpy", numpy.__version__)' 2>/dev/null | tail -1))"
