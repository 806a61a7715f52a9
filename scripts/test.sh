#!/usr/bin/env bash
# The test command (README, CI): installs what the tests need when missing (Debian packages,
# through scripts/lib/debian-packages.sh), builds, and runs every suite:
#   1. swift test: unit, model-based, concurrency stress, server integration, CLI, benchmark;
#   2. the concurrency stress tests (index, log writer, journaled keyspace with snapshots)
#      again under ThreadSanitizer;
#   3. the redis-py suite (RESP2 and RESP3) against skipkv-server, with the crash tests
#      (SIGKILL under load, at least 20 kills) and the corruption tests;
#   4. redis-cli and redis-benchmark against skipkv-server;
#   5. the netcat scripts, the network benchmark smoke test and the Dockerfile check;
#   6. that every target declares the modules it imports (scripts/check-imports.sh).
# SKIPKV_SKIP_TSAN=1 skips step 2.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=lib/debian-packages.sh
. scripts/lib/debian-packages.sh
need_build_packages
need_command redis-server redis-server
need_command redis-cli redis-tools
need_command nc netcat-openbsd
# The protected-mode test puts a client in a network namespace.
need_command ip iproute2
python3 -m venv --help >/dev/null 2>&1 || needed_packages+=(python3-venv)
install_needed_packages

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
    # MEMORY USAGE's byte test is skipped here: it checks glibc malloc's chunk sizes, and the
    # sanitizer's allocator rounds differently (it runs in the plain `swift test` above).
    suite "swift test --sanitize=thread (stress tests)" \
        env TSAN_OPTIONS="suppressions=$PWD/scripts/tsan-suppressions.txt halt_on_error=1" \
        swift test --scratch-path .build-tsan --sanitize=thread \
        --filter "IndexStressTests|EvictionSamplerTests|RecoveryModelTests|LogWriterTests|DeadlineTests|TransactionIsolationTests|MultiKeyWriteTests" \
        --skip "testMemoryUsageCountsEntryKeyAndValue"
fi
suite "redis-py suite" bash scripts/test-python.sh
suite "redis-cli and redis-benchmark" bash scripts/redis-compat.sh
suite "netcat scripts" bash scripts/ci-scripts.sh --server "$SKIPKV_SERVER_BINARY"
suite "skipkv-benchmark net smoke" bash scripts/bench-net-smoke.sh "$SKIPKV_SERVER_BINARY"
suite "Dockerfile check" bash scripts/check-dockerfile.sh
suite "module imports declared" bash scripts/check-imports.sh

echo "test.sh: $passed passed, $failed failed"
[ "$failed" = 0 ]
