"""Key expiry (issue 13).

Part 1, against Redis: hand-written command sequences, one per rule or error of EXPIRE,
PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST, SET's expiry options,
SETEX, PSETEX, GETEX, GETDEL and the TTL rule of every write, sent to skipkv-server and to a
fresh redis-server 7 in RESP2 and RESP3, replies compared byte for byte (raw_resp) except that a
positive TTL, PTTL, EXPIRETIME or PEXPIRETIME may differ by TOLERANCE (it depends on when the
command ran). Relative times are long (no key expires during a test) and absolute ones decades
ahead or long past, so every other reply is a function of the commands; EXPIRETIME of keys set
with an absolute time is checked exactly by test_absolute_expire_times_are_exact.

Part 2, SkipKV only: the fake clock (DEBUG ADVANCE-CLOCK, server started with
--enable-debug-command yes) makes keys expire without sleeping: expired keys are invisible to
every read and range command, writes see them as missing, and the active cycle reclaims them
(INFO's expired_keys, DBSIZE). Polls are bounded by POLL_SECONDS; no test asserts elapsed time.
"""
import shlex

import pytest
import redis

from conftest import start_redis, wait_until
from test_differential import allowed, bulk_payload, compare_keyspaces, compare_stream, connect_pair

TOLERANCE = {b"ttl": 2, b"pttl": 2000, b"expiretime": 2, b"pexpiretime": 2000}
POLL_SECONDS = 10.0


def commands(*lines):
    """Commands written as shell words: `EXPIRE k ""` has an empty argument."""
    return [[word.encode() for word in shlex.split(line)] for line in lines]


