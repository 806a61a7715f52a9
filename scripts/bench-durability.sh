#!/usr/bin/env bash
# bench-durability.sh: what durability costs, written into docs/BENCHMARKS.md.
#
# Three measurements, each against skipkv-server processes started here on loopback with
# `--port 0` and a fresh data directory under a scratch directory:
#   1. SET throughput and p50/p99 latency with persistence off (--appendonly no --save ""),
#      appendfsync everysec and appendfsync always, at 1, 10 and 50 clients (no pipelining,
#      16-byte values), with `skipkv-benchmark net --tests set`. One server per
#      configuration and round; the order of the configurations alternates by round, and
#      the table shows medians over the rounds and ratios to persistence off.
#   2. A snapshot of --keys keys (default 10M; key:000000000000..., 32-byte values, loaded
#      with the pipelined MSET load phase of `skipkv-benchmark net`, which is faster than
#      `skipkv-cli --pipe`): BGSAVE time on an idle server (polling INFO persistence every
#      10 ms until rdb_bgsave_in_progress:0, plus rdb_last_bgsave_time_sec and the server's
#      own "Snapshot saved" line), the snapshot size, and GET throughput and latency of a
#      `net --tests get` run while snapshots run back to back against a run of the same
#      length without one (same server, same keys, alternating over rounds).
#   3. Recovery of those keys: restarts on the snapshot directory (snapshot only) and on a
#      directory whose log holds every key (appendonly yes, no snapshot); the time of the
#      "DB loaded from disk" line, the key count (checked against DBSIZE) and RSS after it.
# Then it replaces the section between <!-- bench-durability:begin --> and
# <!-- bench-durability:end --> of docs/BENCHMARKS.md (appending it when missing) with the
# tables, the machine and the exact commands. Servers and benchmarks run under
# `nice -n -19` when that is allowed. Every server is stopped on exit.
# A full run takes 5 to 7 minutes on 2 cores; --quick about half a minute.
#
# Usage: scripts/bench-durability.sh [options]
#   --server PATH        skipkv-server binary (default: .build/release/skipkv-server when it
#                        and skipkv-benchmark are newer than the sources, else a build in
#                        --scratch-path)
#   --benchmark PATH     skipkv-benchmark binary (default: as --server)
#   --scratch-path DIR   where to build release binaries when needed (default .build-bench)
#   --build              build into --scratch-path and use those binaries
#   --quick              small run for a check: 200k keys, 1 s SET runs, 2 s GET runs
#   --keys N             keys of the snapshot and recovery runs (default 10M; 200k, 1M accepted)
#   --set-seconds N      length of each SET run (default 5)
#   --rounds N           rounds of the SET table (default 3)
#   --get-seconds N      length of each GET run of the snapshot table (default 10)
#   --get-rounds N       rounds of the GET runs with and without a snapshot (default 2)
#   --recovery-rounds N  restarts per recovery case (default 3)
#   --clients LIST       client counts of the SET table (default 1,10,50)
#   --output FILE        the Markdown file to update (default docs/BENCHMARKS.md)
#   --stdout             print the section instead of writing it
#   --keep DIR           keep the raw JSON results, benchmark output and server logs in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

SERVER=
BENCH=
SCRATCH=.build-bench
BUILD=0
KEYS=10M
SET_SECONDS=5
ROUNDS=3
GET_SECONDS=10
GET_ROUNDS=2
RECOVERY_ROUNDS=3
CLIENT_LIST=1,10,50
OUTPUT=docs/BENCHMARKS.md
TO_STDOUT=0
KEEP=
QUICK=0

die() { echo "bench-durability: $*" >&2; exit 2; }
fail() { echo "bench-durability: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
        --server) SERVER=${2:?}; shift 2 ;;
        --benchmark) BENCH=${2:?}; shift 2 ;;
        --scratch-path) SCRATCH=${2:?}; shift 2 ;;
        --build) BUILD=1; shift ;;
        --quick) QUICK=1; KEYS=200k; SET_SECONDS=1; ROUNDS=2; GET_SECONDS=2; GET_ROUNDS=2; RECOVERY_ROUNDS=1; shift ;;
        --keys) KEYS=${2:?}; shift 2 ;;
        --set-seconds) SET_SECONDS=${2:?}; shift 2 ;;
        --rounds) ROUNDS=${2:?}; shift 2 ;;
        --get-seconds) GET_SECONDS=${2:?}; shift 2 ;;
        --get-rounds) GET_ROUNDS=${2:?}; shift 2 ;;
        --recovery-rounds) RECOVERY_ROUNDS=${2:?}; shift 2 ;;
        --clients) CLIENT_LIST=${2:?}; shift 2 ;;
        --output) OUTPUT=${2:?}; shift 2 ;;
        --stdout) TO_STDOUT=1; shift ;;
        --keep) KEEP=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
