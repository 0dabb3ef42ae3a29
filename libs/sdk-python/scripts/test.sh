#!/usr/bin/env bash
# The Python SDK's tests (run by `npm test` and `npm run test:python`): a virtualenv of its own
# (libs/sdk-python/.venv, gitignored) with the package and its test extras installed from the package index
# pip is configured with, remade when pyproject.toml changes; then pytest. Arguments go to pytest.
# The tests start the real api and the fake LLM server from libs/testing (node), so `npm run db:generate`
# must have run (npm test does it first).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "test:python needs Python 3.10 or later as \$PYTHON or python3" >&2
  exit 1
fi

VENV=.venv
STAMP="$VENV/.installed"
WANT="$("$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest(), sys.version)')"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  # An index that does not answer fails at once instead of being retried for every package (also in the
  # isolated build of the package itself, hence the variable rather than the flag).
  PIP_RETRIES="${PIP_RETRIES:-0}" "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
  echo "$WANT" > "$STAMP"
fi
exec "$VENV/bin/python" -m pytest "$@"
