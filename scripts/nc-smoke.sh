#!/bin/sh
# nc-smoke.sh: a smoke test of every command family through nc, with exact expected
# replies, needing only a POSIX shell, nc and coreutils (diff, when present, shows the
# difference; without it both transcripts are printed).
#
# Usage: scripts/nc-smoke.sh [-h host] [-p port] [--require-range] [-v] [--help]
# Environment: NC (netcat command, default nc), NC_OPTS (replaces the detected nc options).
# Exit status: 0 every case passed, 1 a case failed, 2 usage or connection error.
#
# Each case is one nc connection: its requests (inline lines and RESP arrays) are sent
# pipelined, followed by QUIT, and the whole reply transcript is compared line by line with
# the expected one. Every reply line must end in CRLF. The RANGE family runs only when the
# server answers RANGECOUNT (SkipKV); on other servers (redis-server) it is skipped, or
# fails with --require-range. Keys are prefixed with smoke:<pid>: and deleted at the end.
#
# Case language (one item per line, inside a here-document):
#   > text       an inline request, sent as text CRLF
#   = a|b|c      a RESP request: an array of bulk strings, arguments separated by |
#   $ text       an expected bulk string: $<length> then text ($ '' is the empty string)
#   ? glob       an expected reply line matching a shell pattern
#   other        an expected reply line, exactly (+OK, :1, *3, $-1, -ERR ..., _ , %7 ...)
#   {p} stands for the key prefix, {port} for the port, {big} for a 100 KiB value.

set -u
LC_ALL=C
export LC_ALL

HOST=127.0.0.1
PORT=7379
REQUIRE_RANGE=0
VERBOSE=0
NC=${NC:-nc}

usage() {
    cat <<'EOF'
Usage: scripts/nc-smoke.sh [-h host] [-p port] [--require-range] [-v]
  -h host          server address (default 127.0.0.1)
  -p port          server port (default 7379)
  --require-range  fail when the server has no RANGE/RANGECOUNT/RANGEDEL (instead of skipping)
  -v               print every case's transcript
Environment: NC (netcat command), NC_OPTS (replaces the detected nc options).
EOF
    exit "${1:-0}"
}
die() { printf 'nc-smoke: %s\n' "$*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case $1 in
        -h) [ $# -ge 2 ] || die "-h needs a value"; HOST=$2; shift 2 ;;
        -p) [ $# -ge 2 ] || die "-p needs a value"; PORT=$2; shift 2 ;;
        --require-range) REQUIRE_RANGE=1; shift ;;
        -v) VERBOSE=1; shift ;;
        --help) usage 0 ;;
        *) printf 'nc-smoke: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
    esac
done
case $PORT in '' | *[!0-9]*) die "-p must be a port number" ;; esac
command -v "$NC" >/dev/null 2>&1 || die "$NC not found (install netcat-openbsd)"

if [ "${NC_OPTS+set}" = set ]; then
    NCFLAGS=$NC_OPTS
else
    NCFLAGS="-w 10"
    case $("$NC" -h 2>&1) in *"-N"*) NCFLAGS="-N $NCFLAGS" ;; esac
fi
TIMEOUT_CMD=
command -v timeout >/dev/null 2>&1 && TIMEOUT_CMD="timeout 30"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nc-smoke.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PFX="smoke:$$:"
BIG=$(head -c 102400 /dev/zero | tr '\0' x)
PASSED=0
FAILED=0
SKIPPED=0

# Replace every {p}, {port} and {big} in $1; the result is in R.
expand() {
    R=$1
    for token in p port big; do
        case $token in p) value=$PFX ;; port) value=$PORT ;; big) value=$BIG ;; esac
        s=$R; R=
        while :; do
            case $s in
                *"{$token}"*) R=$R${s%%"{$token}"*}$value; s=${s#*"{$token}"} ;;
                *) R=$R$s; break ;;
            esac
        done
    done
}