# Every sequence starts on an empty database. Values of times: relative ones are 100-250000 s,
# absolute ones 3e9-4e9 s (years 2065-2096) or in the 1970s.
SEQUENCES = {
    # --- SET's expiry options ---
    "set_ex_px_exat_pxat": commands(
        "SET k v EX 100000", "TTL k", "PTTL k", "EXPIRETIME k", "GET k",
        "SET k v PX 100000000", "TTL k", "PTTL k",
        "SET k v EXAT 4000000000", "EXPIRETIME k", "PEXPIRETIME k", "TTL k",
        "SET k v PXAT 4000000000123", "PEXPIRETIME k", "EXPIRETIME k",
        # EXPIRETIME rounds to the nearest second.
        "SET k v PXAT 4000000000500", "EXPIRETIME k", "SET k v PXAT 4000000000499", "EXPIRETIME k",
        "SET k v ex 100000", "set k v Px 100000000", "SET k v exat 4000000000", "SET k v pxAt 4000000000000",
        "PEXPIRETIME k", "DBSIZE", "EXISTS k", "TYPE k", "KEYS *",
    ),
    "set_refused_times": commands(
        "SET k old EX 100000",
        "SET k v EX 0", "SET k v EX -1", "SET k v PX 0", "SET k v PX -1", "SET k v EXAT 0", "SET k v EXAT -1",
        "SET k v PXAT 0", "SET k v PXAT -1",
        "SET k v EX 1.5", 'SET k v EX ""', "SET k v EX abc", "SET k v EX ' 1'", "SET k v EX +1", "SET k v EX 01",
        "SET k v EX -0", "SET k v PX 1e3", "SET k v Ex 0", "sEt k v pxat -1",
        "SET k v EX 99999999999999999999", "SET k v EX 9223372036854775808",
        "SET k v EX 9223372036854775807", "SET k v EX 9223372036854775", "SET k v EX 9223372036854776",
        "SET k v EX 10000000000000000", "SET k v EX -9999999999999999", "SET k v EX -9223372036854775808",
        "SET k v PX 9223372036854775807", "SET k v PX 9223372036854770000",
        "SET k v EXAT 9223372036854775807", "SET k v EXAT 9223372036854776",
        "SET k v EX", "SET k v PX", "SET k v EXAT", "SET k v PXAT",
        "GET k", "TTL k",
        "SET new v EX 0", "SET new v EX abc", "EXISTS new",
    ),
    "set_option_conflicts": commands(
        "SET k old EX 100000",
        "SET k v EX 10 PX 10", "SET k v EX 10 EXAT 10", "SET k v PX 10 PXAT 10", "SET k v EXAT 10 PXAT 10",
        "SET k v EX 10 KEEPTTL", "SET k v KEEPTTL EX 10", "SET k v KEEPTTL PXAT 4000000000000",
        "SET k v NX XX", "SET k v XX NX", "SET k v NX XX GET", "SET k v EX 10 NX XX",
        "SET k v FOO", "SET k v EX 10 FOO", "SET k v EX 10 10", "SET k v PERSIST",
        "GET k", "TTL k",
    ),
    "set_repeated_options": commands(
        # The last of a repeated option counts, even after a refused number.
        "SET k v EX 10 EX abc", "SET k v PX 0 PX 0", "SET k v EX 100000 EX 0", "EXISTS k",
        "SET k v EX abc EX 100000", "TTL k",
        "SET k v EX 0 EX 200000", "TTL k",
        "SET k v PX 10 PX 100000000", "PTTL k",
        "SET k v EX 100 ex 250000", "TTL k",
        "SET k v KEEPTTL KEEPTTL", "TTL k",
        "SET k v EXAT 1 EXAT 4000000000", "EXPIRETIME k",
        "SET k w NX NX", "SET k w XX XX", "SET k x GET GET", "GET k", "TTL k",
    ),
    "set_keepttl": commands(
        "SET k v EX 100000", "SET k w KEEPTTL", "TTL k", "GET k",
        "SET k x keepttl XX", "TTL k", "GET k",
        "SET missing v KEEPTTL", "TTL missing",
        "SET k y", "TTL k",
        "SET k z KEEPTTL", "TTL k",
    ),
    "set_get_with_expiry": commands(
        "SET k v EX 100000 GET", "TTL k",
        "SET k w GET KEEPTTL", "TTL k",
        "SET k x GET EX 200000", "TTL k",
        "SET k y NX GET", "GET k", "TTL k",
        "SET k z XX GET PX 250000000", "PTTL k",
        "SET nope v XX GET EX 100", "EXISTS nope",
        "SET k v GET EX 0", "GET k", "TTL k",
        "SET k v GET", "TTL k",
    ),
    "set_nx_xx_and_ttl": commands(
        "SET k v NX EX 100000", "TTL k",
        "SET k w NX EX 5", "TTL k", "GET k",
        "SET k w XX PX 200000000", "TTL k",
        "SET missing v XX EX 100", "EXISTS missing",
        "SET k v XX", "TTL k",
    ),
    "set_past_time_deletes": commands(
        "SET k v EXAT 1", "EXISTS k", "GET k",
        "SET k v", "SET k w PXAT 1", "GET k", "TTL k",
        "SET k v", "SET k w EXAT 1 GET", "EXISTS k",
        "SET k v PXAT 1 NX", "EXISTS k", "DBSIZE",
    ),
    # --- SETEX, PSETEX ---
    "setex_psetex": commands(
        "SETEX k 100000 v", "TTL k", "GET k",
        "PSETEX k 100000000 w", "PTTL k", "GET k",
        "SETEX k 0 x", "SETEX k -1 x", "SETEX k abc x", "SETEX k 1.5 x", 'SETEX k "" x',
        "SETEX k 9223372036854775807 x", "SETEX k 9223372036854775 x", "SETEX k 9223372036854774 x",
        "SETEX k 9223370399119966 x", "SETEX k 99999999999999999999 x",
        "PSETEX k 0 x", "PSETEX k -5 x", "PSETEX k 9223372036854775807 x", "PSETEX k 9223372036854770000 x",
        "PSETEX k abc x", "GET k", "TTL k",
        "PSETEX k 92233720368547700 big", "GET k",
        "SETEX k 10", "PSETEX k", "SETEX k 10 v extra",
        "SETEX fresh 0 x", "EXISTS fresh",
    ),
    # --- EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT ---
    "expire_basics": commands(
        "EXPIRE missing 100", "PEXPIRE missing 100", "EXPIREAT missing 4000000000", "PEXPIREAT missing 1",
        "SET k v", "EXPIRE k 100000", "TTL k", "PTTL k",
        "PEXPIRE k 200000000", "TTL k",
        "EXPIREAT k 4000000000", "EXPIRETIME k", "PEXPIRETIME k",
        "PEXPIREAT k 3500000000123", "PEXPIRETIME k", "EXPIRETIME k",
        "EXPIREAT k 9223372036854775", "EXPIRETIME k", "PEXPIRETIME k",
        "PEXPIREAT k 9223372036854775807", "PEXPIRETIME k", "EXPIRETIME k",
        "GET k", "expire k 100000", "Expire k 100000 nx", "EXISTS k",
        "EXPIRE k", "EXPIRE", "PEXPIREAT k",
    ),
    "expire_conditions": commands(
        # After Redis's tests/unit/expire.tcl.
        "SET foo bar EX 100", "EXPIRE foo 200 NX", "TTL foo",
        "SET foo bar", "EXPIRE foo 200 NX", "TTL foo",
        "SET foo bar EX 100", "EXPIRE foo 200 XX", "TTL foo",
        "SET foo bar", "EXPIRE foo 200 XX", "TTL foo",
        "SET foo bar EX 100", "EXPIRE foo 200 GT", "TTL foo",
        "SET foo bar EX 200", "EXPIRE foo 100 GT", "TTL foo",
        "SET foo bar", "EXPIRE foo 200 GT", "TTL foo",
        "SET foo bar EX 100", "EXPIRE foo 200 LT", "TTL foo",
        "SET foo bar EX 200", "EXPIRE foo 100 LT", "TTL foo",
        "SET foo bar", "EXPIRE foo 100 LT", "TTL foo",
        "SET foo bar EX 200", "EXPIRE foo 100 LT XX", "TTL foo",
        "SET foo bar", "EXPIRE foo 200 LT XX", "TTL foo",
        "SET foo bar EX 100", "EXPIRE foo 200 GT XX", "TTL foo",
        "SET foo bar", "EXPIRE foo 200 nx nx", "TTL foo", "EXPIRE foo 300 gt Gt", "TTL foo",
        "EXPIRE none 100 NX", "EXPIRE none 100 XX", "EXPIRE none 100 GT", "EXPIRE none 100 LT", "EXISTS none",
        # Absolute times: equal is neither greater nor less.
        "SET k v EXAT 4000000000", "EXPIREAT k 3000000000 GT", "EXPIRETIME k", "EXPIREAT k 3000000000 LT",
        "EXPIRETIME k", "EXPIREAT k 3000000000 LT", "EXPIREAT k 3000000000 GT", "PEXPIREAT k 3000000000001 GT",
        "PEXPIRETIME k", "PEXPIREAT k 3000000000001 LT", "PEXPIREAT k 3000000000000 LT", "PEXPIRETIME k",
        "PEXPIREAT k 3500000000000 NX", "PEXPIREAT k 3500000000000 XX", "PEXPIRETIME k",
        "PEXPIRE k 100000000 LT", "TTL k", "PEXPIRE k 100000000 NX", "PERSIST k", "PEXPIRE k 100000000 GT",
        "PEXPIRE k 100000000 XX", "TTL k",
    ),
    "expire_condition_errors": commands(
        "SET k v EX 100000",
        "EXPIRE k 10 NX XX", "EXPIRE k 10 XX NX", "EXPIRE k 10 NX GT", "EXPIRE k 10 NX LT", "EXPIRE k 10 GT LT",
        "EXPIRE k 10 LT GT", "EXPIRE k 10 XX GT LT", "EXPIRE k 10 NX XX GT LT",
        "EXPIRE k 10 AB", "EXPIRE k 10 XX AB", "EXPIRE k 10 ab", "EXPIRE k 10 NX XX AB", "EXPIRE k 10 NXX",
        "EXPIRE k 10 ''",
        # The conditions are read before the time.
        "EXPIRE k abc AB", "EXPIRE k abc NX XX", "EXPIRE k 9223372036854775807 GT LT",
        "PEXPIRE k 10 NX XX", "EXPIREAT k 10 GT LT", "PEXPIREAT k 10 FOO", "PEXPIREAT k abc nx xx",
        "EXPIRE missing 10 NX XX", "EXPIRE missing 10 AB", "EXPIRE missing abc", "EXPIRE missing 9223372036854775807",
        "TTL k", "GET k",
    ),
    "expire_refused_times": commands(
        "SET k v",
        'EXPIRE k ""', "EXPIRE k abc", "EXPIRE k 1.5", "EXPIRE k ' 1'", "EXPIRE k 99999999999999999999",
        "EXPIRE k 01", "EXPIRE k -0", "EXPIRE k +1", "ExPiRe k 9223372036854775807",
        "EXPIRE k 9223372036854775807", "EXPIRE k 9223372036854775", "EXPIRE k 9223372036854776",
        "EXPIRE k 9223370399119966", "EXPIRE k 10000000000000000", "EXPIRE k 18446744073709561",
        "EXPIRE k -9223372036854775808", "EXPIRE k -9223372036854776", "EXPIRE k -9999999999999999",
        "PEXPIRE k 9223372036854775807", "PEXPIRE k 9223372036854775806", "PEXPIRE k 9223372036854770000",
        "PEXPIRE k 9223372036854775808", "PEXPIRE k 1e3",
        "EXPIREAT k 9223372036854775807", "EXPIREAT k 9223372036854776", "EXPIREAT k -9223372036854775808",
        "EXPIREAT k abc", "PEXPIREAT k 9223372036854775808", "PEXPIREAT k abc",
        "TTL k", "GET k",
    ),
    "expire_non_positive_deletes": commands(
        "SET k v", "EXPIRE k 0", "EXISTS k",
        "SET k v", "EXPIRE k -1", "EXISTS k",
        "SET k v", "PEXPIRE k 0", "EXISTS k",
        "SET k v", "PEXPIRE k -1", "EXISTS k",
        "SET k v", "PEXPIRE k -9223372036854775808", "EXISTS k",
        "SET k v", "EXPIRE k -9223372036854775", "EXISTS k",
        "SET k v", "EXPIREAT k 0", "EXISTS k",
        "SET k v", "EXPIREAT k 1", "EXISTS k",
        "SET k v", "EXPIREAT k -5", "EXISTS k",
        "SET k v", "PEXPIREAT k 1", "EXISTS k",
        "SET k v", "PEXPIREAT k -9223372036854775808", "EXISTS k",
        "EXPIRE missing 0", "EXPIREAT missing 1",
        # With conditions: a past time is lower than any TTL and than no TTL's "forever".
        "SET k v", "EXPIRE k -1 GT", "EXISTS k", "EXPIRE k 0 XX", "EXISTS k", "EXPIRE k -10 LT", "EXISTS k",
        "SET k v EX 100", "EXPIRE k -1 GT", "EXISTS k", "EXPIRE k -1 XX", "EXISTS k",
        "SET k v", "EXPIRE k 0 NX", "EXISTS k",
        "SET k v EX 100", "EXPIRE k 0 NX", "EXISTS k", "EXPIREAT k 1 LT", "EXISTS k", "DBSIZE",
    ),
    # --- TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST ---
    "ttl_replies": commands(
        "TTL missing", "PTTL missing", "EXPIRETIME missing", "PEXPIRETIME missing",
        "SET k v", "TTL k", "PTTL k", "EXPIRETIME k", "PEXPIRETIME k",
        "SET k v EX 100000", "TTL k", "PTTL k",
        "TTL", "TTL k k", "PTTL k k", "EXPIRETIME", "PEXPIRETIME k extra",
    ),
    "persist": commands(
        "PERSIST missing", "SET k v", "PERSIST k",
        "EXPIRE k 100000", "PERSIST k", "TTL k", "PERSIST k", "GET k",
        "PERSIST", "PERSIST k k",
    ),
    # --- GETEX, GETDEL ---
    "getex_options": commands(
        "SET k v EX 100000", "GETEX k", "TTL k",
        "GETEX k EX 200000", "TTL k", "GETEX k PX 250000000", "PTTL k",
        "GETEX k EXAT 4000000000", "EXPIRETIME k", "GETEX k PXAT 3500000000123", "PEXPIRETIME k",
        "GETEX k PERSIST", "TTL k", "GETEX k persist", "TTL k",
        "GETEX k ex 100000", "GETEX k EX 100000 EX 200000", "TTL k", "GETEX k PERSIST PERSIST", "TTL k",
        "GETEX k EX abc EX 100000", "TTL k",
        "GETEX k EXAT 9223372036854775", "EXPIRETIME k", "GETEX k PXAT 9223372036854775807", "PEXPIRETIME k",
        "GETEX k EXAT 1", "EXISTS k",
        "SET k v", "GETEX k PXAT 1", "EXISTS k",
        "SET k v", "GETEX k PX 0 PX 100000000", "PTTL k",
    ),
    "getex_errors": commands(
        "SET k v EX 100000",
        "GETEX k EX 0", "GETEX k EX -1", "GETEX k PX 0", "GETEX k PX -1", "GETEX k EXAT 0", "GETEX k PXAT 0",
        "GETEX k PXAT -1", "GETEX k EX 1.5", "GETEX k EX abc", 'GETEX k EX ""',
        "GETEX k EX 9223372036854775807", "GETEX k EX 10000000000000000", "GETEX k EX -9999999999999999",
        "GETEX k PX 9223372036854775807", "GETEX k EXAT 9223372036854776",
        "GETEX k EX 10 PX 10", "GETEX k PERSIST EX 10", "GETEX k EX 10 PERSIST", "GETEX k EXAT 10 PXAT 10",
        "GETEX k FOO", "GETEX k EX", "GETEX k PERSIST 10", "GETEX k KEEPTTL", "GETEX k EX 10 EX",
        "GETEX", "TTL k", "GET k",
        # A missing key: options are checked, the time is not read.
        "GETEX missing", "GETEX missing EX abc", "GETEX missing EX 0", "GETEX missing EX 9223372036854775807",
        "GETEX missing FOO", "GETEX missing EX", "GETEX missing EX 10 PX 10", "EXISTS missing",
    ),
    "getdel": commands(
        "SET k v EX 100000", "GETDEL k", "TTL k", "EXISTS k", "GETDEL k",
        # The TTL went with the key: a new value has none.
        "SET k w", "TTL k", "GETDEL", "GETDEL k k",
    ),
    # --- The TTL rule of every write ---
    "writes_keep_ttl": commands(
        "SET c 5 EX 100000", "INCR c", "TTL c", "INCRBY c 5", "DECR c", "DECRBY c 1", "TTL c",
        "INCRBYFLOAT c 1.5", "TTL c", "APPEND c x", "TTL c", "SETRANGE c 0 zz", "TTL c",
        "SETBIT c 0 1", "TTL c", "BITFIELD c SET u8 8 65", "TTL c", "GET c",
        "INCR c", "TTL c", "SET n 1 EX 100000", "INCRBY n abc", "TTL n",
        "SETNX c other", "TTL c", "MSETNX c other fresh v", "TTL c", "EXISTS fresh",
        "SET c other NX", "TTL c",
    ),
    "writes_clear_ttl": commands(
        "SET c v EX 100000", "SET c w", "TTL c",
        "SET c v EX 100000", "GETSET c w", "TTL c",
        "SET c v EX 100000", "MSET c w d x", "TTL c",
        "SET c v EX 100000", "SET c w XX", "TTL c",
        "SET c v EX 100000", "SET c w GET", "TTL c",
        "SET c v EX 100000", "SET src abc", "BITOP NOT c src", "TTL c",
        "SET c v EX 100000", "BITOP AND c missing1 missing2", "EXISTS c",
        "SET c v EX 100000", "DEL c", "SET c v", "TTL c",
        "SET c v EX 100000", "UNLINK c", "SET c v", "TTL c",
        "SET c v EX 100000", "FLUSHALL", "SET c v", "TTL c",
    ),
    "rename_moves_ttl": commands(
        "SET a v EX 100000", "SET b w", "RENAME a b", "TTL b", "TTL a", "GET b",
        "SET a x", "RENAME b a", "TTL a",
        # A key without a TTL renamed over one with a TTL: the result has none.
        "SET t v EX 200000", "SET p v", "RENAME p t", "TTL t",
        "SET a v EX 100000", "RENAME a a", "TTL a",
        "SET h v EX 5000", "SET i v", "RENAMENX h i", "TTL h", "TTL i", "RENAMENX h j", "TTL j",
        "RENAME missing x", "RENAMENX missing x",
    ),
    "copy_copies_ttl": commands(
        "SET e v EX 5000", "COPY e f", "TTL f", "TTL e",
        "SET g v", "COPY g f REPLACE", "TTL f",
        "COPY e f", "TTL f", "COPY e f REPLACE", "TTL f",
        "SET e v EXAT 4000000000", "COPY e f REPLACE", "EXPIRETIME f",
        "COPY missing f REPLACE", "TTL f",
    ),
    "keyspace_sees_keys_with_ttl": commands(
        "SET a v EX 100000", "SET b v", "PSETEX c 100000000 v",
        "EXISTS a b c d", "TYPE a", "KEYS *", "DBSIZE", "MGET a b c d", "STRLEN a", "GETRANGE a 0 -1",
        "DEL a", "TTL a", "TOUCH b c", "TTL c",
    ),
}