command -v python3 >/dev/null || die "python3 not found"
. scripts/lib/bench-common.sh
KEY_COUNT=$(count --keys "$KEYS")
for v in SET_SECONDS ROUNDS GET_SECONDS GET_ROUNDS RECOVERY_ROUNDS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--$(tr '[:upper:]_' '[:lower:]-' <<<"$v") must be a positive integer"
done
[[ $CLIENT_LIST =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--clients must be a comma-separated list of positive integers"
IFS=, read -r -a CLIENTS <<<"$CLIENT_LIST"

select_binaries

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-durability.XXXXXX")
PIDS=()
cleanup() {
    stop_all
    if [ -n "$KEEP" ]; then
        mkdir -p "$KEEP" && cp "$TMP"/*.json "$TMP"/*.txt "$TMP"/*.log "$TMP"/*.tsv "$KEEP"/ 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
T_BEGIN=$EPOCHREALTIME

# A small RESP client: single commands, BGSAVE timing, snapshots during a benchmark run.
cat >"$TMP/resp.py" <<'PY'
import json, os, socket, sys, time

class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", int(port)), timeout=60)
        self.file = self.sock.makefile("rb")

    def cmd(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.file.readline()
        if not line:
            raise SystemExit("resp: connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)[:-2]
            return data.decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise SystemExit(f"resp: unexpected reply {line!r}")

    def info(self, section="persistence"):
        reply = self.cmd("INFO", section)
        if isinstance(reply, Exception):
            raise SystemExit(f"resp: INFO: {reply}")
        return dict(l.split(":", 1) for l in reply.splitlines() if ":" in l and not l.startswith("#"))

def bgsave(c, poll=0.01):
    """Starts a BGSAVE and polls until it is over: (start, end, info after)."""
    while True:
        start = time.monotonic()
        reply = c.cmd("BGSAVE")
        if not isinstance(reply, Exception):
            break
        if "in progress" not in str(reply):
            raise SystemExit(f"resp: BGSAVE: {reply}")
        time.sleep(poll)
    while True:
        info = c.info()
        if info.get("rdb_bgsave_in_progress") == "0":
            end = time.monotonic()
            break
        time.sleep(poll)
    if info.get("rdb_last_bgsave_status") != "ok":
        raise SystemExit(f"resp: BGSAVE failed: rdb_last_bgsave_status:{info.get('rdb_last_bgsave_status')}")
    return start, end, info

def running(pid):
    """A child that exited stays a zombie until the shell waits for it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False

verb = sys.argv[1]
if verb == "cmd":                      # cmd PORT ARG...
    reply = Conn(sys.argv[2]).cmd(*sys.argv[3:])
    if isinstance(reply, Exception):
        raise SystemExit(f"resp: {' '.join(sys.argv[3:])}: {reply}")
    print(reply)
elif verb == "info":                   # info PORT SECTION FIELD
    print(Conn(sys.argv[2]).info(sys.argv[3]).get(sys.argv[4], ""))
elif verb == "bgsave":                 # bgsave PORT: one snapshot on an idle server
    start, end, info = bgsave(Conn(sys.argv[2]))
    print(json.dumps({"wall_s": end - start, "info_sec": int(info["rdb_last_bgsave_time_sec"]),
                      "size": int(info.get("rdb_last_snapshot_size", 0))}))
elif verb == "during":                 # during PORT BENCH_OUTPUT BENCH_PID: snapshots back to back
    c = Conn(sys.argv[2])              # from the end of the benchmark's load phase to its exit
    out, pid = sys.argv[3], int(sys.argv[4])
    deadline = time.monotonic() + 1800
    while True:
        if os.path.exists(out) and " loaded " in open(out).read():
            break
        if not running(pid):
            raise SystemExit("resp: the benchmark ended before its load phase did")
        if time.monotonic() > deadline:
            raise SystemExit("resp: the benchmark's load phase takes more than 30 minutes")
        time.sleep(0.005)
    get_start = time.monotonic()
    get_end = None                     # when the benchmark was seen to have exited
    snapshots = []
    while True:
        if get_end is None and not running(pid):
            get_end = time.monotonic()
        if not snapshots or snapshots[-1][1] is not None:
            if get_end is not None:
                break
            reply = c.cmd("BGSAVE")
            if isinstance(reply, Exception):
                raise SystemExit(f"resp: BGSAVE: {reply}")
            snapshots.append([time.monotonic(), None])
        time.sleep(0.005)
        info = c.info()
        if info.get("rdb_bgsave_in_progress") == "0":
            if info.get("rdb_last_bgsave_status") != "ok":
                raise SystemExit("resp: BGSAVE failed during the benchmark")
            snapshots[-1][1] = time.monotonic()
    covered = sum(max(0.0, min(e, get_end) - max(s, get_start)) for s, e in snapshots)
    print(json.dumps({"get_wall_s": get_end - get_start, "snapshots": [e - s for s, e in snapshots],
                      "covered": covered / max(1e-9, get_end - get_start)}))
else:
    raise SystemExit(f"resp: unknown verb {verb}")
PY
# At the same priority as the servers and benchmarks: at normal priority next to them it is
# starved for seconds, which would delay every poll.
resp() { "${NICE[@]}" python3 "$TMP/resp.py" "$@"; }

# Facts for the document: name<TAB>value lines.
FACTS=$TMP/facts.tsv
: >"$FACTS"
fact() { printf '%s\t%s\n' "$1" "$2" >>"$FACTS"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }   # peak RSS

# Commands, as the document shows them: scratch paths as $TMP, ports as $PORT, the round
# as $ROUND; each distinct command once.
SERVER_CMDS=()
BENCH_CMDS=()
shown() { # round word...
    local round=$1 s
    shift
    s=$(shell_words "$@")
    s=${s//"$PWD/"/}
    s=${s//"$TMP"/\$TMP}
    [ -z "$round" ] || s=${s//-r$round/-r\$ROUND}
    printf '%s' "$s"
}
remember() { # array-name text
    local -n list=$1
    local x
    for x in "${list[@]}"; do [ "$x" != "$2" ] || return 0; done
    list+=("$2")
}

forget_pid() { # a process that was waited for
    local p rest=()
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || rest+=("$p"); done
    PIDS=("${rest[@]}")
}

# start_server NAME DIR READY_TIMEOUT ROUND FLAG...: sets SERVER_PID, SERVER_PORT,
# SERVER_LOG and READY_SECONDS (from exec to "Ready to accept connections").
start_server() {
    local name=$1 dir=$2 timeout=$3 round=$4
    shift 4
    mkdir -p "$dir"
    local cmd=("${NICE[@]}" "$SERVER" --bind 127.0.0.1 --port 0 --dir "$dir" "$@")
    remember SERVER_CMDS "$(shown "$round" "${cmd[@]}")"
    echo "== $(shown "" "${cmd[@]}")" >&2
    SERVER_LOG=$TMP/server-$name.log
    local t0=$EPOCHREALTIME
    "${cmd[@]}" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    local line
    while :; do
        line=$(grep -m1 -o 'Ready to accept connections tcp on 127\.0\.0\.1:[0-9]*' "$SERVER_LOG" || true)
        [ -z "$line" ] || break
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" && rc=0 || rc=$?
            tail -n 30 "$SERVER_LOG" >&2
            fail "skipkv-server ($name) exited with status $rc before accepting connections (log above)"
        fi
        if [ "$(elapsed "$t0" "$EPOCHREALTIME" | cut -d. -f1)" -ge "$timeout" ]; then
            tail -n 30 "$SERVER_LOG" >&2
            fail "skipkv-server ($name) not ready after $timeout s (log above); stopping it"
        fi
        sleep 0.02
    done
    READY_SECONDS=$(elapsed "$t0" "$EPOCHREALTIME")
    SERVER_PORT=${line##*:}
}

# stop_server: SIGTERM, which must end the server with status 0 within 120 s; sets
# STOP_SECONDS.
stop_server() {
    local t0=$EPOCHREALTIME rc
    kill -TERM "$SERVER_PID"
    for _ in $(seq 2400); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        tail -n 30 "$SERVER_LOG" >&2
        fail "skipkv-server (pid $SERVER_PID) still running 120 s after SIGTERM (log above)"
    fi
    wait "$SERVER_PID" && rc=0 || rc=$?
    STOP_SECONDS=$(elapsed "$t0" "$EPOCHREALTIME")
    forget_pid "$SERVER_PID"
    if [ "$rc" != 0 ]; then
        tail -n 30 "$SERVER_LOG" >&2
        fail "skipkv-server exited with status $rc after SIGTERM (log above)"
    fi
}

# bench ROUND OUTPUT ARG...: runs skipkv-benchmark net against the current server.
bench_cmd() { # ROUND ARG... -> BENCH_LINE
    local round=$1
    shift
    BENCH_LINE=("${NICE[@]}" "$BENCH" net --host 127.0.0.1 --port "$SERVER_PORT" --no-progress "$@")
    local s
    s=$(shown "$round" "${BENCH_LINE[@]}")
    s=${s//--port $SERVER_PORT/--port \$PORT}
    remember BENCH_CMDS "$s"
    echo "== ${s//\$PORT/$SERVER_PORT}" >&2
}
bench() {
    local round=$1 out=$2
    shift 2
    bench_cmd "$round" "$@"
    if ! "${BENCH_LINE[@]}" >"$out" 2>&1; then
        tail -n 20 "$out" >&2
        fail "skipkv-benchmark failed (output above); server log: $(tail -n 5 "$SERVER_LOG")"
    fi
}
loaded_seconds() { # benchmark output -> seconds of its load phase
    sed -n 's/.* loaded [0-9,]* keys in \([0-9.]*\) s .*/\1/p' "$1" | head -n 1
}
check_dbsize() { # expected what
    local n
    n=$(resp cmd "$SERVER_PORT" DBSIZE)
    [ "$n" = "$1" ] || fail "$2: DBSIZE is $n, expected $1"
}

fsync_probe() { # median and p99 of write(128 bytes)+fsync on the scratch file system, in ms
    python3 - "$TMP/fsync-probe" <<'PY'
import os, statistics, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
samples = []
for _ in range(300):
    t = time.perf_counter()
    os.write(fd, b"x" * 128)
    os.fsync(fd)
    samples.append((time.perf_counter() - t) * 1e3)
os.close(fd)
os.unlink(sys.argv[1])
samples.sort()
print(f"{statistics.median(samples):.3f} {samples[int(len(samples) * 0.99)]:.3f}")
PY
}
read -r FSYNC_P50 FSYNC_P99 < <(fsync_probe)
fact fsync_p50_ms "$FSYNC_P50"
fact fsync_p99_ms "$FSYNC_P99"

###########################################################################################
# 1. SET with persistence off, appendfsync everysec, appendfsync always.
config_flags() {
    case $1 in
        off) FLAGS=(--appendonly no --save "") ;;
        everysec) FLAGS=(--appendonly yes --appendfsync everysec --save "") ;;
        always) FLAGS=(--appendonly yes --appendfsync always --save "") ;;
    esac
}
echo "== 1. SET: persistence off / everysec / always, $ROUNDS round(s) of ${SET_SECONDS} s per run" >&2
for round in $(seq "$ROUNDS"); do
    order=(off everysec always)
    [ $((round % 2)) = 1 ] || order=(always everysec off)
    for cfg in "${order[@]}"; do
        config_flags "$cfg"
        start_server "set-$cfg-r$round" "$TMP/set-$cfg-r$round" 30 "$round" "${FLAGS[@]}"
        for c in "${CLIENTS[@]}"; do
            bench "$round" "$TMP/set-$cfg-c$c-r$round.txt" --tests set --clients "$c" --pipeline 1 \
                --value-bytes 16 --keyspace 100000 --duration "$SET_SECONDS" --json "$TMP/set-$cfg-c$c-r$round.json"
        done
        [ "$cfg" = off ] || fact "set_log_bytes_$cfg-r$round" "$(resp info "$SERVER_PORT" persistence aof_log_size)"
        stop_server
        rm -rf "$TMP/set-$cfg-r$round"
    done
