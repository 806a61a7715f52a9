"""Transactions and multi-key commands survive a crash whole or not at all.

SIGKILL under a transaction load, with `appendonly yes` and `appendfsync always`: three
writer threads (one connection each, on both event loops) stream transactions n = 1, 2, …
over keys `t<i>:<n>:<part>` that no other transaction touches:
MULTI / SET a / SET b / INCR t<i>:count / EXEC; MULTI / MSET a b / INCR / SET c / EXEC;
MULTI / SET a / INCR / SET b / EXEC with values of 16-120 kB; WATCH t<i>:count / MULTI /
SET a / INCR / EXEC; and plain MSET a b c (not counted). After every restart: each
acknowledged transaction is present in full with its values, every other one (only the one
in flight when the server died may be there) is present in full or absent, and t<i>:count
equals the number of counted transactions present. Some cycles run with a tiny
auto-aof-rewrite-min-size and a thread issuing BGSAVE / BGREWRITEAOF / SAVE, so kills land
during rewrites and snapshots; some restarts are themselves killed while the server recovers.
A SIGKILL leaves the page cache: this checks what the log holds, not the fsync before EXEC's
reply (that would take a power cut).

Torn log tail: an acknowledged transaction (and an MSET) at the end of the log is cut at
several points inside its record, as a power cut during its write would; recovery drops the
torn tail and must then have none of its keys, and with the whole record all of them.

SKIPKV_TEST_SEED=<n> replays the random choices (not the kill timing); SKIPKV_CRASH_CYCLES=<n>
sets the number of kill cycles (default 24, of which this runs half).
"""
import os
import random
import shutil
import threading
import time

import pytest

from durability_server import AOF_NAME, Admin, RawClient, find_unique, listing, log_segments, persistence_flags, \
    start_cycle, truncate

