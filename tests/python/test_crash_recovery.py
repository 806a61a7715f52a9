"""SIGKILL at random moments under write load, with `appendfsync always`: after every restart
each key must hold its last acknowledged value, or the result of the one operation that was
in flight on its writer's connection when the server died (an in-flight RANGEDEL is atomic:
all of its keys are gone or none is). No other key may exist.

Six writer threads each own a key prefix `w<i>:` and one connection, and send one command at
a time (SET, SET … PXAT, SET … GET, PEXPIREAT, PERSIST, DEL, GETDEL, INCR/INCRBY, APPEND,
RANGEDEL over part of the prefix), with random binary values, some of them large. Each key's
deadline is checked too (PEXPIRETIME): every acknowledged SET … PXAT, PEXPIREAT and PERSIST
holds after the restart, and SET without KEEPTTL cleared what it replaced. Some cycles run with a tiny
auto-aof-rewrite-min-size, some with a thread issuing BGSAVE / BGREWRITEAOF / SAVE, so kills
also land during snapshots and log rotation; some restarts are themselves killed while the
server recovers.

A second, shorter run uses appendfsync everysec with the same check: a killed process (unlike
a power failure) must not lose acknowledged writes there either, since the server writes each
record to the OS before acknowledging it and only the fsync is deferred.

A third run uses everysec on a small tmpfs that a ballast file fills and empties again and
again during the load: writes refused with -MISCONF count as not performed (and must not be
applied), everything acknowledged must survive. It is skipped, saying why, where a tmpfs
cannot be mounted.

SKIPKV_TEST_SEED=<n> replays a run (the seed is printed, and named in every failure; the
kill timing is not replayed); SKIPKV_CRASH_CYCLES=<n> changes the number of kill cycles
(default 24; the everysec run does a third of them).
"""
import os
import random
import threading
import time

import pytest

from durability_server import Admin, RawClient, RespError, SmallDisk, listing, log_segments, snapshot_file, \
    start_cycle

