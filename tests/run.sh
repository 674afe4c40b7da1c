#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's chromium and nginx, axe-core) and runs the whole suite.
# Extra arguments go to pytest, e.g. `bash tests/run.sh -k trace`.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet -r requirements-dev.txt

# Debian's chromium for the browser tests, and nginx for the deployment test (tests/e2e/test_serve.py).
MISSING=
[ -x /usr/bin/chromium ] || MISSING="$MISSING chromium"
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || MISSING="$MISSING nginx"
if [ -n "$MISSING" ]; then
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q $MISSING >/dev/null \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q $MISSING >/dev/null; }
fi

# axe-core (an npm package) for the accessibility browser test.
if [ ! -f tests/e2e/axe/node_modules/axe-core/axe.min.js ]; then
  (cd tests/e2e/axe && npm ci --no-audit --no-fund --silent)
fi

# Browser tests fail, rather than skip, when the browser is missing.
export RNNVIZ_REQUIRE_BROWSER=1
python -m ruff check .
python -m ruff format --check .
python -m pytest "$@"