# Print a RESP array of bulk strings from "a|b|c".
resp_encode() {
    s=$1; n=1; t=$s
    while :; do case $t in *'|'*) t=${t#*|}; n=$((n + 1)) ;; *) break ;; esac; done
    printf '*%d\r\n' "$n"
    while :; do
        case $s in
            *'|'*) a=${s%%|*}; s=${s#*|}; printf '$%d\r\n%s\r\n' "${#a}" "$a" ;;
            *) printf '$%d\r\n%s\r\n' "${#s}" "$s"; break ;;
        esac
    done
}

# Send file $1 (QUIT appended unless $3 = noquit) through one connection; replies in $2.
# shellcheck disable=SC2086 # the nc options are meant to split
exchange() {
    if [ "${3:-}" = noquit ]; then cat "$1"; else { cat "$1"; printf 'QUIT\r\n'; }; fi |
        $TIMEOUT_CMD "$NC" $NCFLAGS "$HOST" "$PORT" >"$2" 2>"$2.err"
}

pass() { PASSED=$((PASSED + 1)); printf 'ok    %s\n' "$1"; }
skip() { SKIPPED=$((SKIPPED + 1)); printf 'skip  %s (%s)\n' "$1" "$2"; }
failed() { FAILED=$((FAILED + 1)); printf 'FAIL  %s: %s\n' "$1" "$2"; }

# run_case NAME [closes] < case text. "closes": the server is expected to close the
# connection after the last reply (no QUIT is sent).
run_case() {
    name=$1; closes=${2:-}
    req=$TMP/req; exp=$TMP/exp; out=$TMP/out
    : >"$req"; : >"$exp"
    while IFS= read -r line; do
        expand "$line"; line=$R
        # shellcheck disable=SC2016 # printf '$0...' is a literal $
        case $line in
            '') ;;
            '> '*) printf '%s\r\n' "${line#> }" >>"$req" ;;
            '= '*) resp_encode "${line#= }" >>"$req" ;;
            "\$ ''") printf '$0\n\n' >>"$exp" ;;
            '$ '*) t=${line#??}; printf '$%d\n%s\n' "${#t}" "$t" >>"$exp" ;;
            *) printf '%s\n' "$line" >>"$exp" ;;
        esac
    done
    if [ "$closes" = closes ]; then
        exchange "$req" "$out.raw" noquit
    else
        printf '+OK\n' >>"$exp"
        exchange "$req" "$out.raw"
    fi
    tr -d '\r' <"$out.raw" >"$out"
    # Line up expected and actual; a pattern line becomes the actual line when it matches.
    : >"$TMP/norm"
    exec 3<"$exp" 4<"$out"
    while :; do
        e_ok=0
        IFS= read -r e <&3 && e_ok=1
        IFS= read -r a <&4 || a=
        [ "$e_ok" = 1 ] || break
        case $e in
            '? '*)
                # shellcheck disable=SC2254 # the pattern is meant to be a pattern
                case $a in ${e#? }) printf '%s\n' "$a" ;; *) printf '%s\n' "$e" ;; esac ;;
            *) printf '%s\n' "$e" ;;
        esac >>"$TMP/norm"
    done
    exec 3<&- 4<&-
    problem=
    if ! cmp_files "$TMP/norm" "$out"; then
        problem="wrong reply"
    else
        lf=$(tr -cd '\n' <"$out.raw" | wc -c); crlf=$(tr -cd '\r' <"$out.raw" | wc -c)
        [ "$lf" = "$crlf" ] || problem="reply lines not terminated by CRLF ($lf LF, $crlf CR)"
    fi
    if [ -z "$problem" ]; then
        pass "$name"
        [ "$VERBOSE" = 1 ] && cat "$out"
    else
        failed "$name" "$problem"
        printf '  requests (cat -v, first 40 lines):\n'; head -n 40 "$req" | cat -v | cut -c1-200
        if command -v diff >/dev/null 2>&1; then
            printf '  diff expected actual:\n'; diff -u "$TMP/norm" "$out" | tail -n +3 | cut -c1-200
        else
            printf '  expected:\n'; cut -c1-200 "$TMP/norm"
            printf '  actual:\n'; cut -c1-200 "$out"
        fi
        [ -s "$out.raw.err" ] && { printf '  nc said: '; head -c 300 "$out.raw.err"; echo; }
    fi
    return 0
}