done

###########################################################################################
# 2. Snapshot of KEY_COUNT keys: load, BGSAVE on an idle server, GETs with and without
#    snapshots running.
echo "== 2. snapshot of $KEY_COUNT keys" >&2
SNAPDIR=$TMP/snapshot
start_server snapshot "$SNAPDIR" 60 "" --appendonly no --save ""
bench "" "$TMP/load-nolog.txt" --tests get --keyspace "$KEY_COUNT" --value-bytes 32 --clients 50 --pipeline 4 \
    --requests 1000 --json "$TMP/load-nolog.json"
fact load_nolog_s "$(loaded_seconds "$TMP/load-nolog.txt")"
check_dbsize "$KEY_COUNT" "after loading $KEY_COUNT keys over the network"
fact rss_loaded_nolog_kib "$(rss_kib "$SERVER_PID")"

SNAP_JSON=$(resp bgsave "$SERVER_PORT")
fact bgsave_idle "$SNAP_JSON"
fact bgsave_idle_server_s "$(sed -n 's/.*Snapshot saved: .* in \([0-9.]*\) seconds.*/\1/p' "$SERVER_LOG" | tail -n 1)"
fact bgsave_idle_server_keys "$(sed -n 's/.*Snapshot saved: \([0-9]*\) keys.*/\1/p' "$SERVER_LOG" | tail -n 1)"
fact snapshot_file_bytes "$(stat -c %s "$SNAPDIR/skipkv.snap")"

