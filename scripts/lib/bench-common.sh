# bench-common.sh: what scripts/compare-redis.sh, scripts/bench-durability.sh and
# scripts/bench-transactions.sh share.
# Source it from the repository root after defining die() (exit 2 with the script's name).

# count OPTION VALUE -> VALUE as a plain number (10M, 100k, 1.5M, 500000), or die.
count() {
    python3 -c '
import re, sys
m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([kKmM]?)", sys.argv[1])
if not m: sys.exit(1)
n = float(m.group(1)) * {"": 1, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6}[m.group(2)]
if n < 1 or n != int(n): sys.exit(1)
print(int(n))' "$2" || die "$1 must be a positive count such as 100000, 100k or 10M"
}

# select_binaries: sets SERVER and BENCH (skipkv-server, skipkv-benchmark) where the caller
# left them empty: .build/release (or an earlier build in $SCRATCH) when both binaries are
# newer than every source file and $BUILD is 0, else a fresh release build into $SCRATCH
# (never into .build, which other builds may be using).
binaries_up_to_date() { # dir
    local newer bin
    for bin in skipkv-server skipkv-benchmark; do
        [ -x "$1/$bin" ] || return 1
        newer=$(find Sources Package.swift Package.resolved -newer "$1/$bin" -print -quit 2>/dev/null)
        [ -z "$newer" ] || return 1
    done
}
select_binaries() {
    if [ -z "$SERVER" ] || [ -z "$BENCH" ]; then
        local dir= candidate
        if [ "$BUILD" = 0 ]; then
            for candidate in .build/release "$SCRATCH/release"; do
                if binaries_up_to_date "$candidate"; then dir=$candidate; break; fi
            done
        fi
        if [ -z "$dir" ]; then
            echo "== swift build -c release --scratch-path $SCRATCH (skipkv-server, skipkv-benchmark)" >&2
            swift build -c release --scratch-path "$SCRATCH" --product skipkv-server
            swift build -c release --scratch-path "$SCRATCH" --product skipkv-benchmark
            dir=$SCRATCH/release
        fi
        [ -n "$SERVER" ] || SERVER=$dir/skipkv-server
        [ -n "$BENCH" ] || BENCH=$dir/skipkv-benchmark
    fi
    [ -x "$SERVER" ] || die "$SERVER not found"
    [ -x "$BENCH" ] || die "$BENCH not found"
    "$BENCH" net --help >/dev/null 2>&1 || die "$BENCH has no net subcommand"
}

# NICE: the prefix that runs a command at nice -n -19, empty (with a warning) when not
# allowed (it needs CAP_SYS_NICE; without it nice warns and runs at the normal priority).
NICE=()
if [ -z "$(nice -n -19 true 2>&1)" ]; then
    NICE=(nice -n -19)
else
    echo "$(basename "$0"): nice -n -19 not allowed, running at normal priority" >&2
fi

# shell_words WORD... -> the words quoted for a shell where needed, for showing commands.
shell_words() {
    local out="" w
    for w in "$@"; do
        if [[ -n $w && $w =~ ^[A-Za-z0-9_./:,=+@%-]+$ ]]; then out+="$w "; else out+="'${w//\'/\'\\\'\'}' "; fi
    done
    printf '%s' "${out% }"
}

# stop_all: SIGTERM to every process in PIDS, then SIGKILL to any still running after 10 s,
# each reaped (the scripts' exit traps).
stop_all() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
}