def time_tolerant(args, ours, theirs):
    """Positive TTL-like replies within TOLERANCE of each other; otherwise ALLOWED_DIFFERENCES."""
    name = args[0].lower()
    if name in TOLERANCE:
        both = (ours.raw, theirs.raw)
        if all(raw[:1] == b":" for raw in both):
            first, second = (int(raw[1:-2]) for raw in both)
            return first > 0 and second > 0 and abs(first - second) <= TOLERANCE[name]
        return False
    return allowed(args, ours, theirs)


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_same_replies_as_redis(server, reference_redis, protocol, name):
    skipkv, reference = connect_pair(("127.0.0.1", server.port), reference_redis, protocol)
    try:
        label = f"{name} RESP{protocol}"
        replay = f"scripts/test-python.sh -k 'test_expiry and {name}'"
        compare_stream(label, skipkv, reference, SEQUENCES[name], accept=time_tolerant, replay=replay)
        compare_stream(label + " (TTLs after the sequence)", skipkv, reference,
                       [[b"PTTL", key] for key in sorted(keys(reference))], accept=time_tolerant, replay=replay)
        compare_keyspaces(label, skipkv, reference)
    finally:
        skipkv.close()
        reference.close()


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_sequences_are_deterministic(reference_redis, tmp_path, name):
    """Each sequence replayed on two redis-servers gives the same replies (within TOLERANCE):
    a sequence never depends on when it ran beyond that."""
    process, other_socket = start_redis(tmp_path)
    try:
        first, second = connect_pair(reference_redis, other_socket, 2)
        compare_stream(f"{name} redis vs redis", first, second, SEQUENCES[name], ("redis", "redis"), time_tolerant,
                       f"scripts/test-python.sh -k 'test_sequences_are_deterministic and {name}'")
        compare_keyspaces(f"{name} redis vs redis", first, second, ("redis", "redis"))
    finally:
        process.terminate()
        process.wait(20)


