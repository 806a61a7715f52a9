#!/usr/bin/env bash
# compare-redis.sh: SkipKV against redis-server on this machine, written into docs/BENCHMARKS.md.
#
# Runs skipkv-server and Debian's redis-server side by side on loopback, persistence off on
# both (redis-server otherwise at its defaults), and measures:
#   1. SET and GET, 50 clients, no pipelining, --keyspace keys (redis-benchmark -r), 16-byte
#      values (-d 16), with redis-benchmark: throughput and p50/p99 from its --csv output.
#   2. The same with pipeline 16 (-P 16).
#   3. RANGE "[key:__rand_int__" + LIMIT 0 10|100 NOVALUES on SkipKV against ZRANGEBYLEX on a
#      sorted set holding the same key names on redis-server, with redis-benchmark's
#      custom-command mode (-r substitutes key numbers, %012d as the loaded keys).
#   4. YCSB A and E with `skipkv-benchmark net --compare`.
#   5. RSS per key after loading --memory-keys keys (16-byte keys, 32-byte values) into a
#      fresh server of each kind, one at a time (VmRSS loaded minus VmRSS empty, / keys).
#   6. SkipKV SET (as in 1) with --appendonly yes --appendfsync everysec against persistence
#      off, a fresh server per run.
# Before 1-3 both servers get exactly key:000000000000 ... (16-byte values) through
# `redis-cli --pipe` (MSET batches; ZADD batches of the same names into redis-server's sorted
# set). 1-3 and 6 run in alternating rounds (the order of the two sides flips every round);
# the table shows medians. Every redis-benchmark run is checked against the server's INFO
# commandstats (calls went up by the request count, no failed calls, and no keyspace misses
# in GET runs), and one RANGE and one ZRANGEBYLEX reply of each LIMIT are compared by hand.
# Then the section between <!-- compare-redis:begin --> and <!-- compare-redis:end --> of
# docs/BENCHMARKS.md is replaced (appended when missing) with the method, the table with
# targets, the machine and the exact commands. Servers and load generators run under
# `nice -n -19` when allowed; every server is stopped on exit. The default run takes 10-15
# minutes on 2 cores (more when the machine is busy), --quick 1-2 minutes.
#
# Usage: scripts/compare-redis.sh [options]
#   --server PATH        skipkv-server binary (default: .build/release/skipkv-server when it
#                        and skipkv-benchmark are newer than the sources, else a build in
#                        --scratch-path)
#   --benchmark PATH     skipkv-benchmark binary, for YCSB (default: as --server)
#   --scratch-path DIR   where to build release binaries when needed (default .build-compare)
#   --build              build into --scratch-path and use those binaries
#   --quick              small run for a check: 100k requests, 100k keys, 2 s YCSB runs,
#                        memory with 1M keys, 1 round
#   --requests N         redis-benchmark requests of SET, GET and the AOF runs (default 500k);
#                        pipelined SET/GET 5 N, RANGE LIMIT 10 N/2, RANGE LIMIT 100 N/5
#   --keyspace N         keys loaded and chosen from (-r; default 1M)
#   --ycsb-seconds N     length of each YCSB run (default 10)
#   --memory-keys N      keys of the memory measurement (default 10M)
#   --rounds N           alternating rounds (default 3)
#   --clients N          connections (default 50)
#   --pipeline N         depth of the pipelined SET/GET runs (default 16)
#   --output FILE        the Markdown file to update (default docs/BENCHMARKS.md)
#   --stdout             print the section instead of writing it
#   --keep DIR           keep the raw CSV/JSON results, checks and server logs in DIR
# Counts accept suffixes: 100k, 1M, 10M.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

SERVER=
BENCH=
SCRATCH=.build-compare
BUILD=0
REQUESTS=500k
KEYSPACE=1M
YCSB_SECONDS=10
MEMORY_KEYS=10M
ROUNDS=3
CLIENTS=50
PIPELINE=16
OUTPUT=docs/BENCHMARKS.md
TO_STDOUT=0
KEEP=
QUICK=0
VALUE_BYTES=16        # SET/GET, RANGE and AOF runs
MEMORY_VALUE_BYTES=32 # memory measurement
ZSET=skipkv-benchmark:index  # the sorted set `skipkv-benchmark net` also uses, so YCSB reuses it

die() { echo "compare-redis: $*" >&2; exit 2; }
fail() { echo "compare-redis: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
        --server) SERVER=${2:?}; shift 2 ;;
        --benchmark) BENCH=${2:?}; shift 2 ;;
        --scratch-path) SCRATCH=${2:?}; shift 2 ;;
        --build) BUILD=1; shift ;;
        --quick) QUICK=1; REQUESTS=100k; KEYSPACE=100k; YCSB_SECONDS=2; MEMORY_KEYS=1M; ROUNDS=1; shift ;;
        --requests) REQUESTS=${2:?}; shift 2 ;;
        --keyspace) KEYSPACE=${2:?}; shift 2 ;;
        --ycsb-seconds) YCSB_SECONDS=${2:?}; shift 2 ;;
        --memory-keys) MEMORY_KEYS=${2:?}; shift 2 ;;
        --rounds) ROUNDS=${2:?}; shift 2 ;;
        --clients) CLIENTS=${2:?}; shift 2 ;;
        --pipeline) PIPELINE=${2:?}; shift 2 ;;
        --output) OUTPUT=${2:?}; shift 2 ;;
        --stdout) TO_STDOUT=1; shift ;;
        --keep) KEEP=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