for round in $(seq "$GET_ROUNDS"); do
    order=(idle during)
    [ $((round % 2)) = 1 ] || order=(during idle)
    for mode in "${order[@]}"; do
        out=$TMP/get-$mode-r$round.txt
        args=(--tests get --keyspace "$KEY_COUNT" --value-bytes 32 --clients 50 --pipeline 1
              --duration "$GET_SECONDS" --json "$TMP/get-$mode-r$round.json")
        if [ "$mode" = idle ]; then
            bench "$round" "$out" "${args[@]}"
        else
            bench_cmd "$round" "${args[@]}"
            "${BENCH_LINE[@]}" >"$out" 2>&1 &
            bpid=$!
            PIDS+=("$bpid")
            during=$(resp during "$SERVER_PORT" "$out" "$bpid") || fail "snapshots during the GET run failed"
            if ! wait "$bpid"; then
                tail -n 20 "$out" >&2
                fail "skipkv-benchmark failed during the snapshots (output above)"
            fi
            forget_pid "$bpid"
            fact "during-r$round" "$during"
        fi
    done
done
check_dbsize "$KEY_COUNT" "after the GET runs"
fact rss_after_gets_kib "$(rss_kib "$SERVER_PID")"
fact hwm_after_gets_kib "$(hwm_kib "$SERVER_PID")"
fact snapshot_server_log "$(grep -c 'Snapshot saved' "$SERVER_LOG")"
stop_server
fact stop_snapshot_server_s "$STOP_SECONDS"
fact snapshot_file_bytes_final "$(stat -c %s "$SNAPDIR/skipkv.snap")"