def keys(connection):
    return [bulk_payload(item) for item in connection.call([b"KEYS", b"*"]).items]


def test_absolute_expire_times_are_exact(target):
    """EXPIRETIME and PEXPIRETIME of keys given an absolute time answer that time, to the second
    (rounded to the nearest) and to the millisecond."""
    with target.client() as client:
        client.set("a", "v", exat=4000000000)
        client.set("b", "v", pxat=3500000000123)
        client.set("c", "v")
        client.expireat("c", 3000000000)
        client.set("d", "v")
        client.pexpireat("d", 2**63 - 1)
        client.set("e", "v", pxat=3000000000500)
        assert [client.expiretime(key) for key in "abcde"] == [4000000000, 3500000000, 3000000000, 9223372036854776, 3000000001]
        assert [client.pexpiretime(key) for key in "abcde"] == [4000000000000, 3500000000123, 3000000000000, 2**63 - 1,
                                                                 3000000000500]


def test_info_keyspace_counts_keys_with_a_ttl(target):
    """INFO keyspace: `db0:keys=N,expires=M,avg_ttl=T`, M the keys with a TTL; no db0 line when
    the database is empty. avg_ttl (milliseconds) is an estimate: within the TTLs set, once known."""
    with target.client() as client:
        assert "db0" not in client.info("keyspace")
        client.set("plain", "v")
        assert client.info("keyspace")["db0"] == {"keys": 1, "expires": 0, "avg_ttl": 0}
        for index in range(4):
            client.set(f"ttl{index}", "v", ex=100000 + index * 1000)
        assert client.info("keyspace")["db0"]["keys"] == 5
        assert client.info("keyspace")["db0"]["expires"] == 4
        average = lambda: client.info("keyspace")["db0"]["avg_ttl"]  # noqa: E731
        if target.kind == "skipkv":
            assert wait_until(lambda: 0 < average() <= 103_000_000, POLL_SECONDS), average()
        else:
            assert average() >= 0  # Redis smooths its estimate over past samples, even of flushed keys
        client.persist("ttl0")
        client.delete("ttl1")
        assert client.info("keyspace")["db0"]["expires"] == 2
        stats = client.info("stats")
        assert isinstance(stats["expired_keys"], int)
        assert isinstance(stats["expire_cycle_cpu_milliseconds"], int)
        assert float(stats["expired_stale_perc"]) >= 0


