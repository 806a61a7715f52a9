"""Differential test: the same seeded random stream of string and keyspace commands goes to
skipkv-server and to a fresh redis-server 7, and every reply must be byte-for-byte identical
(raw RESP, see raw_resp.py), in RESP2 and again in RESP3 after HELLO 3; at the end both
keyspaces must hold the same keys and values.

The commands come from command_grammar.py. Only the grammar entries whose commands
skipkv-server lists in `COMMAND LIST` are used, so a command added to the server brings its
grammar entry into this test automatically; a new command needs only a new entry there.

The only accepted differences are the rows of ALLOWED_DIFFERENCES below, each with its
reason; rows marked "BUG:" are differences SkipKV should not have.

The seed is SKIPKV_TEST_SEED, else random; it is printed and named in every failure, so
`SKIPKV_TEST_SEED=<seed> scripts/test-python.sh -k differential` replays a failing stream.
"""
import os
import random
from collections import deque
from dataclasses import dataclass
from typing import Callable

import pytest

import command_grammar
from conftest import start_redis
from raw_resp import Connection

SEED = int(os.environ.get("SKIPKV_TEST_SEED") or random.randrange(2**32))
COMMANDS = 5000
HISTORY = 20


@dataclass(frozen=True)
class AllowedDifference:
    command: bytes                       # lower-case command name
    applies: Callable                    # args -> bool: whether this command's reply may differ
    normalize: Callable                  # Reply -> what must still be equal
    reason: str


def unordered(reply):
    """An array compared as a set of elements (its header still compared)."""
    if reply.items is None:
        return reply.raw
    return reply.raw.split(b"\r\n", 1)[0], sorted(item.raw for item in reply.items)


def time_to_live(reply):
    """An integer reply with a positive value only as "positive"; -2, -1 and errors exactly."""
    if reply.raw[:1] == b":" and int(reply.raw[1:-2]) > 0:
        return b"positive"
    return reply.raw


ALLOWED_DIFFERENCES = [
    AllowedDifference(b"keys", lambda args: True, unordered,
                      "SkipKV returns keys in key order, Redis in hash order (docs/PROTOCOL.md, KEYS)"),
    *(AllowedDifference(name, lambda args: True, time_to_live,
                        "a remaining time or expire time depends on when the commands ran (the grammar sets "
                        "no key to expire during the run, so whether there is one must agree; test_expiry.py "
                        "compares the times within a tolerance)")
      for name in (b"ttl", b"pttl", b"expiretime", b"pexpiretime")),
]
# Not compared at all, so not in the grammar: SCAN (cursors differ by design), RANDOMKEY, OBJECT
# and MEMORY (server-specific answers), COPY ... DB (one database), and RANGE, RANGECOUNT,
# RANGEDEL (Redis lacks them). Commands SkipKV lacks are not sent either (their grammar entries
# wait for them), so Redis's replies to them need no row here.


def allowed(args, first, second):
    """Whether some row of ALLOWED_DIFFERENCES lets these two replies to `args` differ."""
    name = args[0].lower()
    return any(row.command == name and row.applies(args) and row.normalize(first) == row.normalize(second)
               for row in ALLOWED_DIFFERENCES)


def show(data, limit=200):
    """bytes for a failure message, long ones cut with their length noted."""
    return repr(data) if len(data) <= limit else f"{data[:limit]!r}... ({len(data)} bytes)"


def show_command(args):
    return "[" + ", ".join(show(arg, 60) for arg in args) + "]"


# --- servers --------------------------------------------------------------------------------

def command_list(connection):
    return {item.raw.split(b"\r\n")[1].lower() for item in connection.call([b"COMMAND", b"LIST"]).items}


def arities(connection, names):
    """Redis's COMMAND INFO arity of each name it knows."""
    reply = connection.call([b"COMMAND", b"INFO", *sorted(names)])
    return {name: int(info.items[1].raw[1:-2]) for name, info in zip(sorted(names), reply.items) if info.items}


def stream(reference, entries, count):
    """The seed's command stream over `entries`, with wrong-arity commands drawn from the
    commands those entries use (arities as the `reference` Redis reports them)."""
    names = {name.encode() for entry in entries for name in entry.requires}
    return command_grammar.generate(random.Random(SEED), entries, arities(reference, names), count)


def enabled(entries, commands):
    return [entry for entry in entries if all(name.encode() in commands for name in entry.requires)]


# --- comparison -----------------------------------------------------------------------------

REPLAY = f"SKIPKV_TEST_SEED={SEED} scripts/test-python.sh -k differential"


def failure(label, index, args, history, problem, replay):
    """The failure message: what went wrong (lines), the command, and the commands before it."""
    lines = [
        f"{label}: {problem[0]} (command #{index})",
        f"  command:  {show_command(args)}",
        *problem[1:],
        f"  last {len(history)} commands (replay: {replay}):",
        *(f"    #{i}: {show_command(a)}" for i, a in history),
    ]
    return "\n".join(lines)


