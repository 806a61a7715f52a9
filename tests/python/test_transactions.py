"""Transactions (issue 14): MULTI, EXEC, DISCARD, WATCH, UNWATCH, and SkipKV's WATCHRANGE.

Part 1, against skipkv-server and redis-server 7 alike (the `target` fixture), in RESP2 and
RESP3: the cases of Redis's tests/unit/multi.tcl that apply to string commands (and a few
more: arity, OOM, queued connection commands, QUIT, HELLO, CLIENT LIST of a client in MULTI),
written as scenarios (one or two connections, a command, the exact reply expected), replies
compared byte for byte (raw_resp) after being written once for both protocols (`Simple`,
`Error`, `Map`, `NULL_ARRAY`, see `encode`). Keys expire on SkipKV's fake clock (DEBUG
ADVANCE-CLOCK) and in real time on Redis, whose test server has no DEBUG command; a test that
needs a key still alive at some step checks it (PTTL) and retries on Redis, as multi.tcl does.

Part 2, redis-py's client-level transactions (pipelines, watch/multi, `Redis.transaction`), and
concurrency (`busy_target`: SkipKV with 8 shards, or Redis): optimistic increments, writers
of the same keys in opposite orders, readers that must never see a transaction half done.

Part 3, a seeded differential: WATCH, then random commands of command_grammar.py by the watcher
or another client, then MULTI, random commands, EXEC, sent to both servers, every reply
compared (whether EXEC ran is part of its reply).

Part 4, SkipKV only: RANGE, RANGECOUNT and RANGEDEL inside MULTI, and WATCHRANGE: the rules
(scenarios), expiry, many ranges, the uniqueness-check and next-free-id examples run
concurrently, bank transfers by every kind of transaction, and the Part 3 differential with
Redis's WATCH of every key that lies in the range as WATCHRANGE's model.

test_transaction_isolation.py and test_transaction_durability.py go further into isolation
between event loops and into crashes; the concurrent tests here are the ones that also run
against Redis, or that use WATCHRANGE.

The seed is SKIPKV_TEST_SEED, else random; it is printed and named in every failure:
`SKIPKV_TEST_SEED=<seed> scripts/test-python.sh -k test_transactions` replays a failing run.
"""
import functools
import os
import random
import shlex
import threading
import time
from dataclasses import dataclass

import pytest
import redis

import command_grammar
from conftest import Server, Target, start_redis, wait_until
from raw_resp import Connection
from raw_resp import encode as encode_request
from test_differential import bulk_payload, command_list, compare_keyspaces, compare_stream, connect_pair, enabled, show, \
    show_command

SEED = int(os.environ.get("SKIPKV_TEST_SEED") or random.randrange(2**32))
REPLAY = f"SKIPKV_TEST_SEED={SEED} scripts/test-python.sh -k test_transactions"
POLL_SECONDS = 10.0


# --- expected replies, written once for RESP2 and RESP3 ------------------------------------------

class Simple(str):
    """A simple string reply (+OK)."""


class Error(str):
    """An error reply, its whole text."""


class Map(tuple):
    """A map reply from (key, value) pairs: RESP3 %, RESP2 a flat array."""


class _NullArray:
    """The null of an EXEC a WATCH aborted: RESP2 *-1, RESP3 _."""


NULL_ARRAY = _NullArray()
OK, QUEUED, PONG = Simple("OK"), Simple("QUEUED"), Simple("PONG")
EXECABORT = Error("EXECABORT Transaction discarded because of previous errors.")
NOT_IN_MULTI = Error("ERR EXEC without MULTI")


def encode(value, protocol):
    """The exact bytes of an expected reply in `protocol`; None is the null bulk string."""
    if isinstance(value, Simple):
        return b"+%s\r\n" % value.encode()
    if isinstance(value, Error):
        return b"-%s\r\n" % value.encode()
    if value is None or value is NULL_ARRAY:
        return b"_\r\n" if protocol == 3 else (b"$-1\r\n" if value is None else b"*-1\r\n")
    if isinstance(value, bool):
        raise TypeError("write booleans as integers")
    if isinstance(value, int):
        return b":%d\r\n" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"$%d\r\n%s\r\n" % (len(value), value)
    if isinstance(value, Map):
        header = b"%%%d\r\n" % len(value) if protocol == 3 else b"*%d\r\n" % (2 * len(value))
        return header + b"".join(encode(part, protocol) for pair in value for part in pair)
    if isinstance(value, list):
        return b"*%d\r\n" % len(value) + b"".join(encode(item, protocol) for item in value)
    raise TypeError(f"no RESP encoding for {value!r}")


# --- scenarios -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Elapse:
    """A step that lets `milliseconds` pass: SkipKV's fake clock moves, Redis sleeps."""
    milliseconds: int


def address(target):
    return target.socket_path or ("127.0.0.1", target.server.port)


def elapse(target, milliseconds):
    if target.kind == "skipkv":
        with target.client() as client:
            client.execute_command("DEBUG", "ADVANCE-CLOCK", milliseconds)
    else:
        time.sleep(milliseconds / 1000 + 0.01)


class Session:
    """Raw connections to one target, named by the scenario ("a", "b", ...), opened on first use
    and switched to RESP3 by HELLO 3 when `protocol` is 3."""

    def __init__(self, target, protocol):
        self.target, self.protocol, self.connections = target, protocol, {}

    def connection(self, name):
        if name not in self.connections:
            connection = Connection(address(self.target))
            if self.protocol == 3:
                assert connection.call([b"HELLO", b"3"]).raw.startswith(b"%")
            self.connections[name] = connection
        return self.connections[name]

    def call(self, name, line):
        args = [word.encode("latin-1") for word in shlex.split(line)] if isinstance(line, str) else line
        return self.connection(name).call(args)

    def close(self):
        for connection in self.connections.values():
            connection.close()

    def play(self, label, steps):
        """Runs the steps: (connection, command, expected reply), or (command, expected) on
        connection "a", or an Elapse; fails at the first reply that is not the expected one."""
        done = []
        for index, step in enumerate(steps):
            if isinstance(step, Elapse):
                elapse(self.target, step.milliseconds)
                done.append(f"    #{index}: (elapse {step.milliseconds} ms)")
                continue
            name, line, expected = step if len(step) == 3 else ("a", *step)
            got = self.call(name, line).raw
            want = encode(expected, self.protocol)
            done.append(f"    #{index} {name}: {line} -> {show(got)}")
            if got != want:
                pytest.fail("\n".join([
                    f"{label} on {self.target.kind}, RESP{self.protocol}: step #{index} ({name}: {line})",
                    f"  expected: {show(want)}", f"  got:      {show(got)}", "  steps:", *done[-25:],
                ]))


@pytest.fixture
def session(target, protocol):
    instance = Session(target, protocol)
    yield instance
    instance.close()


def watched_and_touched(touch, expected=NULL_ARRAY, setup=("SET x 30",), watch="WATCH x", by="b"):
    """Set-up, WATCH on "a", `touch` (command, its reply) on connection `by`, then MULTI/PING/EXEC
    on "a", whose reply is `expected`: NULL_ARRAY (the touch aborted it) or "runs" ([PONG])."""
    return [*((line, OK) for line in setup), (watch, OK), (by, touch[0], touch[1]),
            ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG] if expected == "runs" else expected)]


