#!/usr/bin/env bash
# profile-requests.sh: where a request's CPU goes, SkipKV against redis-server, counted with
# `perf stat` (Debian's linux-perf) on the server process and on the load generator.
#
# Starts skipkv-server and redis-server on free loopback ports (persistence off), loads
# --keys keys key:%012d with 16-byte values (and the same names into a sorted set on
# redis-server), then for each workload runs redis-benchmark (50 clients) against each server
# in turn and prints per request: the server's user-space instructions and cycles, its kernel
# cycles and system calls, and the generator's CPU time and system calls. Instructions are
# exact; cycles and times carry the machine's noise. Needs perf with access to the cycle
# counters and the syscall tracepoints (root, or perf_event_paranoid <= 1).
#
# Usage: scripts/profile-requests.sh [--server PATH] [--keys N] [--requests N] [-- skipkv-server args...]
#   --server PATH   skipkv-server binary (default .build/release/skipkv-server)
#   --keys N        keys to load (default 1000000)
#   --requests N    requests per unpipelined run; pipelined runs get 10x (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER=.build/release/skipkv-server
KEYS=1000000
REQUESTS=200000
die() { echo "profile-requests: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --server) SERVER=${2:?}; shift 2 ;;
        --keys) KEYS=${2:?}; shift 2 ;;
        --requests) REQUESTS=${2:?}; shift 2 ;;
        --) shift; break ;;
        -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
for tool in perf redis-server redis-benchmark redis-cli python3; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
[ -x "$SERVER" ] || die "$SERVER not found (swift build -c release)"
perf stat -e cycles:u true >/dev/null 2>&1 || die "perf cannot count cycles here"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/profile-requests.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() { for _ in $(seq 100); do redis-cli -p "$1" PING 2>/dev/null | grep -q PONG && return; sleep 0.1; done; die "server on port $1 did not start"; }

RPORT=$(free_port); SPORT=$(free_port)
mkdir -p "$TMP/redis" "$TMP/skipkv"
redis-server --bind 127.0.0.1 --port "$RPORT" --dir "$TMP/redis" --save '' --appendonly no >"$TMP/redis.log" 2>&1 &
PIDS+=($!); RPID=$!
"$SERVER" --bind 127.0.0.1 --port "$SPORT" --dir "$TMP/skipkv" --save '' --appendonly no "$@" >"$TMP/skipkv.log" 2>&1 &
PIDS+=($!); SPID=$!
wait_ready "$RPORT"; wait_ready "$SPORT"

python3 - "$KEYS" "$TMP/strings.resp" "$TMP/both.resp" <<'PY'
import sys
n, strings_path, both_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
value = b"$16\r\n" + b"v" * 16 + b"\r\n"
with open(strings_path, "wb") as strings, open(both_path, "wb") as both:
    for first in range(0, n, 100):
        keys = [b"$16\r\nkey:%012d\r\n" % i for i in range(first, min(first + 100, n))]
        mset = b"*%d\r\n$4\r\nMSET\r\n" % (1 + 2 * len(keys)) + value.join(keys) + value
        zadd = b"*%d\r\n$4\r\nZADD\r\n$2\r\nzs\r\n" % (2 + 2 * len(keys)) + b"".join(b"$1\r\n0\r\n" + k for k in keys)
        strings.write(mset)
        both.write(mset + zadd)
PY
redis-cli -p "$RPORT" --pipe <"$TMP/both.resp" >/dev/null
redis-cli -p "$SPORT" --pipe <"$TMP/strings.resp" >/dev/null

EVENTS=instructions:u,cycles:u,cycles:k,raw_syscalls:sys_enter
# measure SIDE PORT PID N redis-benchmark-args... -> one table row
measure() {
    local side=$1 port=$2 pid=$3 n=$4; shift 4
    perf stat -x, -e "$EVENTS" -p "$pid" -o "$TMP/server.stat" &
    local stat=$!
    sleep 0.2
    perf stat -x, -e task-clock,raw_syscalls:sys_enter -o "$TMP/generator.stat" \
        redis-benchmark -p "$port" -c 50 -r "$KEYS" -n "$n" --csv "$@" >"$TMP/bench.csv" 2>/dev/null
    kill -INT "$stat"; wait "$stat" || true
    local rps
    rps=$(tail -n +2 "$TMP/bench.csv" | tr -d '"' | awk -F, '{ s += $2 } END { printf "%.0f", s / NR }')
    awk -F, -v n="$n" -v side="$side" -v rps="$rps" -v what="$WHAT" '
        FILENAME ~ /server/ && /^[0-9]/ { v["s:" $3] = $1 / n }
        FILENAME ~ /generator/ && /^[0-9]/ { v["g:" $3] = $1 / n }
        END {
            printf "| %s | %s | %\047d | %\047d | %\047d | %\047d | %.2f | %.1f | %.2f |\n", what, side, rps,
                v["s:instructions:u"], v["s:cycles:u"], v["s:cycles:k"], v["s:raw_syscalls:sys_enter"],
                v["g:task-clock"] * 1000, v["g:raw_syscalls:sys_enter"]
        }' "$TMP/server.stat" "$TMP/generator.stat"
}
echo "| workload | server | req/s | server user instructions/req | user cycles/req | kernel cycles/req | syscalls/req | redis-benchmark µs CPU/req | its syscalls/req |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
PIPED=$((REQUESTS * 10))
WHAT="SET" measure redis "$RPORT" "$RPID" "$REQUESTS" -d 16 -t set
WHAT="SET" measure skipkv "$SPORT" "$SPID" "$REQUESTS" -d 16 -t set
WHAT="GET" measure redis "$RPORT" "$RPID" "$REQUESTS" -d 16 -t get
WHAT="GET" measure skipkv "$SPORT" "$SPID" "$REQUESTS" -d 16 -t get
WHAT="SET -P 16" measure redis "$RPORT" "$RPID" "$PIPED" -d 16 -P 16 -t set
WHAT="SET -P 16" measure skipkv "$SPORT" "$SPID" "$PIPED" -d 16 -P 16 -t set
WHAT="GET -P 16" measure redis "$RPORT" "$RPID" "$PIPED" -d 16 -P 16 -t get
WHAT="GET -P 16" measure skipkv "$SPORT" "$SPID" "$PIPED" -d 16 -P 16 -t get
WHAT="LIMIT 10 scan" measure redis "$RPORT" "$RPID" "$REQUESTS" ZRANGEBYLEX zs '[key:__rand_int__' + LIMIT 0 10
WHAT="LIMIT 10 scan" measure skipkv "$SPORT" "$SPID" "$REQUESTS" RANGE '[key:__rand_int__' + LIMIT 0 10 NOVALUES
WHAT="LIMIT 100 scan" measure redis "$RPORT" "$RPID" "$((REQUESTS / 2))" ZRANGEBYLEX zs '[key:__rand_int__' + LIMIT 0 100
WHAT="LIMIT 100 scan" measure skipkv "$SPORT" "$SPID" "$((REQUESTS / 2))" RANGE '[key:__rand_int__' + LIMIT 0 100 NOVALUES
