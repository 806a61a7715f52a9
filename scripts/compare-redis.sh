#!/usr/bin/env bash
# compare-redis.sh: SkipKV against redis-server on this machine, written into docs/BENCHMARKS.md.
#
# Starts redis-server and skipkv-server on loopback (ephemeral ports, no persistence), runs
# the same workloads against both with `skipkv-benchmark net --compare` in alternating
# rounds (SET/GET unpipelined and pipelined, RANGE vs ZRANGEBYLEX, YCSB A and E), stops
# both, and replaces the section between <!-- compare-redis:begin --> and
# <!-- compare-redis:end --> in docs/BENCHMARKS.md (creating the file with just that
# section when it does not exist) with the ratio table, the machine and the exact commands.
# Without a `net` subcommand in skipkv-benchmark it measures SET/GET with redis-benchmark.
#
# Usage: scripts/compare-redis.sh [options]
#   --server PATH       skipkv-server binary (default .build/release/skipkv-server)
#   --benchmark PATH    skipkv-benchmark binary (default .build/release/skipkv-benchmark)
#   --build             swift build -c release both first (also done when one is missing)
#   --quick             small run for a check: 20k requests, 20k keys, 1 round
#   --requests N        operations per test and round (default 100000; pipelined: 5x)
#   --keyspace N        keys (default 100000)
#   --rounds N          alternating rounds per test (default 3)
#   --clients N         connections (default 50)
#   --pipeline N        depth of the pipelined SET/GET runs (default 16)
#   --redis-benchmark   measure SET/GET with redis-benchmark even when net exists
#   --output FILE       the Markdown file to update (default docs/BENCHMARKS.md)
#   --stdout            print the section instead of writing it
#   --keep DIR          keep the raw JSON/CSV results in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

SERVER=.build/release/skipkv-server
BENCH=.build/release/skipkv-benchmark
BUILD=0
REQUESTS=100000
KEYSPACE=100000
ROUNDS=3
CLIENTS=50
PIPELINE=16
FORCE_REDIS_BENCHMARK=0
OUTPUT=docs/BENCHMARKS.md
TO_STDOUT=0
KEEP=

die() { echo "compare-redis: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --server) SERVER=${2:?}; shift 2 ;;
        --benchmark) BENCH=${2:?}; shift 2 ;;
        --build) BUILD=1; shift ;;
        --quick) REQUESTS=20000; KEYSPACE=20000; ROUNDS=1; shift ;;
        --requests) REQUESTS=${2:?}; shift 2 ;;
        --keyspace) KEYSPACE=${2:?}; shift 2 ;;
        --rounds) ROUNDS=${2:?}; shift 2 ;;
        --clients) CLIENTS=${2:?}; shift 2 ;;
        --pipeline) PIPELINE=${2:?}; shift 2 ;;
        --redis-benchmark) FORCE_REDIS_BENCHMARK=1; shift ;;
        --output) OUTPUT=${2:?}; shift 2 ;;
        --stdout) TO_STDOUT=1; shift ;;
        --keep) KEEP=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
for v in REQUESTS KEYSPACE ROUNDS CLIENTS PIPELINE; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--${v,,} must be a positive integer"
done
command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
command -v python3 >/dev/null || die "python3 not found"

