#!/usr/bin/env bash
# bench-transactions.sh: what MULTI/EXEC costs on SkipKV (issue 14), next to redis-server.
#
# Starts skipkv-server (--io-threads 2, persistence off) and Debian's redis-server
# (persistence off) on free loopback ports and measures:
#   1. EXEC throughput: `skipkv-benchmark net --tests exec,exec-hot,incr` against both servers
#      in alternating rounds (--compare), --clients connections, pipeline 1 and 16. One exec
#      operation is MULTI, INCRBY counter:<a> -1, INCRBY counter:<b> 1, EXEC; exec picks a and
#      b at random from 100,000 counters (transactions of different connections almost never
#      share a key), exec-hot uses counters 0 and 1 on every connection (every transaction
#      conflicts). Transactions serialised behind one lock would run no faster on disjoint keys
#      than on the hot pair. But random keys cost cache misses that one hot pair does not:
#      redis-server, which runs one command at a time and takes no locks, shows that cost
#      alone in its exec/exec-hot ratio, and INCR on the same 100,000 counters against INCR
#      on one key (a second run with --keyspace 1) shows it for a one-key command on each
#      server. net's own summary tables are printed, then these ratios per server. On a
#      machine with fewer cores than the client and both loops need, every run is CPU-bound
#      and lock waits hardly show.
#   2. A long transaction against point writes: --range-keys keys (key:%012d, loaded with
#      `redis-cli --pipe` MSET batches; on redis-server also members of a sorted set), then one
#      connection runs MULTI; RANGE - + LIMIT 0 N NOVALUES; EXEC back to back (on redis-server
#      ZRANGEBYLEX over the sorted set, all N members) while `skipkv-benchmark net --tests set`
#      writes keys inside that range on --clients other connections. A range command in a
#      transaction holds every key stripe while it runs, so a SET should wait at most about
#      one range's run time. Each round runs SET alone, then SET with the transaction loop;
#      EXEC is timed by the client (request to the last byte of the reply, which includes
#      sending N keys) and the range inside it by the server (SLOWLOG, threshold 2 ms, which
#      also lists any SET that took 2 ms or more inside the server). A few EXECs are first
#      timed on their own.
# Builds nothing: build the release binaries first with
#   swift build -c release --product skipkv-server
#   swift build -c release --product skipkv-benchmark
# Servers and load generators run under `nice -n -19` when allowed; every server is stopped on
# exit. Takes about 4 minutes with the defaults.
#
# Usage: scripts/bench-transactions.sh [options]
#   --server PATH      skipkv-server binary (default .build/release/skipkv-server)
#   --benchmark PATH   skipkv-benchmark binary (default .build/release/skipkv-benchmark)
#   --rounds N         rounds of each measurement (default 3; part 1 alternates the servers)
#   --clients N        connections of the benchmark runs (default 8)
#   --seconds N        length of each benchmark run (default 3)
#   --range-keys N     keys of part 2, and the LIMIT of its range (default 200k)
#   --exec-samples N   EXECs timed alone in part 2 (default 5)
#   --keep DIR         keep the raw JSON, outputs and server logs in DIR
# Counts accept suffixes: 100k, 1M.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

SERVER=.build/release/skipkv-server
BENCH=.build/release/skipkv-benchmark
ROUNDS=3
CLIENTS=8
SECONDS_PER_RUN=3
RANGE_KEYS=200k
EXEC_SAMPLES=5
KEEP=
ZSET=skipkv-benchmark:index # the sorted set `skipkv-benchmark net` uses for scans on redis-server

die() { echo "bench-transactions: $*" >&2; exit 2; }
fail() { echo "bench-transactions: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
        --server) SERVER=${2:?}; shift 2 ;;
        --benchmark) BENCH=${2:?}; shift 2 ;;
        --rounds) ROUNDS=${2:?}; shift 2 ;;
        --clients) CLIENTS=${2:?}; shift 2 ;;
        --seconds) SECONDS_PER_RUN=${2:?}; shift 2 ;;
        --range-keys) RANGE_KEYS=${2:?}; shift 2 ;;
        --exec-samples) EXEC_SAMPLES=${2:?}; shift 2 ;;
        --keep) KEEP=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