def compare_stream(label, first, second, commands, names=("skipkv", "redis "), accept=allowed, replay=REPLAY):
    """Sends each command to both connections; stops at the first reply that differs (beyond
    what `accept(args, first reply, second reply)` allows: ALLOWED_DIFFERENCES); a failure says
    how to `replay` the stream."""
    history = deque(maxlen=HISTORY)
    queued = None  # the commands queued since MULTI (both servers answered +QUEUED), or None
    for index, args in enumerate(commands):
        history.append((index, args))
        try:
            first.send(args)
            second.send(args)
            replies = first.read(), second.read()
        except (OSError, ValueError) as error:
            pytest.fail(failure(label, index, args, history, [f"no reply from {' and '.join(names)}: {error!r}"], replay))
        name = args[0].lower()
        in_transaction = queued
        if name in (b"exec", b"discard") and replies[0].raw[:1] != b"-" or name == b"exec":
            queued = None
        elif name == b"multi" and replies[0].raw == b"+OK\r\n":
            queued = []
        elif queued is not None and replies[0].raw == b"+QUEUED\r\n":
            queued.append(args)
        if name == b"exec" and in_transaction is not None and exec_allowed(in_transaction, *replies, accept):
            continue
        if replies[0].raw != replies[1].raw and not accept(args, *replies):
            pytest.fail(failure(label, index, args, history, [
                "replies differ", f"  {names[0]}: {show(replies[0].raw)}", f"  {names[1]}: {show(replies[1].raw)}",
            ], replay))


def exec_allowed(queued, first, second, accept):
    """Whether two EXEC replies agree once each element is compared as the reply to its queued
    command (so ALLOWED_DIFFERENCES apply inside transactions too)."""
    if first.items is None or second.items is None or len(first.items) != len(second.items) \
            or len(first.items) != len(queued):
        return False
    return all(a.raw == b.raw or accept(args, a, b) for args, a, b in zip(queued, first.items, second.items))


def bulk_payload(reply):
    return reply.raw[reply.raw.index(b"\r\n") + 2:-2]


def keyspace(connection):
    keys = sorted(bulk_payload(item) for item in connection.call([b"KEYS", b"*"]).items)
    return {key: connection.call([b"GET", key]).raw for key in keys}


def compare_keyspaces(label, first, second, names=("skipkv", "redis ")):
    ours, theirs = keyspace(first), keyspace(second)
    for key in sorted(ours.keys() | theirs.keys()):
        if ours.get(key) != theirs.get(key):
            pytest.fail(
                f"{label}: final keyspaces differ at key {show(key)} (SKIPKV_TEST_SEED={SEED})\n"
                f"  {names[0]}: {show(ours.get(key, b'(no key)'))}\n  {names[1]}: {show(theirs.get(key, b'(no key)'))}\n"
                f"  keys: {names[0]} {len(ours)}, {names[1]} {len(theirs)}"
            )


def connect_pair(first_address, second_address, protocol):
    connections = Connection(first_address), Connection(second_address)
    for connection in connections:
        assert connection.call([b"FLUSHALL"]).raw == b"+OK\r\n"
        if protocol == 3:
            reply = connection.call([b"HELLO", b"3"])
            assert reply.raw.startswith(b"%"), reply.raw  # the HELLO maps name different servers
    return connections


# --- tests ----------------------------------------------------------------------------------

def test_same_replies_as_redis(server, reference_redis, protocol):
    print(f"differential test: SKIPKV_TEST_SEED={SEED}")
    skipkv, redis = connect_pair(("127.0.0.1", server.port), reference_redis, protocol)
    supported = command_list(skipkv)
    entries = enabled(command_grammar.ENTRIES, supported)
    waiting = sorted({name for entry in command_grammar.ENTRIES for name in entry.requires
                      if name.encode() not in supported})
    print(f"grammar entries used: {len(entries)}; waiting for SkipKV to add: {', '.join(waiting)}")
    label = f"RESP{protocol}"
    compare_stream(label, skipkv, redis, stream(redis, entries, COMMANDS))
    compare_keyspaces(label, skipkv, redis)
    skipkv.close()
    redis.close()


def test_grammar_is_deterministic(reference_redis, tmp_path):
    """Every grammar entry Redis supports (including those waiting for SkipKV), replayed on two
    redis-servers, gives the same replies: an entry never depends on time or chance."""
    process, other_socket = start_redis(tmp_path)
    try:
        first, second = connect_pair(reference_redis, other_socket, 2)
        entries = enabled(command_grammar.ENTRIES, command_list(first))
        assert entries == command_grammar.ENTRIES, "every grammar entry must use commands Redis 7 has"
        compare_stream("redis vs redis", first, second, stream(first, entries, COMMANDS // 2), ("redis", "redis"))
        compare_keyspaces("redis vs redis", first, second, ("redis", "redis"))
    finally:
        process.terminate()
        process.wait(20)