# Build the default binaries when asked or missing; a missing --benchmark falls back to
# redis-benchmark below.
need_build=$BUILD
for bin in "$SERVER" "$BENCH"; do
    [ -x "$bin" ] && continue
    case $bin in .build/release/*) need_build=1 ;; esac
done
if [ "$need_build" = 1 ]; then
    echo "== swift build -c release (skipkv-server, skipkv-benchmark)"
    swift build -c release --product skipkv-server
    swift build -c release --product skipkv-benchmark
fi
[ -x "$SERVER" ] || die "$SERVER not found"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/compare-redis.XXXXXX")
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp "$TMP"/*.json "$TMP"/*.csv "$KEEP"/ 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() { # port pid name
    for _ in $(seq 100); do
        kill -0 "$2" 2>/dev/null || { echo "compare-redis: $3 exited:" >&2; cat "$TMP/$3.log" >&2; exit 1; }
        [ "$(printf 'PING\r\nQUIT\r\n' | nc -w 2 127.0.0.1 "$1" 2>/dev/null | head -c 5)" = "+PONG" ] && return 0
        sleep 0.1
    done
    echo "compare-redis: $3 does not answer PING on port $1" >&2; exit 1
}

REDIS_PORT=$(free_port)
REDIS_CMD=(redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize no --loglevel warning)
"${REDIS_CMD[@]}" >"$TMP/redis-server.log" 2>&1 &
PIDS+=($!); wait_ready "$REDIS_PORT" "$!" redis-server
SKIPKV_PORT=$(free_port)
SKIPKV_CMD=("$SERVER" --bind 127.0.0.1 --port "$SKIPKV_PORT" --save "" --appendonly no --loglevel warning)
"${SKIPKV_CMD[@]}" >"$TMP/skipkv-server.log" 2>&1 &
PIDS+=($!); wait_ready "$SKIPKV_PORT" "$!" skipkv-server
echo "== redis-server on 127.0.0.1:$REDIS_PORT, skipkv-server on 127.0.0.1:$SKIPKV_PORT"

HAS_NET=0
if [ -x "$BENCH" ] && "$BENCH" net --help >/dev/null 2>&1; then HAS_NET=1; fi
COMMANDS=()   # exactly what ran, for the document
# Words joined for a shell, quoted only when they need it.
shell_words() {
    local out="" w
    for w in "$@"; do
        if [[ -n $w && $w =~ ^[A-Za-z0-9_./:,=+@%-]+$ ]]; then out+="$w "; else out+="'${w//\'/\'\\\'\'}' "; fi
    done
    printf '%s' "${out% }"
}
run() { # shows and records a command, then runs it
    local shown
    shown=$(shell_words "$@")
    shown=${shown//"$TMP"/\$TMP}
    COMMANDS+=("$shown")
    echo "== $shown" >&2
    "$@"
}

# redis-server is the first target and skipkv-server the compared one, so the ratios that
# net reports (second / first) read as SkipKV / Redis.
if [ "$HAS_NET" = 1 ]; then
    NET=("$BENCH" net --host 127.0.0.1 --port "$REDIS_PORT" --compare "127.0.0.1:$SKIPKV_PORT"
         --clients "$CLIENTS" --keyspace "$KEYSPACE" --rounds "$ROUNDS" --no-progress)
    if [ "$FORCE_REDIS_BENCHMARK" = 0 ]; then
        run "${NET[@]}" --pipeline 1 --requests "$REQUESTS" --tests set,get \
            --json "$TMP/net-p1.json"
    fi
    run "${NET[@]}" --pipeline 1 --requests "$REQUESTS" --tests range --ycsb A,E \
        --json "$TMP/net-scan.json"
    if [ "$FORCE_REDIS_BENCHMARK" = 0 ]; then
        run "${NET[@]}" --pipeline "$PIPELINE" --requests $((REQUESTS * 5)) --tests set,get \
            --json "$TMP/net-p$PIPELINE.json"
    fi
fi
if [ "$HAS_NET" = 0 ] || [ "$FORCE_REDIS_BENCHMARK" = 1 ]; then
    # SET/GET with redis-benchmark, the servers alternating by round.
    for pipe in 1 "$PIPELINE"; do
        n=$REQUESTS; [ "$pipe" = 1 ] || n=$((REQUESTS * 5))
        for round in $(seq "$ROUNDS"); do
            order=("redis:$REDIS_PORT" "skipkv:$SKIPKV_PORT")
            [ $((round % 2)) = 1 ] || order=("skipkv:$SKIPKV_PORT" "redis:$REDIS_PORT")
            for target in "${order[@]}"; do
                run redis-benchmark -h 127.0.0.1 -p "${target#*:}" -t set,get -n "$n" -c "$CLIENTS" \
                    -P "$pipe" -r "$KEYSPACE" -d 3 --csv \
                    >"$TMP/rb-${target%%:*}-p$pipe-r$round.csv"
            done
        done
    done
fi

# Versions and machine.
SKIPKV_VERSION=$("$SERVER" --version 2>&1 | head -n 1)
REDIS_VERSION=$(redis-server --version | head -n 1)
SWIFT_VERSION=$(swift --version 2>&1 | grep -m1 -i 'swift version' || echo "swift: unknown")
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
export SKIPKV_VERSION REDIS_VERSION SWIFT_VERSION CPU_MODEL
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
SERVER_CMDS="$(shell_words "${REDIS_CMD[@]}")
$(shell_words "${SKIPKV_CMD[@]}")"
BENCH_CMDS=$(printf '%s\n' "${COMMANDS[@]}")
export SERVER_BUILD NPROC KERNEL DATE OS_NAME SERVER_CMDS BENCH_CMDS
export REQUESTS KEYSPACE ROUNDS CLIENTS PIPELINE HAS_NET TMP OUTPUT TO_STDOUT
BENCH_VERSION=
[ "$HAS_NET" = 0 ] || BENCH_VERSION=$("$BENCH" --version 2>/dev/null | head -n 1 || true)
export BENCH_VERSION

python3 - <<'PY'
import csv, glob, json, os, re, statistics

env = os.environ
tmp = env["TMP"]
rows = []          # (workload, pipeline, redis ops, skipkv ops, redis p50/p99, skipkv p50/p99)

# net's test names, in table order, with how the table shows them.
labels = {"set": "SET", "get": "GET", "range": "RANGE vs ZRANGEBYLEX (LIMIT 10, keys only)",
          "ycsb-a": "YCSB A (50% GET, 50% SET)", "ycsb-e": "YCSB E (95% scans of 1-100 keys, 5% inserts)"}
rank = {name: i for i, name in enumerate(labels)}

def ms(ns):
    return f"{ns / 1e6:.3f}"

for path in sorted(glob.glob(os.path.join(tmp, "net-*.json"))):
    data = json.load(open(path))
    pipeline = data["config"]["pipeline"]
    kinds = {t["target"]: t["kind"] for t in data["targets"]}
    by_test = {}
    for s in data["summary"]:
        by_test.setdefault(s["test"], {})[kinds.get(s["target"], s.get("kind"))] = s
    for test, per in by_test.items():
        r, k = per.get("redis"), per.get("skipkv")
        if not r or not k:
            continue
        rows.append((rank.get(test, 99), labels.get(test, test), pipeline, r["ops_per_sec"], k["ops_per_sec"],
                     f'{ms(r["p50_ns"])} / {ms(r["p99_ns"])}', f'{ms(k["p50_ns"])} / {ms(k["p99_ns"])}'))
        if r["errors"] or k["errors"]:
            raise SystemExit(f"compare-redis: {test}: errors in the replies (redis {r['errors']}, skipkv {k['errors']})")

# redis-benchmark fallback: median rps over rounds.
rb = {}
for path in glob.glob(os.path.join(tmp, "rb-*.csv")):
    m = re.search(r"rb-(\w+)-p(\d+)-r\d+\.csv$", path)
    server, pipe = m.group(1), int(m.group(2))
    for rec in csv.DictReader(open(path)):
        rb.setdefault((rec["test"], pipe, server), []).append(rec)
for (test, pipe, server) in sorted({(t, p, s) for t, p, s in rb if s == "redis"}):
    red, sk = rb.get((test, pipe, "redis")), rb.get((test, pipe, "skipkv"))
    if not sk:
        continue
    med = lambda recs, field: statistics.median(float(x[field]) for x in recs)
    rows.append((rank.get(test.lower(), 99), f"{test} (redis-benchmark)", pipe, med(red, "rps"), med(sk, "rps"),
                 f'{med(red, "p50_latency_ms"):.3f} / {med(red, "p99_latency_ms"):.3f}',
                 f'{med(sk, "p50_latency_ms"):.3f} / {med(sk, "p99_latency_ms"):.3f}'))

# SET and GET by pipeline depth first, then the scans.
rows.sort(key=lambda r: (r[0] > 1, r[2], r[0]))
if not rows:
    raise SystemExit("compare-redis: no results")

out = []
out.append("<!-- compare-redis:begin -->")
out.append("## SkipKV vs redis-server")
out.append("")
out.append(f"Generated by `scripts/compare-redis.sh` on {env['DATE']}; do not edit by hand, rerun the script. "
           "Both servers and the load generator share this machine and talk over loopback. "
           f"Throughput is the median of {env['ROUNDS']} round(s) in which the servers alternate; "
           "latencies (ms) are p50 / p99 per operation. "
           "**Ratio** = skipkv-server ops/s ÷ redis-server ops/s (above 1: SkipKV is faster).")
out.append("")
out.append("| Workload | Pipeline | redis-server ops/s | skipkv-server ops/s | Ratio | redis p50 / p99 | SkipKV p50 / p99 |")
out.append("|---|---:|---:|---:|---:|---:|---:|")
for _, name, pipe, r, k, rl, kl in rows:
    out.append(f"| {name} | {pipe} | {r:,.0f} | {k:,.0f} | **{k / r:.2f}** | {rl} | {kl} |")
if env["HAS_NET"] != "1":
    out.append("")
    out.append("RANGE vs ZRANGEBYLEX and YCSB A/E were not measured: this skipkv-benchmark has no `net` subcommand.")
out.append("")
out.append(f"Workload: {int(env['CLIENTS'])} connections, {int(env['KEYSPACE']):,} keys with 3-byte values, uniform key choice, "
           f"{int(env['REQUESTS']):,} operations per test and round ({int(env['REQUESTS']) * 5:,} when pipelined)."
           + (" Range scans return keys only on both servers: SkipKV `RANGE [key + LIMIT 0 n NOVALUES`, "
              "redis-server `ZRANGEBYLEX` on a sorted set holding the same keys (loaded next to the strings)."
              if env["HAS_NET"] == "1" else ""))
out.append("")
out.append("Machine:")
out.append("")
out.append(f"- {env['NPROC']} online cores (nproc); CPU: {env['CPU_MODEL'] or 'unknown'}")
out.append(f"- {env['KERNEL']}; {env['OS_NAME']}")
out.append(f"- {env['SKIPKV_VERSION']}, {env['SERVER_BUILD']}; {env['REDIS_VERSION']}")
out.append(f"- {env['SWIFT_VERSION']}" + (f"; {env['BENCH_VERSION']}" if env.get("BENCH_VERSION") else ""))
out.append("")
out.append("Commands (ports were ephemeral; `$TMP` is a scratch directory):")
out.append("")
out.append("```sh")
out.extend(line.strip() for line in env["SERVER_CMDS"].strip().splitlines())
out.extend(line.strip() for line in env["BENCH_CMDS"].strip().splitlines())
out.append("```")
out.append("<!-- compare-redis:end -->")
section = "\n".join(out) + "\n"

if env["TO_STDOUT"] == "1":
    print(section, end="")
    raise SystemExit(0)
path = env["OUTPUT"]
begin, end = "<!-- compare-redis:begin -->", "<!-- compare-redis:end -->"
if os.path.exists(path):
    text = open(path).read()
    if begin in text and end in text and text.index(begin) < text.index(end):
        head = text[:text.index(begin)]
        tail = text[text.index(end) + len(end):]
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
else:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    text = section
with open(path + ".tmp", "w") as f:
    f.write(text)
os.replace(path + ".tmp", path)
print(f"compare-redis: wrote the compare-redis section of {path}")
print(section, end="")
PY
