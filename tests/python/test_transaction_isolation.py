"""Isolation of MULTI/EXEC and of the multi-key commands against clients on other event loops.

The server runs `--io-threads 2 --shards 4`; it hands connections to its two loops
round-robin, so the several client threads of every test (one connection each) are spread
over both loops, and keys over all shards; the threads speak RESP2 and RESP3 by turns. Each
test runs twice: `appendonly no`, and `appendonly yes` with `appendfsync everysec` (a
different write path: logged writes).

- Bank transfers: writers move random amounts between accounts with MULTI/DECRBY/INCRBY/EXEC
  and with WATCH/MGET/MULTI/SET/SET/EXEC; readers check, on every read, that the total never
  changes, through a MULTI of GETs (+ MGET, RANGE, RANGECOUNT, which must agree with the
  GETs exactly), MGET, RANGE and RANGECOUNT. At the end every balance equals its start plus
  the acknowledged transfers (no lost update).
- Multi-key commands are atomic for readers on the other loop: MSET (all keys of one
  version), MSET then DEL / UNLINK / RANGEDEL / FLUSHALL of a group of 600 keys, or a
  MULTI of 600 SETs then one of 600 DEL / UNLINK / GETDEL (all keys or none, and the
  removers' replies count all keys or none), MSETNX (at most one writer owns the group at a
  time), RENAME back and forth (exactly one name of each pair exists), COPY racing MSET
  (source and destination always equal). Writers name keys in random orders. BITOP, a
  write that reads several keys, sees two keys always written together at one version.
- The commands of one EXEC see no other client's writes between them (GET; INCR; GET on a
  counter other clients INCR), and no key expiring between them (keys set with PX 1-20);
  outside transactions, one MGET or RANGE sees keys with one deadline all expired or none.
- WATCH: optimistic increments from several threads lose nothing; transactions on disjoint
  keys, among writers of other keys, never abort; WATCHRANGE lets threads fill a range up to
  a limit exactly (no phantom); a watched key or range modified from a connection on the
  other loop or on the same loop, before MULTI or between MULTI and EXEC, by each kind of
  write, aborts EXEC, writes that do not modify it do not, and nothing aborts after UNWATCH;
  one write aborts the EXEC of every watcher of its key, on both loops, and of no other; a
  watched key whose deadline passes aborts EXEC (removed by a read or not).
- Everything at once (transfers, groups, RANGE - + inside MULTI, BGSAVE / BGREWRITEAOF):
  every thread finishes, every invariant holds.
- A RANGE over 50,000 keys, inside MULTI/EXEC and alone, while another client MSETs the
  first, middle and last keys together and another SETs single keys: everything completes,
  every scan sees the three keys at one version, and the scan inside MULTI sees exactly the
  single-key writes up to one point of the writer's sequence.

Writers run a fixed number of operations and readers repeat their check until the writers
are done (and at least a minimum number of times); nothing depends on timing (the expiry
tests wait for a deadline to pass by polling). A server that stops answering for
SOCKET_TIMEOUT seconds (a deadlock) fails the test.

SKIPKV_TEST_SEED=<n> replays the random choices (the interleaving is not replayed; the seed is
printed and named in every failure); SKIPKV_TX_SCALE=<f> multiplies the operation counts.
SKIPKV_TX_REFERENCE=redis runs the tests against redis-server 7 instead (checks the harness;
the checks through RANGE, RANGECOUNT and RANGEDEL, which Redis does not have, are left out).
"""
import os
import random
import shutil
import subprocess
import threading
import time
import traceback

import pytest
import redis

from conftest import Server
from durability_server import free_port

SEED = int(os.environ.get("SKIPKV_TEST_SEED") or random.SystemRandom().randrange(1 << 32))
SCALE = float(os.environ.get("SKIPKV_TX_SCALE", "1"))
REFERENCE = os.environ.get("SKIPKV_TX_REFERENCE", "") == "redis"
SOCKET_TIMEOUT = 60
JOIN_TIMEOUT = 300


def scaled(count):
    return max(1, int(count * SCALE))


# ----- servers -------------------------------------------------------------------------------


class Endpoint:
    """The server under test: `ranges` says whether it has RANGE, RANGECOUNT and RANGEDEL."""

    def __init__(self, port, ranges, description):
        self.port = port
        self.ranges = ranges
        self.description = description

    def client(self, protocol=2):
        client = redis.Redis(host="127.0.0.1", port=self.port, protocol=protocol, socket_timeout=SOCKET_TIMEOUT,
                             socket_connect_timeout=10)
        client.ping()  # connect now: the loop a connection lands on depends on the order of connects
        return client


def start_reference(directory, appendonly):
    if shutil.which("redis-server") is None:
        pytest.fail("SKIPKV_TX_REFERENCE=redis needs redis-server 7")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(directory),
         "--appendonly", "no" if appendonly == "no" else "yes", "--appendfsync", "everysec",
         "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            redis.Redis(host="127.0.0.1", port=port).ping()
            return process, port
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("redis-server did not start")


@pytest.fixture(scope="module", params=["no", "everysec"], ids=["appendonly-no", "appendonly-everysec"])
def endpoint(request, tmp_path_factory):
    print(f"transaction isolation: SKIPKV_TEST_SEED={SEED}")
    directory = tmp_path_factory.mktemp("tx-isolation")
    if REFERENCE:
        process, port = start_reference(directory, request.param)
        yield Endpoint(port, ranges=False, description=f"redis-server, appendonly {request.param}")
        process.terminate()
        process.wait(20)
        return
    flags = ["--dir", str(directory)]  # snapshots (BGSAVE) and the log go there
    flags += ["--appendonly", "no"] if request.param == "no" else ["--appendonly", "yes", "--appendfsync", "everysec"]
    server = Server("--shards", "4", "--maxclients", "1000", *flags)
    yield Endpoint(server.port, ranges=True, description=f"skipkv-server, appendonly {request.param}")
    assert server.stop() == 0, "skipkv-server must exit 0 on SIGTERM:\n" + "".join(server.log)


@pytest.fixture
def db(endpoint):
    with endpoint.client() as client:
        client.flushall()
    return endpoint


def needs_ranges(db):
    if not db.ranges:
        pytest.skip("RANGE, RANGECOUNT and RANGEDEL are SkipKV commands")


# ----- the harness -------------------------------------------------------------------------------


