#!/usr/bin/env bash
# Reproduces the index tables of docs/BENCHMARKS.md: builds the release benchmark and runs
#   1. the three structures at 10M keys, 2 threads, uniform and Zipfian keys, every workload;
#   2. the node-size sweep (2M keys) that chose the default node size;
#   3. 16–32-byte string keys (2M keys);
#   4. 16-byte keys named as redis-benchmark names them, key:%012d (2M keys).
# Set ONLY to a space-separated subset of: index sweep strings redis (default: all).
# Raw tables land in docs/bench/*.txt and records in docs/bench/*.json.
# Run on an otherwise idle machine: every figure is a ratio measured within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${KEYS:-10M}
OPS=${OPS:-2M}
THREADS=${THREADS:-2}
swift build -c release --product skipkv-benchmark
bench=.build/release/skipkv-benchmark
mkdir -p docs/bench
ONLY=${ONLY:-index sweep strings redis}
run() {
    local name=$1
    shift
    case " $ONLY " in *" ${name%%-*} "*) ;; *) return 0 ;; esac
    echo "==> $name: $bench index $*"
    "$bench" index --no-progress --json "docs/bench/$name.json" "$@" | tee "docs/bench/$name.txt"
}
run "index-$KEYS" --structure all --keys "$KEYS" --ops "$OPS" --threads "$THREADS" \
    --workloads load,A,B,C,E,insert,delete --distribution both
run sweep --structure both --sweep-node-bytes 256,512,1024,2048,4096,8192,16384 \
    --keys 2M --ops 1M --threads "$THREADS" --workloads load,A,C,E,delete --distribution uniform
run strings --structure both --key-type string --keys 2M --ops 1M --threads "$THREADS" \
    --workloads load,A,C,E --distribution zipfian
run redis-keys --structure both --key-type redis --keys 2M --ops 1M --threads "$THREADS" \
    --workloads load,A,C,E --distribution both