###########################################################################################
# 3. Recovery: the snapshot alone; then a log holding every key and no snapshot.
loaded_line() { grep -m1 'DB loaded from disk:' "$SERVER_LOG" || fail "no 'DB loaded from disk' line in $SERVER_LOG"; }
recover() { # case dir ready-timeout expected-snapshot-keys flag...
    local name=$1 dir=$2 timeout=$3 from_snapshot=$4
    shift 4
    local r line keys secs snap
    for r in $(seq "$RECOVERY_ROUNDS"); do
        start_server "recover-$name-r$r" "$dir" "$timeout" "" "$@"
        line=$(loaded_line)
        keys=$(sed -n 's/.*DB loaded from disk: \([0-9]*\) keys loaded.*/\1/p' <<<"$line")
        snap=$(sed -n 's/.*keys loaded (\([0-9]*\) from the snapshot.*/\1/p' <<<"$line")
        secs=$(sed -n 's/.* in \([0-9.]*\) seconds.*/\1/p' <<<"$line")
        [ "$keys" = "$KEY_COUNT" ] || fail "recovery ($name, restart $r): '$line' reports $keys keys, expected $KEY_COUNT"
        [ "$snap" = "$from_snapshot" ] || fail "recovery ($name, restart $r): '$line': expected $from_snapshot keys from the snapshot"
        check_dbsize "$KEY_COUNT" "recovery ($name, restart $r)"
        fact "recover_${name}_line-r$r" "${line#*\* }"
        fact "recover_${name}_s-r$r" "$secs"
        fact "recover_${name}_ready_s-r$r" "$READY_SECONDS"
        fact "recover_${name}_rss_kib-r$r" "$(rss_kib "$SERVER_PID")"
        fact "recover_${name}_hwm_kib-r$r" "$(hwm_kib "$SERVER_PID")"
        stop_server
        fact "recover_${name}_stop_s-r$r" "$STOP_SECONDS"
    done
}
echo "== 3. recovery of $KEY_COUNT keys" >&2
recover snapshot "$SNAPDIR" 1800 "$KEY_COUNT" --appendonly no --save ""
rm -rf "$SNAPDIR"

LOGDIR=$TMP/log
LOG_FLAGS=(--appendonly yes --appendfsync everysec --save "" --auto-aof-rewrite-percentage 0)
start_server log "$LOGDIR" 60 "" "${LOG_FLAGS[@]}"
bench "" "$TMP/load-log.txt" --tests get --keyspace "$KEY_COUNT" --value-bytes 32 --clients 50 --pipeline 4 \
    --requests 1000 --json "$TMP/load-log.json"
fact load_log_s "$(loaded_seconds "$TMP/load-log.txt")"
check_dbsize "$KEY_COUNT" "after loading $KEY_COUNT keys with the log on"
fact rss_loaded_log_kib "$(rss_kib "$SERVER_PID")"
stop_server
fact stop_log_server_s "$STOP_SECONDS"
[ ! -e "$LOGDIR/skipkv.snap" ] || fail "a snapshot appeared in $LOGDIR although save \"\" and auto-aof-rewrite-percentage 0"
fact log_bytes "$(cat "$LOGDIR"/appendonly.aof.* | wc -c)"
fact log_segments "$(ls "$LOGDIR" | grep -c '^appendonly\.aof\.')"
recover log "$LOGDIR" 1800 0 "${LOG_FLAGS[@]}"
rm -rf "$LOGDIR"

read -r FSYNC_P50 FSYNC_P99 < <(fsync_probe)
fact fsync_end_p50_ms "$FSYNC_P50"
fact fsync_end_p99_ms "$FSYNC_P99"
fact wall_s "$(elapsed "$T_BEGIN" "$EPOCHREALTIME")"