# --- SkipKV only: the fake clock ---------------------------------------------------------------

@pytest.fixture
def clock(debug_server, protocol):
    """A client of the debug server, database flushed, active expiry off (so only lazy expiry
    hides keys) until the test turns it on; `clock.advance(ms)` moves the expiry clock."""
    client = redis.Redis(host="127.0.0.1", port=debug_server.port, protocol=protocol)
    client.flushall()
    client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
    client.advance = lambda milliseconds: client.execute_command("DEBUG", "ADVANCE-CLOCK", milliseconds)
    yield client
    client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 1)
    client.close()


def scan_all(client):
    found, cursor = [], 0
    while True:
        cursor, batch = client.scan(cursor, count=3)
        found.extend(batch)
        if cursor == 0:
            return sorted(set(found))


def test_expired_keys_are_invisible_to_reads(clock):
    clock.set("live", "1")
    clock.set("gone", "2", ex=10)
    clock.set("gone2", "3", px=500)
    clock.set("later", "4", ex=100000)
    assert clock.get("gone") == b"2"
    clock.advance(11_000)
    assert clock.get("gone") is None
    assert clock.get("gone2") is None
    assert clock.exists("gone", "gone2", "live", "later") == 2
    assert clock.mget("live", "gone", "gone2", "later") == [b"1", None, None, b"4"]
    assert clock.type("gone") == b"none"
    assert clock.strlen("gone") == 0
    assert sorted(clock.keys("*")) == [b"later", b"live"]
    assert clock.keys("gone*") == []
    assert scan_all(clock) == [b"later", b"live"]
    assert clock.execute_command("RANGE", "-", "+") == [b"later", b"4", b"live", b"1"]
    assert clock.execute_command("RANGE", "-", "+", "REV", "NOVALUES") == [b"live", b"later"]
    assert clock.execute_command("RANGE", "[g", "(h") == []
    assert clock.execute_command("RANGECOUNT", "-", "+") == 2
    assert clock.execute_command("RANGECOUNT", "[g", "(h") == 0
    assert [clock.ttl("gone"), clock.pttl("gone"), clock.expiretime("gone"), clock.pexpiretime("gone")] == [-2] * 4
    assert clock.persist("gone") == 0
    assert clock.getex("gone", ex=100) is None
    assert clock.getdel("gone") is None
    # Not yet reclaimed keys may still be counted (as in Redis), never more.
    assert 2 <= clock.dbsize() <= 4


