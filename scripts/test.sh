#!/usr/bin/env bash
# The test command (README, CI): installs what the tests need when missing, builds, and runs
# every suite:
#   1. swift test: unit, model-based, concurrency stress, server integration, CLI, benchmark;
#   2. the concurrency stress tests (index, log writer, journaled keyspace with snapshots)
#      again under ThreadSanitizer;
#   3. the redis-py suite (RESP2 and RESP3) against skipkv-server, with the crash tests
#      (SIGKILL under load, at least 20 kills) and the corruption tests;
#   4. redis-cli and redis-benchmark against skipkv-server;
#   5. the netcat scripts, the network benchmark smoke test and the Dockerfile check.
# SKIPKV_SKIP_TSAN=1 skips step 2.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
pkg-config --exists libuv 2>/dev/null || need_apt+=(libuv1-dev)
pkg-config --exists libedit 2>/dev/null || need_apt+=(libedit-dev)
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v redis-cli >/dev/null || need_apt+=(redis-tools)
command -v nc >/dev/null || need_apt+=(netcat-openbsd)
python3 -m venv --help >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "==> installing ${need_apt[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

passed=0
failed=0
suite() {
    local name=$1
    shift
    echo "==> $name"
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "==> $name FAILED"; fi
}

swift build --build-tests
bin=$(swift build --show-bin-path)
export SKIPKV_SERVER_BINARY=$bin/skipkv-server

suite "swift test" swift test --skip-build
if [ "${SKIPKV_SKIP_TSAN:-0}" != 1 ]; then
    suite "swift test --sanitize=thread (stress tests)" \
        env TSAN_OPTIONS="suppressions=$PWD/scripts/tsan-suppressions.txt halt_on_error=1" \
        swift test --scratch-path .build-tsan --sanitize=thread --filter "IndexStressTests|EvictionSamplerTests|RecoveryModelTests|LogWriterTests"
fi
suite "redis-py suite" bash scripts/test-python.sh
suite "redis-cli and redis-benchmark" bash scripts/redis-compat.sh
suite "netcat scripts" bash scripts/ci-scripts.sh --server "$SKIPKV_SERVER_BINARY"
suite "skipkv-benchmark net smoke" bash scripts/bench-net-smoke.sh "$SKIPKV_SERVER_BINARY"
suite "Dockerfile check" bash scripts/check-dockerfile.sh

echo "test.sh: $passed passed, $failed failed"
[ "$failed" = 0 ]