###########################################################################################
# The document.
SKIPKV_VERSION=$("$SERVER" --version 2>&1 | head -n 1)
SWIFT_VERSION=$(swift --version 2>&1 | grep -m1 -i 'swift version' || echo "swift: unknown")
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
MEM_GIB=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
case $(realpath "$SERVER") in
    */debug/*) SERVER_BUILD="debug build" ;;
    */release/*) SERVER_BUILD="release build" ;;
    *) SERVER_BUILD="build mode unknown" ;;
esac
NPROC=$(nproc)
KERNEL=$(uname -srm)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
# shellcheck disable=SC1091
OS_NAME=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")
STORAGE=$(df -PT "$TMP" | awk 'NR == 2 { print $1 " (" $2 ")" }')
SERVER_CMDS_TEXT=$(printf '%s\n' "${SERVER_CMDS[@]}")
BENCH_CMDS_TEXT=$(printf '%s\n' "${BENCH_CMDS[@]}")
INVOCATION="scripts/bench-durability.sh"
[ "$QUICK" = 0 ] || INVOCATION+=" --quick"
export SKIPKV_VERSION SWIFT_VERSION CPU_MODEL MEM_GIB SERVER_BUILD NPROC KERNEL DATE OS_NAME STORAGE
export SERVER_CMDS_TEXT BENCH_CMDS_TEXT INVOCATION TMP FACTS OUTPUT TO_STDOUT KEY_COUNT CLIENT_LIST
export ROUNDS SET_SECONDS GET_SECONDS GET_ROUNDS RECOVERY_ROUNDS NICE_USED="${NICE[*]}"

python3 - <<'PY'
import glob, json, os, re, statistics, sys

env = os.environ
tmp = env["TMP"]
facts = {}
for line in open(env["FACTS"]):
    k, _, v = line.rstrip("\n").partition("\t")
    facts[k] = v
med = statistics.median
keys = int(env["KEY_COUNT"])

def ms(ns):
    return f"{ns / 1e6:.3f}"

def count(n):
    for unit, div in (("M", 1e6), ("k", 1e3)):
        if n >= div and n % div == 0:
            return f"{n // int(div)}{unit}" if isinstance(n, int) else f"{n / div:g}{unit}"
    return f"{n:,}"

def mib(b):
    return f"{b / 1048576:,.1f} MiB"

def rate(x):
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.0f}k"

def run_of(path):
    data = json.load(open(path))
    runs = data["runs"]
    if len(runs) != 1:
        raise SystemExit(f"bench-durability: {path}: expected one run")
    r = runs[0]
    if r["errors"]:
        raise SystemExit(f"bench-durability: {path}: {r['errors']} errors ({r['first_error']})")
    return r

# 1. SET table.
configs = [("off", "off (`--appendonly no`)"), ("everysec", "`appendfsync everysec`"), ("always", "`appendfsync always`")]
clients = [int(c) for c in env["CLIENT_LIST"].split(",")]
set_rows = []
for c in clients:
    base = None
    for cfg, label in configs:
        runs = [run_of(p) for p in sorted(glob.glob(os.path.join(tmp, f"set-{cfg}-c{c}-r*.json")))]
        if not runs:
            raise SystemExit(f"bench-durability: no SET results for {cfg} at {c} clients")
        ops = med([r["ops_per_sec"] for r in runs])
        p50 = med([r["p50_ns"] for r in runs])
        p99 = med([r["p99_ns"] for r in runs])
        if cfg == "off":
            base = (ops, p50, p99)
        spread = f"{min(r['ops_per_sec'] for r in runs):,.0f}–{max(r['ops_per_sec'] for r in runs):,.0f}"
        set_rows.append(f"| {c} | {label} | {ops:,.0f} | {spread} | **{ops / base[0]:.2f}** | {ms(p50)} | {ms(p99)} | "
                        f"{p99 / base[2]:.2f} |")

# 2. Snapshot.
idle = json.loads(facts["bgsave_idle"])
snap_bytes = int(facts["snapshot_file_bytes"])
load_nolog = float(facts["load_nolog_s"])
get = {}
for mode in ("idle", "during"):
    runs = [run_of(p) for p in sorted(glob.glob(os.path.join(tmp, f"get-{mode}-r*.json")))]
    get[mode] = {k: med([r[k] for r in runs]) for k in ("ops_per_sec", "p50_ns", "p99_ns", "p999_ns")}
    get[mode]["rounds"] = len(runs)
    get[mode]["misses"] = sum(r["misses"] for r in runs)
durings = [json.loads(v) for k, v in sorted(facts.items()) if k.startswith("during-r")]
under_load = [s for d in durings for s in d["snapshots"]]
covered = min(d["covered"] for d in durings)

# 3. Recovery.
def rec(name):
    rounds = sorted(k for k in facts if k.startswith(f"recover_{name}_s-r"))
    secs = [float(facts[k]) for k in rounds]
    rss = [int(facts[k.replace("_s-r", "_rss_kib-r")]) for k in rounds]
    hwm = [int(facts[k.replace("_s-r", "_hwm_kib-r")]) for k in rounds]
    ready = [float(facts[k.replace("_s-r", "_ready_s-r")]) for k in rounds]
    stop = [float(facts[k.replace("_s-r", "_stop_s-r")]) for k in rounds]
    line = facts[rounds[0].replace("_s-r", "_line-r")]
    return {"s": med(secs), "all": secs, "stop_all": stop, "rss": med(rss), "hwm": med(hwm), "ready": med(ready), "stop": med(stop), "line": line}
rs, rl = rec("snapshot"), rec("log")
log_bytes = int(facts["log_bytes"])
load_log = float(facts["load_log_s"])

out = []
out.append("<!-- bench-durability:begin -->")
out.append("## Durability: the cost of the log and of snapshots, and recovery time")
out.append("")
out.append(f"Generated by `{env['INVOCATION']}` on {env['DATE']} (the whole run took "
           f"{float(facts['wall_s']) / 60:.1f} minutes); do not edit by hand, rerun the script. Servers and the "
           "load generator share the machine and talk over loopback; every server starts with `--port 0` and a fresh "
           "data directory on the scratch file system. Latencies are in ms.")
out.append("")
out.append("### SET with persistence off, `appendfsync everysec` and `appendfsync always`")
out.append("")
out.append(f"`skipkv-benchmark net --tests set`, no pipelining, 16-byte values, 100,000 keys, {env['SET_SECONDS']} s "
           f"per run. {env['ROUNDS']} rounds; in each round every configuration gets a new server and data directory, "
           "and the order of the configurations alternates from round to round. ops/s, p50 and p99 are medians over "
           "the rounds (the range shows the lowest and highest round); **ratio** = ops/s ÷ ops/s with persistence "
           "off at the same client count, p99 ratio likewise. The log configurations run with `--save \"\"` "
           "(no snapshots).")
out.append("")
out.append("| Clients | Persistence | SET ops/s | rounds' range | Ratio to off | p50 | p99 | p99 ratio to off |")
out.append("|---:|---|---:|---:|---:|---:|---:|---:|")
out.extend(set_rows)
out.append("")
out.append(f"For scale: one 128-byte append plus `fsync` on this file system (300 in a row, from Python) took "
           f"{facts['fsync_p50_ms']} ms at p50 and {facts['fsync_p99_ms']} ms at p99 at the start of the run, "
           f"{facts['fsync_end_p50_ms']} / {facts['fsync_end_p99_ms']} ms at its end; other work on the machine "
           "shares the disk, so this moves from run to run.")
out.append("")
out.append(f"### Snapshot of {count(keys)} keys")
out.append("")
out.append(f"{keys:,} keys `key:000000000000`… (16 bytes) with 32-byte values, loaded by the MSET load phase of "
           "`skipkv-benchmark net` (100 keys per MSET, 50 connections, 4 in flight each; faster here than "
           "`skipkv-cli --pipe` of SET commands), on a server with `--appendonly no --save \"\"`. BGSAVE time is "
           "measured three ways: by the script (from sending BGSAVE to the first `INFO persistence` poll showing "
           "`rdb_bgsave_in_progress:0`, polling every 10 ms), by the server's `Snapshot saved … in X seconds` log "
           "line, and as `rdb_last_bgsave_time_sec` (whole seconds).")
out.append("")
out.append("| Measure | Value |")
out.append("|---|---:|")
out.append(f"| load {count(keys)} keys (no log) | {load_nolog:.2f} s ({rate(keys / load_nolog)} keys/s) |")
out.append(f"| RSS after the load | {mib(int(facts['rss_loaded_nolog_kib']) * 1024)} |")
out.append(f"| peak RSS (VmHWM) after all the snapshots and GET runs | {mib(int(facts['hwm_after_gets_kib']) * 1024)} |")
out.append(f"| BGSAVE on the idle server, script's wall time | **{idle['wall_s']:.2f} s** "
           f"({rate(keys / idle['wall_s'])} keys/s, {snap_bytes / idle['wall_s'] / 1048576:,.0f} MiB/s) |")
out.append(f"| BGSAVE on the idle server, server log | {float(facts['bgsave_idle_server_s']):.3f} s |")
out.append(f"| `rdb_last_bgsave_time_sec` | {idle['info_sec']} |")
out.append(f"| snapshot file `skipkv.snap` | {mib(snap_bytes)} ({snap_bytes / keys:.1f} bytes/key) |")
out.append(f"| BGSAVE while serving the GET load below (back to back, {len(under_load)} snapshots) | "
           f"median {med(under_load):.2f} s, {min(under_load):.2f}–{max(under_load):.2f} s |")
out.append("")
out.append(f"GET during a snapshot: `skipkv-benchmark net --tests get` (50 clients, no pipelining, uniform over all "
           f"{keys:,} keys, {env['GET_SECONDS']} s) on the same server, once without a snapshot and once with BGSAVEs "
           "started back to back from the end of the run's load phase (each run first rewrites every key with the "
           "same value) to its last reply, so that a snapshot is running during "
           f"at least {int(covered * 100)}% of the run. {env['GET_ROUNDS']} rounds of each, alternating which "
           "comes first; medians.")
out.append("")
out.append("| GET run | ops/s | p50 | p99 | p99.9 |")
out.append("|---|---:|---:|---:|---:|")
i, d = get["idle"], get["during"]
out.append(f"| without snapshot | {i['ops_per_sec']:,.0f} | {ms(i['p50_ns'])} | {ms(i['p99_ns'])} | {ms(i['p999_ns'])} |")
out.append(f"| during snapshots | {d['ops_per_sec']:,.0f} | {ms(d['p50_ns'])} | {ms(d['p99_ns'])} | {ms(d['p999_ns'])} |")
out.append(f"| **during ÷ without** | **{d['ops_per_sec'] / i['ops_per_sec']:.2f}** | **{d['p50_ns'] / i['p50_ns']:.2f}** | "
           f"**{d['p99_ns'] / i['p99_ns']:.2f}** | {d['p999_ns'] / i['p999_ns']:.2f} |")
if i["misses"] or d["misses"]:
    out.append("")
    out.append(f"(GET misses: {i['misses']} without, {d['misses']} during — the keyspace was not complete.)")
out.append("")
out.append(f"### Recovery of {count(keys)} keys")
out.append("")
out.append("The server restarted on the same directory; the time is the one of its `DB loaded from disk: N keys "
           f"loaded (…) in X seconds` line (median of {env['RECOVERY_ROUNDS']} restart(s)), the key count is "
           "checked against the line and DBSIZE, RSS (`VmRSS`) is read right after `Ready to accept connections`. "
           "The files were just written, so they are read from the page cache: this is the cost of parsing and "
           "inserting, not of the disk. Peak RSS (`VmHWM`) counts the file pages mapped while loading. *Snapshot only*: the snapshot of the section above, `--appendonly no`. "
           "*Log only*: a new server with `--appendonly yes --appendfsync everysec --save \"\" "
           "--auto-aof-rewrite-percentage 0` "
           "loaded with the same keys (so the log holds every key and there is no snapshot), stopped with SIGTERM "
           "and restarted with the same flags.")
out.append("")
out.append("| Files | Size | DB loaded in | Keys/s | From exec to ready | RSS after load | Peak RSS | RSS after the network load |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
out.append(f"| snapshot only | {mib(snap_bytes)} | **{rs['s']:.2f} s** | {rate(keys / rs['s'])} | {rs['ready']:.2f} s | "
           f"{mib(rs['rss'] * 1024)} | {mib(rs['hwm'] * 1024)} | {mib(int(facts['rss_loaded_nolog_kib']) * 1024)} |")
out.append(f"| log only ({facts['log_segments']} segment(s)) | {mib(log_bytes)} | **{rl['s']:.2f} s** | {rate(keys / rl['s'])} | "
           f"{rl['ready']:.2f} s | {mib(rl['rss'] * 1024)} | {mib(rl['hwm'] * 1024)} | {mib(int(facts['rss_loaded_log_kib']) * 1024)} |")
out.append("")
out.append(f"Server lines: `{rs['line']}` and `{rl['line']}`. "
           f"Loading the keys over the network took {load_nolog:.2f} s without the log and {load_log:.2f} s with "
           f"`appendfsync everysec` ({rate(keys / load_log)} keys/s); the log holds {log_bytes / keys:.1f} bytes per key. "
           f"Stopping a server holding {count(keys)} keys (SIGTERM to exit) took "
           f"{float(facts['stop_snapshot_server_s']):.2f} s without and {float(facts['stop_log_server_s']):.2f} s with the log "
           f"after the network load, and {med(rs['stop_all'] + rl['stop_all']):.2f} s (median; "
           f"{min(rs['stop_all'] + rl['stop_all']):.2f}–{max(rs['stop_all'] + rl['stop_all']):.2f} s) after a recovery. "
           f"Every restart time: snapshot {', '.join(f'{x:.3f}' for x in rs['all'])} s; log {', '.join(f'{x:.3f}' for x in rl['all'])} s.")
out.append("")
out.append("Machine:")
out.append("")
out.append(f"- {env['NPROC']} online cores (nproc); CPU: {env['CPU_MODEL'] or 'unknown'}; {env['MEM_GIB']} GiB RAM")
out.append(f"- {env['KERNEL']}; {env['OS_NAME']}; data directories on {env['STORAGE']}")
out.append(f"- {env['SKIPKV_VERSION']}, {env['SERVER_BUILD']}; {env['SWIFT_VERSION']}")
out.append(f"- servers and benchmark run with `{env['NICE_USED']}`" if env["NICE_USED"] else "- normal priority (nice -n -19 not allowed)")
out.append("")
out.append("Commands (`$TMP` is a scratch directory, `$PORT` the port the server announced, `$ROUND` the round; "
           "BGSAVE, INFO persistence polling and DBSIZE go through a small Python RESP client in the script):")
out.append("")
out.append("```sh")
out.extend(line.strip() for line in env["SERVER_CMDS_TEXT"].strip().splitlines())
out.extend(line.strip() for line in env["BENCH_CMDS_TEXT"].strip().splitlines())
out.append("```")
out.append("<!-- bench-durability:end -->")
section = "\n".join(out) + "\n"
sys.path.insert(0, "scripts/lib")
from replace_section import publish_section
publish_section("bench-durability", section, env["OUTPUT"], env["TO_STDOUT"] == "1")
PY
