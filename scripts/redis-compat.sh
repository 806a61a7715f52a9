#!/usr/bin/env bash
# Runs Redis's own tools against skipkv-server and fails on any error:
#   1. redis-cli one-shot commands, each output compared with what redis-cli prints;
#   2. a piped redis-cli session, and an interactive one on a pseudo-terminal (the path
#      where redis-cli fetches COMMAND for its hints);
#   3. redis-cli --scan;
#   4. redis-benchmark -q -n 100000 -t ping,set,get,incr,mset.
# The server runs on an ephemeral port of 127.0.0.1 and must exit 0 on SIGTERM at the end.
# Uses $SKIPKV_SERVER_BINARY, else builds the release binary (scratch path $SKIPKV_SCRATCH,
# default .build). Needs redis-tools (apt-get install redis-tools).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in redis-cli redis-benchmark script; do
    command -v "$tool" >/dev/null || { echo "redis-compat: $tool is not installed" >&2; exit 2; }
done
if [[ -z ${SKIPKV_SERVER_BINARY:-} ]]; then
    scratch=${SKIPKV_SCRATCH:-.build}
    swift build -c release --scratch-path "$scratch" --product skipkv-server
    SKIPKV_SERVER_BINARY=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/skipkv-server
fi

work=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill -9 "$server_pid"; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$SKIPKV_SERVER_BINARY" --bind 127.0.0.1 --port 0 --save "" >"$work/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/.*Ready to accept connections tcp on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log")
    [[ -n $port ]] && break
    sleep 0.1
done
[[ -n $port ]] || { echo "redis-compat: server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
echo "==> skipkv-server on port $port"

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect "<expected output>" redis-cli arguments...
expect() {
    local expected=$1
    shift
    local actual
    actual=$(redis-cli -p "$port" "$@" 2>&1) || true
    if [[ $actual != "$expected" ]]; then
        fail "redis-cli $*"$'\n'"  expected: $(printf %q "$expected")"$'\n'"  actual:   $(printf %q "$actual")"
    fi
}

echo "==> redis-cli one-shot commands"
expect "PONG" ping
expect "OK" flushall
expect "OK" set greeting "hello world"
expect "hello world" get greeting
expect "" get missing
expect "1" exists greeting
expect "OK" mset a 1 b 2 c 3
expect $'1\n\n3' mget a nope c
expect "2" incr a
expect "12" incrby a 10
expect "11" decr a
expect "14" append greeting " :)"
expect "string" type greeting
expect $'a\nb\nc\ngreeting' keys '*'
expect $'a\n11\nb\n2' range - '(c'
expect $'c\n3\nb\n2' range '(a' '(greeting' rev limit 0 2
expect $'c\nb' range - + rev limit 1 2 novalues
expect "4" rangecount - +
expect "2" rangedel '[a' '[b'
expect "2" dbsize
expect "ERR min or max not valid string range item" range a b
expect "ERR wrong number of arguments for 'get' command" get
expect "ERR unknown command 'nosuch', with args beginning with: 'x' " nosuch x
expect "ERR value is not an integer or out of range" incr greeting
expect "OK" set k v ex 10
expect "10" ttl k
expect "1" persist k
expect "-1" ttl k
expect "1" del k
expect "OK" select 0
expect $'maxclients\n10000' config get maxclients
expect "OK" config set timeout 0
expect "1" del greeting

echo "==> piped redis-cli session"
printf 'SET piped "a b"\nGET piped\nRANGE [piped [piped\nDEL piped\n' | redis-cli -p "$port" >"$work/piped.out" 2>&1
if [[ $(cat "$work/piped.out") != $'OK\na b\npiped\na b\n1' ]]; then
    fail "piped session: $(cat "$work/piped.out")"
fi

echo "==> interactive redis-cli on a terminal"
# Typed slowly into a pseudo-terminal with a size (else linenoise asks the terminal for its
# cursor position and waits for an answer): redis-cli fetches COMMAND DOCS at start and
# shows hints from it, including for RANGE and RANGECOUNT, which it knows only from there.
(sleep 1; for line in 'set tty 42' 'get tty' 'rangecount - +' 'quit'; do printf '%s\r' "$line"; sleep 0.3; done) |
    timeout 20 script -qec "stty cols 200 rows 40; redis-cli -p $port" /dev/null >"$work/tty.out" 2>&1 || fail "interactive redis-cli did not exit cleanly"
tr -d '\r' <"$work/tty.out" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' >"$work/tty.clean"
for needle in 'OK' '"42"' '(integer) ' 'rangecount min max' 'range min max [REV] [LIMIT offset count] [NOVALUES]'; do
    grep -qF -- "$needle" "$work/tty.clean" || fail "interactive session lacks '$needle': $(tail -c 600 "$work/tty.clean")"
done
if grep -qE '\(error\)' "$work/tty.clean"; then fail "interactive session printed an error: $(grep -E '\(error\)' "$work/tty.clean")"; fi

echo "==> redis-cli --scan"
redis-cli -p "$port" flushall >/dev/null
for i in $(seq -w 1 300); do echo "SET scan:$i x"; done | redis-cli -p "$port" >/dev/null
if [[ $(redis-cli -p "$port" --scan --pattern 'scan:*' | wc -l) != 300 ]]; then fail "redis-cli --scan did not list 300 keys"; fi
if [[ $(redis-cli -p "$port" --scan | sort -c && echo sorted) != sorted ]]; then fail "redis-cli --scan is not in key order"; fi

echo "==> redis-benchmark"
redis-benchmark -q -n 100000 -t ping,set,get,incr,mset -p "$port" >"$work/bench.out" 2>&1 || fail "redis-benchmark exited non-zero"
tr '\r' '\n' <"$work/bench.out" | grep -E 'requests per second' | sed 's/^ *//'
for test in PING_INLINE PING_MBULK SET GET INCR 'MSET (10 keys)'; do
    grep -qF "$test: " <(tr '\r' '\n' <"$work/bench.out" | grep 'requests per second') || fail "redis-benchmark has no result for $test"
done
if tr '\r' '\n' <"$work/bench.out" | grep -qiE 'error|warning'; then
    fail "redis-benchmark reported: $(tr '\r' '\n' <"$work/bench.out" | grep -iE 'error|warning' | head -3)"
fi

echo "==> shutdown"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=
[[ $status == 0 ]] || fail "skipkv-server exited with status $status on SIGTERM"

if [[ $failures -gt 0 ]]; then
    echo "redis-compat: $failures check(s) failed" >&2
    exit 1
fi
echo "redis-compat: all checks passed"