cmp_files() { [ "$(md5sum <"$1")" = "$(md5sum <"$2")" ]; }

# Send $1 (printf format, no arguments) and put the raw reply in $TMP/raw.
raw() {
    # shellcheck disable=SC2059 # the request is a format on purpose (\r\n escapes)
    printf "$1" >"$TMP/rawreq"
    exchange "$TMP/rawreq" "$TMP/raw"
}

# ---------------------------------------------------------------------------------------
printf 'nc-smoke: %s:%s (nc %s %s), key prefix %s\n' "$HOST" "$PORT" "$NC" "$NCFLAGS" "$PFX"
raw 'PING\r\n'
if [ "$(tr -d '\r' <"$TMP/raw")" != "$(printf '+PONG\n+OK')" ]; then
    printf 'nc-smoke: no PONG from %s:%s (is a server listening?); got:\n' "$HOST" "$PORT" >&2
    cat -v "$TMP/raw" "$TMP/raw.err" >&2
    exit 2
fi
raw 'RANGECOUNT [a [a\r\n'
HAS_RANGE=0
[ "$(head -c 1 "$TMP/raw")" = ":" ] && HAS_RANGE=1

# --- connection ------------------------------------------------------------------------
run_case "PING and ECHO, inline and RESP" <<'EOF'
> PING
+PONG
= PING
+PONG
> PING "hello world"
$ hello world
= PING|hi there
$ hi there
> ECHO hello
$ hello
> echo 'single quoted' "double \"quoted\""
-ERR wrong number of arguments for 'echo' command
> echo "double \"quoted\" \x41\x42"
$ double "quoted" AB
= ECHO|with | inside
-ERR wrong number of arguments for 'echo' command
= ECHO|
$ ''
= ECHO|{big}
$ {big}
EOF

run_case "HELLO 2, HELLO 3 and RESP3 replies, HELLO 4" <<'EOF'
= HELLO|2
*14
$ server
$ redis
$ version
? $[0-9]*
? [0-9]*.*
$ proto
:2
$ id
? :[0-9]*
$ mode
$ standalone
$ role
$ master
$ modules
*0
> HELLO 3
%7
$ server
$ redis
$ version
? $[0-9]*
? [0-9]*.*
$ proto
:3
$ id
? :[0-9]*
$ mode
$ standalone
$ role
$ master
$ modules
*0
> GET {p}missing
_
= MGET|{p}missing|{p}missing2
*2
_
_
> PING
+PONG
> HELLO 4
-NOPROTO unsupported protocol version
EOF

run_case "SELECT, AUTH without a password, CLIENT ID/SETNAME/GETNAME, unknown subcommand" <<'EOF'
> SELECT 0
+OK
> AUTH secret
-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?
> CLIENT ID
? :[1-9]*
> CLIENT GETNAME
$-1
= CLIENT|SETNAME|smoke-test
+OK
> CLIENT GETNAME
$ smoke-test
> CLIENT SETNAME "has space"
-ERR Client names cannot contain spaces, newlines or special characters.
> CLIENT NOSUCH
-ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.
EOF

# --- server ----------------------------------------------------------------------------
run_case "DBSIZE, CONFIG GET, COMMAND COUNT, TIME" <<'EOF'
> DBSIZE
? :[0-9]*
= CONFIG|GET|port
*2
$ port
$ {port}
> CONFIG GET maxclients
*2
$ maxclients
? $[0-9]*
? [0-9]*
> COMMAND COUNT
? :[1-9]*
> TIME
*2
? $[0-9]*
? [0-9]*
? $[0-9]*
? [0-9]*
EOF

# Prints yes when a line of file $1 starts with $2.
has_line() {
    tr -d '\r' <"$1" | {
        found=no
        while IFS= read -r l; do case $l in "$2"*) found=yes; break ;; esac; done
        echo "$found"
    }
}