def transaction(client, *commands):
    """MULTI, the commands, EXEC, sent together; returns EXEC's replies (redis-py checks the
    +OK and +QUEUED replies and raises WatchError when EXEC answers null)."""
    pipe = client.pipeline(transaction=True)
    for command in commands:
        pipe.execute_command(*command)
    return pipe.execute(raise_on_error=True)


def group_state(values, what):
    """`values` of one group of keys written together: all absent (None) or all present with
    one value; returns that value (None if absent)."""
    present = {v for v in values if v is not None}
    missing = sum(v is None for v in values)
    if (present and missing) or len(present) > 1:
        raise AssertionError(f"{what} saw part of a group of keys written (or expiring) together: "
                             f"{len(values) - missing} of {len(values)} keys present, {len(present)} distinct values "
                             f"{sorted(present)[:4]}")
    return present.pop() if present else None


def range_dict(flat):
    return dict(zip(flat[0::2], flat[1::2]))


def prefix_bounds(prefix):
    """RANGE bounds selecting the keys that start with `prefix` (which ends with `:`)."""
    return "[" + prefix, "(" + prefix[:-1] + ";"


def shuffled(rng, keys):
    """The keys in a random order: writers that lock keys must not deadlock on the order."""
    return rng.sample(keys, len(keys))


def read_group_mget(client, rng, keys):
    group_state(client.mget(keys), "MGET")


def read_group_range(client, rng, prefix, keys):
    """RANGE over `prefix`: none of `keys` or all of them, with one value."""
    flat = client.execute_command("RANGE", *prefix_bounds(prefix))
    assert flat[0::2] in ([], keys), f"RANGE returned {len(flat) // 2} of the {len(keys)} keys"
    group_state(flat[1::2], "RANGE")


