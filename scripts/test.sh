#!/usr/bin/env bash
# The test command: installs what the tests need when missing, builds, and runs every suite.
#   scripts/test.sh            everything
#   SKIPKV_SKIP_TSAN=1 ...     everything but the ThreadSanitizer run of the stress tests
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
pkg-config --exists libuv 2>/dev/null || need_apt+=(libuv1-dev pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "==> installing ${need_apt[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

echo "==> swift test (unit, model-based, stress)"
swift test

if [ "${SKIPKV_SKIP_TSAN:-0}" != 1 ]; then
    echo "==> swift test --sanitize=thread (stress tests)"
    TSAN_OPTIONS="suppressions=$PWD/scripts/tsan-suppressions.txt" swift test --scratch-path .build-tsan --sanitize=thread --filter IndexStressTests
fi