WRITERS = 6
CYCLES = int(os.environ.get("SKIPKV_CRASH_CYCLES", "24"))
EVERYSEC_CYCLES = max(1, CYCLES // 3)
LARGE_VALUE_LIMIT = 250_000  # APPEND turns into SET beyond this length


def short(value):
    if value is None:
        return "(absent)"
    head = value[:40]
    return f"{len(value)} bytes {head!r}{'…' if len(value) > 40 else ''}"


class Operation:
    """A command, what it changes (`delta`: key -> new value, None = deleted), the writer's
    model after it succeeds, and the reply that proves it did."""

    def __init__(self, args, writer, delta, reply, text, ttl=None):
        self.args = args
        self.delta = delta
        self.after = apply_delta(writer.model, delta)
        # Deadlines (absolute ms) after it: a deleted key loses its own, `ttl` sets (or, 0,
        # clears) others; keys it only changes (INCR, APPEND) keep theirs.
        self.after_ttl = {k: d for k, d in writer.deadlines.items() if k in self.after}
        for key, deadline in (ttl or {}).items():
            if deadline:
                self.after_ttl[key] = deadline
            else:
                self.after_ttl.pop(key, None)
        self.reply = reply
        self.text = text


def apply_delta(state, delta):
    result = dict(state)
    for key, value in delta.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


class Writer:
    """One connection, one key prefix, one model of acknowledged state."""

    def __init__(self, index, rng):
        self.index = index
        self.rng = rng
        self.prefix = b"w%d:" % index
        self.plain = [self.prefix + b"k%03d" % n for n in range(36)]
        self.plain += [self.prefix + b"b\x00\xff" + bytes([n]) for n in (0, 10, 13, 255)]
        self.plain.append(self.prefix + b"k\r\n")
        self.counters = [self.prefix + b"c%d" % n for n in range(4)]
        self.universe = sorted(self.plain + self.counters)
        # RANGEDEL bounds: keys, and prefixes of several keys; all start with the prefix,
        # so a range never reaches another writer's keys.
        self.bounds = self.universe + [self.prefix + p for p in (b"", b"b", b"c", b"k", b"k0", b"k1", b"k2", b"k3")]
        self.model = {}
        self.deadlines = {}  # key -> absolute deadline (ms) of the keys with one
        self.inflight = None
        self.acked = 0
        self.refused = 0
        self.ops_by_kind = {}
        self.errors = []
        self.refusals_allowed = False

    # ----- operations ------------------------------------------------------------------

    def value(self):
        roll = self.rng.random()
        if roll < 0.04:
            size = self.rng.randint(16_000, 200_000)
        elif roll < 0.34:
            size = self.rng.randint(65, 4000)
        else:
            size = self.rng.randint(0, 64)
        return self.rng.randbytes(size)

    def deadline(self):
        """A deadline far in the future (no key expires during the test), in Unix ms."""
        return 4_000_000_000_000 + self.rng.randint(0, 10**9)

    def next_operation(self):
        rng, model = self.rng, self.model
        roll = rng.random()
        if roll < 0.30:
            key, value = rng.choice(self.plain), self.value()
            if rng.random() < 0.3:
                deadline = self.deadline()
                return Operation(["SET", key, value, "PXAT", str(deadline)], self, {key: value}, "OK",
                                 f"SET {key!r} <{short(value)}> PXAT {deadline}", ttl={key: deadline})
            return Operation(["SET", key, value], self, {key: value}, "OK", f"SET {key!r} <{short(value)}>",
                             ttl={key: 0})
        if roll < 0.35:
            key, deadline = rng.choice(self.universe), self.deadline()
            present = key in model
            return Operation(["PEXPIREAT", key, str(deadline)], self, {}, int(present), f"PEXPIREAT {key!r} {deadline}",
                             ttl={key: deadline} if present else {})
        if roll < 0.41:
            key, value = rng.choice(self.plain), self.value()
            return Operation(["SET", key, value, "GET"], self, {key: value}, model.get(key),
                             f"SET {key!r} <{short(value)}> GET", ttl={key: 0})
        if roll < 0.48:
            key = rng.choice(self.universe)
            return Operation(["DEL", key], self, {key: None}, int(key in model), f"DEL {key!r}")
        if roll < 0.52:
            key = rng.choice(self.universe)
            return Operation(["GETDEL", key], self, {key: None}, model.get(key), f"GETDEL {key!r}")
        if roll < 0.72:
            key = rng.choice(self.counters)
            current = int(model.get(key, b"0"))
            if rng.random() < 0.5:
                return Operation(["INCR", key], self, {key: b"%d" % (current + 1)}, current + 1, f"INCR {key!r}")
            step = rng.randint(-1000, 1000)
            return Operation(["INCRBY", key, str(step)], self, {key: b"%d" % (current + step)}, current + step,
                             f"INCRBY {key!r} {step}")
        if roll < 0.89:
            key = rng.choice(self.plain)
            old = model.get(key, b"")
            if len(old) > LARGE_VALUE_LIMIT:
                value = self.value()
                return Operation(["SET", key, value], self, {key: value}, "OK", f"SET {key!r} <{short(value)}>",
                                 ttl={key: 0})
            chunk = rng.randbytes(rng.randint(0, 300))
            return Operation(["APPEND", key, chunk], self, {key: old + chunk}, len(old) + len(chunk),
                             f"APPEND {key!r} <{short(chunk)}>")
        if roll < 0.92:
            key = rng.choice(self.universe)
            had = key in self.deadlines
            return Operation(["PERSIST", key], self, {}, int(had), f"PERSIST {key!r}", ttl={key: 0} if had else {})
        if rng.random() < 0.1:
            low, high = b"[" + self.prefix, b"(" + self.prefix[:-1] + b";"  # the whole prefix
            members = list(model)
        else:
            a, b = sorted(rng.sample(self.bounds, 2))
            low_inclusive, high_inclusive = rng.random() < 0.5, rng.random() < 0.5
            low = (b"[" if low_inclusive else b"(") + a
            high = (b"[" if high_inclusive else b"(") + b
            members = [k for k in model
                       if (k >= a if low_inclusive else k > a) and (k <= b if high_inclusive else k < b)]
        return Operation(["RANGEDEL", low, high], self, dict.fromkeys(members), len(members),
                         f"RANGEDEL {low!r} {high!r} (removes {len(members)} keys)")

    # ----- the thread --------------------------------------------------------------------

    def run(self, port, go):
        try:
            client = RawClient(port, timeout=30)
        except OSError as error:
            self.errors.append(f"writer {self.index}: cannot connect: {error}")
            return
        go.wait()
        try:
            while True:
                operation = self.next_operation()
                self.inflight = operation
                try:
                    reply = client.command(*operation.args)
                except OSError:
                    return  # the server died: the operation stays in flight
                if self.refusals_allowed and isinstance(reply, RespError) and reply.message.startswith("MISCONF"):
                    self.inflight = None  # refused before it ran: the model stays
                    self.refused += 1
                    continue
                if reply != operation.reply:
                    self.errors.append(f"writer {self.index}: {operation.text} answered {reply!r}, "
                                       f"expected {operation.reply!r} from the model")
                    return
                self.model = operation.after
                self.deadlines = operation.after_ttl
                self.inflight = None
                self.acked += 1
                kind = operation.args[0]
                self.ops_by_kind[kind] = self.ops_by_kind.get(kind, 0) + 1
        finally:
            client.close()


def describe_alternatives(observed, candidates):
    """The keys where the recovered state differs from an allowed one: what was found, what
    was last acknowledged, and what the in-flight operation would have left if it differs."""
    lines = []
    keys = sorted(set(observed).union(*(set(state) for _, state in candidates)))
    acknowledged = candidates[0][1]
    for key in keys:
        actual = observed.get(key)
        values = [state.get(key) for _, state in candidates]
        if all(actual == v for v in values):
            continue
        line = f"  key {key!r}: actual {short(actual)}; last acknowledged {short(acknowledged.get(key))}"
        if len(candidates) > 1 and values[1] != values[0]:
            line += f"; after the in-flight operation {short(values[1])}"
        lines.append(line)
    shown = "\n".join(lines[:25])
    return shown + (f"\n  … and {len(lines) - 25} more keys" if len(lines) > 25 else "")


def verify(server, writers, context, stats, previous=None):
    """Checks the recovered keyspace against the writers' models and adopts it as the new
    model: each writer must be at its last acknowledged state or the result of its in-flight
    operation. Counts outcomes in `stats`."""
    client = RawClient(server.port, timeout=60)
    try:
        flat = client.command("RANGE", "-", "+")
        assert isinstance(flat, list), f"{context}: RANGE - + answered {flat!r}"
        observed = dict(zip(flat[0::2], flat[1::2]))
        dbsize = client.command("DBSIZE")
        assert dbsize == len(observed), f"{context}: DBSIZE {dbsize!r} but RANGE - + returned {len(observed)} keys"
        owned = set()
        for writer in writers:
            mine = {k: v for k, v in observed.items() if k.startswith(writer.prefix)}
            owned.update(mine)
            ttls = {}
            for key in mine:
                deadline = client.command("PEXPIRETIME", key)
                if deadline != -1:
                    ttls[key] = deadline
            candidates = [("last acknowledged", writer.model, writer.deadlines)]
            if writer.inflight is not None:
                candidates.append((f"after in-flight {writer.inflight.text}", writer.inflight.after,
                                   writer.inflight.after_ttl))
            ok = any(mine == state and ttls == deadlines for _, state, deadlines in candidates)
            if writer.inflight is not None and writer.inflight.after != writer.model:
                stats["in-flight applied" if mine == writer.inflight.after else "in-flight lost"] += 1
            what = "neither its last acknowledged state nor the result of its in-flight operation"
            if not ok:
                pytest.fail(f"{context}: writer {writer.index} ({writer.prefix!r}) recovered a state that is "
                            f"{what} ({writer.inflight.text if writer.inflight else 'none in flight'}):\n"
                            + describe_alternatives(mine, [(name, state) for name, state, _ in candidates])
                            + f"\ndeadlines recovered: {ttls}; expected one of: "
                            + "; ".join(f"{name}: {deadlines}" for name, _, deadlines in candidates)
                            + f"\ndata dir: {listing(server.data_dir)}\n--- restarted server ---\n"
                            + server.describe()
                            + (f"\n--- killed server ---\n{previous.describe()}" if previous else ""), pytrace=False)
            # Point reads must agree with the range scan (and find nothing the scan missed).
            for key in sorted(set(mine) | set(writer.model) | (set(writer.inflight.after) if writer.inflight else set())):
                got = client.command("GET", key)
                if got != mine.get(key):
                    pytest.fail(f"{context}: GET {key!r} answered {short(got)} but RANGE - + gave "
                                f"{short(mine.get(key))}\n" + server.describe(), pytrace=False)
            writer.model = mine
            writer.deadlines = ttls
            writer.inflight = None
        extra = sorted(set(observed) - owned)
        if extra:
            pytest.fail(f"{context}: keys nobody wrote: {extra[:10]}\n" + server.describe(), pytrace=False)
        return len(observed)
    finally:
        client.close()


class DiskFiller:
    """Fills the small disk with a ballast file and empties it again at random moments."""

    def __init__(self, disk, rng):
        self.disk = disk
        self.rng = rng
        self.fills = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(self.rng.uniform(0.05, 0.25)):
            if self.disk.ballast.exists():
                self.disk.empty()
            else:
                self.disk.fill(leave=self.rng.choice([0, 4096, 1 << 20]))
                self.fills += 1


def run_crash_cycles(launcher, tmp_path, appendfsync, cycles, disk=None):
    """Write load, SIGKILL, restart, verify; `cycles` times, then a last restart and check.
    With `disk` (a SmallDisk) the data lives there and fills up and empties during the load.
    Returns (seed, statistics)."""
    seed = int(os.environ.get("SKIPKV_TEST_SEED") or random.SystemRandom().randrange(1 << 32))
    print(f"crash recovery ({appendfsync}): SKIPKV_TEST_SEED={seed}, {cycles} cycles")
    rng = random.Random(seed)
    writers = [Writer(i, random.Random(rng.getrandbits(64))) for i in range(WRITERS)]
    for writer in writers:
        writer.refusals_allowed = disk is not None
    data_dir = (disk.path if disk else tmp_path) / "data"
    data_dir.mkdir()
    stats = {"kills": 0, "kills during recovery": 0, "kills during a snapshot": 0, "snapshot present": 0,
             "in-flight applied": 0, "in-flight lost": 0}
    accepted = {}
    segment_names = set()
    started = time.monotonic()
    previous = None

    for cycle in range(cycles + 1):
        context = f"seed {seed}, appendfsync {appendfsync}, cycle {cycle}"
        server = start_cycle(launcher, data_dir, appendfsync, cycle, rng, stats, context, previous)
        verify(server, writers, context, stats, previous)
        assert "ThreadSanitizer" not in server.log_text(), server.describe()
        if cycle == cycles:
            status = server.terminate()
            assert status == 0, f"{context}: exit status {status} after SIGTERM\n" + server.describe()
            break

        go = threading.Event()
        threads = [threading.Thread(target=w.run, args=(server.port, go), daemon=True) for w in writers]
        window = rng.uniform(0.1, 0.8)  # until SIGKILL
        admin = None
        admin_errors = []
        if cycle % 3 != 0:
            commands = ["BGSAVE", "BGSAVE", "BGREWRITEAOF", "BGREWRITEAOF", "SAVE"]
            admin = Admin(sorted((rng.uniform(0, window), rng.choice(commands)) for _ in range(rng.randint(1, 3))))
            threads.append(threading.Thread(target=admin.run, args=(server.port, go, admin_errors), daemon=True))
        filler = DiskFiller(disk, random.Random(rng.getrandbits(64))) if disk else None
        if filler:
            threads.append(threading.Thread(target=filler.run, daemon=True))
        for thread in threads:
            thread.start()
        time.sleep(0.05)  # connections established
        go.set()
        time.sleep(window)
        if not server.running():
            pytest.fail(f"{context}: the server died on its own under load\n" + server.describe(), pytrace=False)
        segment_names.update(p.name for p in log_segments(data_dir))
        stats["snapshot present"] += snapshot_file(data_dir).exists()
        server.kill()
        stats["kills"] += 1
        if filler:
            filler.stop.set()
            stats["disk fills"] = stats.get("disk fills", 0) + filler.fills
        assert "ThreadSanitizer" not in server.log_text(), server.describe()
        if admin is not None:
            stats["kills during a snapshot"] += admin.last_info.get("rdb_bgsave_in_progress", "0").strip() == "1"
            for command, count in admin.accepted.items():
                accepted[command] = accepted.get(command, 0) + count
        for thread in threads:
            thread.join(30)
            assert not thread.is_alive(), f"{context}: a client thread hung after SIGKILL"
        problems = admin_errors + [e for w in writers for e in w.errors]
        if problems:
            pytest.fail(f"{context}: " + "\n".join(problems) + "\n" + server.describe(), pytrace=False)
        previous = server
        if disk:
            disk.empty()  # start-up checks that the directory takes a write

    kinds = {}
    for w in writers:
        for kind, count in w.ops_by_kind.items():
            kinds[kind] = kinds.get(kind, 0) + count
    stats["acknowledged writes"] = sum(w.acked for w in writers)
    stats["refused writes"] = sum(w.refused for w in writers)
    highest = max(segment_names, key=lambda n: int(n.rsplit(".", 1)[1]), default=None)
    print(f"crash recovery ({appendfsync}): seed {seed}: {stats}, operations {kinds}, admin commands accepted "
          f"{accepted}, {len(segment_names)} segment names seen (highest {highest}), "
          f"{time.monotonic() - started:.1f} s")
    assert stats["acknowledged writes"] >= 10 * cycles, \
        f"seed {seed}: only {stats['acknowledged writes']} writes acknowledged in {cycles} cycles: the load did not run"
    assert {"SET", "DEL", "INCR", "APPEND", "RANGEDEL", "PEXPIREAT", "PERSIST"} <= set(kinds), f"seed {seed}: operations never acknowledged: {kinds}"
    return seed, stats, accepted


def test_sigkill_under_load_keeps_every_acknowledged_write(launcher, tmp_path):
    seed, stats, accepted = run_crash_cycles(launcher, tmp_path, "always", CYCLES)
    assert stats["kills"] >= min(20, CYCLES), f"seed {seed}: only {stats['kills']} SIGKILLs"
    assert accepted.get("BGSAVE") and accepted.get("BGREWRITEAOF"), \
        f"seed {seed}: BGSAVE / BGREWRITEAOF never answered as documented: accepted {accepted}"


def test_sigkill_with_everysec_keeps_every_acknowledged_write(launcher, tmp_path):
    """appendfsync everysec defers only the fsync: a killed process loses no acknowledged write."""
    run_crash_cycles(launcher, tmp_path, "everysec", EVERYSEC_CYCLES)


def test_sigkill_with_everysec_on_a_disk_that_fills_and_empties(launcher, tmp_path):
    """A disk that keeps filling up refuses writes before they run and loses nothing."""
    disk = SmallDisk.mount(tmp_path / "disk", 64)
    if disk is None:
        pytest.skip(f"no size-limited disk here: {SmallDisk.why_not}")
    try:
        seed, stats, _ = run_crash_cycles(launcher, tmp_path, "everysec", EVERYSEC_CYCLES, disk=disk)
        # The filler runs on its own random clock inside short windows: how often it fills
        # varies; that it did, and that writes were refused, is what makes the run count.
        assert stats.get("disk fills", 0) > 0, f"seed {seed}: the disk was never filled: {stats}"
        assert stats["refused writes"] > 0, f"seed {seed}: a full disk never refused a write: {stats}"
    finally:
        disk.unmount()
