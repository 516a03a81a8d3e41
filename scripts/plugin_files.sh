#!/usr/bin/env bash
# The files that make up the installable plugin, one path a line, relative to the checkout.
# Why one list: `make package` and `make deploy` ship exactly the same tree.
#   plugin_files.sh            tracked files only (a release is what git knows)
#   plugin_files.sh --working  also new files not yet committed (for deploying while developing)
# Compiled translations (i18n/*.qm) are build products: git ignores them, so they are added here.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--working" ]; then
  list=$(git ls-files --cached --others --exclude-standard)
else
  list=$(git ls-files --cached)
fi

# Development-only paths: tests, benchmarks, scripts, docs and README screenshots, the demo's sample
# tiles (third-party data only scripts/demo.py and the tests read, from the checkout), CI, build and
# editor files, the development environment's pins (the plugin makes its own TensorFlow
# environment), Qt Linguist sources.
exclude='^(tests|bench|scripts|docs|\.ci|\.github|\.venv|dist|build|resources/screenshots|resources/sample)/|^\.|/\.|^(Makefile|pytest\.ini|setup\.cfg|pyproject\.toml|tox\.ini|requirements[^/]*\.txt|constraints\.txt)$|^i18n/.*\.ts$|__pycache__|\.pyc$|\.aux\.xml$'
printf '%s\n' "$list" | grep -Ev "$exclude" | while IFS= read -r path; do
  [ -f "$path" ] && printf '%s\n' "$path"   # a file deleted but not yet committed is not shipped
done
for qm in i18n/*.qm; do
  [ -f "$qm" ] && printf '%s\n' "$qm"
done
exit 0