SCENARIOS = {
    # --- MULTI, EXEC, DISCARD ---
    "multi_exec_basics": [
        ("MSET a 1 b 2", OK), ("MULTI", OK), ("MGET a b", QUEUED), ("PING", QUEUED), ("SET c 3", QUEUED),
        ("b", "GET c", None),  # nothing runs before EXEC
        ("EXEC", [["1", "2"], PONG, OK]), ("GET c", "3"),
        ("MULTI", OK), ("EXEC", []),
        ("multi", OK), ("set d 4", QUEUED), ("exec", [OK]), ("GET d", "4"),
    ],
    "exec_with_only_reads": [
        ("SET a 1", OK), ("MULTI", OK), ("GET a", QUEUED), ("EXISTS a b", QUEUED), ("STRLEN a", QUEUED),
        ("GETRANGE a 0 -1", QUEUED), ("DBSIZE", QUEUED), ("EXEC", ["1", 1, 1, "1", 1]),
    ],
    "discard": [
        ("SET k v", OK), ("MULTI", OK), ("DEL k", QUEUED), ("SET other 1", QUEUED), ("DISCARD", OK),
        ("GET k", "v"), ("EXISTS other", 0), ("EXEC", NOT_IN_MULTI), ("DISCARD", Error("ERR DISCARD without MULTI")),
    ],
    "nested_multi_is_refused_and_the_transaction_goes_on": [
        ("MULTI", OK), ("SET a 1", QUEUED), ("MULTI", Error("ERR MULTI calls can not be nested")),
        ("SET b 2", QUEUED), ("EXEC", [OK, OK]), ("MGET a b", ["1", "2"]),
    ],
    "watch_inside_multi_is_refused_and_the_transaction_goes_on": [
        ("MULTI", OK), ("SET a 1", QUEUED), ("WATCH x", Error("ERR WATCH inside MULTI is not allowed")),
        ("EXEC", [OK]), ("GET a", "1"),
    ],
    "exec_and_discard_without_multi": [
        ("EXEC", NOT_IN_MULTI), ("DISCARD", Error("ERR DISCARD without MULTI")), ("PING", PONG),
    ],
    "arity_of_the_transaction_commands": [
        ("MULTI extra", Error("ERR wrong number of arguments for 'multi' command")), ("SET a 1", OK),
        ("WATCH", Error("ERR wrong number of arguments for 'watch' command")),
        ("UNWATCH x", Error("ERR wrong number of arguments for 'unwatch' command")),
        ("DISCARD extra", Error("ERR wrong number of arguments for 'discard' command")),
        # Inside MULTI an arity error aborts the transaction, EXEC's own at once.
        ("MULTI", OK), ("SET b 2", QUEUED),
        ("EXEC extra", Error("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")),
        ("EXISTS b", 0), ("EXEC", NOT_IN_MULTI),
        ("MULTI", OK), ("SET b 2", QUEUED), ("DISCARD extra", Error("ERR wrong number of arguments for 'discard' command")),
        ("EXEC", EXECABORT), ("EXISTS b", 0),
        ("MULTI", OK), ("WATCH", Error("ERR wrong number of arguments for 'watch' command")), ("EXEC", EXECABORT),
    ],
    "exec_of_the_wrong_arity_outside_multi": [
        # Redis answers an EXEC of the wrong arity with EXECABORT, in MULTI or not.
        ("EXEC extra", Error("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")),
        ("PING", PONG),
    ],
    "unknown_command_while_queueing_aborts": [
        ("MULTI", OK), ("SET foo1 bar1", QUEUED),
        ("non-existing-command x y", Error("ERR unknown command 'non-existing-command', with args beginning with: 'x' 'y' ")),
        ("SET foo2 bar2", QUEUED), ("EXEC", EXECABORT), ("EXISTS foo1 foo2", 0),
        ("PING", PONG), ("EXEC", NOT_IN_MULTI),  # the client left the MULTI state
    ],
    "wrong_arity_while_queueing_aborts": [
        ("MULTI", OK), ("SET foo1 bar1", QUEUED), ("GET", Error("ERR wrong number of arguments for 'get' command")),
        ("SET foo2", Error("ERR wrong number of arguments for 'set' command")), ("SET foo2 bar2", QUEUED),
        ("EXEC", EXECABORT), ("EXISTS foo1 foo2", 0), ("SET x 1", OK), ("EXEC", NOT_IN_MULTI),
    ],
    "discard_after_a_queueing_error": [
        ("MULTI", OK), ("GET", Error("ERR wrong number of arguments for 'get' command")), ("DISCARD", OK),
        ("MULTI", OK), ("SET a 1", QUEUED), ("EXEC", [OK]),
    ],
    "commands_not_allowed_in_multi_abort": [
        ("MULTI", OK), ("SET foo bar", QUEUED), ("SAVE", Error("ERR Command not allowed inside a transaction")),
        ("SET foo2 bar", QUEUED), ("EXEC", EXECABORT), ("GET foo", None),
        ("MULTI", OK), ("SET foo bar", QUEUED), ("SHUTDOWN", Error("ERR Command not allowed inside a transaction")),
        ("EXEC", EXECABORT), ("GET foo", None), ("PING", PONG),
    ],
    "runtime_errors_are_elements_of_the_reply": [
        ("SET s abc", OK), ("MULTI", OK), ("SET a 1", QUEUED), ("INCR s", QUEUED), ("INCR a", QUEUED),
        ("SET k v EX 0", QUEUED), ("GET a", QUEUED),
        ("EXEC", [OK, Error("ERR value is not an integer or out of range"), 2,
                  Error("ERR invalid expire time in 'set' command"), "2"]),
        ("GET s", "abc"),
    ],
    "keyspace_commands_inside_multi": [
        ("SET a 1", OK), ("MULTI", OK), ("KEYS *", QUEUED), ("DBSIZE", QUEUED), ("RANDOMKEY", QUEUED),
        ("FLUSHALL", QUEUED), ("DBSIZE", QUEUED), ("SET b 2", QUEUED), ("RENAME b c", QUEUED), ("COPY c d", QUEUED),
        ("BITOP OR e c d", QUEUED), ("KEYS d", QUEUED), ("TYPE d", QUEUED), ("EXISTS a b c d e", QUEUED),
        ("EXEC", [["a"], 1, "a", OK, 0, OK, OK, 1, 1, ["d"], Simple("string"), 3]),
    ],
    "replies_inside_exec_keep_their_resp3_types": [
        ("MULTI", OK), ("GET missing", QUEUED), ("CONFIG GET maxmemory-policy", QUEUED),
        ("SET k1 ohmytext", QUEUED), ("SET k2 mynewtext", QUEUED), ("LCS k1 k2 IDX", QUEUED),
        ("INCRBYFLOAT f 1.5", QUEUED), ("MGET k1 missing", QUEUED), ("SET k1 x GET", QUEUED),
        ("EXEC", [None, Map([("maxmemory-policy", "noeviction")]), OK, OK,
                  Map([("matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]]), ("len", 6)]), "1.5", ["ohmytext", None],
                  "ohmytext"]),
    ],
    "connection_commands_are_queued_too": [
        ("MULTI", OK), ("CLIENT SETNAME tx", QUEUED), ("SELECT 0", QUEUED), ("CLIENT GETNAME", QUEUED),
        ("AUTH foo", QUEUED), ("ECHO hi", QUEUED),
        ("EXEC", [OK, OK, "tx", Error("ERR AUTH <password> called without any password configured for the default user. "
                                      "Are you sure your configuration is correct?"), "hi"]),
    ],
    "quit_inside_multi_closes_without_running_it": [
        ("MULTI", OK), ("SET a 1", QUEUED), ("QUIT", OK), ("b", "GET a", None),
    ],
    "unwatch_queued_inside_multi_is_too_late": [
        ("SET x 1", OK), ("WATCH x", OK), ("b", "SET x 2", OK), ("MULTI", OK), ("UNWATCH", QUEUED),
        ("EXEC", NULL_ARRAY), ("MULTI", OK), ("UNWATCH", QUEUED), ("EXEC", [OK]),
    ],
    # --- WATCH ---
    "exec_runs_when_watched_keys_are_not_modified": [
        ("SET y 1", OK), ("WATCH x y z", OK), ("WATCH k", OK), ("b", "GET y", "1"), ("b", "SET other 1", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "exec_fails_when_the_watched_key_is_modified_1_of_1": watched_and_touched(("SET x 40", OK)),
    "exec_fails_when_a_watched_key_is_modified_1_of_5": watched_and_touched(("SET x 40", OK), watch="WATCH a b x k z"),
    "exec_fails_when_modified_by_the_watcher_before_multi": watched_and_touched(("SET x 40", OK), by="a"),
    "exec_fails_when_written_with_the_same_value": watched_and_touched(("SET x 30", OK)),
    "exec_fails_when_a_watched_missing_key_is_created": watched_and_touched(("SET x 1", OK), setup=()),
    "exec_fails_when_the_watched_key_is_deleted": watched_and_touched(("DEL x", 1)),
    "exec_fails_when_the_watched_key_gets_a_ttl": watched_and_touched(("EXPIRE x 10", 1)),
    "exec_fails_when_the_watched_key_loses_its_ttl": watched_and_touched(("PERSIST x", 1), setup=("SET x 30 EX 100",)),
    "persist_of_a_key_without_ttl_does_not_touch": watched_and_touched(("PERSIST x", 0), "runs"),
    "del_of_a_missing_watched_key_does_not_abort": watched_and_touched(("DEL x", 0), "runs", setup=()),
    "failed_set_nx_does_not_touch": watched_and_touched(("SET x 1 NX", None), "runs"),
    "failed_incr_does_not_touch": watched_and_touched(("INCR x", Error("ERR value is not an integer or out of range")),
                                                      "runs", setup=("SET x abc",)),
    # BITFIELD touches its key only when a SET or INCRBY ran (not refused by OVERFLOW FAIL) and
    # changed the field or created or grew the string (Redis's bitfieldGeneric).
    "bitfield_that_changes_nothing_does_not_touch": [
        *watched_and_touched(("BITFIELD x OVERFLOW FAIL INCRBY u8 0 300", [None]), "runs", setup=("SET x abc",)),
        *watched_and_touched(("BITFIELD x SET u8 0 97", [97]), "runs", setup=()),
        *watched_and_touched(("BITFIELD x INCRBY u8 0 0", [97]), "runs", setup=()),
        *watched_and_touched(("BITFIELD x OVERFLOW WRAP INCRBY u8 0 256", [97]), "runs", setup=()),
        *watched_and_touched(("BITFIELD x OVERFLOW FAIL INCRBY u8 0 300 GET u8 0", [None, 97]), "runs", setup=()),
    ],
    "bitfield_that_writes_touches": [
        *watched_and_touched(("BITFIELD x SET u8 0 98", [97]), setup=("SET x abc",)),
        *watched_and_touched(("BITFIELD x SET u8 100 0", [0]), setup=()),  # grows the string
        *watched_and_touched(("BITFIELD y SET u8 0 0", [0]), setup=(), watch="WATCH y"),  # creates it
        *watched_and_touched(("BITFIELD x OVERFLOW SAT INCRBY u8 0 300", [255]), setup=()),
    ],
    "bitfield_get_does_not_touch": watched_and_touched(("BITFIELD x GET u8 0", [97]), "runs", setup=("SET x abc",)),
    "setrange_of_nothing_does_not_touch": watched_and_touched(("SETRANGE x 1 ''", 3), "runs", setup=("SET x abc",)),
    "append_of_nothing_touches": watched_and_touched(("APPEND x ''", 3), setup=("SET x abc",)),
    "rename_onto_the_watched_key": watched_and_touched(("RENAME y x", OK), setup=("SET x 30", "SET y 1")),
    "rename_away_from_the_watched_key": watched_and_touched(("RENAME x y", OK)),
    "flushall_touches_watched_keys_that_exist": watched_and_touched(("FLUSHALL", OK)),
    "flushall_does_not_touch_missing_watched_keys": watched_and_touched(("FLUSHALL", OK), "runs", setup=("SET y 1",)),
    "flushdb_touches_watched_keys_that_exist": watched_and_touched(("FLUSHDB", OK)),
    "flushdb_does_not_touch_missing_watched_keys": watched_and_touched(("FLUSHDB", OK), "runs", setup=("SET y 1",)),
    "flushall_while_watching_several_keys": [
        ("MSET a a b b", OK), ("WATCH b a", OK), ("FLUSHALL", OK), ("PING", PONG),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
    ],
    "after_a_successful_exec_keys_are_no_longer_watched": [
        ("SET x 30", OK), ("WATCH x", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
        ("b", "SET x 40", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "after_a_failed_exec_keys_are_no_longer_watched": [
        ("SET x 30", OK), ("WATCH x", OK), ("b", "SET x 40", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
        ("b", "SET x 40", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "after_execabort_keys_are_no_longer_watched": [
        ("SET x 30", OK), ("WATCH x", OK), ("MULTI", OK), ("GET", Error("ERR wrong number of arguments for 'get' command")),
        ("EXEC", EXECABORT), ("b", "SET x 40", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "unwatch": [
        ("SET x 30", OK), ("WATCH x", OK), ("b", "SET x 40", OK), ("UNWATCH", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "unwatch_with_nothing_watched": [("UNWATCH", OK), ("UNWATCH", OK), ("MULTI", OK), ("EXEC", [])],
    "discard_clears_the_dirty_flag": [
        ("WATCH x", OK), ("SET x 10", OK), ("MULTI", OK), ("DISCARD", OK),
        ("MULTI", OK), ("INCR x", QUEUED), ("EXEC", [11]),
    ],
    "discard_unwatches_all_keys": [
        ("WATCH x", OK), ("SET x 10", OK), ("MULTI", OK), ("DISCARD", OK), ("b", "SET x 10", OK),
        ("MULTI", OK), ("INCR x", QUEUED), ("EXEC", [11]),
    ],
    "the_transactions_own_writes_do_not_abort_it": [
        ("SET x 1", OK), ("WATCH x", OK), ("MULTI", OK), ("SET x 2", QUEUED), ("INCR x", QUEUED), ("EXEC", [OK, 3]),
    ],
    "watch_is_per_connection": [
        ("SET x 1", OK), ("WATCH x", OK), ("b", "WATCH x", OK), ("b", "MULTI", OK), ("b", "SET x 2", QUEUED),
        ("b", "EXEC", [OK]), ("MULTI", OK), ("GET x", QUEUED), ("EXEC", NULL_ARRAY),
    ],
    "a_transaction_touches_keys_others_watch": [
        ("SET x 1", OK), ("b", "WATCH x", OK), ("MULTI", OK), ("INCR x", QUEUED), ("EXEC", [2]),
        ("b", "MULTI", OK), ("b", "GET x", QUEUED), ("b", "EXEC", NULL_ARRAY),
    ],
    "an_aborted_transaction_writes_nothing": [
        ("SET x 1", OK), ("WATCH x", OK), ("b", "SET x 2", OK), ("MULTI", OK), ("SET x 3", QUEUED), ("SET y 3", QUEUED),
        ("EXEC", NULL_ARRAY), ("MGET x y", ["2", None]),
    ],
    # --- keys that expire ---
    "watch_stale_keys_does_not_fail_exec": [
        ("SET x foo PX 1", OK), Elapse(5), ("WATCH x", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "deleting_watched_stale_keys_does_not_fail_exec": [
        ("SET x foo PX 1", OK), Elapse(5), ("WATCH x", OK), ("EXISTS x", 0), ("DEL x", 0),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "flushdb_while_watching_stale_keys_does_not_fail_exec": [
        ("SET x foo PX 1", OK), Elapse(5), ("WATCH x", OK), ("FLUSHDB", OK), ("MULTI", OK), ("PING", QUEUED),
        ("EXEC", [PONG]),
    ],
    "setting_a_watched_stale_key_fails_exec": [
        ("SET x foo PX 1", OK), Elapse(5), ("WATCH x", OK), ("b", "SET x bar", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
    ],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(session, name):
    session.play(name, SCENARIOS[name])


OOM = Error("OOM command not allowed when used memory > 'maxmemory'.")
OUT_OF_MEMORY = ("b", "CONFIG SET maxmemory 1", OK)  # any server uses more than a byte

OOM_SCENARIOS = {
    # While over maxmemory, Redis refuses every command queued (not only writes), but not DISCARD.
    "queueing_is_refused_when_out_of_memory": [
        OUT_OF_MEMORY, ("MULTI", OK), ("SET x 1", OOM), ("GET x", OOM), ("DISCARD", OK),
        ("MULTI", OK), ("EXISTS x", OOM), ("EXEC", EXECABORT), ("PING", PONG),
    ],
    "exec_of_only_reads_runs_when_out_of_memory": [
        ("SET x value", OK), ("MULTI", OK), ("GET x", QUEUED), ("PING", QUEUED), OUT_OF_MEMORY,
        ("EXEC", ["value", PONG]),
    ],
    "exec_with_a_write_is_refused_when_out_of_memory": [
        ("MULTI", OK), ("SET x 1", QUEUED), ("GET x", QUEUED), OUT_OF_MEMORY,
        ("EXEC", Error("EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.")),
        ("EXISTS x", 0), ("EXEC", NOT_IN_MULTI),
    ],
}


@pytest.mark.parametrize("name", sorted(OOM_SCENARIOS))
def test_out_of_memory_scenario(session, name):
    try:
        session.play(name, OOM_SCENARIOS[name])
    finally:
        with session.target.client() as client:
            client.config_set("maxmemory", 0)


# --- keys expiring while watched ----------------------------------------------------------------

def set_active_expiry(target, on):
    """SkipKV's active expiry cycle on or off (Redis's test server has no DEBUG: there the
    active cycle may remove a key first, which WATCH treats alike)."""
    if target.kind == "skipkv":
        with target.client() as client:
            client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", int(on))


@pytest.fixture
def lazy_expiry_only(target):
    """Active expiry off for the test, so only lazy expiry removes keys."""
    set_active_expiry(target, False)
    yield
    set_active_expiry(target, True)


def watch_while_alive(session, key, milliseconds):
    """SET key with a TTL and WATCH it while it is alive (checked by PTTL after the WATCH;
    on Redis the machine may stall past the TTL, then it tries again, up to 10 times)."""
    for _ in range(10):
        assert session.call("a", f"SET {key} 1 PX {milliseconds}").raw == b"+OK\r\n"
        assert session.call("a", f"WATCH {key}").raw == b"+OK\r\n"
        if session.call("a", f"PTTL {key}").raw not in (b":-2\r\n", b":0\r\n"):
            return
        assert session.call("a", "UNWATCH").raw == b"+OK\r\n"
    pytest.fail(f"{key} expired before WATCH ten times")


def test_exec_fails_on_a_lazily_expired_watched_key(session, lazy_expiry_only):
    watch_while_alive(session, "key", 100)
    session.play("lazy expired", [Elapse(150), ("MULTI", OK), ("INCR key", QUEUED), ("EXEC", NULL_ARRAY), ("GET key", None)])


def test_exec_fails_when_another_client_reads_the_expired_watched_key(session, lazy_expiry_only):
    watch_while_alive(session, "key", 100)
    session.play("expired, then read", [
        Elapse(150), ("b", "GET key", None), ("b", "EXISTS key", 0), ("MULTI", OK), ("PING", QUEUED),
        ("EXEC", NULL_ARRAY),
    ])


def test_watch_considers_keys_the_active_cycle_expired(session):
    watch_while_alive(session, "x", 100)
    session.play("active expired", [Elapse(150)])
    with session.target.client() as client:
        assert wait_until(lambda: client.dbsize() == 0, POLL_SECONDS)
    session.play("active expired", [("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY)])


def test_the_active_cycle_removing_a_watched_stale_key_does_not_fail_exec(session):
    """A key already expired when WATCHed, then reclaimed by the active cycle: no change."""
    session.play("stale, then reclaimed", [("SET x foo PX 1", OK), Elapse(10), ("WATCH x", OK)])
    with session.target.client() as client:
        assert wait_until(lambda: client.dbsize() == 0, POLL_SECONDS)
    session.play("stale, then reclaimed", [("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG])])


def test_expiry_of_a_key_not_watched_does_not_fail_exec(session, lazy_expiry_only):
    session.play("other key expires", [
        ("SET other 1 PX 50", OK), ("SET x 1", OK), ("WATCH x", OK), Elapse(100), ("GET other", None),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ])


def test_transaction_commands_before_authentication(target):
    """With requirepass set, a client that has not authenticated gets NOAUTH for MULTI, WATCH,
    UNWATCH, DISCARD, and for EXEC the EXECABORT form Redis gives every refused EXEC."""
    admin = Connection(address(target))
    assert admin.call([b"CONFIG", b"SET", b"requirepass", b"pw"]).raw == b"+OK\r\n"
    session = Session(target, 2)
    noauth = Error("NOAUTH Authentication required.")
    try:
        session.play("before AUTH", [
            ("MULTI", noauth), ("SET a 1", noauth), ("WATCH a", noauth), ("UNWATCH", noauth), ("DISCARD", noauth),
            ("AUTH pw", OK), ("MULTI", OK), ("SET a 1", QUEUED), ("EXEC", [OK]),
            ("b", "EXEC", Error("EXECABORT Transaction discarded because of: NOAUTH Authentication required.")),
        ])
    finally:
        session.close()
        admin.call([b"AUTH", b"pw"])
        assert admin.call([b"CONFIG", b"SET", b"requirepass", b""]).raw == b"+OK\r\n"
        admin.close()


# --- CLIENT LIST / CLIENT INFO of a client in a transaction ----------------------------------------

def client_fields(observer, client_id):
    entry = next(entry for entry in observer.client_list() if int(entry["id"]) == client_id)
    return entry["flags"], int(entry["multi"]), entry["cmd"]


def test_client_list_flags_and_queued_count(target, protocol):
    """flags has x while in MULTI and d once a watched key changed; multi= is the number of
    commands queued, -1 outside MULTI (Redis stops counting once EXEC is bound to fail)."""
    with target.client(protocol) as client, target.client(protocol) as observer:
        me = client.client_id()
        flags, queued, _ = client_fields(observer, me)
        assert ("x" not in flags, "d" not in flags, queued) == (True, True, -1)
        client.execute_command("MULTI")
        client.execute_command("SET", "y", 1)
        client.execute_command("GET", "y")
        flags, queued, _ = client_fields(observer, me)
        assert ("x" in flags, "d" not in flags, queued) == (True, True, 2), flags
        client.execute_command("EXEC")
        flags, queued, _ = client_fields(observer, me)
        assert ("x" not in flags, queued) == (True, -1), flags
        client.execute_command("WATCH", "x")
        observer.set("x", 1)
        flags, queued, _ = client_fields(observer, me)
        assert ("d" in flags, "x" not in flags, queued) == (True, True, -1), flags
        client.execute_command("MULTI")
        flags, _, _ = client_fields(observer, me)
        assert "x" in flags and "d" in flags, flags
        assert client.execute_command("EXEC") is None
        flags, _, _ = client_fields(observer, me)
        assert "x" not in flags and "d" not in flags, flags


def test_client_list_counts_nothing_once_exec_must_fail(target, protocol):
    """Redis queues nothing more (multi= stays) once EXEC is bound to fail: after a refused
    command, or once a watched key changed."""
    with target.client(protocol) as client, target.client(protocol) as observer:
        me = client.client_id()
        client.execute_command("MULTI")
        with pytest.raises(redis.ResponseError):
            client.execute_command("GET")
        client.execute_command("SET", "y", 1)
        assert client_fields(observer, me)[1] == 0
        client.execute_command("DISCARD")
        client.execute_command("WATCH", "x")
        observer.set("x", 1)
        client.execute_command("MULTI")
        client.execute_command("SET", "y", 1)
        assert client_fields(observer, me)[1] == 0
        assert client.execute_command("EXEC") is None


def test_client_list_cmd_is_the_last_command_queued(target, protocol):
    """cmd= names the last command queued while queueing, and exec while EXEC runs."""
    with target.client(protocol) as client, target.client(protocol) as observer:
        me = client.client_id()
        client.execute_command("MULTI")
        client.execute_command("SET", "y", 1)
        client.execute_command("GET", "y")
        assert client_fields(observer, me)[2] == "get"
        client.execute_command("EXEC")
        assert client_fields(observer, me)[2] == "exec"
        # Inside EXEC, CLIENT INFO shows the client still in MULTI, running EXEC.
        client.execute_command("MULTI")
        client.execute_command("SET", "y", 1)
        client.execute_command("CLIENT", "INFO")
        info = client.execute_command("EXEC")[1]
        info = dict(field.split("=", 1) for field in (info.decode() if isinstance(info, bytes) else info).split())
        assert ("x" in info["flags"], info["multi"], info["cmd"]) == (True, "2", "exec"), info


# --- Part 2: redis-py's transactions ------------------------------------------------------------

@pytest.fixture
def client(target, protocol):
    instance = target.client(protocol)
    yield instance
    instance.close()


def test_pipeline_is_a_transaction(client, target, protocol):
    pipe = client.pipeline()
    pipe.set("a", 1).incr("a").get("a").mget("a", "missing").delete("missing")
    assert pipe.execute() == [True, 2, b"2", [b"2", None], 0]
    with client.pipeline() as pipe:
        pipe.set("s", "abc").incr("s").set("after", 1)
        with pytest.raises(redis.ResponseError, match="value is not an integer"):
            pipe.execute()
    assert client.get("after") == b"1"  # a runtime error does not undo the others
    pipe = client.pipeline()
    pipe.set("s2", "abc").incr("s2").get("s2")
    first, error, last = pipe.execute(raise_on_error=False)
    assert (first, last) == (True, b"abc") and isinstance(error, redis.ResponseError)
    with target.client(protocol) as other, client.pipeline() as pipe:
        pipe.execute_command("SET", "queued", 1)
        pipe.execute_command("GET", "queued")
        assert other.get("queued") is None
        assert pipe.execute() == [True, b"1"]


def test_a_queueing_error_aborts_the_pipeline(client):
    with client.pipeline() as pipe:
        pipe.set("a", 1).execute_command("GET").set("b", 2)
        with pytest.raises(redis.ResponseError, match="EXECABORT|wrong number of arguments"):
            pipe.execute()
    assert client.exists("a", "b") == 0
    assert client.ping()  # the connection left the MULTI state


def test_pipeline_without_transaction(client):
    pipe = client.pipeline(transaction=False)
    pipe.set("a", 1).incr("a").get("a")
    assert pipe.execute() == [True, 2, b"2"]


def test_watch_then_multi(client, target, protocol):
    client.set("counter", 5)
    with client.pipeline() as pipe:
        pipe.watch("counter")
        value = int(pipe.get("counter"))  # immediate mode after WATCH
        pipe.multi()
        pipe.set("counter", value + 1)
        assert pipe.execute() == [True]
    assert client.get("counter") == b"6"
    with target.client(protocol) as other, client.pipeline() as pipe:
        pipe.watch("counter")
        value = int(pipe.get("counter"))
        other.set("counter", 100)
        pipe.multi()
        pipe.set("counter", value + 1)
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert client.get("counter") == b"100"


def test_transaction_helper_retries_on_watch_error(client, target, protocol):
    client.set("counter", 0)
    calls = []
    with target.client(protocol) as other:
        def increment(pipe):
            value = int(pipe.get("counter"))
            calls.append(value)
            if len(calls) == 1:
                other.incr("counter", 10)  # a competitor wins the first attempt
            pipe.multi()
            pipe.set("counter", value + 1)

        assert client.transaction(increment, "counter") == [True]
    assert calls == [0, 10]
    assert client.get("counter") == b"11"


def test_a_long_pipelined_transaction(client):
    pipe = client.pipeline()
    for index in range(2000):
        pipe.set(f"k{index}", index).get(f"k{index}")
    replies = pipe.execute()
    assert replies == [reply for index in range(2000) for reply in (True, str(index).encode())]


@pytest.fixture(params=["skipkv", "redis"])
def busy_target(request):
    """For the concurrent tests: the sharded skipkv-server of the `server` fixture (8 shards,
    so transactions span shards and event loops) or redis-server 7, flushed."""
    if request.param == "skipkv":
        return request.getfixturevalue("sharded")
    instance = Target("redis", socket_path=request.getfixturevalue("reference_redis"))
    with instance.client() as client:
        client.flushall()
    return instance


@pytest.fixture
def sharded(server):
    """The skipkv-server with 8 shards as a `target`, flushed: for the concurrent tests."""
    instance = Target("skipkv", server=server)
    with instance.client() as client:
        client.flushall()
    return instance


def timed_client(target, protocol=2, **options):
    """A redis-py client whose calls time out (a deadlocked server fails the test, not hangs it)."""
    where = {"unix_socket_path": target.socket_path} if target.socket_path else \
        {"host": "127.0.0.1", "port": target.server.port}
    return redis.Redis(**where, protocol=protocol, socket_timeout=30, **options)


def race(writers, readers=()):
    """Runs each function in a thread of its own: `writers` (no argument) to their end, and
    `readers` (given an Event) until it is set, once every writer has returned. Returns what
    any of them raised."""
    done, errors = threading.Event(), []

    def thread(function, *args):
        def guarded():
            try:
                function(*args)
            except Exception as error:  # noqa: BLE001 - returned to the test
                errors.append(error)
        return threading.Thread(target=guarded)

    writing = [thread(function) for function in writers]
    reading = [thread(function, done) for function in readers]
    for worker in writing + reading:
        worker.start()
    for worker in writing:
        worker.join()
    done.set()
    for worker in reading:
        worker.join()
    return errors


def test_other_clients_never_see_a_transaction_half_done(busy_target, protocol):
    """A writer sets a and b to the same value in one transaction, over and over, while readers
    read both in one MGET or one MULTI/GET/GET/EXEC: they never see the two differ (Redis runs a
    transaction with no other client's command in between)."""
    torn = []

    def writer():
        with timed_client(busy_target, protocol) as client:
            for index in range(400):
                pipe = client.pipeline()
                pipe.set("a", index).incr("counter").set("b", index)
                pipe.execute()

    def reader(in_transaction, done):
        with timed_client(busy_target, protocol) as client:
            while not done.is_set():
                if in_transaction:
                    pipe = client.pipeline()
                    pipe.get("a").get("b")
                    pair = pipe.execute()
                else:
                    pair = client.mget("a", "b")
                if pair[0] != pair[1]:
                    torn.append(pair)

    with busy_target.client(protocol) as client:
        client.mset({"a": -1, "b": -1})
    errors = race([writer], [functools.partial(reader, True), functools.partial(reader, False)])
    assert not errors, errors
    assert not torn, f"{len(torn)} reads saw a and b differ, first {torn[:5]}"


def test_transactions_writing_the_same_keys_in_opposite_orders(busy_target, protocol):
    """Threads run transactions that each write every one of 12 keys, in an order of their own
    (seeded shuffles), by DEL, MSET, SET and INCR: no deadlock (a client times out instead of
    hanging), and every transaction is all or nothing: readers' MGETs and the final state show
    every key written by the same transaction."""
    keys = [f"key:{index}:{'x' * index}" for index in range(12)]
    torn = []

    def writer(number):
        rng = random.Random(SEED + number)
        with timed_client(busy_target, protocol) as client:
            for round_ in range(150):
                stamp = f"{number}-{round_}"
                order = keys[:]
                rng.shuffle(order)
                pipe = client.pipeline()
                half = len(order) // 2
                pipe.delete(*order[:half])
                pipe.mset({key: stamp for key in order[:half]})
                for key in order[half:]:
                    pipe.set(key, "0").incr(key).set(key, stamp)
                pipe.execute()

    def reader(done):
        with timed_client(busy_target, protocol) as client:
            while not done.is_set():
                values = set(client.mget(keys))
                if len(values) > 1:
                    torn.append(values)

    errors = race([functools.partial(writer, number) for number in range(4)], [reader, reader])
    assert not errors, f"{errors} (SKIPKV_TEST_SEED={SEED})"
    assert not torn, f"{len(torn)} MGETs saw a transaction half done, first {torn[:3]} (SKIPKV_TEST_SEED={SEED})"
    with busy_target.client(protocol) as client:
        assert len(set(client.mget(keys))) == 1


def test_pipelined_batches_of_transactions_and_reads(busy_target):
    """The same isolation check with the client out of the way: writer connections send batches
    of 100 transactions (each sets 8 keys to one stamp, half by SET per key, half by MSET) in
    one write, reader connections batches of 300 MGETs, so both event loops stay busy at once."""
    keys = [f"batch:{index}".encode() for index in range(8)]
    torn = []

    def writer(number):
        connection = Connection(address(busy_target), timeout=60)
        for batch in range(6):
            requests = []
            for index in range(100):
                stamp = b"%d-%d-%d" % (number, batch, index)
                requests.append([b"MULTI"])
                if index % 2:
                    requests.extend([b"SET", key, stamp] for key in keys)
                else:
                    requests.append([b"MSET", *(part for key in keys for part in (key, stamp))])
                requests.append([b"EXEC"])
            connection.sock.sendall(b"".join(map(encode_request, requests)))
            for _ in requests:
                reply = connection.read()
                assert not reply.is_error, reply.raw
        connection.close()

    def reader():
        connection = Connection(address(busy_target), timeout=60)
        request = encode_request([b"MGET", *keys])
        for _ in range(8):
            connection.sock.sendall(request * 300)
            for _ in range(300):
                values = {item.raw for item in connection.read().items}
                if len(values) != 1:
                    torn.append(values)
        connection.close()

    with busy_target.client() as client:
        client.mset({key: "start" for key in keys})
    errors = race([*(functools.partial(writer, number) for number in range(3)), *[reader] * 3])
    assert not errors, errors
    assert not torn, f"{len(torn)} MGETs saw a transaction half done, first {torn[:2]}"


def test_renames_and_copies_inside_transactions(busy_target, protocol):
    """Each transaction writes a temporary key, RENAMEs it onto x and COPYs x onto y: others
    never see a temporary key, nor x and y differ."""
    writers = 3
    seen = []

    def writer(number):
        with timed_client(busy_target, protocol) as client:
            for round_ in range(100):
                pipe = client.pipeline()
                pipe.set(f"tmp:{number}", f"{number}-{round_}").rename(f"tmp:{number}", "x").copy("x", "y", replace=True)
                pipe.execute()

    def reader(done):
        with timed_client(busy_target, protocol) as client:
            while not done.is_set():
                temporary = client.exists(*(f"tmp:{number}" for number in range(writers)))
                if temporary:
                    seen.append(("temporary keys", temporary))
                x, y = client.mget("x", "y")
                if x != y:
                    seen.append(("MGET x != y", x, y))
                pipe = client.pipeline()
                pipe.get("x").get("y")
                x, y = pipe.execute()
                if x != y:
                    seen.append(("MULTI GET x != GET y", x, y))

    with busy_target.client(protocol) as client:
        client.mset({"x": "start", "y": "start"})
    errors = race([functools.partial(writer, number) for number in range(writers)], [reader, reader])
    assert not errors, errors
    assert not seen, seen[:5]


def test_a_client_gone_in_the_middle_of_a_transaction(target, protocol):
    """Clients that WATCH, queue commands and disconnect before EXEC leave nothing behind: what
    they queued never runs, and writes to the keys they watched go on."""
    for index in range(20):
        connection = Connection(address(target))
        for args in ([b"SET", b"x", b"0"], [b"WATCH", b"x", b"y"], [b"MULTI"], [b"SET", b"queued", b"1"]):
            connection.send(args)
        if target.kind == "skipkv":
            connection.send([b"WATCHRANGE", b"-", b"+"])  # refused inside MULTI
        connection.close()
    with target.client(protocol) as client:
        for _ in range(5):  # and clients killed by CLIENT KILL in the same state
            victim = target.client(protocol)
            victim_id = victim.client_id()
            victim.execute_command("WATCH", "x")
            victim.execute_command("MULTI")
            victim.execute_command("SET", "queued", 1)
            assert client.client_kill_filter(_id=victim_id) == 1
            victim.close()
        for index in range(200):
            client.set("x", index)
            client.delete("y")
        assert client.exists("queued") == 0
        assert client.get("x") == b"199"
        assert client.ping()
    if target.kind == "skipkv":
        for _ in range(20):
            connection = Connection(address(target))
            connection.send([b"WATCHRANGE", b"-", b"+"])
            connection.send([b"MULTI"])
            connection.close()
        with target.client(protocol) as client:
            client.set("x", "after")
            assert client.execute_command("RANGEDEL", "-", "+") >= 1
            assert client.ping()


def test_many_clients_watching_the_same_key(target, protocol):
    """200 clients WATCH k and 200 WATCH j (on SkipKV half of each by WATCHRANGE [k [k, [j [j);
    one write of k fails the first 200 EXECs and none of the others."""
    connections = []
    try:
        for index in range(400):
            connection = Connection(address(target))
            if protocol == 3:
                connection.call([b"HELLO", b"3"])
            key = b"k" if index < 200 else b"j"
            if target.kind == "skipkv" and index % 2:
                watch = [b"WATCHRANGE", b"[" + key, b"[" + key]
            else:
                watch = [b"WATCH", key]
            assert connection.call(watch).raw == b"+OK\r\n"
            connections.append(connection)
        with target.client(protocol) as client:
            client.set("k", 1)
        for connection in connections:
            connection.send([b"MULTI"])
            connection.send([b"EXEC"])
        results = [(connection.read().raw, connection.read().raw) for connection in connections]
        aborted = [index for index, (_, reply) in enumerate(results) if reply == encode(NULL_ARRAY, protocol)]
        assert aborted == list(range(200)), aborted
        assert all(reply == b"*0\r\n" for _, reply in results[200:])
    finally:
        for connection in connections:
            connection.close()


def test_pipelined_transaction_replies_in_order(target, protocol):
    """MULTI, queued commands, EXEC and commands after it, sent in one write: every reply in order."""
    connection = Connection(address(target))
    try:
        if protocol == 3:
            connection.call([b"HELLO", b"3"])
        batch = [[b"SET", b"a", b"1"], [b"MULTI"], [b"INCR", b"a"], [b"GET", b"a"], [b"EXEC"], [b"GET", b"a"],
                 [b"MULTI"], [b"DISCARD"], [b"EXEC"], [b"PING"]]
        for args in batch:
            connection.send(args)
        replies = [connection.read().raw for _ in batch]
        expected = [OK, OK, QUEUED, QUEUED, [2, "2"], "2", OK, OK, NOT_IN_MULTI, PONG]
        assert replies == [encode(value, protocol) for value in expected]
    finally:
        connection.close()


def test_hello_inside_multi_switches_the_protocol_mid_exec(target):
    """HELLO is queued like any command: the replies after it in EXEC's array are in the new
    protocol (RESP3's null `_` for GET of a missing key), and so is what follows EXEC."""
    connection = Connection(address(target))
    try:
        for args in ([b"MULTI"], [b"HELLO", b"3"], [b"GET", b"missing"]):
            connection.call(args)
        reply = connection.call([b"EXEC"])
        assert reply.raw.startswith(b"*2\r\n%7\r\n") and reply.items[1].raw == b"_\r\n", reply.raw
        assert connection.call([b"GET", b"missing"]).raw == b"_\r\n"
    finally:
        connection.close()


def test_inline_commands_in_a_transaction(target):
    connection = Connection(address(target))
    try:
        connection.sock.sendall(b"MULTI\r\nSET a 1\r\nINCR a\r\nEXEC\r\nDISCARD\r\n")
        replies = [connection.read().raw for _ in range(5)]
        assert replies == [b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n", b"*2\r\n+OK\r\n:2\r\n",
                           b"-ERR DISCARD without MULTI\r\n"]
    finally:
        connection.close()


def test_concurrent_optimistic_increments(busy_target, protocol):
    """6 clients, each its own connection, each adding 1 40 times by WATCH, GET, MULTI, SET,
    EXEC and retrying when EXEC aborts: no increment is lost."""
    threads, increments = 6, 40
    aborted = []

    def work():
        with timed_client(busy_target, protocol) as client:
            retries = 0
            for _ in range(increments):
                while True:
                    with client.pipeline() as pipe:
                        try:
                            pipe.watch("counter")
                            value = int(pipe.get("counter") or 0)
                            pipe.multi()
                            pipe.set("counter", value + 1)
                            pipe.execute()
                            break
                        except redis.WatchError:
                            retries += 1
            aborted.append(retries)

    errors = race([work] * threads)
    assert not errors, errors
    with busy_target.client(protocol) as client:
        assert int(client.get("counter")) == threads * increments, f"aborted attempts per thread: {aborted}"


def test_command_info_of_the_transaction_commands(server, reference_redis):
    """COMMAND INFO and COMMAND GETKEYS as Redis's: arity, flags (noscript, loading, stale,
    fast, allow_busy, skip_slowlog), @transaction category, WATCH's key specs. RESP2 only: in
    RESP3 every command's empty subcommand list differs (`*0` where Redis 7.0 sends `~0`),
    which is COMMAND INFO's, not the transactions'."""
    skipkv, reference = connect_pair(("127.0.0.1", server.port), reference_redis, 2)
    try:
        compare_stream("COMMAND INFO", skipkv, reference, [
            [b"COMMAND", b"INFO", b"multi", b"exec", b"discard", b"watch", b"unwatch"],
            [b"COMMAND", b"GETKEYS", b"WATCH", b"a", b"b"], [b"COMMAND", b"GETKEYS", b"MULTI"],
        ])
    finally:
        skipkv.close()
        reference.close()


# --- Part 3: WATCH and MULTI against random commands, SkipKV vs Redis -----------------------------

ROUNDS = 500
# Commands whose replies may differ by ALLOWED_DIFFERENCES (test_differential.py): they run
# outside transactions, where compare_stream knows how to compare them.
UNCOMPARABLE_IN_EXEC = {b"keys", b"ttl", b"pttl", b"expiretime", b"pexpiretime"}


def draw_commands(g, entries, most):
    """1 to `most` entries' commands of the grammar."""
    weights = [entry.weight for entry in entries]
    commands = []
    for _ in range(g.rng.randint(1, most)):
        commands.extend(g.rng.choices(entries, weights)[0].generate(g))
    return commands


def comparable_in_exec(commands):
    return all(args[0].lower() not in UNCOMPARABLE_IN_EXEC for args in commands)


class Pairs:
    """Two raw connections to each server (the watcher and another client), HELLO 3 in RESP3."""

    def __init__(self, first_address, second_address, protocol, names=("skipkv", "redis ")):
        self.watcher = connect_pair(first_address, second_address, protocol)
        self.other = connect_pair(first_address, second_address, protocol)
        self.names = names
        # Not the grammar's own transaction entry: the rounds make their transactions themselves.
        self.entries = [entry for entry in enabled(command_grammar.ENTRIES, command_list(self.watcher[0]))
                        if "multi" not in entry.requires]

    def send(self, label, pair, commands, history):
        """Sends `commands` on `pair` (self.watcher or self.other) to both servers; a failure
        lists the test's commands before them too (`history`, which this extends)."""
        role = "watcher" if pair is self.watcher else "other"
        earlier = "\n".join(f"      {who}: {show_command(args)}" for who, args in history[-15:])
        history.extend((role, args) for args in commands)
        compare_stream(f"{label} ({role})", *pair, commands, self.names,
                       replay=f"{REPLAY}; before these, the test sent:\n{earlier}\n   ")

    def close(self):
        for connection in (*self.watcher, *self.other):
            connection.close()


@pytest.fixture
def pairs(server, reference_redis, protocol):
    print(f"transactions: SKIPKV_TEST_SEED={SEED}")
    instance = Pairs(("127.0.0.1", server.port), reference_redis, protocol)
    yield instance
    instance.close()


def play_round(pairs, g, label, history, watch):
    """`watch(commands)` on the watcher, then those random commands by the watcher or by the
    other client, then MULTI, random commands, EXEC on the watcher: both servers must answer
    alike, EXEC's null included."""
    touching = draw_commands(g, pairs.entries, 2)
    watch(touching)
    pairs.send(label, pairs.watcher if g.rng.random() < 0.3 else pairs.other, touching, history)
    queued = [args for args in draw_commands(g, pairs.entries, 3) if comparable_in_exec([args])]
    if g.rng.random() < 0.1:
        queued = []
    ending = g.rng.choice([[b"EXEC"]] * 8 + [[b"DISCARD"], [b"exec"]])
    pairs.send(label, pairs.watcher, [[b"MULTI"], *queued, ending], history)


def watch_rounds(pairs, label):
    g = command_grammar.Generator(random.Random(SEED))
    history = []
    for _ in range(ROUNDS):
        def watch(_):
            unwatch = [[b"UNWATCH"]] if g.rng.random() < 0.05 else []
            pairs.send(label, pairs.watcher, [[b"WATCH", *g.keys(1, 4)], *unwatch], history)
        play_round(pairs, g, label, history, watch)
    compare_keyspaces(label, *pairs.watcher, pairs.names)


def test_watch_against_random_commands(pairs, protocol):
    watch_rounds(pairs, f"WATCH RESP{protocol} (seed {SEED})")


def test_watch_rounds_are_deterministic(reference_redis, tmp_path):
    """The rounds replayed on two redis-servers give the same replies: they depend on nothing
    but the seed."""
    process, other_socket = start_redis(tmp_path)
    instance = Pairs(reference_redis, other_socket, 2, ("redis", "redis"))
    try:
        watch_rounds(instance, f"WATCH redis vs redis (seed {SEED})")
    finally:
        instance.close()
        process.terminate()
        process.wait(20)


# --- Part 4, SkipKV only: range commands in transactions, WATCHRANGE ---------------------------

@pytest.fixture(scope="module")
def sharded_debug_server():
    """A skipkv-server with the DEBUG hooks and 4 shards (the session's debug server has one)."""
    instance = Server("--shards", "4", "--enable-debug-command", "yes")
    yield instance
    assert instance.stop() == 0


@pytest.fixture(params=["1-shard", "4-shards"])
def skipkv(request):
    """A debug skipkv-server as a `target`, flushed: the session's, and one with 4 shards."""
    fixture = "debug_server" if request.param == "1-shard" else "sharded_debug_server"
    instance = Target("skipkv", server=request.getfixturevalue(fixture))
    with instance.client() as client:
        client.flushall()
    return instance


@pytest.fixture
def skipkv_session(skipkv, protocol):
    instance = Session(skipkv, protocol)
    yield instance
    instance.close()


RANGE_ERROR = Error("ERR min or max not valid string range item")
USER = "WATCHRANGE [user:42: (user:42;"  # every key that starts with "user:42:" (";" follows ":")


def range_touched(touch, expected=NULL_ARRAY, setup=("MSET a 1 b 2 c 3 d 4",), watch="WATCHRANGE [b [c", by="b"):
    return watched_and_touched(touch, expected, setup, watch, by)


RANGE_SCENARIOS = {
    "range_commands_inside_multi": [
        ("MSET a 1 b 2 c 3 d 4", OK), ("MULTI", OK), ("RANGE - +", QUEUED), ("RANGECOUNT (a [c", QUEUED),
        ("RANGEDEL (a [c", QUEUED), ("RANGE - + NOVALUES", QUEUED), ("RANGE [d + REV LIMIT 0 1", QUEUED),
        ("RANGE a +", QUEUED), ("RANGE - + LIMIT 1", QUEUED), ("RANGEDEL [x [w", QUEUED),
        ("EXEC", [["a", "1", "b", "2", "c", "3", "d", "4"], 2, 2, ["a", "d"], ["d", "4"], RANGE_ERROR,
                  Error("ERR syntax error"), 0]),
        ("MULTI", OK), ("RANGE -", Error("ERR wrong number of arguments for 'range' command")), ("EXEC", EXECABORT),
        ("MULTI", OK), ("RANGEDEL -", Error("ERR wrong number of arguments for 'rangedel' command")),
        ("RANGECOUNT - + +", Error("ERR wrong number of arguments for 'rangecount' command")), ("EXEC", EXECABORT),
        ("RANGECOUNT - +", 2),
    ],
    "rangedel_inside_multi_touches_watched_keys": [
        ("MSET a 1 b 2", OK), ("b", "WATCH b", OK), ("MULTI", OK), ("RANGEDEL [b +", QUEUED), ("EXEC", [1]),
        ("b", "MULTI", OK), ("b", "PING", QUEUED), ("b", "EXEC", NULL_ARRAY),
    ],
    "watchrange_replies_and_errors": [
        ("WATCHRANGE - +", OK), ("WATCHRANGE [a (b", OK), ("watchrange (a [b", OK), ("WATCHRANGE + -", OK),
        ("WATCHRANGE [ (", OK),
        ("WATCHRANGE a +", RANGE_ERROR), ("WATCHRANGE - b", RANGE_ERROR), ("WATCHRANGE '' +", RANGE_ERROR),
        ("WATCHRANGE -x +", RANGE_ERROR), ("WATCHRANGE - ++", RANGE_ERROR),
        ("WATCHRANGE [a", Error("ERR wrong number of arguments for 'watchrange' command")),
        ("WATCHRANGE", Error("ERR wrong number of arguments for 'watchrange' command")),
        ("WATCHRANGE [a [b [c", Error("ERR wrong number of arguments for 'watchrange' command")),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "watchrange_bound_errors_match_range": [
        ("RANGE a +", RANGE_ERROR), ("WATCHRANGE a +", RANGE_ERROR),
        ("RANGE - ''", RANGE_ERROR), ("WATCHRANGE - ''", RANGE_ERROR),
    ],
    "watchrange_inside_multi_is_refused_and_the_transaction_goes_on": [
        ("MULTI", OK), ("SET a 1", QUEUED), ("WATCHRANGE - +", Error("ERR WATCHRANGE inside MULTI is not allowed")),
        ("SET b 2", QUEUED), ("EXEC", [OK, OK]), ("MGET a b", ["1", "2"]),
    ],
    # --- what aborts EXEC ---
    "write_in_range_aborts": range_touched(("SET b 20", OK)),
    "write_of_the_same_value_aborts": range_touched(("SET b 2", OK)),
    "write_on_an_inclusive_bound_aborts": range_touched(("SET c 30", OK)),
    "create_in_range_aborts": range_touched(("SET bb 1", OK)),
    "create_in_an_empty_range_aborts": range_touched(("SET b 1", OK), setup=()),
    "delete_in_range_aborts": range_touched(("DEL b", 1)),
    "unlink_in_range_aborts": range_touched(("UNLINK a c", 2)),
    "rangedel_overlapping_aborts": range_touched(("RANGEDEL (b +", 2)),
    "rangedel_covering_aborts": range_touched(("RANGEDEL - +", 4)),
    "flushall_with_keys_in_range_aborts": range_touched(("FLUSHALL", OK)),
    "flushdb_with_keys_in_range_aborts": range_touched(("FLUSHDB", OK)),
    "rename_into_range_aborts": range_touched(("RENAME d bz", OK)),
    "rename_out_of_range_aborts": range_touched(("RENAME b z", OK)),
    "copy_into_range_aborts": range_touched(("COPY a bb", 1)),
    "getdel_aborts": range_touched(("GETDEL c", "3")),
    "incr_aborts": range_touched(("INCR b", 3)),
    "append_aborts": range_touched(("APPEND b x", 2)),
    "mset_with_one_key_in_range_aborts": range_touched(("MSET a 0 c 0 d 0", OK)),
    "expire_aborts": range_touched(("EXPIRE b 100", 1)),
    "persist_of_a_ttl_aborts": range_touched(("PERSIST b", 1), setup=("SET b 2 EX 100",)),
    "the_watcher_writing_before_multi_aborts": range_touched(("SET b 20", OK), by="a"),
    "whole_keyspace_range_aborts_on_any_write": range_touched(("SET zzz 1", OK), watch="WATCHRANGE - +"),
    "open_minimum_aborts": range_touched(("SET a 0", OK), watch="WATCHRANGE - (b"),
    # --- what does not ---
    "write_outside_the_range_runs": range_touched(("SET d 40", OK), "runs"),
    "write_before_the_range_runs": range_touched(("SET a 10", OK), "runs"),
    "write_on_an_exclusive_bound_runs": [
        *range_touched(("SET a 10", OK), "runs", watch="WATCHRANGE (a (c"),
        *range_touched(("SET c 30", OK), "runs", setup=(), watch="WATCHRANGE (a (c"),
        *range_touched(("SET b 20", OK), setup=(), watch="WATCHRANGE (a (c"),
    ],
    "single_key_range_aborts": range_touched(("SET b 0", OK), watch="WATCHRANGE [b [b"),
    "single_key_range_excludes_longer_keys": range_touched(("SET ba 0", OK), "runs", watch="WATCHRANGE [b [b"),
    "exclusive_single_key_range_is_empty": range_touched(("SET b 0", OK), "runs", watch="WATCHRANGE (b (b"),
    "empty_key_is_the_first_key": range_touched(("SET '' 0", OK), watch="WATCHRANGE [ [a"),
    "empty_key_is_outside_an_exclusive_empty_minimum": range_touched(("SET '' 0", OK), "runs", watch="WATCHRANGE ( [a"),
    "binary_keys_in_range": range_touched(("SET b\x00\xff 0", OK), watch="WATCHRANGE (b [b\x00\xff"),
    "another_clients_transaction_with_rangedel_aborts": [
        ("MSET a 1 b 2", OK), ("b", "WATCHRANGE (a +", OK), ("MULTI", OK), ("RANGEDEL [b [b", QUEUED), ("EXEC", [1]),
        ("b", "MULTI", OK), ("b", "PING", QUEUED), ("b", "EXEC", NULL_ARRAY),
    ],
    "open_minimum_excludes_its_maximum": range_touched(("SET b 0", OK), "runs", watch="WATCHRANGE - (b"),
    "empty_range_never_aborts": range_touched(("SET b 0", OK), "runs", watch="WATCHRANGE [c [a"),
    "ranges_that_select_nothing_never_abort": [
        *range_touched(("SET b 0", OK), "runs", watch="WATCHRANGE + -"),
        *range_touched(("SET '' 0", OK), "runs", setup=(), watch="WATCHRANGE - -"),
        *range_touched(("SET \xff\xff 0", OK), "runs", setup=(), watch="WATCHRANGE + +"),
        *range_touched(("SET b 0", OK), "runs", setup=(), watch="WATCHRANGE [b (b"),
        *range_touched(("FLUSHALL", OK), "runs", setup=(), watch="WATCHRANGE (b [b"),
    ],
    "prefix_of_a_bound_is_outside": range_touched(("SET b 0", OK), "runs", watch="WATCHRANGE [b0 [c"),
    "delete_of_a_missing_key_in_range_runs": range_touched(("DEL bb", 0), "runs"),
    "rangedel_deleting_nothing_in_range_runs": range_touched(("RANGEDEL (c [z", 1), "runs"),
    "flushall_with_no_key_in_range_runs": range_touched(("FLUSHALL", OK), "runs", setup=("MSET a 1 d 4",)),
    "reads_in_range_run": range_touched(("RANGE - +", ["a", "1", "b", "2", "c", "3", "d", "4"]), "runs"),
    "failed_set_nx_in_range_runs": range_touched(("SET b 1 NX", None), "runs"),
    "bitfield_changing_nothing_in_range_runs": range_touched(("BITFIELD b OVERFLOW FAIL INCRBY u8 0 300", [None]), "runs"),
    # --- what clears range watches ---
    "unwatch_clears_range_watches": [
        ("WATCHRANGE - +", OK), ("b", "SET a 1", OK), ("UNWATCH", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "discard_clears_range_watches": [
        ("WATCHRANGE - +", OK), ("b", "SET a 1", OK), ("MULTI", OK), ("DISCARD", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "a_successful_exec_clears_range_watches": [
        ("WATCHRANGE - +", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
        ("b", "SET a 1", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "a_failed_exec_clears_range_watches": [
        ("WATCHRANGE - +", OK), ("b", "SET a 1", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
        ("b", "SET a 2", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "execabort_clears_range_watches": [
        ("WATCHRANGE - +", OK), ("MULTI", OK), ("GET", Error("ERR wrong number of arguments for 'get' command")),
        ("EXEC", EXECABORT), ("b", "SET a 2", OK), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "a_malformed_watchrange_keeps_earlier_watches": [
        ("WATCHRANGE [a [b", OK), ("WATCHRANGE a b", RANGE_ERROR), ("b", "SET a 1", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
    ],
    # --- several watches ---
    "several_ranges_and_keys_abort_on_any": [
        ("WATCHRANGE [a [b", OK), ("WATCHRANGE [x [y", OK), ("WATCH k", OK), ("b", "SET m 1", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
        ("WATCHRANGE [a [b", OK), ("WATCHRANGE [x [y", OK), ("WATCH k", OK), ("b", "SET x0 1", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
        ("WATCHRANGE [a [b", OK), ("WATCH k", OK), ("WATCHRANGE [x [y", OK), ("b", "SET k 1", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
        ("WATCH k", OK), ("WATCHRANGE [a [b", OK), ("WATCHRANGE [x [y", OK), ("b", "DEL a b x0", 1),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
    ],
    "overlapping_ranges": [
        ("WATCHRANGE [a [m", OK), ("WATCHRANGE [c [z", OK), ("WATCHRANGE [c [z", OK), ("b", "SET d 1", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
    ],
    "another_clients_range_watch_is_its_own": [
        ("b", "WATCHRANGE - +", OK), ("SET a 1", OK), ("WATCHRANGE [x [y", OK), ("MULTI", OK), ("PING", QUEUED),
        ("EXEC", [PONG]), ("b", "MULTI", OK), ("b", "PING", QUEUED), ("b", "EXEC", NULL_ARRAY),
    ],
    "the_watchers_own_transaction_touches_others": [
        ("b", "WATCHRANGE [a [c", OK), ("MULTI", OK), ("SET b 1", QUEUED), ("EXEC", [OK]),
        ("b", "MULTI", OK), ("b", "GET b", QUEUED), ("b", "EXEC", NULL_ARRAY),
    ],
    # --- keys that expire ---
    "a_key_already_expired_at_watchrange_time_does_not_abort": [
        ("SET b 1 PX 1", OK), Elapse(5), ("WATCHRANGE [a [c", OK), ("EXISTS b", 0), ("RANGECOUNT - +", 0),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "removing_a_key_already_expired_at_watchrange_time_does_not_abort": [
        ("SET b 1 PX 1", OK), ("SET bb 1 PX 1", OK), ("SET d 1", OK), Elapse(5), ("WATCHRANGE [a [c", OK),
        ("b", "RANGEDEL - (bb", 0), ("b", "DEL bb", 0), ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
        ("SET b 1 PX 1", OK), Elapse(5), ("WATCHRANGE [a [c", OK), ("b", "FLUSHALL", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "rangedel_of_a_watched_stale_key_does_not_abort": [
        ("SET x 1 PX 1", OK), Elapse(5), ("WATCH x", OK), ("b", "RANGEDEL - +", 0),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    "rangedel_of_a_key_that_expired_after_watchrange_aborts": [
        ("SET b 1 PX 100", OK), ("WATCHRANGE [a [c", OK), Elapse(150), ("b", "RANGEDEL - +", 0),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
    ],
    "setting_a_stale_key_in_range_aborts": [
        ("SET b 1 PX 1", OK), Elapse(5), ("WATCHRANGE [a [c", OK), ("b", "SET b 2", OK),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY),
    ],
    "expiry_outside_the_range_does_not_abort": [
        ("SET z 1 PX 50", OK), ("SET b 1", OK), ("WATCHRANGE [a [c", OK), Elapse(100), ("GET z", None),
        ("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG]),
    ],
    # --- the uniqueness check of docs/PROTOCOL.md ---
    "uniqueness_check_succeeds_alone": [
        ("SET user:42 profile", OK), ("SET user:43:session other", OK),
        (USER, OK), ("RANGECOUNT [user:42: (user:42;", 0), ("MULTI", OK), ("SET user:42:session mine", QUEUED),
        ("EXEC", [OK]),
        (USER, OK), ("RANGE [user:42: (user:42; NOVALUES", ["user:42:session"]),
        ("b", "SET user:43:email x", OK), ("b", "SET user:42 changed", OK), ("b", "SET user:42; outside", OK),
        ("MULTI", OK), ("SET user:42:email mine", QUEUED), ("EXEC", [OK]),
    ],
    "uniqueness_check_loses_to_a_competitor": [
        (USER, OK), ("RANGECOUNT [user:42: (user:42;", 0),
        ("b", "SET user:42:session theirs", OK),
        ("MULTI", OK), ("SET user:42:session mine", QUEUED), ("EXEC", NULL_ARRAY), ("GET user:42:session", "theirs"),
        (USER, OK), ("RANGECOUNT [user:42: (user:42;", 1),
        ("b", "DEL user:42:session", 1),
        ("MULTI", OK), ("SET user:42:session mine", QUEUED), ("EXEC", NULL_ARRAY), ("EXISTS user:42:session", 0),
    ],
}


@pytest.mark.parametrize("name", sorted(RANGE_SCENARIOS))
def test_range_scenario(skipkv_session, name):
    skipkv_session.play(name, RANGE_SCENARIOS[name])


@pytest.fixture
def skipkv_lazy_expiry_only(skipkv):
    set_active_expiry(skipkv, False)
    yield
    set_active_expiry(skipkv, True)


def test_lazy_expiry_of_a_key_in_range_aborts(skipkv_session, skipkv_lazy_expiry_only):
    skipkv_session.play("lazy expiry in range", [
        ("SET b 1 PX 100", OK), ("SET a 1", OK), ("WATCHRANGE [a [c", OK), Elapse(150),
        ("MULTI", OK), ("GET b", QUEUED), ("EXEC", NULL_ARRAY),
    ])


def test_active_expiry_of_a_key_stale_at_watchrange_time_does_not_abort(skipkv_session):
    skipkv_session.play("stale key reclaimed", [("SET b 1 PX 1", OK), Elapse(10), ("WATCHRANGE [a [c", OK)])
    with skipkv_session.target.client() as client:
        assert wait_until(lambda: client.dbsize() == 0, POLL_SECONDS)
    skipkv_session.play("stale key reclaimed", [("MULTI", OK), ("PING", QUEUED), ("EXEC", [PONG])])


def test_many_range_watches(skipkv_session):
    """500 disjoint WATCHRANGEs and 500 WATCHed keys on one client: a write in any range or to
    any key aborts EXEC, a write in a gap between them does not."""
    rng = random.Random(SEED)
    ranges = [f"WATCHRANGE [w:{index:04d}:a (w:{index:04d}:m" for index in range(500)]
    keys = "WATCH " + " ".join(f"k:{index:04d}" for index in range(500))

    def attempt(write):
        for line in rng.sample(ranges, len(ranges)):
            assert skipkv_session.call("a", line).raw == b"+OK\r\n"
        assert skipkv_session.call("a", keys).raw == b"+OK\r\n"
        assert skipkv_session.call("b", write).raw == b"+OK\r\n"
        skipkv_session.call("a", "MULTI")
        return skipkv_session.call("a", "EXEC").raw

    index = rng.randrange(500)
    for write in (f"SET w:{index:04d}:m 1", f"SET w:{index:04d}:zz 1", f"SET w:{index:04d}: 1", f"SET k:{index:04d}x 1"):
        assert attempt(write) == encode([], skipkv_session.protocol), f"{write} is outside every watch"
    for write in (f"SET w:{index:04d}:a 1", f"SET w:{index:04d}:lzz 1", f"SET k:{index:04d} 1"):
        assert attempt(write) == encode(NULL_ARRAY, skipkv_session.protocol), f"{write} is watched"


def test_active_expiry_of_a_key_in_range_aborts(skipkv_session):
    skipkv_session.play("active expiry in range", [("SET b 1 PX 100", OK), ("WATCHRANGE [a [c", OK), Elapse(150)])
    with skipkv_session.target.client() as client:
        assert wait_until(lambda: client.dbsize() == 0, POLL_SECONDS)
    skipkv_session.play("active expiry in range", [("MULTI", OK), ("PING", QUEUED), ("EXEC", NULL_ARRAY)])


def claim_ids(target, name, count, claimed):
    """Claims `count` ids: WATCHRANGE over the ids, read the greatest (RANGE REV LIMIT 0 1),
    MULTI, SET the next one, EXEC; again when EXEC aborts. Watching before reading matters: a
    claim slipped in between a read and a later WATCHRANGE would not abort the EXEC."""
    with timed_client(target, single_connection_client=True) as client:
        while count:
            assert client.execute_command("WATCHRANGE", "[id:", "(id;") in (b"OK", "OK")
            last = client.execute_command("RANGE", "[id:", "(id;", "REV", "LIMIT", 0, 1, "NOVALUES")
            following = int(last[0][3:]) + 1 if last else 0
            client.execute_command("MULTI")
            client.execute_command("SET", b"id:%06d" % following, name)
            if client.execute_command("EXEC") is not None:
                claimed.append(following)
                count -= 1


def test_concurrent_claims_of_the_next_free_id(sharded):
    threads, each = 5, 25
    claims = {f"t{index}": [] for index in range(threads)}
    errors = race([functools.partial(claim_ids, sharded, name, each, claimed) for name, claimed in claims.items()])
    assert not errors, errors
    everything = sorted(id_ for claimed in claims.values() for id_ in claimed)
    assert everything == list(range(threads * each)), claims  # unique and contiguous
    with sharded.client() as client:
        stored = client.execute_command("RANGE", "-", "+")
    owners = dict(zip(stored[0::2], stored[1::2]))
    assert owners == {b"id:%06d" % id_: name.encode() for name, claimed in claims.items() for id_ in claimed}


def test_concurrent_uniqueness_checks(sharded):
    """Clients race to register usernames (keys name:<n>:<client>): each checks that no key of
    prefix name:<n>: exists under WATCHRANGE, then sets its own; exactly one wins every name."""
    threads, names = 5, 30

    def register(me, seed):
        mine = list(range(names))
        random.Random(seed).shuffle(mine)
        with timed_client(sharded, single_connection_client=True) as client:
            for number in mine:
                low, high = f"[name:{number}:", f"(name:{number};"
                client.execute_command("WATCHRANGE", low, high)
                if client.execute_command("RANGECOUNT", low, high):
                    client.execute_command("UNWATCH")
                    continue
                client.execute_command("MULTI")
                client.execute_command("SET", f"name:{number}:{me}", me)
                client.execute_command("EXEC")

    errors = race([functools.partial(register, f"c{index}", SEED + index) for index in range(threads)])
    assert not errors, errors
    with sharded.client() as client:
        keys = client.execute_command("RANGE", "-", "+", "NOVALUES")
    assert sorted(key.rsplit(b":", 1)[0] for key in keys) == sorted(b"name:%d" % n for n in range(names)), \
        f"every name registered exactly once (SKIPKV_TEST_SEED={SEED}): {keys}"


def test_transfers_keep_the_total(sharded, protocol):
    """Bank transfers between 10 accounts, by clients on both event loops, in every way a
    transaction can be made: plain MULTI/INCRBY/INCRBY/EXEC, WATCH and WATCHRANGE optimistic
    read-modify-write with retries, RANGEDEL plus MSET rewriting all accounts at once, and
    clients that disconnect half way through a transaction. Readers sum the accounts with one
    MGET, one RANGE and inside MULTI/EXEC: the total never changes, and no client hangs
    (socket timeouts) or sees an error."""
    accounts = [f"acct:{index:02d}" for index in range(10)]
    total = 1000 * len(accounts)
    with sharded.client(protocol) as client:
        client.mset({key: 1000 for key in accounts})
    wrong = []

    def connect():
        return timed_client(sharded, protocol, single_connection_client=True)

    def optimistic(client, rng, watch_range):
        source, target_ = rng.sample(accounts, 2)
        amount = rng.randint(1, 50)
        while True:
            if watch_range:
                client.execute_command("WATCHRANGE", "[acct:", "(acct;")
            else:
                client.execute_command("WATCH", source, target_)
            balance = int(client.get(source))
            client.execute_command("MULTI")
            client.execute_command("SET", source, balance - amount)
            client.execute_command("INCRBY", target_, amount)
            if client.execute_command("EXEC") is not None:
                return

    def transferer(seed):
        rng = random.Random(seed)
        with connect() as client:
            for _ in range(150):
                roll = rng.random()
                if roll < 0.3:
                    source, target_ = rng.sample(accounts, 2)
                    amount = rng.randint(1, 50)
                    pipe = client.pipeline()
                    pipe.decrby(source, amount).incrby(target_, amount)
                    pipe.execute()
                elif roll < 0.55:
                    optimistic(client, rng, watch_range=False)
                elif roll < 0.8:
                    optimistic(client, rng, watch_range=True)
                elif roll < 0.9:
                    # Rewrite every account: read them in a transaction, then replace them all.
                    client.execute_command("WATCHRANGE", "[acct:", "(acct;")
                    values = [int(value) for value in client.execute_command("RANGE", "[acct:", "(acct;")[1::2]]
                    rng.shuffle(values)
                    client.execute_command("MULTI")  # on this connection (a pipeline would take another)
                    client.execute_command("RANGEDEL", "[acct:", "(acct;")
                    client.execute_command("MSET", *(part for pair in zip(accounts, values) for part in pair))
                    client.execute_command("EXEC")  # null when a transfer came first: nothing rewritten
                else:
                    abandoned = Connection(("127.0.0.1", sharded.server.port))
                    for args in ([b"WATCHRANGE", b"-", b"+"], [b"WATCH", accounts[0].encode()], [b"MULTI"],
                                 [b"INCRBY", accounts[1].encode(), b"1000000"]):
                        abandoned.send(args)
                    abandoned.close()

    def reader(way, done):
        with connect() as client:
            while not done.is_set():
                if way == "mget":
                    values = client.mget(accounts)
                elif way == "range":
                    values = client.execute_command("RANGE", "[acct:", "(acct;")[1::2]
                elif way == "multi-range":
                    # A read-only transaction: its RANGE and its GETs see one state.
                    client.execute_command("MULTI")
                    client.execute_command("RANGE", "[acct:", "(acct;")
                    for key in accounts:
                        client.execute_command("GET", key)
                    ranged, *values = client.execute_command("EXEC")
                    if ranged[1::2] != values:
                        wrong.append(("RANGE and GETs in one EXEC differ", ranged, values))
                else:
                    client.execute_command("MULTI")
                    for key in accounts:
                        client.execute_command("GET", key)
                    values = client.execute_command("EXEC")
                if len(values) != len(accounts) or sum(int(value) for value in values) != total:
                    wrong.append((way, values))

    errors = race([functools.partial(transferer, SEED + index) for index in range(6)],
                  [functools.partial(reader, way) for way in ("mget", "range", "multi", "multi-range")])
    assert not errors, f"{errors} (SKIPKV_TEST_SEED={SEED})"
    assert not wrong, f"{len(wrong)} reads saw a total other than {total}: {wrong[:3]} (SKIPKV_TEST_SEED={SEED})"
    with sharded.client(protocol) as client:
        assert sum(int(value) for value in client.mget(accounts)) == total


# --- WATCHRANGE against random commands: Redis's WATCH of every key in the range is the model ---

BOUND_PREFIXES = [b"", b"k", b"k1", b"k1:", b"K", b"a", b"\xff", b"nul", b"lcs:"]


def random_bound(g):
    roll = g.rng.random()
    if roll < 0.1:
        return g.rng.choice([b"-", b"+"])
    base = g.key() if roll < 0.7 else g.rng.choice(BOUND_PREFIXES)
    return g.rng.choice([b"[", b"("]) + base


def in_range(key, low, high):
    above = low == b"-" or (low != b"+" and (key >= low[1:] if low[:1] == b"[" else key > low[1:]))
    below = high == b"+" or (high != b"-" and (key <= high[1:] if high[:1] == b"[" else key < high[1:]))
    return above and below


def test_watchrange_against_random_commands(pairs, protocol):
    """SkipKV's WATCHRANGE min max aborts EXEC exactly when Redis's WATCH of every key in the
    range would: the keys in it now and every argument of the commands that follow in it (a
    key those commands create or touch is one of their arguments)."""
    g = command_grammar.Generator(random.Random(SEED ^ 0x5eed))
    label, history = f"WATCHRANGE RESP{protocol} (seed {SEED})", []
    for _ in range(ROUNDS):
        def watch(commands):
            low, high = random_bound(g), random_bound(g)
            skipkv, reference = pairs.watcher
            keys = {bulk_payload(item) for item in reference.call([b"KEYS", b"*"]).items}
            keys |= {arg for args in commands for arg in args[1:]}
            model = sorted(key for key in keys if in_range(key, low, high))
            history.append(("watcher", [b"WATCHRANGE", low, high]))
            reply = skipkv.call([b"WATCHRANGE", low, high])
            assert reply.raw == b"+OK\r\n", f"{label}: WATCHRANGE {low!r} {high!r}: {show(reply.raw)}"
            if model:
                assert reference.call([b"WATCH", *model]).raw == b"+OK\r\n"
        play_round(pairs, g, label, history, watch)
    compare_keyspaces(label, *pairs.watcher, pairs.names)
