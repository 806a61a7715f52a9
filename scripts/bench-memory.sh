#!/usr/bin/env bash
# Measures what the memory limit costs (docs/BENCHMARKS.md, "Memory limits"):
#   1. memory per key: N keys key:%012d (16 bytes) with 32-byte values loaded through
#      redis-cli --pipe into a fresh server; VmRSS after minus before and INFO used_memory,
#      divided by N. For each server, and for the candidate again with `maxmemory 64gb
#      maxmemory-policy allkeys-lru`, where every write and read records its access.
#   2. instructions per SET and per GET in the server under callgrind (the machine's
#      hardware counters are not available to perf): redis-benchmark -t set, then -t get,
#      -n R -P 16 -c 4 -r 100000 -d 16, one I/O thread, counters zeroed before and dumped
#      after each run; median of the rounds, servers alternating within each round. For each
#      server with maxmemory 0, and for the candidate with allkeys-lru and allkeys-lfu under
#      maxmemory 64gb (the check before every command, and access tracking).
#
# Usage: scripts/bench-memory.sh [--baseline BIN] [--server BIN] [--keys N] [--requests R] [--rounds K]
#   --baseline BIN  a skipkv-server to compare with (for example one built from main)
#   --server BIN    the candidate (default .build/release/skipkv-server, built if missing)
#   --keys N        keys for the memory figure (default 1000000)
#   --requests R    requests per callgrind run (default 100000)
#   --rounds K      callgrind rounds (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "bench-memory: $*" >&2; exit 2; }

BASELINE=
SERVER=
KEYS=1000000
REQUESTS=100000
ROUNDS=5
while [ $# -gt 0 ]; do
    case $1 in
        --baseline) BASELINE=${2:?}; shift 2 ;;
        --server) SERVER=${2:?}; shift 2 ;;
        --keys) KEYS=${2:?}; shift 2 ;;
        --requests) REQUESTS=${2:?}; shift 2 ;;
        --rounds) ROUNDS=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
done
for tool in valgrind callgrind_control redis-benchmark redis-cli python3 strip; do
    command -v "$tool" >/dev/null || die "$tool is needed"
done
if [ -z "$SERVER" ]; then
    swift build -c release --product skipkv-server >&2
    SERVER=.build/release/skipkv-server
fi
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$TMP"' EXIT

