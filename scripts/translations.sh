#!/usr/bin/env bash
# Update the Qt Linguist sources i18n/claro_<lang>.ts from every tr()/translate() in plugin/
# and from the parameter texts of backend/params.py and backend/cli.py (existing translations are kept; strings
# that vanished from the code are dropped), then compile them to .qm with lrelease.
# Tools from Debian: pylupdate5 (pyqt5-dev-tools) and lrelease (qttools5-dev-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
LANGUAGES=(es pt_BR)

for tool in pylupdate5 lrelease; do
  command -v "$tool" >/dev/null || { echo "translations: $tool is missing; run 'make setup' (pyqt5-dev-tools, qttools5-dev-tools)." >&2; exit 1; }
done
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3

mkdir -p i18n
# The plugin's modules with their tr() helpers spelled out, plus the backend's parameter texts
# (see scripts/i18n_sources.py for why pylupdate5 needs this help).
mapfile -t sources < <("$PY" scripts/i18n_sources.py build/i18n)

for lang in "${LANGUAGES[@]}"; do
  ts="i18n/claro_$lang.ts"
  # pylupdate5 prints a Python deprecation warning on newer Pythons: harmless, hidden.
  pylupdate5 -noobsolete "${sources[@]}" -ts "$ts" 2> >(grep -v -e DeprecationWarning -e getdefaultlocale >&2)
  # lupdate writes the language only when the file is new: make sure the attribute is there.
  sed -i "s/<TS version=\"2.1\">/<TS version=\"2.1\" language=\"$lang\">/" "$ts"
  # Source line numbers (of the rewritten copies) change with every edit and say nothing to a
  # translator: dropped, so a .ts diff shows only strings that changed.
  sed -i '/^ *<location filename=/d' "$ts"
  lrelease -silent "$ts" -qm "i18n/claro_$lang.qm"
  unfinished=$(grep -c 'type="unfinished"' "$ts" || true)
  total=$(grep -c '<message' "$ts" || true)
  echo "translations: $ts: $total strings, $unfinished unfinished"
done