def test_randomkey_skips_expired_keys(clock):
    for index in range(20):
        clock.set(f"gone{index}", "v", px=1000)
    clock.advance(2000)
    assert clock.randomkey() is None
    clock.set("live", "v")
    assert {clock.randomkey() for _ in range(20)} == {b"live"}


def test_rangedel_counts_only_live_keys(clock):
    clock.set("a", "1")
    clock.set("b", "2", px=1000)
    clock.set("c", "3")
    clock.set("d", "4", ex=5)
    clock.advance(6000)
    assert clock.execute_command("RANGEDEL", "-", "+") == 2
    assert clock.execute_command("RANGE", "-", "+") == []
    assert clock.get("b") is None


def test_a_key_expires_at_its_time_not_before(clock):
    clock.set("k", "v", ex=100)
    clock.advance(90_000)
    assert clock.get("k") == b"v"
    assert 0 < clock.ttl("k") <= 10
    clock.advance(11_000)
    assert clock.get("k") is None


def test_absolute_times_follow_the_same_clock(clock):
    """EXPIREAT is read on the server's (advanced) clock, which EXPIRETIME reveals."""
    clock.set("relative", "v", ex=100)
    deadline = clock.pexpiretime("relative")
    clock.set("absolute", "v")
    assert clock.pexpireat("absolute", deadline + 50_000) == 1
    clock.set("past", "v")
    assert clock.pexpireat("past", deadline - 101_000) == 1
    assert clock.exists("past") == 0
    clock.advance(120_000)
    assert clock.exists("relative", "absolute") == 1
    assert 0 < clock.ttl("absolute") <= 30
    clock.advance(40_000)
    assert clock.exists("absolute") == 0