# INFO: one bulk string whose length must match its content, with the Server section.
check_info() { # name request must-contain
    raw "$2"
    header=$(head -n 1 "$TMP/raw" | tr -d '\r')
    total=$(wc -c <"$TMP/raw")
    case $header in
        '$'[0-9]*)
            len=${header#?}
            want=$((${#header} + 2 + len + 2 + 5))
            if [ "$total" != "$want" ]; then
                failed "$1" "bulk length $len does not match the $total bytes received (expected $want with QUIT's +OK)"
            elif [ "$(has_line "$TMP/raw" "$3")" != yes ]; then
                failed "$1" "no '$3' line in the reply"
            else
                pass "$1"
            fi
            ;;
        *) failed "$1" "expected a bulk string, got: $(head -c 200 "$TMP/raw" | cat -v)" ;;
    esac
}
check_info "INFO (all sections)" 'INFO\r\n' 'redis_version:'
# shellcheck disable=SC2016 # literal RESP
check_info "INFO server" '*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n' '# Server'
check_info "INFO keyspace, inline" 'INFO keyspace\r\n' '# Keyspace'

# --- strings ---------------------------------------------------------------------------
run_case "SET (NX, XX, GET), GET, SETNX, GETSET, GETDEL" <<'EOF'
= SET|{p}s1|hello
+OK
> GET {p}s1
$ hello
> SET {p}s1 world NX
$-1
> SET {p}s1 world XX
+OK
> SET {p}s1x world XX
$-1
= SET|{p}s1|again|GET
$ world
> GET {p}s1
$ again
> SETNX {p}s2 x
:1
= SETNX|{p}s2|y
:0
> GETSET {p}s2 y
$ x
> GETDEL {p}s2
$ y
> GETDEL {p}s2
$-1
> GET {p}s2
$-1
= SET|{p}big|{big}
+OK
= GET|{p}big
$ {big}
= SET|{p}empty|
+OK
> GET {p}empty
$ ''
= SET|{p}spaced|a b  c
+OK
> GET {p}spaced
$ a b  c
EOF

run_case "MSET, MGET, EXISTS, DEL, UNLINK, TYPE" <<'EOF'
= MSET|{p}m1|a|{p}m2|b b|{p}m3|
+OK
> MGET {p}m1 {p}m2 {p}nope {p}m3
*4
$ a
$ b b
$-1
$ ''
> EXISTS {p}m1 {p}m2 {p}nope {p}m1
:3
> TYPE {p}m1
+string
> TYPE {p}nope
+none
= DEL|{p}m1|{p}nope|{p}m2
:2
> UNLINK {p}m3 {p}m3
:1
> EXISTS {p}m1
:0
> MSET {p}m1 a {p}m2
-ERR wrong number of arguments for 'mset' command
EOF

run_case "INCR, DECR, INCRBY, DECRBY, overflow, APPEND, STRLEN" <<'EOF'
> INCR {p}n
:1
= INCRBY|{p}n|41
:42
> DECR {p}n
:41
> DECRBY {p}n -9
:50
> INCRBY {p}n -100
:-50
> GET {p}n
$ -50
> SET {p}max 9223372036854775807
+OK
> INCR {p}max
-ERR increment or decrement would overflow
> SET {p}min -9223372036854775807
+OK
> DECR {p}min
:-9223372036854775808
> DECRBY {p}min 1
-ERR increment or decrement would overflow
> APPEND {p}a abc
:3
= APPEND|{p}a|de f
:7
> GET {p}a
$ abcde f
> STRLEN {p}a
:7
> STRLEN {p}nope
:0
EOF

# --- errors ----------------------------------------------------------------------------
run_case "errors: unknown command, arity, not an integer, syntax" <<'EOF'
> NOSUCHCMD a b
? -ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b'*
= NOSUCHCMD
? -ERR unknown command 'NOSUCHCMD', with args beginning with:*
> GET
-ERR wrong number of arguments for 'get' command
= SET|{p}x
-ERR wrong number of arguments for 'set' command
> GET a b
-ERR wrong number of arguments for 'get' command
> SET {p}word abc
+OK
> INCR {p}word
-ERR value is not an integer or out of range
> INCRBY {p}n notanumber
-ERR value is not an integer or out of range
> INCRBY {p}n 1.5
-ERR value is not an integer or out of range
> SET {p}x y BOGUS
-ERR syntax error
> PING
+PONG
EOF

run_case "protocol error: unbalanced quotes closes the connection" closes <<'EOF'
> PING
+PONG
> ECHO "unbalanced
-ERR Protocol error: unbalanced quotes in request
EOF

run_case "protocol error: invalid multibulk length closes the connection" closes <<'EOF'
= PING
+PONG
> *abc
-ERR Protocol error: invalid multibulk length
EOF

# --- keyspace --------------------------------------------------------------------------
run_case "KEYS with one match, no match" <<'EOF'
= MSET|{p}k:1|1|{p}k:2|2|{p}k:3|3|{p}k:10|10|{p}k:20|20
+OK
> KEYS {p}k:3
*1
$ {p}k:3
> KEYS {p}k:1?
*1
$ {p}k:10
> KEYS {p}nomatch*
*0
EOF

# Reply lines that are not RESP headers, sorted: the keys of a KEYS or SCAN page.
elements() {
    tr -d '\r' <"$1" | while IFS= read -r l; do
        case $l in '*'* | '$'* | '+'* | ':'*) ;; *) printf '%s\n' "$l" ;; esac
    done | sort
}
want_keys=$(printf '%sk:%s\n' "$PFX" 1 "$PFX" 10 "$PFX" 2 "$PFX" 20 "$PFX" 3 | sort)