class Load:
    """Client threads, each with its own connection (connected in the order they are added,
    so they alternate between the server's two loops). `fixed` threads (the writers, mostly)
    run a fixed number of operations; `repeating` threads (the readers) repeat a step until
    every fixed thread is done. The first exception anywhere stops all and fails the test."""

    def __init__(self, db, name):
        self.db = db
        self.name = name
        self.failures = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.writers_running = 0
        self.threads = []
        self.counts = {}

    def protocol(self):
        """RESP2 and RESP3 by turns: each protocol's threads on both loops."""
        return 2 + len(self.threads) // 2 % 2

    def rng(self, label):
        return random.Random(f"{SEED}/{self.name}/{label}")

    def _record_failure(self, label, error):
        if isinstance(error, AssertionError):  # a check failed: its message says what
            text = f"{label}: {str(error).splitlines()[0] if str(error) else traceback.format_exc(limit=3)}"
        else:
            text = f"{label}: {traceback.format_exc(limit=3)}"
        with self.lock:
            self.failures.append(text)
        self.stop.set()

    def fixed(self, label, body, *args):
        """body(client, rng, *args) runs once: a fixed number of operations."""
        client, rng = self.db.client(self.protocol()), self.rng(label)
        self.writers_running += 1

        def run():
            try:
                body(client, rng, *args)
            except Exception as error:  # noqa: BLE001 - reported by run()
                self._record_failure(label, error)
            finally:
                with self.lock:
                    self.writers_running -= 1
                client.close()
        self.threads.append((label, run))

    def repeating(self, label, check, *args, min_reads=10):
        """check(client, rng, *args) is one step (a read and its checks, say), repeated until
        every `fixed` thread is done and it has run at least `min_reads` times."""
        client, rng = self.db.client(self.protocol()), self.rng(label)

        def run():
            reads = 0
            try:
                while not self.stop.is_set():
                    with self.lock:
                        if self.writers_running == 0 and reads >= min_reads:
                            break
                    check(client, rng, *args)
                    reads += 1
            except Exception as error:  # noqa: BLE001 - reported by run()
                self._record_failure(f"{label} (step {reads + 1})", error)
            finally:
                self.counts[label] = reads
                client.close()
        self.threads.append((label, run))

    def run(self):
        threads = [threading.Thread(target=run, name=label, daemon=True) for label, run in self.threads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        hung = [t.name for t in threads if t.is_alive()]
        context = f"{self.name} on {self.db.description}, SKIPKV_TEST_SEED={SEED}"
        if hung:
            self.stop.set()
            pytest.fail(f"{context}: threads still running after {JOIN_TIMEOUT} s: {hung}", pytrace=False)
        if self.failures:
            pytest.fail(f"{context}: {len(self.failures)} failure(s); the first ones:\n" + "\n".join(self.failures[:3]),
                        pytrace=False)
        print(f"{context}: reads {self.counts}")


def fail(text):
    pytest.fail(f"{text} (SKIPKV_TEST_SEED={SEED})", pytrace=False)


# ----- bank transfers ------------------------------------------------------------------------------

ACCOUNTS = [b"acct:%04d" % i for i in range(16)]
OPENING = 1000
TOTAL = OPENING * len(ACCOUNTS)


def check_balances(values, what):
    assert None not in values, f"{what}: an account is missing: {values}"
    total = sum(int(v) for v in values)
    assert total == TOTAL, f"{what}: the accounts hold {total}, not {TOTAL}: {[int(v) for v in values]}"


def transfer_with_multi(client, rng, count, log):
    for _ in range(count):
        a, b = rng.sample(ACCOUNTS, 2)
        amount = rng.randint(1, 100)
        replies = transaction(client, ("DECRBY", a, amount), ("INCRBY", b, amount))
        assert len(replies) == 2 and all(isinstance(r, int) for r in replies), f"EXEC answered {replies!r}"
        log.append((a, b, amount))


def transfer_with_watch(client, rng, count, log, aborts):
    for _ in range(count):
        a, b = rng.sample(ACCOUNTS, 2)
        amount = rng.randint(1, 100)
        for attempt in range(1000):
            with client.pipeline(transaction=True) as pipe:
                pipe.watch(a, b)
                balance_a, balance_b = pipe.mget(a, b)
                pipe.multi()
                pipe.set(a, int(balance_a) - amount)
                pipe.set(b, int(balance_b) + amount)
                try:
                    assert pipe.execute() == [True, True]
                except redis.WatchError:
                    aborts.append(1)
                    continue
            log.append((a, b, amount))
            break
        else:
            raise AssertionError(f"a WATCH transfer aborted 1000 times in a row ({a!r} -> {b!r})")


def read_bank_in_multi(client, rng, ranges):
    commands = [("GET", k) for k in ACCOUNTS] + [("MGET", *ACCOUNTS)]
    low, high = prefix_bounds("acct:")
    if ranges:
        commands += [("RANGE", low, high), ("RANGECOUNT", low, high)]
    replies = transaction(client, *commands)
    gets = replies[:len(ACCOUNTS)]
    check_balances(gets, "GETs inside MULTI/EXEC")
    assert replies[len(ACCOUNTS)] == gets, f"MGET and the GETs of one EXEC differ: {replies[len(ACCOUNTS)]} vs {gets}"
    if ranges:
        scanned, count = replies[-2], replies[-1]
        assert range_dict(scanned) == dict(zip(ACCOUNTS, gets)), \
            f"RANGE and the GETs of one EXEC differ: {scanned} vs {gets}"
        assert count == len(ACCOUNTS), f"RANGECOUNT inside MULTI/EXEC answered {count}"


def read_bank_mget(client, rng):
    check_balances(client.mget(ACCOUNTS), "MGET")


def read_bank_range(client, rng):
    flat = client.execute_command("RANGE", *prefix_bounds("acct:"))
    assert flat[0::2] == ACCOUNTS, f"RANGE returned the keys {flat[0::2]}"
    check_balances(flat[1::2], "RANGE")


def read_bank_rangecount(client, rng):
    count = client.execute_command("RANGECOUNT", *prefix_bounds("acct:"))
    assert count == len(ACCOUNTS), f"RANGECOUNT answered {count}"


def balances_after(db, logs):
    """The accounts' balances now, and what the acknowledged transfers in `logs` (lists of
    (from, to, amount)) say they must be."""
    expected = dict.fromkeys(ACCOUNTS, OPENING)
    for a, b, amount in (t for log in logs for t in log):
        expected[a] -= amount
        expected[b] += amount
    with db.client() as client:
        final = dict(zip(ACCOUNTS, (int(v) for v in client.mget(ACCOUNTS))))
    return final, expected


def test_bank_transfers_keep_the_total(db):
    with db.client() as client:
        client.mset(dict.fromkeys(ACCOUNTS, OPENING))
    load = Load(db, "bank transfers")
    logs, aborts = [[] for _ in range(4)], []
    for i in range(3):
        load.fixed(f"MULTI writer {i}", transfer_with_multi, scaled(300), logs[i])
        load.repeating(f"MULTI reader {i}", read_bank_in_multi, db.ranges)
    load.fixed("WATCH writer", transfer_with_watch, scaled(150), logs[3], aborts)
    load.repeating("MGET reader", read_bank_mget)
    if db.ranges:
        load.repeating("RANGE reader", read_bank_range)
        load.repeating("RANGECOUNT reader", read_bank_rangecount)
    load.run()
    final, expected = balances_after(db, logs)
    if final != expected:
        fail(f"after {sum(map(len, logs))} acknowledged transfers ({len(aborts)} WATCH aborts) the balances are "
             f"{final}, expected {expected}: a transfer was lost or applied twice")
    print(f"bank transfers: {sum(map(len, logs))} transfers, {len(aborts)} WATCH aborts")


# ----- multi-key commands ----------------------------------------------------------------------------


def version_value(rng, version):
    return b"v%d:" % version + b"." * rng.randint(0, 48)


def test_mset_is_all_or_nothing(db):
    keys = [b"ms:%02d" % i for i in range(24)]
    writers = 3

    def write(client, rng, index):
        for i in range(scaled(300)):
            client.mset(dict.fromkeys(shuffled(rng, keys), version_value(rng, i * writers + index)))

    with db.client() as client:
        client.mset(dict.fromkeys(keys, b"v-1"))
    load = Load(db, "MSET")
    for i in range(writers):
        load.fixed(f"MSET writer {i}", write, i)
    load.repeating("MGET reader 0", read_group_mget, keys)
    load.repeating("MGET reader 1", read_group_mget, keys)
    if db.ranges:
        load.repeating("RANGE reader", read_group_range, "ms:", keys)
    load.run()
    with db.client() as client:
        assert group_state(client.mget(keys), "MGET after the writers") is not None


GROUP_SIZE = 600  # larger than the batches of 256 keys RANGEDEL used to remove at a time


@pytest.mark.parametrize("remover", ["DEL", "UNLINK", "RANGEDEL", "FLUSHALL", "MULTI"])
def test_group_written_and_removed_whole(db, remover):
    """Writers MSET a group of keys and remove it again (MULTI: a transaction of one SET per
    key, then one of a DEL, UNLINK or GETDEL per key); readers see all of it or none."""
    if remover == "RANGEDEL":
        needs_ranges(db)
    keys = [b"grp:%04d" % i for i in range(GROUP_SIZE)]
    low, high = prefix_bounds("grp:")
    writers = 2

    def write(client, rng, index):
        for i in range(scaled(30)):
            value = version_value(rng, i * writers + index)
            if remover == "MULTI":
                assert transaction(client, *(("SET", k, value) for k in shuffled(rng, keys))) == [True] * GROUP_SIZE
                removal = [(rng.choice(["DEL", "UNLINK", "GETDEL"]), k) for k in shuffled(rng, keys)]
                replies = transaction(client, *removal)
                removed = sum(r not in (0, None) for r in replies)
            else:
                client.mset(dict.fromkeys(shuffled(rng, keys), value))
                if remover == "FLUSHALL":
                    assert client.flushall() is True
                    continue
                if remover == "RANGEDEL":
                    removed = client.execute_command("RANGEDEL", low, high)
                else:
                    removed = client.execute_command(remover, *shuffled(rng, keys))
            assert removed in (0, GROUP_SIZE), f"{remover} of the group removed {removed} of {GROUP_SIZE} keys"

    def read_rangecount(client, rng):
        count = client.execute_command("RANGECOUNT", low, high)
        assert count in (0, GROUP_SIZE), f"RANGECOUNT answered {count}, neither 0 nor {GROUP_SIZE}"

    def read_in_multi(client, rng):
        replies = transaction(client, ("MGET", *keys), ("RANGE", low, high))
        value = group_state(replies[0], "MGET inside MULTI/EXEC")
        expected = [] if value is None else [x for k in keys for x in (k, value)]
        assert replies[1] == expected, "RANGE and MGET inside one EXEC saw different states"

    load = Load(db, f"MSET + {remover}")
    for i in range(writers):
        load.fixed(f"writer {i}", write, i)
    load.repeating("MGET reader", read_group_mget, keys)
    if db.ranges:
        load.repeating("RANGE reader", read_group_range, "grp:", keys)
        load.repeating("RANGECOUNT reader", read_rangecount)
        load.repeating("MULTI reader", read_in_multi)
    load.run()


def test_msetnx_is_all_or_nothing(db):
    """Writers MSETNX a group with their own version and, when that succeeded, check that the
    whole group is theirs and delete it: two can never both succeed, readers see all or none."""
    keys = [b"nx:%02d" % i for i in range(20)]
    writers = 3
    successes = []

    def write(client, rng, index):
        for i in range(scaled(250)):
            value = version_value(rng, i * writers + index)
            if client.msetnx(dict.fromkeys(keys, value)):
                successes.append(index)
                owned = client.mget(keys)
                assert owned == [value] * len(keys), \
                    f"after its MSETNX succeeded writer {index} found {sorted(set(owned), key=str)[:3]}"
                removed = client.delete(*keys) if rng.random() < 0.5 else client.unlink(*keys)
                assert removed == len(keys), f"the owner removed {removed} of {len(keys)} keys"

    load = Load(db, "MSETNX")
    for i in range(writers):
        load.fixed(f"MSETNX writer {i}", write, i)
    load.repeating("MGET reader", read_group_mget, keys)
    if db.ranges:
        load.repeating("RANGE reader", read_group_range, "nx:", keys)
    load.run()
    assert successes, f"no MSETNX ever succeeded (SKIPKV_TEST_SEED={SEED})"


def test_rename_moves_atomically(db):
    """Writers RENAME keys back and forth between the two names of a pair: readers always see
    exactly one of the two names, holding the pair's value."""
    pairs = [(b"rn:%d:a" % p, b"rn:%d:b" % p, b"token-%d" % p) for p in range(4)]
    every = sorted(k for a, b, _ in pairs for k in (a, b))
    moves = []

    def write(client, rng):
        for _ in range(scaled(400)):
            a, b, _ = rng.choice(pairs)
            source, target = (a, b) if rng.random() < 0.5 else (b, a)
            try:
                assert client.rename(source, target) is True
                moves.append(1)
            except redis.ResponseError as error:
                assert str(error) == "no such key", f"RENAME answered {error}"

    def check(values, what):
        state = dict(zip(every, values))
        for a, b, token in pairs:
            seen = [state.get(a), state.get(b)]
            assert sorted(seen, key=lambda v: v is None) == [token, None], \
                f"{what}: {a!r} holds {seen[0]!r} and {b!r} holds {seen[1]!r}: expected exactly one of them " \
                f"to hold {token!r}, the other absent"

    def read_mget(client, rng):
        check(client.mget(every), "MGET")

    def read_range(client, rng):
        flat = client.execute_command("RANGE", *prefix_bounds("rn:"))
        state = range_dict(flat)
        check([state.get(k) for k in every], "RANGE")

    with db.client() as client:
        client.mset({a: token for a, _, token in pairs})
    load = Load(db, "RENAME")
    for i in range(2):
        load.fixed(f"RENAME writer {i}", write)
    load.repeating("MGET reader", read_mget)
    if db.ranges:
        load.repeating("RANGE reader", read_range)
    load.run()
    assert moves, f"no RENAME succeeded (SKIPKV_TEST_SEED={SEED})"


def test_copy_reads_and_writes_in_one_step(db):
    """cp:src and cp:dst always hold the same value: writers MSET both, COPY src over dst,
    or MULTI / SET src / COPY src dst REPLACE / EXEC; a COPY that read src before an MSET
    and wrote dst after it would leave them different. Readers never see them differ."""
    src, dst = b"cp:src", b"cp:dst"

    def write(client, rng, index):
        for i in range(scaled(400)):
            value = version_value(rng, i * 2 + index)
            roll = rng.random()
            if roll < 0.4:
                client.mset({src: value, dst: value})
            elif roll < 0.8:
                assert client.copy(src, dst, replace=True) is True
            else:
                assert transaction(client, ("SET", src, value), ("COPY", src, dst, "REPLACE")) == [True, 1]

    def read_mget(client, rng):
        got = client.mget(src, dst)
        assert got[0] is not None and got[0] == got[1], f"MGET cp:src cp:dst answered {got}"

    def read_range(client, rng):
        flat = client.execute_command("RANGE", *prefix_bounds("cp:"))
        assert flat[0::2] == [dst, src] and flat[1] == flat[3], f"RANGE over cp: answered {flat}"

    with db.client() as client:
        client.mset({src: b"start", dst: b"start"})
    load = Load(db, "COPY")
    for i in range(2):
        load.fixed(f"writer {i}", write, i)
    load.repeating("MGET reader", read_mget)
    if db.ranges:
        load.repeating("RANGE reader", read_range)
    load.run()
    with db.client() as client:
        read_mget(client, None)


def test_bitop_reads_no_half_transaction(db):
    """bo:a and bo:b are only written together (MSET, or MULTI / SET / SET / EXEC) with the
    same random bytes, so BITOP XOR of the two, from another client, is all zero bytes: a
    BITOP that read one key before such a write and the other after it is not."""
    a, b = b"bo:a", b"bo:b"
    VALUE = 4096

    def write(client, rng):
        for _ in range(scaled(400)):
            value = rng.randbytes(VALUE)
            if rng.random() < 0.5:
                client.mset({a: value, b: value})
            else:
                assert transaction(client, ("SET", a, value), ("SET", b, value)) == [True, True]

    def read(client, rng, destination):
        assert client.bitop("XOR", destination, a, b) == VALUE
        result = client.get(destination)
        assert result == bytes(VALUE), \
            f"BITOP XOR {a!r} {b!r} gave {result[:16].hex()}…: it saw them at different versions"

    with db.client() as client:
        client.mset({a: bytes(VALUE), b: bytes(VALUE)})
    load = Load(db, "BITOP")
    for i in range(2):
        load.fixed(f"writer {i}", write)
        load.repeating(f"BITOP reader {i}", read, b"bo:dest:%d" % i)
    load.run()


def test_everything_at_once_completes(db):
    """Liveness under a mix of transactions holding a few stripes and all of them: bank
    transfers (MULTI and WATCH), a group written by a transaction of SETs or MSET and removed
    by RANGEDEL or DEL, RANGE - + inside MULTI with a write, and BGSAVE / BGREWRITEAOF, all at
    once; every thread finishes (no deadlock), every reader's invariant holds."""
    needs_ranges(db)
    group = [b"mix:%03d" % i for i in range(300)]
    low, high = prefix_bounds("mix:")
    logs = [[] for _ in range(3)]

    def write_group(client, rng):
        for i in range(scaled(60)):
            value = version_value(rng, i)
            if rng.random() < 0.5:
                assert transaction(client, *(("SET", k, value) for k in shuffled(rng, group))) == [True] * len(group)
            else:
                client.mset(dict.fromkeys(shuffled(rng, group), value))
            if rng.random() < 0.5:
                removed = client.execute_command("RANGEDEL", low, high)
            else:
                removed = client.delete(*shuffled(rng, group))
            assert removed == len(group), f"the group's only writer removed {removed} of {len(group)} keys"

    def scan_everything(client, rng):
        for i in range(scaled(60)):
            keys, _ = transaction(client, ("RANGE", "-", "+", "NOVALUES"), ("SET", "scanned", i))
            assert set(ACCOUNTS) <= set(keys), "RANGE - + inside MULTI missed an account"

    def snapshots(client, rng):
        for _ in range(scaled(20)):
            try:
                client.execute_command(rng.choice(["BGSAVE", "BGREWRITEAOF"]))
            except redis.ResponseError as error:
                assert "in progress" in str(error), f"BGSAVE / BGREWRITEAOF answered {error}"
            time.sleep(0.01)

    with db.client() as client:
        client.mset(dict.fromkeys(ACCOUNTS, OPENING))
    load = Load(db, "everything at once")
    load.fixed("MULTI transfers 0", transfer_with_multi, scaled(200), logs[0])
    load.fixed("MULTI transfers 1", transfer_with_multi, scaled(200), logs[1])
    load.fixed("WATCH transfers", transfer_with_watch, scaled(100), logs[2], [])
    load.fixed("group writer", write_group)
    load.fixed("RANGE - + in MULTI", scan_everything)
    load.fixed("snapshots", snapshots)
    load.repeating("bank reader in MULTI", read_bank_in_multi, True)
    load.repeating("bank RANGE reader", read_bank_range)
    load.repeating("group RANGE reader", read_group_range, "mix:", group)
    load.repeating("group MGET reader", read_group_mget, group)
    load.run()
    final, expected = balances_after(db, logs)
    if final != expected:
        fail(f"after the mixed load the balances are {final}, expected {expected}")


# ----- what the commands of one EXEC see ------------------------------------------------------------


def test_exec_sees_no_other_clients_writes(db):
    """Other clients INCR hot:c and MSET hot:a/hot:b together; inside one EXEC, GET hot:c,
    INCR hot:c, GET hot:c see consecutive values, and hot:a and hot:b are equal for GET,
    MGET and RANGE alike."""
    counter, a, b = b"hot:c", b"hot:a", b"hot:b"
    increments = []

    def write(client, rng, index):
        for i in range(scaled(400)):
            if rng.random() < 0.5:
                client.incr(counter)
                increments.append(1)
            else:
                client.mset({a: b"%d.%d" % (index, i), b: b"%d.%d" % (index, i)})

    def read(client, rng, ranges):
        commands = [("GET", counter), ("INCR", counter), ("GET", counter), ("GET", a), ("GET", b), ("MGET", a, b)]
        if ranges:
            commands.append(("RANGE", *prefix_bounds("hot:")))
        replies = transaction(client, *commands)
        before, incremented, after, got_a, got_b, mget = replies[:6]
        increments.append(1)
        assert incremented == int(before) + 1 and int(after) == incremented, \
            f"GET / INCR / GET in one EXEC answered {before!r} / {incremented!r} / {after!r}"
        assert got_a == got_b and mget == [got_a, got_b], \
            f"hot:a / hot:b in one EXEC: GETs {got_a!r} {got_b!r}, MGET {mget!r}"
        if ranges:
            assert range_dict(replies[6]) == {a: got_a, b: got_b, counter: after}, \
                f"RANGE in the EXEC saw {range_dict(replies[6])}, the GETs {got_a!r} {got_b!r} {after!r}"

    with db.client() as client:
        client.mset({counter: 0, a: b"start", b: b"start"})
    load = Load(db, "EXEC sees one state")
    for i in range(2):
        load.fixed(f"writer {i}", write, i)
    for i in range(2):
        load.repeating(f"MULTI reader {i}", read, db.ranges)
    load.run()
    with db.client() as client:
        final = int(client.get(counter))
    if final != len(increments):
        fail(f"hot:c is {final} after {len(increments)} acknowledged increments")


def test_keys_do_not_expire_in_the_middle_of_an_exec(db):
    """A writer keeps setting keys that expire within a few milliseconds; inside one EXEC,
    RANGE, RANGECOUNT, MGET and EXISTS must agree on which keys exist: as in Redis, which
    evaluates every deadline at the time EXEC started, a key does not expire between the
    commands of one transaction."""
    keys = [b"ex:%02d" % i for i in range(32)]
    low, high = prefix_bounds("ex:")

    def write(client, rng):
        for i in range(scaled(3000)):
            client.set(rng.choice(keys), i, px=rng.randint(1, 20))

    def read(client, rng, ranges):
        commands = [("MGET", *keys), ("EXISTS", *keys)]
        if ranges:
            commands += [("RANGE", low, high, "NOVALUES"), ("RANGECOUNT", low, high)]
        replies = transaction(client, *commands)
        present = [k for k, v in zip(keys, replies[0]) if v is not None]
        assert replies[1] == len(present), f"in one EXEC MGET found {len(present)} keys, EXISTS {replies[1]}"
        if ranges:
            assert replies[2] == present and replies[3] == len(present), \
                f"in one EXEC MGET found {present}, RANGE {replies[2]}, RANGECOUNT {replies[3]}"

    load = Load(db, "expiry inside EXEC")
    load.fixed("writer", write)
    for i in range(2):
        load.repeating(f"MULTI reader {i}", read, db.ranges)
    load.run()


def test_keys_with_one_deadline_expire_together_for_a_reader(db):
    """A writer keeps writing a group of keys in one transaction with one deadline a few
    milliseconds ahead (SET … PXAT, the same absolute time for all); a reader's MGET or RANGE
    sees all of them or none: one command compares every key with one time, as Redis does."""
    keys = [b"dl:%02d" % i for i in range(40)]

    def write(client, rng):
        for i in range(scaled(1500)):
            seconds, microseconds = client.time()
            deadline = seconds * 1000 + microseconds // 1000 + rng.randint(1, 8)
            value = version_value(rng, i)
            transaction(client, *(("SET", k, value, "PXAT", deadline) for k in keys))

    load = Load(db, "one deadline")
    load.fixed("writer", write)
    load.repeating("MGET reader", read_group_mget, keys)
    if db.ranges:
        load.repeating("RANGE reader", read_group_range, "dl:", keys)
    load.run()


# ----- WATCH -------------------------------------------------------------------------------------


def optimistic_increment(client, key):
    """WATCH key, GET, MULTI, SET key value+1, EXEC until it commits; returns the aborts."""
    aborts = 0
    while True:
        with client.pipeline(transaction=True) as pipe:
            pipe.watch(key)
            value = int(pipe.get(key) or 0)
            pipe.multi()
            pipe.set(key, value + 1)
            try:
                pipe.execute()
                return aborts
            except redis.WatchError:
                aborts += 1
                if aborts > 10_000:
                    raise AssertionError(f"10000 aborts in a row on {key!r}")


def test_watch_increments_from_many_threads_lose_nothing(db):
    threads, increments = 4, scaled(150)
    aborts = []

    def write(client, rng):
        for _ in range(increments):
            aborts.append(optimistic_increment(client, b"wc:counter"))

    load = Load(db, "WATCH increments")
    for i in range(threads):
        load.fixed(f"incrementer {i}", write)
    load.run()
    with db.client() as client:
        final = int(client.get(b"wc:counter"))
    if final != threads * increments:
        fail(f"wc:counter is {final} after {threads} x {increments} committed optimistic increments "
             f"({sum(aborts)} aborts)")
    print(f"WATCH increments: {sum(aborts)} aborts")


def test_watch_on_disjoint_keys_never_aborts(db):
    """Each thread WATCHes and increments its own key while other clients write other keys
    (SET, MSET, DEL, INCR, RANGEDEL, transactions) on both loops: no EXEC may abort."""
    threads, increments = 4, scaled(200)
    aborts = []
    own = [b"wd:%d" % i for i in range(threads)]
    noise = [b"wn:%03d" % i for i in range(64)]

    def increment(client, rng, key):
        for _ in range(increments):
            aborts.append(optimistic_increment(client, key))

    def disturb(client, rng, ranges):
        for i in range(scaled(600)):
            roll = rng.random()
            if roll < 0.3:
                client.set(rng.choice(noise), i)
            elif roll < 0.5:
                client.mset(dict.fromkeys(rng.sample(noise, 5), i))
            elif roll < 0.65:
                client.delete(*rng.sample(noise, 3))
            elif roll < 0.8:
                client.incr(rng.choice(noise))
            elif roll < 0.9 and ranges:
                first, last = sorted(rng.sample(noise, 2))
                client.execute_command("RANGEDEL", b"[" + first, b"[" + last)
            else:
                transaction(client, ("SET", rng.choice(noise), i),
                            ("MSET", *[x for k in rng.sample(noise, 3) for x in (k, i)]))

    load = Load(db, "WATCH disjoint keys")
    for i in range(threads):
        load.fixed(f"incrementer {i}", increment, own[i])
        load.fixed(f"noise writer {i}", disturb, db.ranges)
    load.run()
    with db.client() as client:
        finals = [int(v) for v in client.mget(own)]
    if sum(aborts) or finals != [increments] * threads:
        fail(f"{sum(aborts)} EXECs aborted although nobody else wrote their watched key; final values {finals}, "
             f"expected {increments} each")


def test_watchrange_admits_no_phantom(db):
    """Threads fill a range up to a limit: WATCHRANGE, RANGECOUNT, and when below the limit
    MULTI / SET a new key in the range / EXEC; the range must end with exactly the limit of
    keys: an insertion by another client (on either loop) between the count and EXEC aborts."""
    needs_ranges(db)
    low, high = prefix_bounds("slot:")
    limit, threads = scaled(150), 4
    aborts = []

    def fill(client, rng, index):
        connection = Raw(db)
        try:
            for attempt in range(limit * 50):
                assert connection("WATCHRANGE", low, high) == b"OK"
                count = connection("RANGECOUNT", low, high)
                if count >= limit:
                    assert connection("UNWATCH") == b"OK"
                    return
                assert connection("MULTI") == b"OK"
                assert connection("SET", b"slot:%d:%d" % (index, attempt), attempt) == b"QUEUED"
                assert connection("RANGECOUNT", low, high) == b"QUEUED"
                reply = connection("EXEC")
                if reply is None:
                    aborts.append(1)
                else:
                    assert reply == [b"OK", count + 1], f"EXEC answered {reply!r} after RANGECOUNT {count}"
            raise AssertionError(f"the range did not fill in {limit * 50} attempts")
        finally:
            connection.close()

    load = Load(db, "WATCHRANGE")
    for i in range(threads):
        load.fixed(f"filler {i}", fill, i)
    load.run()
    with db.client() as client:
        final = client.execute_command("RANGECOUNT", low, high)
    if final != limit:
        fail(f"{threads} threads filling the range slot: up to {limit} keys under WATCHRANGE left {final} keys "
             f"({len(aborts)} aborts)")
    print(f"WATCHRANGE: {len(aborts)} aborts")


class Raw:
    """One connection driven a command at a time (WATCH, MULTI, EXEC at chosen moments);
    replies unconverted (b"OK", None for a null EXEC)."""

    def __init__(self, endpoint):
        self.connection = redis.Connection(host="127.0.0.1", port=endpoint.port, socket_timeout=SOCKET_TIMEOUT)
        self.connection.connect()

    def __call__(self, *args):
        self.connection.send_command(*args)
        return self.connection.read_response()

    def close(self):
        self.connection.disconnect()


WATCH_KEY = ["WATCH", "other-watched", "wk"]
WATCH_RANGE = ["WATCHRANGE", "[wk", "(wk2"]  # wk, wk1, wk10 …; not wk2
WATCH_ABSENT = ["WATCH", "nokey"]

# (name, what the watcher watches, the commands of the modifying connection, whether they
# modify what is watched). Before each case wk = "1", other = "2" and wk2 = "3" exist.
WATCH_CASES = [
    ("SET", WATCH_KEY, [["SET", "wk", "x"]], True),
    ("SET to the same value", WATCH_KEY, [["SET", "wk", "1"]], True),
    ("INCR", WATCH_KEY, [["INCR", "wk"]], True),
    ("APPEND", WATCH_KEY, [["APPEND", "wk", "x"]], True),
    ("SETRANGE", WATCH_KEY, [["SETRANGE", "wk", "0", "x"]], True),
    ("DEL", WATCH_KEY, [["DEL", "wk"]], True),
    ("DEL of several", WATCH_KEY, [["DEL", "other", "wk"]], True),
    ("UNLINK", WATCH_KEY, [["UNLINK", "wk"]], True),
    ("GETDEL", WATCH_KEY, [["GETDEL", "wk"]], True),
    ("EXPIRE", WATCH_KEY, [["EXPIRE", "wk", "1000"]], True),
    ("MSET", WATCH_KEY, [["MSET", "other", "y", "wk", "y"]], True),
    ("RENAME onto it", WATCH_KEY, [["RENAME", "other", "wk"]], True),
    ("RENAME away", WATCH_KEY, [["RENAME", "wk", "moved"]], True),
    ("COPY onto it", WATCH_KEY, [["COPY", "other", "wk", "REPLACE"]], True),
    ("RANGEDEL", WATCH_KEY, [["RANGEDEL", "[wk", "[wk"]], True),
    ("RANGEDEL of several", WATCH_KEY, [["RANGEDEL", "[other", "[wk2"]], True),
    ("FLUSHALL", WATCH_KEY, [["FLUSHALL"]], True),
    ("a transaction", WATCH_KEY, [["MULTI"], ["SET", "other", "y"], ["SET", "wk", "y"], ["EXEC"]], True),
    ("SET of another key", WATCH_KEY, [["SET", "other", "x"]], False),
    ("MSET of other keys", WATCH_KEY, [["MSET", "other", "x", "wk2", "y"]], False),
    ("DEL of another key", WATCH_KEY, [["DEL", "other"]], False),
    ("RANGEDEL beside it", WATCH_KEY, [["RANGEDEL", "[other", "(wk"]], False),
    ("COPY from it", WATCH_KEY, [["COPY", "wk", "copied"]], False),
    ("GET", WATCH_KEY, [["GET", "wk"]], False),
    ("a transaction on other keys", WATCH_KEY, [["MULTI"], ["SET", "other", "y"], ["INCR", "wk2"], ["EXEC"]], False),
    ("a discarded transaction", WATCH_KEY, [["MULTI"], ["SET", "wk", "y"], ["DISCARD"]], False),
    ("MSETNX that fails", WATCH_KEY, [["MSETNX", "wk", "x", "fresh", "y"]], False),
    ("absent: SET creates it", WATCH_ABSENT, [["SET", "nokey", "x"]], True),
    ("absent: MSET creates it", WATCH_ABSENT, [["MSET", "other", "x", "nokey", "y"]], True),
    ("absent: RENAME creates it", WATCH_ABSENT, [["RENAME", "other", "nokey"]], True),
    ("absent: DEL of it", WATCH_ABSENT, [["DEL", "nokey", "other"]], False),
    ("absent: FLUSHALL", WATCH_ABSENT, [["FLUSHALL"]], False),
    ("absent: RANGEDEL over it", WATCH_ABSENT, [["RANGEDEL", "-", "+"]], False),
    ("absent: a transaction creating and deleting it", WATCH_ABSENT,
     [["MULTI"], ["SET", "nokey", "y"], ["DEL", "nokey"], ["EXEC"]], True),
    ("range: SET in it", WATCH_RANGE, [["SET", "wk", "x"]], True),
    ("range: a new key in it", WATCH_RANGE, [["SET", "wk1", "x"]], True),
    ("range: DEL in it", WATCH_RANGE, [["DEL", "wk"]], True),
    ("range: MSET reaching into it", WATCH_RANGE, [["MSET", "other", "x", "wk10", "y"]], True),
    ("range: RENAME into it", WATCH_RANGE, [["RENAME", "other", "wk1"]], True),
    ("range: a transaction", WATCH_RANGE, [["MULTI"], ["SET", "other", "y"], ["DEL", "wk"], ["EXEC"]], True),
    ("range: FLUSHALL", WATCH_RANGE, [["FLUSHALL"]], True),
    ("range: SET at its exclusive end", WATCH_RANGE, [["SET", "wk2", "x"]], False),
    ("range: SET before it", WATCH_RANGE, [["SET", "other", "x"]], False),
    ("range: RANGEDEL of nothing in it", WATCH_RANGE, [["RANGEDEL", "[wk1", "[wk19"]], False),
    ("range: reads", WATCH_RANGE, [["RANGE", "[wk", "(wk2"], ["GET", "wk"], ["MGET", "wk", "wk1"]], False),
]


@pytest.mark.parametrize("case", WATCH_CASES, ids=[case[0] for case in WATCH_CASES])
def test_watched_key_modified_from_either_loop(db, case):
    """WATCH (or WATCHRANGE) on one connection; writes on another connection, on the other
    loop and on the same loop, before MULTI or between MULTI and EXEC, or on the watching
    connection itself before MULTI: EXEC aborts exactly when they modify what is watched.
    After UNWATCH the same writes abort nothing."""
    name, watch, commands, modifies = case
    if not db.ranges and ("RANGEDEL" in (c[0] for c in commands) or watch[0] == "WATCHRANGE"):
        pytest.skip("RANGEDEL and WATCHRANGE are SkipKV commands")
    # Connected in this order, round-robin: watcher and same_loop share a loop, other_loop not.
    watcher, other_loop, same_loop = Raw(db), Raw(db), Raw(db)
    described = " ; ".join(" ".join(c) for c in commands)
    try:
        for unwatch in (False, True):
            for modifier, where in ((other_loop, "the other loop"), (same_loop, "the same loop"),
                                    (watcher, "the watching connection itself")):
                for when in ("before MULTI", "between MULTI and EXEC"):
                    if modifier is watcher and (when != "before MULTI" or commands[0][0] == "MULTI"):
                        continue  # its commands would be queued, or its own EXEC would end the watch
                    assert watcher("FLUSHALL") == b"OK"
                    assert watcher("MSET", "wk", "1", "other", "2", "wk2", "3") == b"OK"
                    assert watcher(*watch) == b"OK"
                    if unwatch:
                        assert watcher("UNWATCH") == b"OK"
                    if when == "before MULTI":
                        for command in commands:
                            modifier(*command)
                    assert watcher("MULTI") == b"OK"
                    assert watcher("SET", "wk", "from EXEC") == b"QUEUED"
                    if when != "before MULTI":
                        for command in commands:
                            modifier(*command)
                    reply = watcher("EXEC")
                    assert reply in (None, [b"OK"]), f"EXEC answered {reply!r}"
                    aborted = reply is None
                    expected = modifies and not unwatch
                    if aborted != expected:
                        fail(f"{' '.join(watch)}{', UNWATCH' if unwatch else ''}, then {described} from a connection "
                             f"on {where} {when}: EXEC {'aborted' if aborted else 'committed'}, expected it to "
                             f"{'abort' if expected else 'commit'}")
                    got = watcher("GET", "wk")
                    assert (got == b"from EXEC") == (not aborted), f"after EXEC answered {reply!r}, wk is {got!r}"
    finally:
        for client in (watcher, other_loop, same_loop):
            client.close()


def test_one_write_aborts_every_watcher_on_both_loops(db):
    """40 connections (20 on each loop) WATCH the same key, 40 others each their own key; one
    SET of the shared key and one of a single own key: exactly the 40 watchers of the shared
    key and the one of that own key see EXEC abort."""
    shared = [Raw(db) for _ in range(40)]
    own = [Raw(db) for _ in range(40)]
    writer = Raw(db)
    try:
        writer("MSET", "shared", "0", *[x for i in range(40) for x in (f"own:{i}", "0")])
        for connection in shared:
            assert connection("WATCH", "shared") == b"OK"
        for i, connection in enumerate(own):
            assert connection("WATCH", f"own:{i}") == b"OK"
        writer("SET", "shared", "1")
        writer("SET", "own:7", "1")
        outcomes = []
        for connection in shared + own:
            assert connection("MULTI") == b"OK"
            assert connection("INCR", "counter") == b"QUEUED"
            outcomes.append(connection("EXEC") is None)
        aborted = [i for i, a in enumerate(outcomes) if a]
        if aborted != list(range(40)) + [47]:
            fail(f"EXEC aborted on connections {aborted}: expected the 40 watchers of the shared key (0-39) and "
                 f"the watcher of own:7 (47)")
    finally:
        for connection in shared + own + [writer]:
            connection.close()


@pytest.mark.parametrize("reader", ["GET", "nobody"])
def test_watched_key_that_expires_aborts(db, reader):
    """WATCH a key with a 30 ms deadline; once it has passed (seen by a GET on the other loop,
    which removes it, or by nobody but the clock), EXEC aborts: an expiry is a change."""
    watcher, other = Raw(db), Raw(db)
    try:
        assert watcher("SET", "wk", "1", "PX", "30") == b"OK"
        deadline = watcher("PEXPIRETIME", "wk")
        assert watcher("WATCH", "wk") == b"OK"
        for _ in range(2000):
            if reader == "GET":
                gone = other("GET", "wk") is None
            else:  # the server's clock only: nothing reads the key
                seconds, microseconds = other("TIME")
                gone = int(seconds) * 1000 + int(microseconds) // 1000 > deadline + 1
            if gone:
                break
            time.sleep(0.005)
        else:
            fail("the key never expired")
        assert watcher("MULTI") == b"OK"
        assert watcher("SET", "wk", "from EXEC") == b"QUEUED"
        reply = watcher("EXEC")
        if reply is not None:
            fail(f"WATCH of a key that then expired ({reader} saw it go): EXEC answered {reply!r}, expected null")
    finally:
        watcher.close()
        other.close()


# ----- a long scan in a transaction -------------------------------------------------------------

BIG = 50_000


def test_long_range_in_multi_beside_point_writes(db):
    """A RANGE over 50,000 keys inside MULTI/EXEC and outside, while one client MSETs the
    first, middle and last keys together and another SETs single keys in the range (and
    outside it) one at a time: all complete; every scan sees the three keys at one version;
    the scan inside MULTI sees the single-key writes exactly up to one point of their order."""
    needs_ranges(db)
    keys = [b"big:%05d" % i for i in range(BIG)]
    edges = [keys[0], keys[BIG // 2], keys[-1]]
    edge_set = set(edges)
    low, high = prefix_bounds("big:")
    point_log = []  # (sequence number, key) of the single-key writes in the range, in order
    outside = []
    with db.client() as client:
        pipe = client.pipeline(transaction=False)
        for start in range(0, BIG, 5000):
            pipe.mset(dict.fromkeys(keys[start:start + 5000], b"0"))
        pipe.execute()

    edge_version = [0]

    def write_edges(client, rng):
        edge_version[0] += 1
        client.mset(dict.fromkeys(edges, b"e%d" % edge_version[0]))

    def write_point(client, rng):
        sequence = len(point_log) + len(outside) + 1
        key = rng.choice(keys)
        if key in edge_set or rng.random() < 0.3:
            outside.append(sequence)
            client.set(b"pt:%d" % rng.randrange(1000), sequence)
        else:
            point_log.append((sequence, key))
            client.set(key, b"p%d" % sequence)

    scans = []  # (inside MULTI, state) for the cut check at the end

    def scan(client, rng, in_multi):
        for _ in range(scaled(4)):
            if in_multi:
                flat, count, first = transaction(client, ("RANGE", low, high), ("RANGECOUNT", low, high),
                                                 ("GET", edges[0]))
                assert count == BIG, f"RANGECOUNT inside MULTI answered {count}"
                assert flat[1] == first, f"RANGE and GET in one EXEC saw {flat[1]!r} and {first!r} for {edges[0]!r}"
            else:
                flat = client.execute_command("RANGE", low, high)
            assert flat[0::2] == keys, f"RANGE returned {len(flat) // 2} keys, not the {BIG} loaded"
            state = range_dict(flat)
            group_state([state[k] for k in edges],
                        f"RANGE{' inside MULTI' if in_multi else ''} (first, middle, last key)")
            scans.append((in_multi, state))

    load = Load(db, "long RANGE")
    load.fixed("MULTI scanner", scan, True)
    load.fixed("plain scanner", scan, False)
    load.repeating("edge writer", write_edges)
    load.repeating("point writer", write_point)
    load.run()

    # The scan inside MULTI: cut = the last single-key write it saw; it must see every key as
    # the writes up to the cut left it, none after.
    assert point_log, "the point writer wrote nothing"
    for number, (in_multi, state) in enumerate(scans):
        if not in_multi:
            continue
        seen = [int(v[1:]) for k, v in state.items() if v.startswith(b"p")]
        cut = max(seen, default=0)
        expected = {}
        for sequence, key in point_log:
            if sequence <= cut:
                expected[key] = b"p%d" % sequence
        wrong = [(k, state[k], expected.get(k, b"0")) for k in {k for _, k in point_log}
                 if state[k] != expected.get(k, b"0")]
        if wrong:
            fail(f"scan {number} inside MULTI saw single-key writes up to #{cut} but not as one state: "
                 f"(key, seen, expected at that point) {sorted(wrong)[:5]} ({len(wrong)} keys)")
    print(f"long RANGE: {len(scans)} scans, {len(point_log)} point writes in the range, {len(outside)} outside")