CYCLES = max(2, int(os.environ.get("SKIPKV_CRASH_CYCLES", "24")) // 2)
WRITERS = 3
ALWAYS = persistence_flags("yes", "always", "")


class Transaction:
    """One transaction (or plain MSET) of a writer: the commands sent in one write, the
    replies that acknowledge it, and the keys it leaves."""

    def __init__(self, kind, commands, replies, values, counted):
        self.kind = kind
        self.commands = commands
        self.replies = replies
        self.values = values  # key -> value
        self.counted = counted  # it increments the writer's counter


class TransactionWriter:
    def __init__(self, index, rng):
        self.index = index
        self.rng = rng
        self.prefix = b"t%d:" % index
        self.counter = self.prefix + b"count"
        self.sent = {}  # n -> Transaction
        self.applied = set()  # acknowledged, or found after a restart
        self.count = 0  # the counter's value: the counted transactions applied
        self.next = 1
        self.inflight = None
        self.acked = 0
        self.kinds = {}
        self.errors = []

    def value(self, n, part, large=False):
        size = self.rng.randint(16_000, 120_000) if large else self.rng.randint(0, 200)
        return b"%d/%d/%s:" % (self.index, n, part) + self.rng.randbytes(size)

    def next_transaction(self):
        n, rng = self.next, self.rng
        a, b, c = (self.prefix + b"%d:%s" % (n, part) for part in (b"a", b"b", b"c"))
        count = self.count + 1
        roll = rng.random()
        if roll < 0.3:
            va, vb = self.value(n, b"a"), self.value(n, b"b")
            return Transaction("MULTI SET SET INCR", [["MULTI"], ["SET", a, va], ["SET", b, vb], ["INCR", self.counter],
                                                      ["EXEC"]],
                               ["OK", "QUEUED", "QUEUED", "QUEUED", ["OK", "OK", count]], {a: va, b: vb}, True)
        if roll < 0.55:
            va, vb, vc = self.value(n, b"a"), self.value(n, b"b"), self.value(n, b"c")
            return Transaction("MULTI MSET INCR SET", [["MULTI"], ["MSET", a, va, b, vb], ["INCR", self.counter],
                                                       ["SET", c, vc], ["EXEC"]],
                               ["OK", "QUEUED", "QUEUED", "QUEUED", ["OK", count, "OK"]], {a: va, b: vb, c: vc}, True)
        if roll < 0.62:
            va, vb = self.value(n, b"a", large=True), self.value(n, b"b", large=True)
            return Transaction("MULTI large", [["MULTI"], ["SET", a, va], ["INCR", self.counter], ["SET", b, vb],
                                               ["EXEC"]],
                               ["OK", "QUEUED", "QUEUED", "QUEUED", ["OK", count, "OK"]], {a: va, b: vb}, True)
        if roll < 0.8:
            va = self.value(n, b"a")
            return Transaction("WATCH MULTI", [["WATCH", self.counter], ["MULTI"], ["SET", a, va],
                                               ["INCR", self.counter], ["EXEC"]],
                               ["OK", "OK", "QUEUED", "QUEUED", ["OK", count]], {a: va}, True)
        va, vb, vc = self.value(n, b"a"), self.value(n, b"b"), self.value(n, b"c")
        return Transaction("MSET", [["MSET", a, va, b, vb, c, vc]], ["OK"], {a: va, b: vb, c: vc}, False)

    def run(self, port, go):
        try:
            client = RawClient(port, timeout=30)
        except OSError as error:
            self.errors.append(f"writer {self.index}: cannot connect: {error}")
            return
        go.wait()
        try:
            while True:
                transaction = self.next_transaction()
                self.sent[self.next] = transaction
                self.inflight = self.next
                try:
                    replies = client.pipeline(*transaction.commands)
                except OSError:
                    return  # the server died: the transaction stays in flight
                if replies != transaction.replies:
                    self.errors.append(f"writer {self.index}: transaction {self.next} ({transaction.kind}) answered "
                                       f"{str(replies)[:300]}, expected {str(transaction.replies)[:300]}")
                    return
                self.applied.add(self.next)
                self.count += transaction.counted
                self.inflight = None
                self.next += 1
                self.acked += 1
                self.kinds[transaction.kind] = self.kinds.get(transaction.kind, 0) + 1
        finally:
            client.close()


def verify(server, writers, context, stats):
    """Checks the recovered keyspace against what the writers sent and adopts an in-flight
    transaction that was applied."""
    client = server.client(socket_timeout=120)
    try:
        flat = client.execute_command("RANGE", "-", "+")
    finally:
        client.close()
    observed = dict(zip(flat[0::2], flat[1::2]))
    claimed = set()
    for writer in writers:
        counter = observed.get(writer.counter)
        claimed.add(writer.counter)
        for n, transaction in writer.sent.items():
            found = {k: observed[k] for k in transaction.values if k in observed}
            claimed.update(found)
            what = f"writer {writer.index}'s transaction {n} ({transaction.kind}"
            what += ", in flight when the server died)" if n == writer.inflight else \
                (", acknowledged)" if n in writer.applied else ", never acknowledged)")
            if found and found != transaction.values:
                partial = {k: (len(v), v == transaction.values[k]) for k, v in found.items()}
                pytest.fail(f"{context}: {what} recovered in part: of the keys {sorted(transaction.values)} it has "
                            f"{partial} (length, right value)\ndata dir: {listing(server.data_dir)}\n"
                            + server.describe(), pytrace=False)
            if not found and n in writer.applied:
                pytest.fail(f"{context}: {what} was lost\ndata dir: {listing(server.data_dir)}\n" + server.describe(),
                            pytrace=False)
            if found and n not in writer.applied:
                if n != writer.inflight:
                    pytest.fail(f"{context}: {what} is present", pytrace=False)
                writer.applied.add(n)
                writer.count += transaction.counted
                stats["in-flight applied"] += 1
            elif n == writer.inflight:
                stats["in-flight lost"] += 1
        recovered = int(counter) if counter is not None else 0
        if recovered != writer.count:
            pytest.fail(f"{context}: {writer.counter!r} is {counter!r} but {writer.count} counted transactions of "
                        f"writer {writer.index} are present (in flight: {writer.inflight})\n" + server.describe(),
                        pytrace=False)
        if writer.inflight is not None:
            if writer.inflight in writer.applied:
                writer.next = writer.inflight + 1
            else:
                del writer.sent[writer.inflight]  # never applied: its n is sent again, with new values
            writer.inflight = None
    extra = set(observed) - claimed
    if extra:
        pytest.fail(f"{context}: keys no transaction wrote: {sorted(extra)[:10]}\n" + server.describe(), pytrace=False)
    return len(observed)


def test_sigkill_applies_each_transaction_whole_or_not_at_all(launcher, tmp_path):
    seed = int(os.environ.get("SKIPKV_TEST_SEED") or random.SystemRandom().randrange(1 << 32))
    print(f"transaction crash recovery: SKIPKV_TEST_SEED={seed}, {CYCLES} cycles")
    rng = random.Random(seed)
    writers = [TransactionWriter(i, random.Random(rng.getrandbits(64))) for i in range(WRITERS)]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    stats = {"kills": 0, "kills during recovery": 0, "in-flight applied": 0, "in-flight lost": 0}
    accepted = {}
    started = time.monotonic()
    keys = 0
    for cycle in range(CYCLES + 1):
        context = f"seed {seed}, cycle {cycle}"
        server = start_cycle(launcher, data_dir, "always", cycle, rng, stats, context)
        keys = verify(server, writers, context, stats)
        assert "ThreadSanitizer" not in server.log_text(), server.describe()
        if cycle == CYCLES:
            assert server.terminate() == 0, f"{context}: exit status after SIGTERM\n" + server.describe()
            break

        go = threading.Event()
        threads = [threading.Thread(target=w.run, args=(server.port, go), daemon=True) for w in writers]
        window = rng.uniform(0.1, 0.8)
        admin, admin_errors = None, []
        if cycle % 3 == 2:
            commands = ["BGSAVE", "BGREWRITEAOF", "BGREWRITEAOF", "SAVE"]
            admin = Admin(sorted((rng.uniform(0, window), rng.choice(commands)) for _ in range(rng.randint(1, 3))))
            threads.append(threading.Thread(target=admin.run, args=(server.port, go, admin_errors), daemon=True))
        for thread in threads:
            thread.start()
        time.sleep(0.05)  # connections established
        go.set()
        time.sleep(window)
        if not server.running():
            pytest.fail(f"{context}: the server died on its own under load\n" + server.describe(), pytrace=False)
        server.kill()
        stats["kills"] += 1
        for thread in threads:
            thread.join(30)
            assert not thread.is_alive(), f"{context}: a client thread hung after SIGKILL"
        if admin is not None:
            for command, count in admin.accepted.items():
                accepted[command] = accepted.get(command, 0) + count
        problems = admin_errors + [e for w in writers for e in w.errors]
        if problems:
            pytest.fail(f"{context}: " + "\n".join(problems) + "\n" + server.describe(), pytrace=False)

    kinds = {}
    for writer in writers:
        for kind, count in writer.kinds.items():
            kinds[kind] = kinds.get(kind, 0) + count
    acked = sum(w.acked for w in writers)
    print(f"transaction crash recovery: seed {seed}: {stats}, acknowledged {kinds}, admin commands {accepted}, "
          f"{keys} keys at the end, {time.monotonic() - started:.1f} s")
    assert acked >= 10 * CYCLES, f"seed {seed}: only {acked} transactions acknowledged in {CYCLES} cycles"
    assert len(kinds) == 5, f"seed {seed}: kinds of transaction never acknowledged: {kinds}"


# ----- a torn transaction at the end of the log ----------------------------------------------------


TORN_CASES = {
    "MULTI/EXEC": lambda a, b: [["MULTI"], ["SET", "torn:a", a], ["INCR", "torn:count"], ["SET", "torn:b", b],
                                ["EXEC"]],
    "MSET": lambda a, b: [["MSET", "torn:a", a, "torn:b", b, "torn:count", "1"]],
}


@pytest.mark.parametrize("kind", sorted(TORN_CASES))
def test_torn_transaction_at_the_log_tail_is_dropped_whole(launcher, tmp_path, kind):
    rng = random.Random(f"torn {kind}")
    first, second = rng.randbytes(4000), rng.randbytes(4000)
    pristine = tmp_path / "pristine"
    pristine.mkdir()
    server = launcher.start_loaded(pristine, *ALWAYS)
    client = RawClient(server.port)
    try:
        assert client.command("SET", "before", "kept") == "OK"
        replies = client.pipeline(*TORN_CASES[kind](first, second))
        assert replies[-1] in (["OK", 1, "OK"], "OK"), f"{kind} answered {replies!r}"
    finally:
        client.close()
    server.kill()
    segment = log_segments(pristine)[-1]
    size = segment.stat().st_size
    at_first, at_second = find_unique(segment, first), find_unique(segment, second)
    cuts = {"inside the first value": at_first + len(first) // 2,
            "between the values": min(at_first, at_second) + len(first) + 1,
            "inside the second value": max(at_first, at_second) + len(second) // 2,
            "one byte short": size - 1}
    expected_whole = {b"before": b"kept", b"torn:a": first, b"torn:b": second, b"torn:count": b"1"}
    for name, cut in [*cuts.items(), ("not cut", size)]:
        data_dir = tmp_path / name.replace(" ", "-")
        shutil.copytree(pristine, data_dir)
        copied = data_dir / segment.name
        truncate(copied, cut)
        server = launcher.start_loaded(data_dir, *ALWAYS)
        client = server.client()
        try:
            flat = client.execute_command("RANGE", "-", "+")
        finally:
            client.close()
        found = dict(zip(flat[0::2], flat[1::2]))
        expected = expected_whole if cut == size else {b"before": b"kept"}
        if found != expected:
            pytest.fail(f"{kind}: log {AOF_NAME} of {size} bytes cut {name} (at byte {cut}; the values at "
                        f"{at_first} and {at_second}): recovered keys "
                        f"{ {k: len(v) for k, v in found.items()} } (value lengths), expected "
                        f"{ {k: len(v) for k, v in expected.items()} }\n" + server.describe(), pytrace=False)
        server.terminate()