command -v python3 >/dev/null || die "python3 not found"
. scripts/lib/bench-common.sh
RANGE_KEYS=$(count --range-keys "$RANGE_KEYS")
for v in ROUNDS CLIENTS SECONDS_PER_RUN EXEC_SAMPLES; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "a count option (${v,,}) must be a positive integer"
done
[ "$RANGE_KEYS" -lt 1000000000000 ] || die "--range-keys must be below 10^12 (12-digit key numbers)"
for tool in redis-server redis-cli; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install redis-server redis-tools)"
done
[ -x "$SERVER" ] || die "$SERVER not found (swift build -c release --product skipkv-server)"
[ -x "$BENCH" ] || die "$BENCH not found (swift build -c release --product skipkv-benchmark)"
[[ $("$BENCH" net --help 2>/dev/null) == *exec-hot* ]] || die "$BENCH has no exec-hot test (an older build?)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-transactions.XXXXXX")
PIDS=()
cleanup() {
    stop_all
    if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp "$TMP"/* "$KEEP"/ 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
show() { echo "== $(shell_words "$@")" >&2; }

# start_server NAME PORT CMD...: starts CMD (niced) with its output in $TMP/NAME.log and waits
# for PING.
start_server() {
    local name=$1 port=$2 pid
    shift 2
    show "${NICE[@]}" "$@"
    "${NICE[@]}" "$@" >"$TMP/$name.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 200); do
        kill -0 "$pid" 2>/dev/null || { cat "$TMP/$name.log" >&2; fail "$name exited"; }
        [ "$(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" = PONG ] && return 0
        sleep 0.1
    done
    fail "$name does not answer PING on port $port"
}

REDIS_PORT=$(free_port)
SKIPKV_PORT=$(free_port)
mkdir -p "$TMP/redis" "$TMP/skipkv"
start_server redis-server "$REDIS_PORT" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$TMP/redis" \
    --save "" --appendonly no
start_server skipkv-server "$SKIPKV_PORT" "$SERVER" --bind 127.0.0.1 --port "$SKIPKV_PORT" --dir "$TMP/skipkv" \
    --io-threads 2 --save "" --appendonly no
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start" >&2

# ---- 1: EXEC throughput, disjoint keys against one hot pair --------------------------
# redis-server first, so net's ratios read SkipKV / Redis.
net() { # NAME ARG...: skipkv-benchmark net against both servers into $TMP/NAME.{txt,json}
    local name=$1
    shift
    local cmd=("${NICE[@]}" "$BENCH" net --host 127.0.0.1 --port "$REDIS_PORT" --compare "127.0.0.1:$SKIPKV_PORT"
        --clients "$CLIENTS" --rounds "$ROUNDS" --duration "$SECONDS_PER_RUN" --no-progress --json "$TMP/$name.json" "$@")
    show "${cmd[@]}"
    "${cmd[@]}" >"$TMP/$name.txt" 2>&1 || { cat "$TMP/$name.txt" >&2; fail "skipkv-benchmark net failed ($name)"; }
}
for pipeline in 1 16; do
    net "exec-p$pipeline" --tests exec,exec-hot,incr --pipeline "$pipeline"
    net "incr1-p$pipeline" --tests incr --keyspace 1 --pipeline "$pipeline"
done

# ---- 2: a long transaction against point writes ---------------------------------------
# The key generator: MSET batches of 100 key:%012d keys with 3-byte values, and with "both"
# also ZADD batches of the same names into $ZSET.
cat >"$TMP/gen-keys.py" <<'PY'
import sys
n, mode, zset = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
out = sys.stdout.buffer
value = b"$3\r\nxxx\r\n"
for first in range(0, n, 100):
    keys = [b"$16\r\nkey:%012d\r\n" % i for i in range(first, min(first + 100, n))]
    out.write(b"*%d\r\n$4\r\nMSET\r\n" % (1 + 2 * len(keys)) + value.join(keys) + value)
    if mode == "both":
        out.write(b"*%d\r\n$4\r\nZADD\r\n$%d\r\n%s\r\n" % (2 + 2 * len(keys), len(zset), zset)
                  + b"".join(b"$1\r\n0\r\n" + k for k in keys))
PY
load_keys() { # PORT MODE
    local expected=$(((RANGE_KEYS + 99) / 100)) out
    [ "$2" != both ] || expected=$((expected * 2))
    echo "== $(shell_words python3 "$TMP/gen-keys.py" "$RANGE_KEYS" "$2" "$ZSET") | $(shell_words "${NICE[@]}" redis-cli -h 127.0.0.1 -p "$1" --pipe)" >&2
    out=$(python3 "$TMP/gen-keys.py" "$RANGE_KEYS" "$2" "$ZSET" | "${NICE[@]}" redis-cli -h 127.0.0.1 -p "$1" --pipe 2>&1) \
        || { echo "$out" >&2; fail "loading keys into port $1 failed"; }
    grep -q "errors: 0, replies: $expected\$" <<<"$out" || { echo "$out" >&2; fail "loading keys into port $1: expected $expected replies without errors"; }
}
# Part 1's counters go first, so that the range holds exactly the loaded keys.
for port in "$SKIPKV_PORT" "$REDIS_PORT"; do
    [ "$(redis-cli -h 127.0.0.1 -p "$port" FLUSHALL)" = OK ] || fail "FLUSHALL on port $port failed"
done
load_keys "$SKIPKV_PORT" strings
load_keys "$REDIS_PORT" both

# long-tx.py PORT KIND N OUTPUT (time COUNT | loop STOPFILE READYFILE): sends MULTI, the range
# over all N keys, EXEC, and times each EXEC from the request to the last byte of its reply
# (every key is key:%012d, so each of the N entries is exactly 23 bytes, $16 CRLF key CRLF and the reply's length
# is known: no parsing inside the timed part). "time" runs COUNT of them; "loop" runs them
# back to back until STOPFILE exists, creating READYFILE once the first has been answered.
cat >"$TMP/long-tx.py" <<'PY'
import json, os, socket, sys, time
port, kind, n, output, mode = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]

def command(*words):
    parts = [b"*%d\r\n" % len(words)]
    for w in words:
        w = w.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(w), w))
    return b"".join(parts)

if kind == "skipkv":
    scan = command("RANGE", "-", "+", "LIMIT", "0", str(n), "NOVALUES")
else:
    scan = command("ZRANGEBYLEX", "skipkv-benchmark:index", "-", "+", "LIMIT", "0", str(n))
request = command("MULTI") + scan + command("EXEC")
head = b"+OK\r\n+QUEUED\r\n*1\r\n*%d\r\n" % n
size = len(head) + 23 * n
buffer = bytearray(size)
view = memoryview(buffer)
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.settimeout(60)

def one_exec():
    start = time.perf_counter_ns()
    s.sendall(request)
    got = 0
    while got < size:
        r = s.recv_into(view[got:], size - got)
        if r == 0:
            sys.exit("the server closed the connection")
        got += r
    elapsed = time.perf_counter_ns() - start
    if not buffer.startswith(head) or buffer.count(b"$16\r\nkey:") != n or not buffer.endswith(b"\r\n"):
        sys.exit("unexpected EXEC reply: %r ..." % bytes(buffer[:200]))
    return elapsed

durations = []
if mode == "time":
    durations = [one_exec() for _ in range(int(sys.argv[6]))]
else:
    stop, ready = sys.argv[6], sys.argv[7]
    durations.append(one_exec())
    open(ready, "w").close()
    while not os.path.exists(stop):
        durations.append(one_exec())
s.setblocking(False)
try:
    extra = s.recv(1)
except BlockingIOError:
    extra = b""
if extra:
    sys.exit("more reply bytes than expected")
json.dump({"durations_ns": durations}, open(output, "w"))
PY

# slowlog.py PORT OUTPUT: the server's SLOWLOG (every entry) as JSON [{"command", "us"}].
cat >"$TMP/slowlog.py" <<'PY'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"*3\r\n$7\r\nSLOWLOG\r\n$3\r\nGET\r\n$2\r\n-1\r\n")
data, pos = b"", 0
def need(n):
    global data
    while len(data) < n:
        chunk = s.recv(1 << 20)
        if not chunk: sys.exit("connection closed")
        data += chunk
def line():
    global pos
    while True:
        end = data.find(b"\r\n", pos)
        if end >= 0: break
        need(len(data) + 1)
    text, pos = data[pos:end], end + 2
    return text
def reply():
    global pos
    text = line()
    kind, rest = text[:1], text[1:]
    if kind == b"*": return [reply() for _ in range(int(rest))]
    if kind == b":": return int(rest)
    if kind == b"$":
        n = int(rest)
        need(pos + n + 2)
        value, pos = data[pos:pos + n], pos + n + 2
        return value.decode()
    if kind == b"+": return rest.decode()
    sys.exit("unexpected reply: %r" % text)
entries = reply()
json.dump([{"command": e[3][0].upper(), "us": e[2]} for e in entries], open(sys.argv[2], "w"))
PY
slowlog_reset() { # PORT: log commands of 2 ms or more, up to 10,000 of them, from now on
    local port=$1 v
    for v in "slowlog-log-slower-than 2000" "slowlog-max-len 10000"; do
        # shellcheck disable=SC2086 # the directive and its value are two words
        [ "$(redis-cli -h 127.0.0.1 -p "$port" CONFIG SET $v)" = OK ] || fail "CONFIG SET $v on port $port failed"
    done
    [ "$(redis-cli -h 127.0.0.1 -p "$port" SLOWLOG RESET)" = OK ] || fail "SLOWLOG RESET on port $port failed"
}

# set_run NAME PORT: `net --tests set` on the key range of the long transaction.
set_run() {
    local cmd=("${NICE[@]}" "$BENCH" net --host 127.0.0.1 --port "$2" --tests set --clients "$CLIENTS" --pipeline 1
        --keyspace "$RANGE_KEYS" --duration "$SECONDS_PER_RUN" --no-progress --json "$TMP/$1.json")
    show "${cmd[@]}"
    "${cmd[@]}" >"$TMP/$1.txt" 2>&1 || { cat "$TMP/$1.txt" >&2; fail "skipkv-benchmark net failed ($1)"; }
}
declare -A PORT_OF=([skipkv]=$SKIPKV_PORT [redis]=$REDIS_PORT)
for kind in skipkv redis; do
    port=${PORT_OF[$kind]}
    tx=(python3 "$TMP/long-tx.py" "$port" "$kind" "$RANGE_KEYS")
    slowlog_reset "$port"
    show "${tx[@]}" "$TMP/exec-alone-$kind.json" time "$EXEC_SAMPLES"
    "${tx[@]}" "$TMP/exec-alone-$kind.json" time "$EXEC_SAMPLES" || fail "timing EXEC on $kind failed"
    python3 "$TMP/slowlog.py" "$port" "$TMP/slowlog-exec-alone-$kind.json"
done
for round in $(seq "$ROUNDS"); do
    for kind in skipkv redis; do
        port=${PORT_OF[$kind]}
        tx=(python3 "$TMP/long-tx.py" "$port" "$kind" "$RANGE_KEYS")
        slowlog_reset "$port"
        set_run "set-alone-$kind-r$round" "$port"
        python3 "$TMP/slowlog.py" "$port" "$TMP/slowlog-alone-$kind-r$round.json"

        slowlog_reset "$port"
        rm -f "$TMP/stop" "$TMP/ready"
        out=$TMP/exec-during-$kind-r$round.json
        echo "== $(shell_words "${tx[@]}" "$out" loop "$TMP/stop" "$TMP/ready") &" >&2
        "${tx[@]}" "$out" loop "$TMP/stop" "$TMP/ready" &
        tx_pid=$!
        PIDS+=("$tx_pid")
        for _ in $(seq 600); do [ -e "$TMP/ready" ] || { kill -0 "$tx_pid" 2>/dev/null || break; sleep 0.05; }; done
        [ -e "$TMP/ready" ] || fail "the long transaction loop on $kind did not start"
        set_run "set-with-tx-$kind-r$round" "$port"
        touch "$TMP/stop"
        wait "$tx_pid" || fail "the long transaction loop on $kind failed"
        python3 "$TMP/slowlog.py" "$port" "$TMP/slowlog-with-tx-$kind-r$round.json"
    done
done

# ---- Report ------------------------------------------------------------------------------
echo
echo "bench-transactions: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "skipkv-server --io-threads 2 --save \"\" --appendonly no; $(redis-server --version | cut -d' ' -f1-3), --save \"\" --appendonly no"
for pipeline in 1 16; do
    echo
    echo "== 1. $CLIENTS connections, pipeline $pipeline, $ROUNDS rounds of $SECONDS_PER_RUN s (net's summaries; ratio = SkipKV / Redis)"
    sed -n '/^Summary/,/^wrote /{/^wrote /d;/^$/d;p;}' "$TMP/exec-p$pipeline.txt"
    echo "incr on one key (--keyspace 1):"
    sed -n '/^Summary/,/^wrote /{/^Summary/d;/^wrote /d;/^$/d;p;}' "$TMP/incr1-p$pipeline.txt"
done
python3 - "$TMP" "$RANGE_KEYS" "$CLIENTS" "$SECONDS_PER_RUN" "$ROUNDS" <<'PY'
import json, statistics, sys
tmp, n, clients, seconds, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
print("\n== Disjoint keys against one hot key, median ops/s. Random keys cost cache misses (redis-server's ratios, "
      "no locks there);\n   a SkipKV exec/hot well below redis-server's would mean that transactions on disjoint keys "
      "wait for each other")
print(f"{'pipeline':>8}  {'server':<7} {'exec':>9} {'exec-hot':>9} {'exec/hot':>8}   {'incr':>9} {'incr 1 key':>10} {'incr/1-key':>10}")
for p in (1, 16):
    for kind in ("skipkv", "redis"):
        def ops(name, test):
            summary = json.load(open(f"{tmp}/{name}-p{p}.json"))["summary"]
            return next(s["ops_per_sec"] for s in summary if s["kind"] == kind and s["test"] == test)
        exec_, hot, incr, incr1 = ops("exec", "exec"), ops("exec", "exec-hot"), ops("exec", "incr"), ops("incr1", "incr")
        print(f"{p:>8}  {kind:<7} {exec_:>9,.0f} {hot:>9,.0f} {exec_ / hot:>8.2f}   {incr:>9,.0f} {incr1:>10,.0f} {incr / incr1:>10.2f}")

def ms(us_or_ns, per=1e6):
    return f"{us_or_ns / per:.1f}"
def slow(path, command):
    return [e["us"] for e in json.load(open(path)) if e["command"] == command]
scan = {"skipkv": "RANGE", "redis": "ZRANGEBYLEX"}
print(f"\n== 2. MULTI; RANGE - + LIMIT 0 {n:,} NOVALUES; EXEC (redis-server: ZRANGEBYLEX over a sorted set of the same keys) "
      f"and SET ({clients} connections, pipeline 1, {seconds} s, keys inside the range)")
for kind in ("skipkv", "redis"):
    d = json.load(open(f"{tmp}/exec-alone-{kind}.json"))["durations_ns"]
    r = slow(f"{tmp}/slowlog-exec-alone-{kind}.json", scan[kind])
    print(f"{kind:<7} EXEC alone, {len(d)} times: client median {ms(statistics.median(d))} ms, max {ms(max(d))} ms; "
          f"{scan[kind]} in the server (SLOWLOG): median {ms(statistics.median(r), 1e3) if r else '-'} ms, "
          f"max {ms(max(r), 1e3) if r else '-'} ms")
print("SET latencies in ms; EXECs: how many ran during the SET run")
print(f"{'server':<7} {'round':>5} {'SET':<8} {'ops/s':>8} {'p50':>6} {'p99':>6} {'p99.9':>6} {'max':>6} "
      f"{'EXECs':>5} {'client median/max ms':>20} {'server range median/max':>23} {'SETs >=2 ms: n, max':>19}")
for kind in ("skipkv", "redis"):
    for r in range(1, rounds + 1):
        for run in ("alone", "with-tx"):
            s = json.load(open(f"{tmp}/set-{run}-{kind}-r{r}.json"))["summary"][0]
            sets = slow(f"{tmp}/slowlog-{run}-{kind}-r{r}.json", "SET")
            execs = client = server = "-"
            if run == "with-tx":
                d = json.load(open(f"{tmp}/exec-during-{kind}-r{r}.json"))["durations_ns"]
                ranges = slow(f"{tmp}/slowlog-{run}-{kind}-r{r}.json", scan[kind])
                execs, client = str(len(d)), f"{ms(statistics.median(d))} / {ms(max(d))}"
                if ranges: server = f"{ms(statistics.median(ranges), 1e3)} / {ms(max(ranges), 1e3)}"
            slow_sets = f"{len(sets)}, {ms(max(sets), 1e3)} ms" if sets else "0"
            print(f"{kind:<7} {r:>5} {run:<8} {s['ops_per_sec']:>8,.0f} {s['p50_ns'] / 1e6:>6.2f} {s['p99_ns'] / 1e6:>6.2f} "
                  f"{s['p999_ns'] / 1e6:>6.2f} {s['max_ns'] / 1e6:>6.1f} {execs:>5} {client:>20} {server:>23} {slow_sets:>19}")
PY
