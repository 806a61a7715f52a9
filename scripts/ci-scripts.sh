#!/bin/sh
# ci-scripts.sh: the CI runner for the netcat scripts. Starts the given skipkv-server on a
# free loopback port, runs nc-smoke.sh and nc-load.sh against it (small sizes), stops it
# with SIGTERM (which must end it cleanly), and ends with "scripts: N passed, M failed".
#
# Usage: scripts/ci-scripts.sh [--server PATH] [--redis] [-n N]
#   --server PATH  the skipkv-server binary (default: $SKIPKV_SERVER_BINARY, else
#                  .build/debug/skipkv-server, else .build/release/skipkv-server)
#   --redis        also run the scripts against a spawned redis-server (RANGE skipped there)
#   -n N           requests per load test (default 20000; range scans use N / 10)
# Exit status: 0 when everything passed, 1 otherwise (2 for a usage error).

set -u
cd "$(dirname "$0")/.." || exit 2
LC_ALL=C
export LC_ALL

SERVER=${SKIPKV_SERVER_BINARY:-}
WITH_REDIS=0
N=20000
while [ $# -gt 0 ]; do
    case $1 in
        --server) [ $# -ge 2 ] || { echo "ci-scripts: --server needs a path" >&2; exit 2; }; SERVER=$2; shift 2 ;;
        --redis) WITH_REDIS=1; shift ;;
        -n) [ $# -ge 2 ] || { echo "ci-scripts: -n needs a value" >&2; exit 2; }; N=$2; shift 2 ;;
        -h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "ci-scripts: unknown option $1" >&2; exit 2 ;;
    esac
done
case $N in '' | *[!0-9]*) echo "ci-scripts: -n must be a number" >&2; exit 2 ;; esac
if [ -z "$SERVER" ]; then
    for candidate in .build/debug/skipkv-server .build/release/skipkv-server; do
        [ -x "$candidate" ] && { SERVER=$candidate; break; }
    done
fi

PASSED=0
FAILED=0
FAILURES=
SERVER_PID=
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/ci-scripts.XXXXXX") || exit 2

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=
    fi
}
cleanup() { stop_server; rm -rf "$LOGDIR"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

record() { # status name
    if [ "$1" = 0 ]; then
        PASSED=$((PASSED + 1)); echo "--- ok: $2"
    else
        FAILED=$((FAILED + 1)); FAILURES="$FAILURES
  $2"; echo "--- FAILED: $2"
    fi
}

# A free loopback port: ask the kernel (Python), else probe random ports with nc -z.
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
        return
    fi
    i=0
    while [ "$i" -lt 50 ]; do
        p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
        nc -z 127.0.0.1 "$p" 2>/dev/null || { echo "$p"; return; }
        i=$((i + 1))
    done
    return 1
}

# Wait until the server at port $1 answers PING (10 s at most); $2 is its pid.
wait_ready() {
    i=0
    while [ "$i" -lt 100 ]; do
        kill -0 "$2" 2>/dev/null || return 1
        reply=$(printf 'PING\r\nQUIT\r\n' | nc -w 2 127.0.0.1 "$1" 2>/dev/null | tr -d '\r' | head -n 1)
        [ "$reply" = "+PONG" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# start_server name port command... : starts it in the background, records readiness.
start_server() {
    name=$1; port=$2; shift 2
    "$@" >"$LOGDIR/$name.log" 2>&1 &
    SERVER_PID=$!
    if wait_ready "$port" "$SERVER_PID"; then
        record 0 "$name starts and answers PING on 127.0.0.1:$port"
        return 0
    fi
    record 1 "$name starts and answers PING on 127.0.0.1:$port"
    echo "    server log:"; tail -n 20 "$LOGDIR/$name.log" | sed 's/^/    /'
    stop_server
    return 1
}

# run name command... : runs one script, records the result.
run() {
    name=$1; shift
    echo "=== $name: $*"
    "$@"
    record $? "$name"
}

# shellcheck disable=SC2086 # $3 is an optional flag: empty means none
suite() { # label port range-flag
    run "$1: nc-smoke" sh scripts/nc-smoke.sh -p "$2" $3
    run "$1: nc-load set,get,del (RESP, 1 client)" sh scripts/nc-load.sh -p "$2" -n "$N" -t set,get,del
    run "$1: nc-load set,get,del (inline, 4 clients)" sh scripts/nc-load.sh -p "$2" -n "$N" -f inline -c 4 -t set,get,del
    small=$((N / 10)); [ "$small" -ge 20 ] || small=20
    run "$1: nc-load range (RESP, LIMIT 10)" sh scripts/nc-load.sh -p "$2" -n "$small" -t set,range,del $3
    run "$1: nc-load range (inline, REV, NOVALUES, LIMIT 25, 2 clients)" \
        sh scripts/nc-load.sh -p "$2" -n "$small" -f inline -c 2 -l 25 --rev --novalues -t set,range,del $3
}

start=$(date +%s)
if [ -z "$SERVER" ] || [ ! -x "$SERVER" ]; then
    record 1 "skipkv-server binary found (give --server PATH or SKIPKV_SERVER_BINARY; tried '${SERVER:-.build/debug/skipkv-server}')"
else
    echo "=== skipkv-server: $SERVER"
    port=$(free_port)
    if start_server skipkv-server "$port" "$SERVER" --bind 127.0.0.1 --port "$port" --save "" --loglevel warning; then
        suite skipkv-server "$port" --require-range
        kill -TERM "$SERVER_PID"
        status=0
        wait "$SERVER_PID" || status=$?
        SERVER_PID=
        record "$status" "skipkv-server exits with status 0 on SIGTERM (status $status)"
        [ "$status" = 0 ] || { echo "    server log:"; tail -n 20 "$LOGDIR/skipkv-server.log" | sed 's/^/    /'; }
    fi
fi

if [ "$WITH_REDIS" = 1 ]; then
    if command -v redis-server >/dev/null 2>&1; then
        port=$(free_port)
        if start_server redis-server "$port" redis-server --bind 127.0.0.1 --port "$port" \
            --save '' --appendonly no --daemonize no; then
            suite redis-server "$port" ""
            stop_server
        fi
    else
        echo "=== redis-server not installed: skipped"
    fi
fi

if [ "$FAILED" != 0 ]; then
    printf 'failed:%s\n' "$FAILURES"
fi
echo "(ci-scripts took $(($(date +%s) - start)) s)"
echo "scripts: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