# start NAME BIN ARGS... : starts a server on an ephemeral port; sets PID and PORT.
start() {
    local name=$1 bin=$2
    shift 2
    "$bin" --bind 127.0.0.1 --port 0 --save "" --dir "$TMP" "$@" >"$TMP/$name.log" 2>&1 &
    PID=$!
    PORT=
    for _ in $(seq 600); do
        PORT=$(sed -n 's/.*Ready to accept connections tcp on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/$name.log")
        [ -n "$PORT" ] && return 0
        sleep 0.1
    done
    die "$name did not start: $(cat "$TMP/$name.log")"
}
stop() { redis-cli -p "$PORT" SHUTDOWN NOSAVE >/dev/null 2>&1 || true; wait "$PID" 2>/dev/null || true; }
rss() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }
used() { redis-cli -p "$1" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'; }

cat >"$TMP/gen-keys.py" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
value = b"$32\r\n" + b"v" * 32 + b"\r\n"
for first in range(0, n, 100):
    keys = [b"$16\r\nkey:%012d\r\n" % i for i in range(first, min(first + 100, n))]
    out.write(b"*%d\r\n$4\r\nMSET\r\n" % (1 + 2 * len(keys)) + value.join(keys) + value)
PY

# memory NAME BIN ARGS...: one line of the memory table.
memory() {
    local name=$1 bin=$2 before used_before
    shift 2
    start "$name" "$bin" --io-threads 1 "$@"
    before=$(rss "$PID")
    used_before=$(used "$PORT")
    python3 "$TMP/gen-keys.py" "$KEYS" | redis-cli -p "$PORT" --pipe >"$TMP/$name.pipe" 2>&1
    grep -q "errors: 0" "$TMP/$name.pipe" || die "loading $name: $(cat "$TMP/$name.pipe")"
    [ "$(redis-cli -p "$PORT" DBSIZE)" = "$KEYS" ] || die "$name holds $(redis-cli -p "$PORT" DBSIZE) keys"
    awk -v name="$name" -v rss="$(( $(rss "$PID") - before ))" -v used="$(( $(used "$PORT") - used_before ))" -v n="$KEYS" \
        'BEGIN { printf "| %s | %.1f | %.1f |\n", name, rss / n, used / n }'
    stop
}

# instructions NAME BIN ARGS...: appends "NAME set get" (instructions per request) to $TMP/cg.
instructions() {
    local name=$1 bin=$2 out=$TMP/cg-$1
    shift 2
    rm -rf "$out" && mkdir "$out"
    PORT=
    valgrind --tool=callgrind --callgrind-out-file="$out/cg.%p" "$bin" --bind 127.0.0.1 --port 0 --save "" \
        --dir "$TMP" --io-threads 1 "$@" >"$out/log" 2>&1 &
    PID=$!
    for _ in $(seq 1200); do
        PORT=$(sed -n 's/.*Ready to accept connections tcp on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out/log")
        [ -n "$PORT" ] && break
        sleep 0.1
    done
    [ -n "$PORT" ] || die "$name did not start under valgrind: $(tail -5 "$out/log")"
    callgrind_control -z "$PID" >/dev/null 2>&1
    for test in set get; do
        redis-benchmark -p "$PORT" -t "$test" -n "$REQUESTS" -P 16 -c 4 -r 100000 -d 16 -q >/dev/null
        callgrind_control -d "$test" "$PID" >/dev/null 2>&1
    done
    stop
    local set get
    set=$(grep -h -A20 'Trigger: dump set' "$out"/cg.*.* | awk '/^summary:/ { print $2; exit }')
    get=$(grep -h -A20 'Trigger: dump get' "$out"/cg.*.* | awk '/^summary:/ { print $2; exit }')
    echo "$name $((set / REQUESTS)) $((get / REQUESTS))" >>"$TMP/cg"
}

# Valgrind cannot read the debug information Swift writes; symbols are enough.
servers=()
[ -z "$BASELINE" ] || { strip --strip-debug -o "$TMP/baseline" "$BASELINE"; servers+=(baseline); }
strip --strip-debug -o "$TMP/candidate" "$SERVER"
servers+=(candidate)
limit=(--maxmemory 64gb)

echo "Memory per key ($KEYS keys of 16 bytes with 32-byte values):"
echo "| server | RSS bytes/key | used_memory bytes/key |"
echo "|---|---:|---:|"
for s in "${servers[@]}"; do memory "$s" "$TMP/$s"; done
memory "candidate, allkeys-lru" "$TMP/candidate" "${limit[@]}" --maxmemory-policy allkeys-lru

echo
echo "Instructions per request under callgrind (median of $ROUNDS rounds, $REQUESTS requests each):"
for round in $(seq "$ROUNDS"); do
    for s in "${servers[@]}"; do instructions "$s" "$TMP/$s"; done
    instructions "candidate, allkeys-lru" "$TMP/candidate" "${limit[@]}" --maxmemory-policy allkeys-lru
    instructions "candidate, allkeys-lfu" "$TMP/candidate" "${limit[@]}" --maxmemory-policy allkeys-lfu
    echo "round $round: $(tr '\n' ';' <"$TMP/cg")" >&2
done
echo "| server | SET | GET |"
echo "|---|---:|---:|"
python3 - "$TMP/cg" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    *name, s, g = line.split()
    rows.setdefault(" ".join(name), []).append((int(s), int(g)))
for name, runs in rows.items():
    s = statistics.median(r[0] for r in runs)
    g = statistics.median(r[1] for r in runs)
    ranges = f"{min(r[0] for r in runs)}–{max(r[0] for r in runs)}", f"{min(r[1] for r in runs)}–{max(r[1] for r in runs)}"
    print(f"| {name} | {s:.0f} ({ranges[0]}) | {g:.0f} ({ranges[1]}) |")
PY