def test_writes_treat_an_expired_key_as_missing(clock):
    for key in ("nx", "incr", "append", "keep", "expire", "getset", "setrange", "msetnx", "copy"):
        clock.set(key, "5", ex=10)
    clock.advance(11_000)
    assert clock.set("nx", "new", nx=True) is True
    assert clock.ttl("nx") == -1
    assert clock.incr("incr") == 1
    assert clock.ttl("incr") == -1
    assert clock.append("append", "x") == 1
    assert clock.ttl("append") == -1
    assert clock.set("keep", "w", keepttl=True) is True
    assert clock.ttl("keep") == -1
    # EXPIRE does not bring an expired key back (Redis issue #1026).
    assert clock.expire("expire", 100) == 0
    assert clock.exists("expire") == 0
    assert clock.getset("getset", "w") is None
    assert clock.setrange("setrange", 2, "x") == 3
    assert clock.ttl("setrange") == -1
    assert clock.msetnx({"msetnx": "w"}) is True
    assert clock.copy("copy", "copy2") is False
    with pytest.raises(redis.ResponseError, match="^no such key$"):
        clock.rename("copy", "elsewhere")
    clock.set("xx", "v", ex=10)
    clock.advance(11_000)
    assert clock.set("xx", "w", xx=True) is None
    assert clock.delete("xx") == 0


