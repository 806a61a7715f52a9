#!/bin/sh
# nc-load.sh: a netcat load test for SkipKV (or any RESP server) that needs only a POSIX
# shell, nc and coreutils.
#
# It generates N commands per test (inline or RESP), streams each client's share through
# one nc connection (fully pipelined), checks every reply byte for byte against the
# expected stream (md5sum), and reports requests per second. Tests, in the order given:
#   set    SET key value              -> N x +OK
#   get    GET key                    -> N x the value SET stored
#   range  RANGE [key [last LIMIT 0 C -> N arrays of C pairs (keys and values checked;
#          with --rev: RANGE [first [key REV LIMIT 0 C; with --novalues: keys only)
#   del    DEL key                    -> N x :1 (also removes what the run stored)
# get and range load the keys first (not timed) when no set ran before them. range needs a
# server that answers RANGE (SkipKV); on one that does not (redis-server) it is skipped,
# or fails with --require-range.
#
# Usage: scripts/nc-load.sh [-h host] [-p port] [-n N] [-t set,get,range,del]
#                           [-f resp|inline] [-c clients] [-d value-bytes] [-l range-limit]
#                           [--rev] [--novalues] [--require-range] [-P key-prefix]
#                           [-T seconds] [--help]
# Environment: NC (netcat command, default nc), NC_OPTS (replaces the detected nc options).
# Exit status: 0 all replies verified, 1 a wrong or missing reply, 2 usage or connection error.
#
# Every stream ends with QUIT, so the server closes the connection after its last reply and
# nc exits on its own whatever the variant does at end of input; OpenBSD nc also gets -N
# (half-close after the input), and every variant -w (idle timeout) so nothing hangs.

set -u
LC_ALL=C
export LC_ALL

HOST=127.0.0.1
PORT=7379
N=10000
TESTS=set,get,range,del
FORMAT=resp
CLIENTS=1
VSIZE=16
RLIMIT=10
REV=0
NOVALUES=0
REQUIRE_RANGE=0
PREFIX="ncload:$$:"
TIMEOUT=120
NC=${NC:-nc}

usage() {
    cat <<'EOF'
Usage: scripts/nc-load.sh [options]
  -h host          server address (default 127.0.0.1)
  -p port          server port (default 7379)
  -n N             commands per test (default 10000)
  -t tests         comma-separated, run in order: set,get,range,del (default all four)
  -f resp|inline   request form (default resp)
  -c clients       parallel nc connections, each streaming its share (default 1)
  -d bytes         value size (default 16)
  -l count         RANGE LIMIT count per scan (default 10)
  --rev            RANGE ... REV
  --novalues       RANGE ... NOVALUES
  --require-range  fail (instead of skipping range) when the server has no RANGE
  -P prefix        key prefix (default ncload:<pid>:)
  -T seconds       hard time limit per nc (default 120)
Environment: NC (netcat command), NC_OPTS (replaces the detected nc options).
Exit status: 0 all replies verified, 1 wrong or missing replies, 2 usage or connection error.
EOF
    exit "${1:-0}"
}
die() { printf 'nc-load: %s\n' "$*" >&2; exit 2; }
need() { [ $# -ge 2 ] || die "option $1 needs a value"; }
is_count() { case $1 in '' | *[!0-9]*) return 1 ;; esac; [ "$1" -gt 0 ]; }

while [ $# -gt 0 ]; do
    case $1 in
        -h) need "$@"; HOST=$2; shift 2 ;;
        -p) need "$@"; PORT=$2; shift 2 ;;
        -n) need "$@"; N=$2; shift 2 ;;
        -t) need "$@"; TESTS=$2; shift 2 ;;
        -f) need "$@"; FORMAT=$2; shift 2 ;;
        -c) need "$@"; CLIENTS=$2; shift 2 ;;
        -d) need "$@"; VSIZE=$2; shift 2 ;;
        -l) need "$@"; RLIMIT=$2; shift 2 ;;
        -P) need "$@"; PREFIX=$2; shift 2 ;;
        -T) need "$@"; TIMEOUT=$2; shift 2 ;;
        --rev) REV=1; shift ;;
        --novalues) NOVALUES=1; shift ;;
        --require-range) REQUIRE_RANGE=1; shift ;;
        --help) usage 0 ;;
        *) printf 'nc-load: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
    esac