raw "KEYS ${PFX}k:*\r\n"
got=$(elements "$TMP/raw")
if [ "$got" = "$want_keys" ] && [ "$(head -n 1 "$TMP/raw" | tr -d '\r')" = '*5' ]; then
    pass "KEYS with a pattern (5 keys, any order)"
else
    failed "KEYS with a pattern (5 keys, any order)" "got: $(tr -d '\r' <"$TMP/raw" | tr '\n' ' ')"
fi

# SCAN with MATCH until the cursor comes back to 0, in about 20 pages whatever the size.
raw 'DBSIZE\r\n'
dbsize=$(head -n 1 "$TMP/raw" | tr -d '\r:')
case $dbsize in '' | *[!0-9]*) dbsize=0 ;; esac
count=$((dbsize / 20)); [ "$count" -ge 2 ] || count=2
cursor=0; pages=0; : >"$TMP/scanned"; scan_ok=1
while :; do
    raw "SCAN $cursor MATCH ${PFX}k:* COUNT $count\r\n"
    tr -d '\r' <"$TMP/raw" >"$TMP/page"
    if [ "$(head -n 1 "$TMP/page")" != '*2' ]; then scan_ok=0; break; fi
    cursor=$(head -n 3 "$TMP/page" | tail -n 1)
    tail -n +4 "$TMP/page" >"$TMP/items"; elements "$TMP/items" >>"$TMP/scanned"
    pages=$((pages + 1))
    [ "$cursor" = 0 ] && break
    [ "$pages" -lt 1000 ] || { scan_ok=0; break; }
done
got=$(sort -u "$TMP/scanned")
if [ "$scan_ok" = 1 ] && [ "$got" = "$want_keys" ]; then
    pass "SCAN MATCH COUNT $count over $pages page(s)"
else
    failed "SCAN MATCH COUNT $count" "after $pages page(s) got: $(tr '\n' ' ' <"$TMP/scanned"); last page: $(tr '\n' ' ' <"$TMP/page")"
fi

run_case "SCAN errors" <<'EOF'
> SCAN notacursor
-ERR invalid cursor
> SCAN 0 COUNT 0
-ERR syntax error
> SCAN 0 MATCH
-ERR syntax error
EOF

# --- ranges ----------------------------------------------------------------------------
if [ "$HAS_RANGE" = 1 ]; then
    run_case "RANGE: bounds, REV, LIMIT, NOVALUES; inline and RESP" <<'EOF'
