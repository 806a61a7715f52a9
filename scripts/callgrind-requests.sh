#!/usr/bin/env bash
# callgrind-requests.sh: server-side instructions per request, counted by valgrind's callgrind
# (exact and repeatable where `perf stat` cannot count instructions, as on this machine).
#
# Runs the server under callgrind twice, with N and 3N requests of one redis-benchmark test
# (pipeline 16, 1 client, random keys of a 100k space, 16-byte values, persistence off), and
# prints (instructions(3N) - instructions(N)) / 2N: start-up and shutdown cancel out.
# TEST `range10` or `range100` first loads 20,000 keys key:%012d (MSET, the same in both
# runs) and then sends `RANGE "[key:<random>" + LIMIT 0 10|100 NOVALUES`.
# valgrind 3.19 cannot read the debug information of Swift 6 binaries, so a stripped copy runs.
#
# Usage: scripts/callgrind-requests.sh SERVER_BINARY [N] [TEST] [-- server args...]
#   e.g. scripts/callgrind-requests.sh .build/release/skipkv-server 10000 set
set -euo pipefail
server=${1:?usage: callgrind-requests.sh SERVER_BINARY [N] [TEST]}
n=${2:-10000}
test=${3:-set}
shift $(( $# < 3 ? $# : 3 ))
[ "${1:-}" = "--" ] && shift
for tool in valgrind callgrind_annotate redis-benchmark redis-cli strip; do
    command -v "$tool" >/dev/null || { echo "callgrind-requests: $tool not found" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/callgrind-requests.XXXXXX")
trap 'rm -rf "$work"' EXIT
strip -o "$work/server" "$server"

count() {
    local requests=$1 port
    shift
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p "$work/data"
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$work/server" --port "$port" --bind 127.0.0.1 \
        --save "" --appendonly no --dir "$work/data" --io-threads 1 "$@" >"$work/log" 2>&1 &
    local pid=$!
    for _ in $(seq 300); do redis-cli -p "$port" PING 2>/dev/null | grep -q PONG && break; sleep 0.2; done
    case $test in
        range10 | range100)
            python3 -c '
import sys
for first in range(0, 20000, 100):
    args = [b"MSET"] + [x for i in range(first, first + 100) for x in (b"key:%012d" % i, b"v" * 16)]
    sys.stdout.buffer.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
' | redis-cli -p "$port" --pipe >/dev/null
            redis-benchmark -p "$port" -n "$requests" -c 1 -P 16 -r 20000 -q \
                RANGE '[key:__rand_int__' + LIMIT 0 "${test#range}" NOVALUES >/dev/null ;;
        *) redis-benchmark -p "$port" -t "$test" -n "$requests" -c 1 -P 16 -r 100000 -d 16 -q >/dev/null ;;
    esac
    kill -TERM "$pid"
    wait "$pid" || true
    callgrind_annotate "$work/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

low=$(count "$n" "$@")
high=$(count $((3 * n)) "$@")
echo "$test: $(( (high - low) / (2 * n) )) instructions per request (server, callgrind, N=$n)"