done

for v in N CLIENTS VSIZE RLIMIT TIMEOUT PORT; do
    eval "is_count \"\$$v\"" || die "$v must be a positive integer"
done
case $FORMAT in resp | inline) ;; *) die "-f must be resp or inline" ;; esac
case $PREFIX in *[!A-Za-z0-9:_.-]*) die "-P: use letters, digits and : _ . - only" ;; esac
[ "$CLIENTS" -le "$N" ] || CLIENTS=$N
[ "$CLIENTS" -le 64 ] || die "-c: at most 64 clients"
command -v "$NC" >/dev/null 2>&1 || die "$NC not found (install netcat-openbsd)"
for t in $(printf '%s' "$TESTS" | tr ',' ' '); do
    case $t in set | get | range | del) ;; *) die "unknown test '$t' (set, get, range, del)" ;; esac
done

# Keys: PREFIX + zero-padded index (fixed width, so every RESP length is a constant);
# values: "v" + zero-padded index, VSIZE bytes.
KW=${#N}
[ "$KW" -ge 8 ] || KW=8
[ "$VSIZE" -ge $((KW + 1)) ] || die "-d: values need at least $((KW + 1)) bytes to hold the index"
[ "$VSIZE" -le 1000000 ] || die "-d: at most 1000000 bytes"
KL=$((${#PREFIX} + KW))
KFMT="$PREFIX%0$KW.0f"
VFMT="v%0$((VSIZE - 1)).0f"
CR=$(printf '\r')

# nc options: NC_OPTS wins; otherwise -N where nc has it (OpenBSD), -w for an idle timeout.
if [ "${NC_OPTS+set}" = set ]; then
    NCFLAGS=$NC_OPTS
else
    nc_help=$("$NC" -h 2>&1)
    NCFLAGS="-w 10"
    case $nc_help in *"-N"*) NCFLAGS="-N $NCFLAGS" ;; esac
fi
TIMEOUT_CMD=
command -v timeout >/dev/null 2>&1 && TIMEOUT_CMD="timeout $TIMEOUT"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nc-load.XXXXXX") || die "mktemp failed"
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

FAILED=0
fail() { printf 'nc-load: FAIL: %s\n' "$*" >&2; FAILED=1; }

# ---------------------------------------------------------------------------------------
# Stream generation. Every column is a file with one line per command (lines end in CR, so
# paste's newline completes the CRLF); paste -d '\n' interleaves them into RESP.

rep() { yes "$1" | head -n "$2"; }                 # text, count
keys() { seq -f "$KFMT$2" "$1" "$3"; }             # lo, suffix, hi (suffix "" or CR)
vals() { seq -f "$VFMT$CR" "$1" "$2"; }            # lo, hi

# Columns for a RESP request's header and constant arguments: a0 "*argc", then l<i> "$len"
# and c<i> the argument, for each argument given.
resp_const() { # dir count argc arg...
    d=$1; n=$2; rep "*$3$CR" "$n" >"$d/a0"; shift 3
    i=0
    for a in "$@"; do
        i=$((i + 1))
        rep "\$${#a}$CR" "$n" >"$d/l$i"
        rep "$a$CR" "$n" >"$d/c$i"
    done
}

gen_set() { # lo hi req exp
    n=$(($2 - $1 + 1)); d=$TMP/g; mkdir -p "$d"
    if [ "$FORMAT" = resp ]; then
        resp_const "$d" "$n" 3 SET
        rep "\$$KL$CR" "$n" >"$d/kl"; keys "$1" "$CR" "$2" >"$d/k"
        rep "\$$VSIZE$CR" "$n" >"$d/vl"; vals "$1" "$2" >"$d/v"
        paste -d '\n' "$d/a0" "$d/l1" "$d/c1" "$d/kl" "$d/k" "$d/vl" "$d/v" >"$3"
    else
        rep SET "$n" >"$d/c1"; keys "$1" "" "$2" >"$d/k"; vals "$1" "$2" >"$d/v"
        paste -d ' ' "$d/c1" "$d/k" "$d/v" >"$3"
    fi
    rep "+OK$CR" "$n" >"$4"
}

# A one-key command (GET, DEL): the request stream only.
key_command() { # command lo hi req
    n=$(($3 - $2 + 1)); d=$TMP/g; mkdir -p "$d"
    keys "$2" "$CR" "$3" >"$d/k"
    if [ "$FORMAT" = resp ]; then
        resp_const "$d" "$n" 2 "$1"
        rep "\$$KL$CR" "$n" >"$d/kl"
        paste -d '\n' "$d/a0" "$d/l1" "$d/c1" "$d/kl" "$d/k" >"$4"
    else
        rep "$1" "$n" >"$d/c1"
        paste -d ' ' "$d/c1" "$d/k" >"$4"
    fi
}

gen_get() { # lo hi req exp
    key_command GET "$1" "$2" "$3"
    rep "\$$VSIZE$CR" "$n" >"$d/vl"; vals "$1" "$2" >"$d/v"
    paste -d '\n' "$d/vl" "$d/v" >"$4"
}

gen_del() { # lo hi req exp
    key_command DEL "$1" "$2" "$3"
    rep ":1$CR" "$n" >"$4"
}

# RANGE: command i (1..N) starts at key s = i, or i - M past M = N - C + 1, so every scan
# has C keys in [1, N]. Forward: RANGE [k_s [k_N LIMIT 0 C -> k_s .. k_(s+C-1).
# Reverse: RANGE [k_1 [k_(s+C-1) REV LIMIT 0 C -> k_(s+C-1) down to k_s.
idx_seq() { # format lo hi shift
    M=$((N - RLIMIT + 1))
    a_hi=$3; [ "$a_hi" -le "$M" ] || a_hi=$M
    [ "$2" -le "$a_hi" ] && seq -f "$1" $(($2 + $4)) $((a_hi + $4))
    b_lo=$2; [ "$b_lo" -gt "$M" ] || b_lo=$((M + 1))
    [ "$b_lo" -le "$3" ] && seq -f "$1" $((b_lo - M + $4)) $(($3 - M + $4))
    return 0
}

gen_range() { # lo hi req exp
    n=$(($2 - $1 + 1)); d=$TMP/g; mkdir -p "$d"
    first=$(seq -f "$KFMT" 1 1); last=$(seq -f "$KFMT" "$N" "$N")
    if [ "$REV" = 1 ]; then shift_var=$((RLIMIT - 1)); else shift_var=0; fi
    idx_seq "[$KFMT$CR" "$1" "$2" "$shift_var" >"$d/b"
    if [ "$FORMAT" = resp ]; then
        opts="LIMIT 0 $RLIMIT"
        [ "$REV" = 1 ] && opts="REV $opts"
        [ "$NOVALUES" = 1 ] && opts="$opts NOVALUES"
        # shellcheck disable=SC2086 # word splitting of the options is wanted
        resp_const "$d" "$n" $((3 + $(echo $opts | wc -w))) RANGE "[$first" "[$last" $opts
        rep "\$$((KL + 1))$CR" "$n" >"$d/bl"
        if [ "$REV" = 1 ]; then
            cols="$d/a0 $d/l1 $d/c1 $d/l2 $d/c2 $d/bl $d/b"
        else
            cols="$d/a0 $d/l1 $d/c1 $d/bl $d/b $d/l3 $d/c3"
        fi
        i=4
        for _ in $opts; do cols="$cols $d/l$i $d/c$i"; i=$((i + 1)); done
        # shellcheck disable=SC2086
        paste -d '\n' $cols >"$3"
    else
        opts="LIMIT 0 $RLIMIT"
        [ "$NOVALUES" = 1 ] && opts="$opts NOVALUES"
        tr -d '\r' <"$d/b" >"$d/bi"
        if [ "$REV" = 1 ]; then
            rep "RANGE [$first" "$n" >"$d/p"; rep "REV $opts$CR" "$n" >"$d/s"
        else
            rep "RANGE" "$n" >"$d/p"; rep "[$last $opts$CR" "$n" >"$d/s"
        fi
        paste -d ' ' "$d/p" "$d/bi" "$d/s" >"$3"
    fi
    per=$RLIMIT; [ "$NOVALUES" = 1 ] || per=$((2 * RLIMIT))
    rep "*$per$CR" "$n" >"$d/h"
    rep "\$$KL$CR" "$n" >"$d/kl"; rep "\$$VSIZE$CR" "$n" >"$d/vl"
    cols="$d/h"
    j=0
    while [ "$j" -lt "$RLIMIT" ]; do
        if [ "$REV" = 1 ]; then s=$((RLIMIT - 1 - j)); else s=$j; fi
        idx_seq "$KFMT$CR" "$1" "$2" "$s" >"$d/k$j"
        cols="$cols $d/kl $d/k$j"
        if [ "$NOVALUES" = 0 ]; then
            idx_seq "$VFMT$CR" "$1" "$2" "$s" >"$d/v$j"
            cols="$cols $d/vl $d/v$j"
        fi
        j=$((j + 1))
    done
    # shellcheck disable=SC2086
    paste -d '\n' $cols >"$4"
}

# ---------------------------------------------------------------------------------------
# Running and checking.

# Nanoseconds since the epoch (GNU date); whole seconds where date has no %N.
now_ns() {
    t=$(date +%s%N)
    case $t in *[!0-9]*) t=$(($(date +%s) * 1000000000)) ;; esac
    echo "$t"
}

# Send one request file through nc, ending it with QUIT; the reply lands in $2.
send() { # req out
    # shellcheck disable=SC2086 # the options are meant to split
    { cat "$1"; printf 'QUIT\r\n'; } | $TIMEOUT_CMD "$NC" $NCFLAGS "$HOST" "$PORT" >"$2" 2>"$2.err"
}

show_difference() { # exp out
    line=
    if command -v cmp >/dev/null 2>&1; then
        r=$(cmp "$1" "$2" 2>&1)
        case $r in *", line "[0-9]*) line=${r##*, line } ;; esac
    fi
    if [ -n "$line" ]; then
        from=$((line > 2 ? line - 2 : 1))
        printf '  first difference at reply line %s; expected (cat -v):\n' "$line" >&2
        head -n $((line + 2)) "$1" | tail -n +"$from" | cat -v >&2
        printf '  got:\n' >&2
        head -n $((line + 2)) "$2" | tail -n +"$from" | cat -v >&2
    else
        printf '  expected ends (cat -v):\n' >&2; tail -n 3 "$1" | cat -v >&2
        printf '  got ends:\n' >&2; tail -n 3 "$2" | cat -v >&2
    fi
    [ -s "$2.err" ] && { printf '  nc said: ' >&2; head -c 300 "$2.err" >&2; echo >&2; }
    return 0
}

# run_phase name generator [timed]: generate, stream through CLIENTS parallel nc, verify.
run_phase() {
    name=$1; gen=$2; timed=${3:-1}
    c=0
    while [ "$c" -lt "$CLIENTS" ]; do
        lo=$((c * N / CLIENTS + 1)); hi=$(((c + 1) * N / CLIENTS))
        "$gen" "$lo" "$hi" "$TMP/req$c" "$TMP/exp$c"
        printf '+OK\r\n' >>"$TMP/exp$c"
        c=$((c + 1))
    done
    bytes=$(cat "$TMP"/req* | wc -c)
    PIDS=
    start=$(now_ns)
    c=0
    while [ "$c" -lt "$CLIENTS" ]; do
        send "$TMP/req$c" "$TMP/out$c" &
        PIDS="$PIDS $!"
        c=$((c + 1))
    done
    for p in $PIDS; do wait "$p"; done
    end=$(now_ns)
    PIDS=
    ok=1
    c=0
    while [ "$c" -lt "$CLIENTS" ]; do
        e=$(md5sum <"$TMP/exp$c"); o=$(md5sum <"$TMP/out$c")
        if [ "$e" != "$o" ]; then
            ok=0
            el=$(wc -l <"$TMP/exp$c"); ol=$(wc -l <"$TMP/out$c")
            fail "$name: client $c: wrong or missing replies ($ol reply lines, expected $el, counting QUIT's +OK)"
            show_difference "$TMP/exp$c" "$TMP/out$c"
        fi
        c=$((c + 1))
    done
    rm -f "$TMP"/req* "$TMP"/exp* "$TMP"/out*
    rm -rf "$TMP/g"
    [ "$ok" = 1 ] || return 1
    [ "$timed" = 1 ] || return 0
    ns=$((end - start)); [ "$ns" -gt 0 ] || ns=1
    rps=$((N * 1000000000 / ns))
    ms=$((ns / 1000000)); frac=$(((ns / 1000) % 1000))
    printf '%-6s %9d requests  %-6s %2d client(s)  %6d.%03d ms  %10d req/s  %8d KiB sent  ok\n' \
        "$name" "$N" "$FORMAT" "$CLIENTS" "$ms" "$frac" "$rps" $((bytes / 1024))
}

# Connectivity, and whether the server has RANGE.
printf 'PING\r\n' >"$TMP/probe"
send "$TMP/probe" "$TMP/probe.out"
if [ "$(tr -d '\r' <"$TMP/probe.out")" != "$(printf '+PONG\n+OK')" ]; then
    printf 'nc-load: no PONG from %s:%s (is a server listening?); got:\n' "$HOST" "$PORT" >&2
    cat -v "$TMP/probe.out" "$TMP/probe.out.err" >&2
    exit 2
fi
printf 'RANGECOUNT [a [a\r\n' >"$TMP/probe"
send "$TMP/probe" "$TMP/probe.out"
HAS_RANGE=0
[ "$(head -c 1 "$TMP/probe.out")" = ":" ] && HAS_RANGE=1

# Range scans need C keys from each start; keep C within N / 2.
if [ "$RLIMIT" -gt $((N / 2)) ]; then RLIMIT=$((N / 2)); fi
[ "$RLIMIT" -ge 1 ] || RLIMIT=1
[ "$RLIMIT" -le 100 ] || die "-l: at most 100"

printf 'nc-load: %s:%s, N=%s, tests %s, %s, %s client(s), %s-byte values, key prefix %s, nc %s %s\n' \
    "$HOST" "$PORT" "$N" "$TESTS" "$FORMAT" "$CLIENTS" "$VSIZE" "$PREFIX" "$NC" "$NCFLAGS"
LOADED=0
for t in $(printf '%s' "$TESTS" | tr ',' ' '); do
    case $t in
        set) run_phase set gen_set; LOADED=1 ;;
        get | range)
            if [ "$t" = range ] && [ "$HAS_RANGE" = 0 ]; then
                if [ "$REQUIRE_RANGE" = 1 ]; then
                    fail "range: the server does not answer RANGECOUNT: $(tr -d '\r' <"$TMP/probe.out")"
                else
                    printf 'range  skipped: the server has no RANGE command\n'
                fi
                continue
            fi
            if [ "$LOADED" = 0 ]; then run_phase load gen_set 0; LOADED=1; fi
            run_phase "$t" "gen_$t"
            ;;
        del)
            if [ "$LOADED" = 0 ]; then run_phase load gen_set 0; LOADED=1; fi
            run_phase del gen_del; LOADED=0
            ;;
    esac
done

if [ "$FAILED" != 0 ]; then
    printf 'nc-load: FAILED (%s:%s)\n' "$HOST" "$PORT" >&2
    exit 1
fi
printf 'nc-load: all replies verified\n'
