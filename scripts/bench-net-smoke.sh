#!/usr/bin/env bash
# Smoke test of `skipkv-benchmark net` for CI: every named test and YCSB mix at a small size
# against a redis-server it starts on a free loopback port, and, when a skipkv-server binary is
# given, against that server alone and compared with redis-server in alternating rounds.
# Fails when the benchmark exits non-zero or reports any error reply. Takes well under 30 s.
#
#   scripts/bench-net-smoke.sh [path/to/skipkv-server]
#
# The benchmark binary is $SKIPKV_BENCHMARK_BIN, else .build/release/skipkv-benchmark or
# .build/debug/skipkv-benchmark, else it is built (release) first.
set -euo pipefail
cd "$(dirname "$0")/.."

server_bin=${1:-}
if [ -n "$server_bin" ] && [ ! -x "$server_bin" ]; then
    echo "bench-net-smoke: $server_bin is not an executable" >&2
    exit 2
fi
command -v redis-server >/dev/null || { echo "bench-net-smoke: redis-server is not installed" >&2; exit 2; }

bench=${SKIPKV_BENCHMARK_BIN:-}
if [ -z "$bench" ]; then
    for candidate in .build/release/skipkv-benchmark .build/debug/skipkv-benchmark; do
        if [ -x "$candidate" ]; then bench=$candidate; break; fi
    done
fi
if [ -z "$bench" ]; then
    echo "==> building skipkv-benchmark (release)"
    swift build -c release --product skipkv-benchmark
    bench=.build/release/skipkv-benchmark
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# Waits up to 10 s for a line matching $3 in log file $2 of server process $1; prints the
# port at the end of that line. Fails at once if the process exits.
wait_for_log() {
    local pid=$1 log=$2 pattern=$3 line
    for _ in $(seq 100); do
        if line=$(grep -m1 -E "$pattern" "$log" 2>/dev/null); then
            echo "${line##*:}" | tr -dc '0-9'
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# redis-server cannot pick its own port and announce it, so try random high ports until one
# binds (another process may hold the first choice).
redis_port=
for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
        >"$work/redis.log" 2>&1 &
    pid=$!
    if wait_for_log "$pid" "$work/redis.log" "Ready to accept connections" >/dev/null; then
        pids+=("$pid")
        redis_port=$port
        break
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
[ -n "$redis_port" ] || { echo "bench-net-smoke: could not start redis-server" >&2; cat "$work/redis.log" >&2; exit 1; }

small=(--clients 8 --pipeline 4 --requests 3000 --keyspace 2000 --no-progress
    --tests ping,set,get,incr,mset,range,exec,exec-hot --ycsb A,B,C,D,E,F)

# Runs the benchmark with the given arguments and checks its exit status and JSON.
run_bench() {
    local name=$1
    shift
    echo "==> skipkv-benchmark net $*"
    if ! "$bench" net "$@" --json "$work/$name.json"; then
        echo "bench-net-smoke: $name failed" >&2
        exit 1
    fi
    if ! grep -q '"total_errors": 0$' "$work/$name.json"; then
        echo "bench-net-smoke: $name reported errors" >&2
        exit 1
    fi
}

run_bench redis --port "$redis_port" "${small[@]}"

if [ -n "$server_bin" ]; then
    # --port 0: the server picks a free port and announces it in its log.
    "$server_bin" --port 0 --bind 127.0.0.1 --save "" >"$work/skipkv.log" 2>&1 &
    pids+=("$!")
    if ! skipkv_port=$(wait_for_log "$!" "$work/skipkv.log" "Ready to accept connections tcp on 127\.0\.0\.1:[0-9]+"); then
        echo "bench-net-smoke: skipkv-server did not start; log:" >&2
        cat "$work/skipkv.log" >&2
        exit 1
    fi
    run_bench skipkv --port "$skipkv_port" "${small[@]}"
    run_bench compare --port "$skipkv_port" --compare "127.0.0.1:$redis_port" --rounds 2 \
        --clients 8 --pipeline 4 --requests 2000 --keyspace 2000 --no-progress --tests set,get,range --ycsb E
fi
echo "bench-net-smoke: ok"