command -v python3 >/dev/null || die "python3 not found"
. scripts/lib/bench-common.sh
REQUESTS=$(count --requests "$REQUESTS")
KEYSPACE=$(count --keyspace "$KEYSPACE")
MEMORY_KEYS=$(count --memory-keys "$MEMORY_KEYS")
for v in YCSB_SECONDS ROUNDS CLIENTS PIPELINE; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--$(tr '[:upper:]_' '[:lower:]-' <<<"$v") must be a positive integer"
done
[ "$KEYSPACE" -le 1000000000000 ] || die "--keyspace must be at most 10^12 (12-digit key numbers)"
[ "$MEMORY_KEYS" -le 1000000000000 ] || die "--memory-keys must be at most 10^12"
[ "$REQUESTS" -ge 10 ] || die "--requests must be at least 10"
REQ_P1=$REQUESTS
REQ_PIPE=$((REQUESTS * 5))
REQ_RANGE10=$((REQUESTS / 2))
REQ_RANGE100=$((REQUESTS / 5))
for tool in redis-server redis-benchmark redis-cli; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install redis-server redis-tools)"
done

select_binaries

START_SECONDS=$SECONDS
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/compare-redis.XXXXXX")
PIDS=()
stop_pid() { # pid: SIGTERM, up to 20 s, then SIGKILL
    local p=$1 i
    kill -TERM "$p" 2>/dev/null || true
    for i in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    local rest=() q
    for q in "${PIDS[@]}"; do [ "$q" = "$p" ] || rest+=("$q"); done
    PIDS=("${rest[@]}")
}
cleanup() {
    stop_all
    if [ -n "$KEEP" ]; then
        mkdir -p "$KEEP" && cp "$TMP"/*.csv "$TMP"/*.err "$TMP"/*.json "$TMP"/*.txt "$TMP"/*.tsv "$TMP"/*.log "$KEEP"/ 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Commands as they ran, for the document: ports and the scratch directory as variables,
# each distinct command once.
COMMANDS=()
SUBST=()   # "value=name" pairs replaced when a command is shown
record() { # shown command line
    local shown=$1 pair value name c
    shown=${shown//"$TMP"/\$TMP}
    for pair in "${SUBST[@]}"; do
        value=${pair%%=*}; name=${pair#*=}
        shown=${shown//"-p $value "/"-p \$$name "}
        shown=${shown//"--port $value "/"--port \$$name "}
        shown=${shown//"127.0.0.1:$value "/"127.0.0.1:\$$name "}
    done
    shown=$(sed -E 's#(\$TMP/[A-Za-z0-9_-]*-r)[0-9]+#\1$ROUND#g' <<<"$shown")
    for c in "${COMMANDS[@]}"; do [ "$c" = "$shown" ] && return 0; done
    COMMANDS+=("$shown")
}
run() { # records, shows and runs a command
    record "$(shell_words "$@")"
    echo "== $(shell_words "$@")" >&2
    "$@"
}

# start_server NAME PORTVAR-NAME CMD... : starts CMD (niced) in the background with its
# output in $TMP/NAME.log, waits for PING, sets SERVER_PID.
SERVER_PID=
declare -A PID_OF_PORT=()
cpu_seconds() { # PID -> user + system CPU seconds so far
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"
}
start_server() {
    local name=$1 port=$2; shift 2
    record "$(shell_words "${NICE[@]}" "$@")"
    "${NICE[@]}" "$@" >"$TMP/$name.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    PID_OF_PORT[$port]=$SERVER_PID
    local i
    for i in $(seq 200); do
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/$name.log" >&2; fail "$name exited"; }
        [ "$(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" = PONG ] && return 0
        sleep 0.1
    done
    fail "$name does not answer PING on port $port"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
redis_cli() { redis-cli -h 127.0.0.1 "$@"; }

# The key generator: RESP for key:%012d keys 0..N-1 with a V-byte value ("vvv…") in MSET
# batches of 100 keys ("strings"), ZADD batches of the same names with score 0 into one
# sorted set ("zset"), or both.
cat >"$TMP/gen-keys.py" <<'PY'
import sys
n, vbytes, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
zset = sys.argv[4].encode() if len(sys.argv) > 4 else b""
out = sys.stdout.buffer
value = b"$%d\r\n%s\r\n" % (vbytes, b"v" * vbytes)
batch = 100
for first in range(0, n, batch):
    end = min(first + batch, n)
    keys = [b"$16\r\nkey:%012d\r\n" % i for i in range(first, end)]
    parts = []
    if mode in ("strings", "both"):
        parts.append(b"*%d\r\n$4\r\nMSET\r\n" % (1 + 2 * len(keys)))
        parts.append(value.join(keys) + value)
    if mode in ("zset", "both"):
        parts.append(b"*%d\r\n$4\r\nZADD\r\n$%d\r\n%s\r\n" % (2 + 2 * len(keys), len(zset), zset))
        parts.append(b"".join(b"$1\r\n0\r\n" + k for k in keys))
    out.write(b"".join(parts))
PY
# load_keys PORT N VALUE-BYTES MODE [ZSET]: pipes the generator into redis-cli --pipe and
# checks that every reply came back without an error.
load_keys() {
    local port=$1 n=$2 vbytes=$3 mode=$4 zset=${5:-} expected out
    local gen=(python3 "$TMP/gen-keys.py" "$n" "$vbytes" "$mode")
    [ -z "$zset" ] || gen+=("$zset")
    local cli=("${NICE[@]}" redis-cli -h 127.0.0.1 -p "$port" --pipe)
    record "$(shell_words "${gen[@]}") | $(shell_words "${cli[@]}")"
    echo "== $(shell_words "${gen[@]}") | $(shell_words "${cli[@]}")" >&2
    expected=$(( (n + 99) / 100 ))
    [ "$mode" != both ] || expected=$((expected * 2))
    out=$("${gen[@]}" | "${cli[@]}" 2>&1) || { echo "$out" >&2; fail "loading keys into port $port failed"; }
    grep -q "errors: 0, replies: $expected\$" <<<"$out" || { echo "$out" >&2; fail "loading keys into port $port: expected $expected replies without errors"; }
}
# calls PORT COMMAND -> "calls failed_calls" from INFO commandstats.
calls() {
    redis_cli -p "$1" INFO commandstats | tr -d '\r' | awk -v name="cmdstat_$2" -F: '
        $1 == name { n = split($2, kv, ","); for (i = 1; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] } }
        END { printf "%d %d\n", v["calls"], v["failed_calls"] }'
}
misses() { # PORT -> keyspace_misses from INFO stats
    redis_cli -p "$1" INFO stats | tr -d '\r' | awk -F: '$1 == "keyspace_misses" { print $2 + 0 }'
}
# bench NAME PORT COMMANDS N -- redis-benchmark-args...: runs redis-benchmark --csv into
# $TMP/NAME.csv and checks that the server counted N (up to N + clients x pipeline) calls of
# each of the comma-separated COMMANDS and no failed calls, and, when GET is among them, no
# keyspace misses (every key redis-benchmark names was loaded).
bench() {
    local name=$1 port=$2 n=$4 cmd got failed cmds before=() after misses_before missed
    IFS=, read -r -a cmds <<<"$3"
    shift 5
    for cmd in "${cmds[@]}"; do before+=("$(calls "$port" "$cmd")"); done
    misses_before=$(misses "$port")
    local rb=("${NICE[@]}" redis-benchmark -h 127.0.0.1 -p "$port" --csv "$@")
    record "$(shell_words "${rb[@]}")"
    echo "== $(shell_words "${rb[@]}")" >&2
    local server_cpu_before
    server_cpu_before=$(cpu_seconds "${PID_OF_PORT[$port]}")
    /usr/bin/time -f '%U %S %e' -o "$TMP/$name.time" "${rb[@]}" >"$TMP/$name.csv" 2>"$TMP/$name.err" \
        || { cat "$TMP/$name.err" "$TMP/$name.csv" >&2; fail "redis-benchmark failed ($name)"; }
    # Server CPU per request and the load generator's CPU use, to see who is the bottleneck.
    printf '%s\t%s\t%s\t%s\n' "$name" "$(python3 -c "print($(cpu_seconds "${PID_OF_PORT[$port]}") - $server_cpu_before)")" \
        "$(($n * ${#cmds[@]}))" "$(cat "$TMP/$name.time")" >>"$TMP/cpu.tsv"
    missed=$(($(misses "$port") - misses_before))
    if [[ " ${cmds[*]} " == *" get "* ]] && [ "$missed" != 0 ]; then
        fail "$name: $missed GETs missed (keys not loaded?)"
    fi
    local i=0
    for cmd in "${cmds[@]}"; do
        read -r -a after <<<"$(calls "$port" "$cmd")"
        got=$((after[0] - ${before[i]% *})); failed=$((after[1] - ${before[i]#* }))
        if [ "$got" -lt "$n" ] || [ "$got" -gt $((n + CLIENTS * PIPELINE)) ] || [ "$failed" != 0 ]; then
            fail "$name: the server on port $port counted $got $cmd calls ($failed failed) for $n requests"
        fi
        printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$cmd" "$n" "$got" "$missed" >>"$TMP/calls.tsv"
        i=$((i + 1))
    done
}
order() { # round -> "redis skipkv" or "skipkv redis"
    if [ $(($1 % 2)) = 1 ]; then echo "redis skipkv"; else echo "skipkv redis"; fi
}

# ---- Both servers, the key set -------------------------------------------------------
REDIS_PORT=$(free_port)
SKIPKV_PORT=$(free_port)
SUBST+=("$REDIS_PORT=REDIS_PORT" "$SKIPKV_PORT=SKIPKV_PORT")
mkdir -p "$TMP/redis" "$TMP/skipkv"
start_server redis-server "$REDIS_PORT" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$TMP/redis" --save "" --appendonly no
REDIS_PID=$SERVER_PID
start_server skipkv-server "$SKIPKV_PORT" "$SERVER" --bind 127.0.0.1 --port "$SKIPKV_PORT" --dir "$TMP/skipkv" --save "" --appendonly no
SKIPKV_PID=$SERVER_PID
echo "== redis-server (pid $REDIS_PID) on 127.0.0.1:$REDIS_PORT, skipkv-server (pid $SKIPKV_PID) on 127.0.0.1:$SKIPKV_PORT" >&2
declare -A PORT=([redis]=$REDIS_PORT [skipkv]=$SKIPKV_PORT)

load_keys "$REDIS_PORT" "$KEYSPACE" "$VALUE_BYTES" both "$ZSET"
load_keys "$SKIPKV_PORT" "$KEYSPACE" "$VALUE_BYTES" strings
[ "$(redis_cli -p "$REDIS_PORT" ZCARD "$ZSET")" = "$KEYSPACE" ] || fail "redis-server: ZCARD $ZSET is not $KEYSPACE"
[ "$(redis_cli -p "$REDIS_PORT" DBSIZE)" = $((KEYSPACE + 1)) ] || fail "redis-server: DBSIZE is not $((KEYSPACE + 1))"
[ "$(redis_cli -p "$SKIPKV_PORT" DBSIZE)" = "$KEYSPACE" ] || fail "skipkv-server: DBSIZE is not $KEYSPACE"
[ "$(redis_cli -p "$SKIPKV_PORT" RANGECOUNT - +)" = "$KEYSPACE" ] || fail "skipkv-server: RANGECOUNT - + is not $KEYSPACE"

# One RANGE and one ZRANGEBYLEX reply per LIMIT, by hand: the same keys, as many as asked.
: >"$TMP/checks.txt"
PROBE=$(printf 'key:%012d' $((KEYSPACE / 2 + 123 < KEYSPACE - 100 ? KEYSPACE / 2 + 123 : 0)))
for limit in 10 100; do
    sk=$(redis_cli -p "$SKIPKV_PORT" RANGE "[$PROBE" + LIMIT 0 "$limit" NOVALUES)
    rd=$(redis_cli -p "$REDIS_PORT" ZRANGEBYLEX "$ZSET" "[$PROBE" + LIMIT 0 "$limit")
    n=$(grep -c . <<<"$sk" || true)
    [ "$n" = "$limit" ] || fail "RANGE [$PROBE + LIMIT 0 $limit NOVALUES returned $n lines: $(head -n 3 <<<"$sk")"
    [ "$sk" = "$rd" ] || fail "RANGE and ZRANGEBYLEX from $PROBE LIMIT $limit differ"
    printf '%s\t%s\t%s\t%s\n' "$limit" "$n" "$(head -n 1 <<<"$sk")" "$(tail -n 1 <<<"$sk")" >>"$TMP/checks.txt"
done

# ---- 1-3: redis-benchmark, alternating rounds ------------------------------------------
RB_COMMON=(-c "$CLIENTS" -r "$KEYSPACE")
for round in $(seq "$ROUNDS"); do
    echo "== round $round of $ROUNDS" >&2
    read -r -a servers <<<"$(order "$round")"
    for s in "${servers[@]}"; do
        bench "setget-p1-$s-r$round" "${PORT[$s]}" set,get "$REQ_P1" -- "${RB_COMMON[@]}" -n "$REQ_P1" -d "$VALUE_BYTES" -t set,get
    done
    for s in "${servers[@]}"; do
        bench "setget-p$PIPELINE-$s-r$round" "${PORT[$s]}" set,get "$REQ_PIPE" -- "${RB_COMMON[@]}" -n "$REQ_PIPE" -d "$VALUE_BYTES" -P "$PIPELINE" -t set,get
    done
    for limit in 10 100; do
        n=$REQ_RANGE10; [ "$limit" = 10 ] || n=$REQ_RANGE100
        for s in "${servers[@]}"; do
            if [ "$s" = skipkv ]; then
                bench "range$limit-$s-r$round" "${PORT[$s]}" range "$n" -- "${RB_COMMON[@]}" -n "$n" \
                    RANGE '[key:__rand_int__' + LIMIT 0 "$limit" NOVALUES
            else
                bench "range$limit-$s-r$round" "${PORT[$s]}" zrangebylex "$n" -- "${RB_COMMON[@]}" -n "$n" \
                    ZRANGEBYLEX "$ZSET" '[key:__rand_int__' + LIMIT 0 "$limit"
            fi
        done
    done
done
# ---- 4: YCSB A and E with skipkv-benchmark net --compare ----------------------------
# redis-server is the first target and skipkv-server the compared one (ratios SkipKV/Redis).
NET=("${NICE[@]}" "$BENCH" net --host 127.0.0.1 --port "$REDIS_PORT" --compare "127.0.0.1:$SKIPKV_PORT"
     --clients "$CLIENTS" --keyspace "$KEYSPACE" --value-bytes "$VALUE_BYTES" --rounds "$ROUNDS"
     --duration "$YCSB_SECONDS" --ycsb A,E --no-progress --json "$TMP/ycsb.json")
run "${NET[@]}" >"$TMP/ycsb.txt" 2>"$TMP/ycsb.err" \
    || { cat "$TMP/ycsb.err" "$TMP/ycsb.txt" >&2; fail "skipkv-benchmark net failed"; }
stop_pid "$REDIS_PID"
stop_pid "$SKIPKV_PID"

# ---- 5: memory, one fresh server at a time ------------------------------------------
: >"$TMP/memory.tsv"
for s in redis skipkv; do
    port=$(free_port)
    SUBST+=("$port=PORT")
    mkdir -p "$TMP/memory-$s"
    if [ "$s" = redis ]; then
        start_server "memory-$s" "$port" redis-server --bind 127.0.0.1 --port "$port" --dir "$TMP/memory-$s" --save "" --appendonly no
    else
        start_server "memory-$s" "$port" "$SERVER" --bind 127.0.0.1 --port "$port" --dir "$TMP/memory-$s" --save "" --appendonly no
    fi
    sleep 1
    empty=$(rss_kb "$SERVER_PID")
    t0=$(date +%s.%N)
    load_keys "$port" "$MEMORY_KEYS" "$MEMORY_VALUE_BYTES" strings
    t1=$(date +%s.%N)
    [ "$(redis_cli -p "$port" DBSIZE)" = "$MEMORY_KEYS" ] || fail "memory-$s: DBSIZE is not $MEMORY_KEYS"
    sleep 2
    loaded=$(rss_kb "$SERVER_PID")
    printf '%s\t%s\t%s\t%s\t%s\n' "$s" "$empty" "$loaded" "$MEMORY_KEYS" "$(python3 -c "print(f'{$t1 - $t0:.2f}')")" >>"$TMP/memory.tsv"
    echo "== memory $s: VmRSS $empty kB empty, $loaded kB with $MEMORY_KEYS keys" >&2
    stop_pid "$SERVER_PID"
done

# ---- 6: SkipKV SET with the log (everysec) against persistence off ---------------------
for round in $(seq "$ROUNDS"); do
    configs=(off everysec); [ $((round % 2)) = 1 ] || configs=(everysec off)
    for c in "${configs[@]}"; do
        port=$(free_port)
        SUBST+=("$port=PORT")
        dir="$TMP/aof-$c-r$round"
        mkdir -p "$dir"
        if [ "$c" = off ]; then
            start_server "aof-$c-r$round" "$port" "$SERVER" --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no
        else
            start_server "aof-$c-r$round" "$port" "$SERVER" --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly yes --appendfsync everysec
        fi
        bench "aof-$c-r$round" "$port" set "$REQ_P1" -- "${RB_COMMON[@]}" -n "$REQ_P1" -d "$VALUE_BYTES" -t set
        stop_pid "$SERVER_PID"
        rm -rf "$dir"
    done
done

# ---- The section ---------------------------------------------------------------------
SKIPKV_VERSION=$("$SERVER" --version 2>&1 | head -n 1)
REDIS_VERSION=$(redis-server --version | head -n 1)
RB_VERSION=$(redis-benchmark --version 2>&1 | head -n 1)
BENCH_VERSION=$("$BENCH" --version 2>/dev/null | head -n 1 || true)
SWIFT_VERSION=$(swift --version 2>&1 | grep -m1 -i 'swift version' || echo "swift: unknown")
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
case $(realpath "$SERVER") in
    */debug/*) SERVER_BUILD="debug build" ;;
    */release/*) SERVER_BUILD="release build" ;;
    *) SERVER_BUILD="build mode unknown" ;;
esac
NPROC=$(nproc)
MEM_TOTAL=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
KERNEL=$(uname -srm)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
# shellcheck disable=SC1091
OS_NAME=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")
FS=$(df -PT "$TMP" 2>/dev/null | awk 'NR == 2 { print $1 " (" $2 ")" }')
ELAPSED=$((SECONDS - START_SECONDS))
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
BENCH_CMDS=$(printf '%s\n' "${COMMANDS[@]}")
NICED=0; [ ${#NICE[@]} = 0 ] || NICED=1
export SKIPKV_VERSION REDIS_VERSION RB_VERSION BENCH_VERSION SWIFT_VERSION CPU_MODEL SERVER_BUILD NPROC \
    MEM_TOTAL LOAD_START LOAD_END KERNEL DATE OS_NAME FS ELAPSED BENCH_CMDS NICED QUICK TMP OUTPUT TO_STDOUT \
    REQ_P1 REQ_PIPE REQ_RANGE10 REQ_RANGE100 KEYSPACE YCSB_SECONDS MEMORY_KEYS ROUNDS CLIENTS PIPELINE \
    VALUE_BYTES MEMORY_VALUE_BYTES ZSET

python3 - <<'PY'
import csv, json, os, statistics, sys

env = os.environ
tmp = env["TMP"]
rounds = int(env["ROUNDS"])
clients, pipeline = int(env["CLIENTS"]), int(env["PIPELINE"])
keyspace = int(env["KEYSPACE"])
med = statistics.median

def rb(name):
    """{test: {rps, p50, p99}} of one redis-benchmark CSV."""
    out = {}
    with open(os.path.join(tmp, name + ".csv")) as f:
        for rec in csv.DictReader(f):
            out[rec["test"]] = {"ops": float(rec["rps"]), "p50": float(rec["p50_latency_ms"]),
                                "p99": float(rec["p99_latency_ms"])}
    if not out:
        raise SystemExit(f"compare-redis: no results in {name}.csv")
    return out

def first(d):
    return next(iter(d.values()))

def summarize(base_runs, new_runs):
    """Medians over rounds of two lists of {ops, p50, p99}, and the per-round ratios."""
    ratios = [n["ops"] / b["ops"] for b, n in zip(base_runs, new_runs)]
    pick = lambda runs, k: med(r[k] for r in runs)
    b = {k: pick(base_runs, k) for k in ("ops", "p50", "p99")}
    n = {k: pick(new_runs, k) for k in ("ops", "p50", "p99")}
    return b, n, ratios

# Who is the bottleneck: per run, the server's CPU per request, the load generator's CPU use
# (% of one core) and the generator's CPU per request.
cpu = {}
with open(os.path.join(tmp, "cpu.tsv")) as f:
    for line in f:
        name, server_seconds, requests, user, system, wall = line.split()
        workload, _, rest = name.rpartition("-r")
        generator_seconds = float(user) + float(system)
        cpu.setdefault(workload, []).append((float(server_seconds) * 1e6 / int(requests),
                                             100 * generator_seconds / max(float(wall), 1e-9),
                                             generator_seconds * 1e6 / int(requests)))
GENERATOR_BOUND = 90  # % of a core: above this the single-threaded generator sets the pace

def generator_note(workload):
    """For a missed throughput target: whether redis-benchmark, not the server, was the limit."""
    r, k = cpu.get(workload + "-redis", []), cpu.get(workload + "-skipkv", [])
    if not r or not k:
        return ""
    busy_k, busy_r = med(x[1] for x in k), med(x[1] for x in r)
    if busy_k < GENERATOR_BOUND:
        return ""
    return (f"; generator-bound: redis-benchmark used {busy_k:.0f}% of a core in SkipKV's runs "
            f"({busy_r:.0f}% in Redis's), so neither server could be driven faster on this machine; "
            f"server CPU per request {med(x[0] for x in k):.1f} µs SkipKV vs {med(x[0] for x in r):.1f} µs Redis")

rows = []     # dicts: workload, baseline, b, n, ratio, ratios, unit, target, met
targets = []  # (text, met, detail)

def ratio_cell(r, ratios):
    cell = f"**{r:.2f}**"
    if len(ratios) > 1:
        cell += f" ({min(ratios):.2f}–{max(ratios):.2f})"
    return cell

def lat(x):
    return f"{x['p50']:.3f} / {x['p99']:.3f}"

def add_throughput(workload, baseline, b_runs, n_runs, target=None, p99_target=False, name=None, goal=None,
                   cpu_workload=None):
    b, n, ratios = summarize(b_runs, n_runs)
    r = n["ops"] / b["ops"]
    met_parts, tcell = [], "—"
    if target is not None:
        ok = r >= target
        met_parts.append(ok)
        tcell = f"≥ {target:.1f}x ops/s"
        note = generator_note(cpu_workload) if cpu_workload and not ok else ""
        targets.append((f"{name}: {goal or f'SkipKV ≥ {target:.1f}x {baseline} throughput'}", ok, f"{r:.2f}x{note}"))
        if p99_target:
            okp = n["p99"] <= b["p99"]
            met_parts.append(okp)
            tcell += ", p99 ≤ Redis"
            targets.append((f"{name}: SkipKV p99 ≤ redis-server p99", okp,
                            f"{n['p99']:.3f} ms vs {b['p99']:.3f} ms, {n['p99'] / b['p99']:.2f}x"))
    if not met_parts:
        met = "(report)"
    elif all(met_parts):
        met = "yes"
    elif p99_target and met_parts[0] != met_parts[1]:
        met = "**no** (" + ("ops/s" if not met_parts[0] else "p99") + ")"
    else:
        met = "**no**"
    rows.append((workload, baseline, f"{b['ops']:,.0f}", f"{n['ops']:,.0f}", ratio_cell(r, ratios),
                 lat(b), lat(n), tcell, met))

R = range(1, rounds + 1)
# 1 and 2: SET and GET.
for pipe, label in ((1, "no pipelining"), (pipeline, f"pipeline {pipeline} (`-P {pipeline}`)")):
    runs = {s: [rb(f"setget-p{pipe}-{s}-r{i}") for i in R] for s in ("redis", "skipkv")}
    for test in ("SET", "GET"):
        add_throughput(f"{test}, {clients} clients, {label}", "redis-server",
                       [x[test] for x in runs["redis"]], [x[test] for x in runs["skipkv"]],
                       target=1.1, p99_target=(pipe == 1), cpu_workload=f"setget-p{pipe}",
                       name=f"{test} {'unpipelined' if pipe == 1 else f'pipeline {pipe}'}")
# 3: range scans.
for limit in (10, 100):
    add_throughput(f"`RANGE \"[key:__rand_int__\" + LIMIT 0 {limit} NOVALUES` vs "
                   f"`ZRANGEBYLEX` … `LIMIT 0 {limit}`, {clients} clients",
                   "redis-server",
                   [first(rb(f"range{limit}-redis-r{i}")) for i in R],
                   [first(rb(f"range{limit}-skipkv-r{i}")) for i in R],
                   target=2.0, name=f"RANGE LIMIT {limit} vs ZRANGEBYLEX", cpu_workload=f"range{limit}")
# 4: YCSB through net.
data = json.load(open(os.path.join(tmp, "ycsb.json")))
kinds = {t["target"]: t["kind"] for t in data["targets"]}
per_test = {}
for s in data["summary"]:
    per_test.setdefault(s["test"], {})[kinds.get(s["target"], s.get("kind"))] = s
    if s.get("errors"):
        raise SystemExit(f"compare-redis: YCSB {s['test']}: {s['errors']} error replies")
ycsb_labels = {"ycsb-a": "YCSB A (50% GET, 50% SET), `skipkv-benchmark net`",
               "ycsb-e": "YCSB E (95% scans of 1–100 keys, 5% inserts), `skipkv-benchmark net`"}
for test, label in ycsb_labels.items():
    r, k = per_test[test]["redis"], per_test[test]["skipkv"]
    conv = lambda s: {"ops": s["ops_per_sec"], "p50": s["p50_ns"] / 1e6, "p99": s["p99_ns"] / 1e6}
    add_throughput(f"{label}, {clients} clients", "redis-server", [conv(r)], [conv(k)])
# 5: memory.
mem = {}
with open(os.path.join(tmp, "memory.tsv")) as f:
    for line in f:
        s, empty, loaded, n, secs = line.split("\t")
        mem[s] = {"empty": int(empty), "loaded": int(loaded), "keys": int(n), "secs": float(secs)}
per_key = {s: (m["loaded"] - m["empty"]) * 1024 / m["keys"] for s, m in mem.items()}
mem_ratio = per_key["skipkv"] / per_key["redis"]
mem_ok = mem_ratio <= 1.0
mkeys = int(env["MEMORY_KEYS"])
rows.append((f"Memory: RSS per key, {mkeys:,} keys of 16 bytes with {env['MEMORY_VALUE_BYTES']}-byte values",
             "redis-server", f"{per_key['redis']:.1f} bytes/key", f"{per_key['skipkv']:.1f} bytes/key",
             f"**{mem_ratio:.2f}**", "—", "—", "≤ 1.0x", "yes" if mem_ok else "**no**"))
targets.append((f"Memory ({mkeys:,} keys): SkipKV RSS per key ≤ redis-server's", mem_ok,
                f"{per_key['skipkv']:.1f} vs {per_key['redis']:.1f} bytes/key, {mem_ratio:.2f}x"))
# 6: the log.
add_throughput(f"SkipKV SET, {clients} clients, no pipelining, `--appendonly yes --appendfsync everysec`",
               "SkipKV, persistence off",
               [first(rb(f"aof-off-r{i}")) for i in R], [first(rb(f"aof-everysec-r{i}")) for i in R],
               target=0.9, name="SkipKV SET with `appendfsync everysec`",
               goal="≥ 0.9x the throughput with persistence off")

checks = [line.rstrip("\n").split("\t") for line in open(os.path.join(tmp, "checks.txt"))]
calls = [line.rstrip("\n").split("\t") for line in open(os.path.join(tmp, "calls.tsv"))]
minutes = int(env["ELAPSED"]) / 60

out = []
out.append("<!-- compare-redis:begin -->")
out.append("## SkipKV vs redis-server")
out.append("")
out.append(
    f"Generated by `scripts/compare-redis.sh{' --quick' if env['QUICK'] == '1' else ''}` on {env['DATE']} "
    f"(the whole run took {minutes:.1f} minutes); do not edit by hand, rerun the script. "
    "skipkv-server and Debian's redis-server (default settings except `--save \"\" --appendonly no`; "
    "SkipKV also without persistence) run on this machine with their clients over loopback. "
    f"Both first get exactly the keys `key:000000000000` … `key:{keyspace - 1:012d}` ({keyspace:,} keys, the names "
    f"redis-benchmark's `-r {keyspace}` generates for `key:__rand_int__`) with {env['VALUE_BYTES']}-byte values, and "
    f"redis-server also a sorted set `{env['ZSET']}` with the same names (score 0), all through `redis-cli --pipe`. "
    "SET, GET and the range scans are measured with **redis-benchmark** (single-threaded, written by neither side; "
    f"{clients} connections, keys uniform over the keyspace, values of {env['VALUE_BYTES']} bytes): SkipKV "
    "`RANGE … NOVALUES` against `ZRANGEBYLEX` on the sorted set, both returning the same key names only. "
    f"YCSB A and E run through `skipkv-benchmark net --compare` ({env['YCSB_SECONDS']} s per run). "
    f"Throughput, p50 and p99 (ms) are medians over {rounds} round(s); in each round the two servers run "
    "back to back and which goes first alternates from round to round; **ratio** = SkipKV ÷ baseline "
    "(per-round ratios in parentheses). Memory is VmRSS from /proc/PID/status after loading the keys into a "
    "fresh server minus the same server's VmRSS when empty, divided by the number of keys, one server at a time. "
    "The last row compares SkipKV with and without its append-only log, a fresh empty server per run."
    + (" Servers and load generators ran under `nice -n -19`." if env["NICED"] == "1" else
       " `nice -n -19` was not allowed, so everything ran at the normal priority.")
    + (" **This is a `--quick` run: small counts and one round, a check of the script, not a result.**"
       if env["QUICK"] == "1" else ""))
out.append("")
out.append("| Workload | Baseline | Baseline ops/s | SkipKV ops/s | SkipKV ÷ baseline | Baseline p50 / p99 | "
           "SkipKV p50 / p99 | Target | Met |")
out.append("|---|---|---:|---:|---:|---:|---:|---|---|")
for r in rows:
    out.append("| " + " | ".join(r) + " |")
out.append("")
out.append("Targets:")
out.append("")
for text, ok, detail in targets:
    out.append(f"- {text}: **{'met' if ok else 'missed'}** ({detail})")
out.append("")

out.append("CPU per request (median over rounds): the server's user + system CPU time divided by the requests it "
           "served; the load generator's CPU use during the run (100% = one core) and its CPU time per request. "
           f"At {GENERATOR_BOUND}% and more the single-threaded generator, not the server, sets the pace, and the "
           "throughput ratio mostly measures the generator's own cost per reply.")
out.append("")
out.append("| Run | redis-server µs CPU/req | skipkv-server µs CPU/req | redis-benchmark CPU, vs Redis / vs SkipKV "
           "| redis-benchmark µs CPU/req, vs Redis / vs SkipKV |")
out.append("|---|---:|---:|---:|---:|")
for workload in sorted({w.rsplit("-", 1)[0] for w in cpu if not w.startswith("aof-")}):
    r, k = cpu.get(workload + "-redis", []), cpu.get(workload + "-skipkv", [])
    if r and k:
        out.append(f"| {workload} | {med(x[0] for x in r):.1f} | {med(x[0] for x in k):.1f} | "
                   f"{med(x[1] for x in r):.0f}% / {med(x[1] for x in k):.0f}% | "
                   f"{med(x[2] for x in r):.1f} / {med(x[2] for x in k):.1f} |")
for config in ("off", "everysec"):
    runs = cpu.get("aof-" + config, [])
    if runs:
        out.append(f"| SkipKV SET, log {config} | — | {med(x[0] for x in runs):.1f} | — / {med(x[1] for x in runs):.0f}% "
                   f"| — / {med(x[2] for x in runs):.1f} |")
out.append("")
out.append(
    f"Requests per run: SET/GET {int(env['REQ_P1']):,} each (pipelined {int(env['REQ_PIPE']):,}), "
    f"range scans {int(env['REQ_RANGE10']):,} (LIMIT 10) and {int(env['REQ_RANGE100']):,} (LIMIT 100), "
    f"SET with and without the log {int(env['REQ_P1']):,} on an empty server. "
    "Checks: after every redis-benchmark run the server's `INFO commandstats` had counted the requests "
    f"({len(calls)} runs, no failed calls) and no GET missed a key; "
    + "; ".join(f"`RANGE \"[{c[2]}\" + LIMIT 0 {c[0]} NOVALUES` and the ZRANGEBYLEX both returned the same {c[1]} keys "
                f"(`{c[2]}` … `{c[3]}`)" for c in checks)
    + f". Memory: redis-server {mem['redis']['empty'] / 1024:,.1f} MiB empty, {mem['redis']['loaded'] / 1024:,.1f} MiB "
      f"loaded ({mem['redis']['secs']:.1f} s to load); skipkv-server {mem['skipkv']['empty'] / 1024:,.1f} MiB empty, "
      f"{mem['skipkv']['loaded'] / 1024:,.1f} MiB loaded ({mem['skipkv']['secs']:.1f} s).")
out.append("")
out.append("Machine:")
out.append("")
out.append(f"- CPU: {env['CPU_MODEL'] or 'unknown'}, {env['NPROC']} online cores (nproc); {env['MEM_TOTAL']} RAM; "
           f"shared with other work (1-minute load average {env['LOAD_START']} at the start, {env['LOAD_END']} at the end)")
out.append(f"- {env['KERNEL']}; {env['OS_NAME']}; scratch and log directories on {env['FS']}")
out.append(f"- {env['SKIPKV_VERSION']}, {env['SERVER_BUILD']}; {env['SWIFT_VERSION']}")
out.append(f"- {env['REDIS_VERSION']}; {env['RB_VERSION']}")
out.append("")
out.append("Commands (`$TMP` is a scratch directory, ports were free ephemeral ones, `$ROUND` the round; "
           "`gen-keys.py N V MODE [ZSET]` writes RESP MSETs of 100 keys `key:%012d` 0…N-1 with V-byte values "
           "and/or ZADDs of the same names with score 0):")
out.append("")
out.append("```sh")
out.extend(line.strip() for line in env["BENCH_CMDS"].strip().splitlines())
out.append("```")
out.append("<!-- compare-redis:end -->")
section = "\n".join(out) + "\n"
sys.path.insert(0, "scripts/lib")
from replace_section import publish_section
publish_section("compare-redis", section, env["OUTPUT"], env["TO_STDOUT"] == "1")
PY