def test_rename_and_copy_onto_an_expired_key(clock):
    clock.set("src", "v")
    clock.set("dst", "old", ex=10)
    clock.set("dst2", "old", ex=10)
    clock.advance(11_000)
    assert clock.copy("src", "dst") is True
    assert clock.ttl("dst") == -1
    assert clock.renamenx("src", "dst2") is True
    assert clock.get("dst2") == b"v"
    assert clock.ttl("dst2") == -1


def test_a_moved_ttl_still_expires(clock):
    clock.set("a", "v", ex=10)
    clock.rename("a", "b")
    clock.copy("b", "c")
    clock.set("n", "1", ex=10)
    clock.incr("n")
    clock.advance(11_000)
    assert clock.exists("a", "b", "c", "n") == 0


def test_active_expiry_reclaims_keys(clock):
    before = clock.info("stats")["expired_keys"]
    for index in range(200):
        clock.set(f"gone{index:03}", "v", px=1000 + index)
    for index in range(10):
        clock.set(f"live{index}", "v", ex=100000)
    clock.advance(5000)
    assert clock.dbsize() <= 210
    clock.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 1)
    assert wait_until(lambda: clock.info("stats")["expired_keys"] - before >= 200, POLL_SECONDS)
    assert clock.dbsize() == 10
    assert clock.info("stats")["expired_keys"] - before == 200
    assert clock.info("keyspace")["db0"]["expires"] == 10
    assert clock.execute_command("RANGECOUNT", "-", "+") == 10


def test_lazy_expiry_counts_in_expired_keys(clock):
    before = clock.info("stats")["expired_keys"]
    clock.set("a", "v", px=100)
    clock.set("b", "v", px=100)
    clock.advance(1000)
    assert clock.dbsize() in (0, 2)  # Redis: 2, the active cycle is off and no command touched them yet
    assert clock.get("a") is None
    assert clock.exists("b") == 0
    assert clock.dbsize() == 0
    assert clock.info("stats")["expired_keys"] - before == 2


def test_expiry_seen_alike_by_every_connection(debug_server, clock):
    """The server runs two I/O threads: keys set through several connections expire for all."""
    clients = [redis.Redis(host="127.0.0.1", port=debug_server.port) for _ in range(6)]
    try:
        for index, client in enumerate(clients):
            client.set(f"gone{index}", "v", ex=10)
            client.set(f"live{index}", "v", ex=1000)
            assert all(other.exists(f"gone{index}") == 1 for other in clients)
        clock.advance(11_000)
        for client in clients:
            assert client.mget([f"gone{index}" for index in range(6)]) == [None] * 6
            assert sorted(client.keys("*")) == [f"live{index}".encode() for index in range(6)]
            assert client.execute_command("RANGECOUNT", "-", "+") == 6
        clock.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 1)
        assert wait_until(lambda: all(client.dbsize() == 6 for client in clients), POLL_SECONDS)
        clock.advance(1_000_000)
        assert all(client.exists(*[f"live{index}" for index in range(6)]) == 0 for client in clients)
    finally:
        for client in clients:
            client.close()


def test_debug_hooks_refuse_bad_arguments(clock):
    with pytest.raises(redis.ResponseError):
        clock.execute_command("DEBUG", "ADVANCE-CLOCK", "abc")
    with pytest.raises(redis.ResponseError):
        clock.execute_command("DEBUG", "SET-ACTIVE-EXPIRE")
