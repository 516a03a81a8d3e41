#!/usr/bin/env bash
# The real desktop: QGIS under a virtual X server, with Claro deployed (the same files as the
# zip) into a throw-away profile and enabled. tests/desktop/smoke.py opens the dock from the
# plugin's button, trains a tiny model and predicts through the dock's buttons, checks the
# styled layer, predicts again with an uncertainty raster (ramp, area table), compares two class
# maps in the Change tab (categories, matrix, polygons),
# checks that every tab fits the width QGIS gives the new dock, saves a screenshot of
# each tab at that width (build/dock-<tab>.png) and of the main window (build/dock.png;
# CLARO_SCREENSHOT=path puts them beside path instead: `make screenshot` refreshes the README's)
# and writes a result file; this script
# fails unless that file says ok and QGIS exited cleanly.
#   usage: scripts/test_desktop.sh        (make test-desktop; part of make test)
#   env:   CLARO_DESKTOP_TIMEOUT (seconds, default 900), CLARO_PYTHON (TensorFlow Python,
#          default the checkout's .venv), KEEP=1 keeps the temporary folder for inspection
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TIMEOUT=${CLARO_DESKTOP_TIMEOUT:-900}
PYTHON=${CLARO_PYTHON:-$ROOT/.venv/bin/python}

for tool in xvfb-run qgis; do
  command -v "$tool" >/dev/null || { echo "test-desktop: '$tool' is missing; run 'make setup'." >&2; exit 1; }
done
[ -x "$PYTHON" ] || { echo "test-desktop: no TensorFlow Python at $PYTHON; run 'make setup'." >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/claro-desktop.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "test-desktop: kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
profile="$tmp/profiles/profiles/default"
mkdir -p "$profile/QGIS" "$tmp/work" "$ROOT/build"

# Deploy exactly what ships (a copy in a folder named claro, without the checkout's .venv).
bash scripts/deploy.sh "$profile/python/plugins" >/dev/null

# Enable the plugin, name the TensorFlow Python, and keep QGIS from asking or fetching anything.
cat > "$profile/QGIS/QGIS3.ini" <<EOF
[PythonPlugins]
claro=true

[claro]
interpreter=$PYTHON

[qgis]
checkVersion=false
showTips=false
askToSaveProjectChanges=false
warnOldProjectVersion=false

[core]
NewsFeed\\httpsfeedqgisorg\\disabled=true

[app]
projections\\unknownCrsBehavior=UseProjectCrs
EOF

result="$tmp/result.json"
rm -f "$result"
status=0
CLARO_SMOKE_RESULT="$result" \
CLARO_SMOKE_SCREENSHOT="${CLARO_SCREENSHOT:-$ROOT/build/dock.png}" \
CLARO_SMOKE_WORK="$tmp/work" \
CLARO_SMOKE_SAMPLE="$ROOT/resources/sample" \
CLARO_SMOKE_TIMEOUT="$((TIMEOUT - 60))" \
TF_CPP_MIN_LOG_LEVEL=2 \
QT_QPA_PLATFORM=xcb \
  timeout --kill-after=20 "$TIMEOUT" \
  xvfb-run -a -s "-screen 0 1600x1000x24" \
  qgis --nologo --noversioncheck --profiles-path "$tmp/profiles" --code "$ROOT/tests/desktop/smoke.py" \
  >"$tmp/qgis.log" 2>&1 || status=$?

if [ ! -f "$result" ]; then
  echo "test-desktop: FAILED: QGIS wrote no result (exit status $status); its output:" >&2
  tail -40 "$tmp/qgis.log" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["ok"] else 1)' "$result"; then
  echo "test-desktop: FAILED:" >&2
  cat "$result" >&2
  tail -20 "$tmp/qgis.log" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "test-desktop: FAILED: the checks passed but QGIS did not exit cleanly (status $status); its output:" >&2
  [ -f "$tmp/result.exit.txt" ] && { echo "windows still open after Exit:" >&2; cat "$tmp/result.exit.txt" >&2; }
  tail -40 "$tmp/qgis.log" >&2
  exit 1
fi
summary=$("$PYTHON" -c 'import json, sys; r = json.load(open(sys.argv[1])); print("%s s in QGIS, layer classes %s, screenshot %s, every tab fits the %s px dock: %s" % (r["seconds"], [c[1] for c in r["classes"]], r["screenshot"], r["dock_width"], " ".join(r["tab_screenshots"])))' "$result")
echo "test-desktop: ok ($summary)"
