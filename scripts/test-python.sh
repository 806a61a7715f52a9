#!/usr/bin/env bash
# Runs the redis-py suite (tests/python) against skipkv-server, with RESP2 and RESP3.
#
# Installs redis, hiredis, pytest and django from PyPI into a virtual environment under
# .build-python/ (reused across runs), builds skipkv-server unless SKIPKV_SERVER_BINARY
# names one, and passes any arguments on to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.build-python/venv
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/python/requirements.txt

if [[ -z ${SKIPKV_SERVER_BINARY:-} ]]; then
    scratch=${SKIPKV_SCRATCH:-.build}
    swift build -c release --scratch-path "$scratch" --product skipkv-server
    SKIPKV_SERVER_BINARY=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/skipkv-server
    export SKIPKV_SERVER_BINARY
fi

exec "$venv/bin/python" -m pytest -q tests/python "$@"