= MSET|{p}r:a|1|{p}r:b|2|{p}r:c|3|{p}r:d|4|{p}r:e|5
+OK
> RANGE [{p}r:a [{p}r:e
*10
$ {p}r:a
$ 1
$ {p}r:b
$ 2
$ {p}r:c
$ 3
$ {p}r:d
$ 4
$ {p}r:e
$ 5
= RANGE|({p}r:a|({p}r:e|NOVALUES
*3
$ {p}r:b
$ {p}r:c
$ {p}r:d
> RANGE [{p}r:a [{p}r:e REV LIMIT 1 2
*4
$ {p}r:d
$ 4
$ {p}r:c
$ 3
= RANGE|[{p}r:b|[{p}r:d|LIMIT|0|1
*2
$ {p}r:b
$ 2
> range [{p}r: ({p}r:c limit 0 -1 novalues rev
*2
$ {p}r:b
$ {p}r:a
> RANGE [{p}r:a [{p}r:e LIMIT 5 10
*0
> RANGE [{p}r:a [{p}r:e LIMIT -1 10
*0
> RANGE [{p}r:e [{p}r:a
*0
> RANGE + -
*0
> RANGE ({p}r:d [{p}r:~ NOVALUES
*1
$ {p}r:e
EOF

    run_case "RANGE in RESP3 (flat array)" <<'EOF'
> HELLO 3
%7
$ server
$ redis
$ version
? $[0-9]*
? [0-9]*.*
$ proto
:3
$ id
? :[0-9]*
$ mode
$ standalone
$ role
$ master
$ modules
*0
= RANGE|[{p}r:d|[{p}r:~
*4
$ {p}r:d
$ 4
$ {p}r:e
$ 5
> RANGE [{p}r:x [{p}r:~
*0
EOF

    run_case "RANGECOUNT, RANGEDEL and range errors" <<'EOF'
= MSET|{p}q:a|1|{p}q:b|2|{p}q:c|3|{p}q:d|4|{p}q:e|5
+OK
> RANGECOUNT [{p}q:a ({p}q:e
:4
> RANGECOUNT [{p}q: [{p}q:~
:5
= RANGECOUNT|({p}q:e|+
? :[0-9]*
> RANGECOUNT - +
? :[1-9]*
> RANGECOUNT + -
:0
> RANGEDEL ({p}q:a [{p}q:c
:2
> RANGE [{p}q: [{p}q:~ NOVALUES
*3
$ {p}q:a
$ {p}q:d
$ {p}q:e
> RANGEDEL [{p}q:a [{p}q:a
:1
= RANGEDEL|[{p}q:|[{p}q:~
:2
> RANGECOUNT [{p}q: [{p}q:~
:0
> RANGECOUNT {p}q:a [{p}q:e
-ERR min or max not valid string range item
> RANGE [{p}q:a bad
-ERR min or max not valid string range item
> RANGE [{p}q:a [{p}q:e BOGUS
-ERR syntax error
> RANGE [{p}q:a [{p}q:e LIMIT x 1
-ERR value is not an integer or out of range
> RANGE [{p}q:a [{p}q:e LIMIT 0
-ERR syntax error
> RANGECOUNT [{p}q:a
-ERR wrong number of arguments for 'rangecount' command
> RANGEDEL [{p}q:a [{p}q:b [{p}q:c
-ERR wrong number of arguments for 'rangedel' command
EOF
elif [ "$REQUIRE_RANGE" = 1 ]; then
    failed "RANGE family" "the server does not answer RANGECOUNT: $(tr -d '\r' <"$TMP/raw" | head -n 1)"
else
    skip "RANGE family" "the server has no RANGE command"
fi

# --- clean up what the cases stored ----------------------------------------------------
raw "KEYS ${PFX}*\r\n"
elements "$TMP/raw" >"$TMP/left"
if [ -s "$TMP/left" ]; then
    { printf 'DEL'; while IFS= read -r k; do printf ' %s' "$k"; done <"$TMP/left"; printf '\r\n'; } >"$TMP/delreq"
    exchange "$TMP/delreq" "$TMP/raw"
fi

printf 'nc-smoke: %d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
[ "$FAILED" = 0 ]
