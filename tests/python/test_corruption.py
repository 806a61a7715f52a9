"""Damaged data files, bad data directories, clean shutdowns and the persistence commands.

Each damage case builds a data directory with a real server (appendonly yes, appendfsync
always), stops it, damages a file with Python and starts a server on it again:
- a torn end of the last log segment (cut mid-record, a last record whose checksum fails,
  a zero-filled tail, an empty last segment) is dropped with a warning naming the file;
- any other damage (a flipped bit in an earlier record, a wrong magic number, a truncated,
  damaged or empty snapshot) stops the server with a non-zero status and a message naming
  the file and the byte offset, and leaves the file as it was; with --repair the server
  starts with what precedes the damage and says how much it dropped.

Also: a missing or read-only data directory (the latter run as uid 65534 through setpriv
when the tests run as root), restarts after SHUTDOWN [SAVE|NOSAVE] / SIGTERM with and
without persistence, LOADING replies while recovering, SAVE / BGSAVE / LASTSAVE /
BGREWRITEAOF, INFO persistence, save rules and automatic log rewrites, custom file names.

Records are found by the bytes of the values written (random, unique), so the tests do not
depend on the record layout.
"""
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import server_binary
from durability_server import AOF_NAME, RawClient, RespError, dump, find_unique, flip_bit, \
    free_port, info_persistence, listing, log_segments, overwrite, persistence_flags, reported_offsets, snapshot_file, \
    truncate, wait_for

ALWAYS = persistence_flags("yes", "always", "")


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "data"
    path.mkdir()
    return path


# ----- helpers ---------------------------------------------------------------------------


def keyed_values(seed, count, size=48, prefix=b"key:"):
    """{key: random value} in key order; values are random bytes, unique in any file."""
    rng = random.Random(seed)
    return {prefix + b"%03d" % i: rng.randbytes(size) for i in range(count)}


def set_each(server, items):
    """One SET per key (one log record each), in order; every reply must be +OK."""
    client = RawClient(server.port)
    try:
        for key, value in items.items():
            reply = client.command("SET", key, value)
            assert reply == "OK", f"SET {key!r} answered {reply!r}\n" + server.describe()
    finally:
        client.close()


def save(server):
    """A foreground SAVE, which must succeed."""
    client = RawClient(server.port)
    try:
        assert client.command("SAVE") == "OK"
    finally:
        client.close()


def contents(server):
    client = server.client()
    try:
        return dump(client)
    finally:
        client.close()


def expect_refusal(server, timeout=30):
    """The server must exit with a non-zero status without ever serving data. Returns its
    output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = server.wait_exit(0.05)
        if status is not None:
            assert status != 0, "skipkv-server exited 0 instead of refusing to start\n" + server.describe()
            return server.log_text()
        if server.port is not None:
            try:
                client = RawClient(server.port, timeout=2)
                try:
                    reply = client.command("PING")
                finally:
                    client.close()
            except OSError:
                continue
            if reply == "PONG":
                server.kill()
                pytest.fail("skipkv-server started (PING answered PONG) instead of refusing to start\n"
                            + server.describe(), pytrace=False)
    server.kill()
    pytest.fail(f"skipkv-server neither exited nor served within {timeout} s\n" + server.describe(), pytrace=False)


def assert_names_offset(output, path, low, high):
    """The output names the file (its basename) and reports, after the word `offset`, a byte
    offset in [low, high]."""
    assert path.name in output, f"the message does not name {path.name}:\n{output}"
    offsets = reported_offsets(output)
    assert offsets, f"the message has no `offset <n>`:\n{output}"
    assert any(low <= n <= high for n in offsets), \
        f"reported offsets {offsets}, expected one in [{low}, {high}] for {path.name}:\n{output}"


def warning_lines(server, name):
    """Warning lines (Redis's `#` marker) that name the file."""
    return [line for line in server.lines if name in line and " # " in line]


def assert_warning_names(server, path):
    assert warning_lines(server, path.name), \
        f"no warning line (`#`) naming {path.name}\n" + server.describe()


def assert_loaded_count(server, count):
    """A log line contains `loaded` and the key count."""
    lines = [line for line in server.lines if "loaded" in line.lower()]
    assert lines, "no log line contains `loaded`\n" + server.describe()
    pattern = re.compile(rf"(?<![\d.]){count}(?![\d.])")
    assert any(pattern.search(line) for line in lines), \
        f"no `loaded` line gives the key count {count}: {lines}\n" + server.describe()


def build_log_dir(launcher, data_dir, count=40, seed=1, size=48):
    """Writes `count` keys, one SET each, then SIGKILL. Returns the values in write order."""
    items = keyed_values(seed, count, size)
    server = launcher.start_loaded(data_dir, *ALWAYS)
    set_each(server, items)
    server.kill()
    segments = log_segments(data_dir)
    assert segments, f"no {AOF_NAME}.<N> segment in {listing(data_dir)}"
    return items


def segment_holding(data_dir, value):
    """(segment, offset) of the only segment that holds the value bytes."""
    holders = [(p, p.read_bytes().find(value)) for p in log_segments(data_dir)]
    holders = [(p, at) for p, at in holders if at >= 0]
    assert len(holders) == 1, f"value found in {len(holders)} segments: {listing(data_dir)}"
    return holders[0]


def assert_contents(actual, expected, context=""):
    missing = [k for k in expected if k not in actual]
    wrong = [k for k in expected if k in actual and actual[k] != expected[k]]
    extra = [k for k in actual if k not in expected]
    assert not (missing or wrong or extra), \
        f"{context}: missing {missing[:10]}, wrong values {wrong[:10]}, unexpected {extra[:10]}"


# ----- torn end of the last log segment: dropped with a warning --------------------------


def test_truncated_log_tail_is_dropped_with_a_warning(launcher, data_dir):
    items = build_log_dir(launcher, data_dir, size=200)
    keys = list(items)
    last = keys[-1]
    segment, at = segment_holding(data_dir, items[last])
    assert segment == log_segments(data_dir)[-1], "the last write is not in the last segment"
    truncate(segment, at + len(items[last]) // 2)

    server = launcher.start_loaded(data_dir, *ALWAYS)
    assert_warning_names(server, segment)
    expected = {k: items[k] for k in keys[:-1]}  # the last write lost half its value: gone
    assert_contents(contents(server), expected, "after a torn tail")

    # The torn bytes must be gone from the log: what is written now is found after a crash.
    set_each(server, {b"after-torn-tail": b"new value"})
    server.kill()
    again = launcher.start_loaded(data_dir, *ALWAYS)
    assert_contents(contents(again), {**expected, b"after-torn-tail": b"new value"}, "writes after a torn tail")


def test_last_record_with_a_bad_checksum_is_dropped_with_a_warning(launcher, data_dir):
    items = build_log_dir(launcher, data_dir, size=200)
    keys = list(items)
    segment, at = segment_holding(data_dir, items[keys[-1]])
    assert segment == log_segments(data_dir)[-1]
    flip_bit(segment, at + 100, 3)  # the record still ends exactly at EOF

    server = launcher.start_loaded(data_dir, *ALWAYS)
    assert_warning_names(server, segment)
    assert_contents(contents(server), {k: items[k] for k in keys[:-1]}, "after a last record with a bad checksum")


def test_zero_filled_log_tail_is_dropped_with_a_warning(launcher, data_dir):
    items = build_log_dir(launcher, data_dir)
    segment = log_segments(data_dir)[-1]
    with open(segment, "ab") as f:
        f.write(bytes(4096))

    server = launcher.start_loaded(data_dir, *ALWAYS)
    assert_warning_names(server, segment)
    assert_contents(contents(server), items, "after a zero-filled tail")
    set_each(server, {b"after-zeros": b"v"})
    server.kill()
    again = launcher.start_loaded(data_dir, *ALWAYS)
    assert_contents(contents(again), {**items, b"after-zeros": b"v"}, "writes after a zero-filled tail")


@pytest.mark.parametrize("tail", ["empty", "partial-header"])
def test_empty_last_log_segment_is_accepted(launcher, data_dir, tail):
    """As if the server died right after creating its next segment, before (or while)
    writing the segment's header. The restart after that one must work too."""
    items = build_log_dir(launcher, data_dir)
    segments = log_segments(data_dir)
    number = int(segments[-1].name.rsplit(".", 1)[1])
    new = data_dir / f"{AOF_NAME}.{number + 1}"
    new.write_bytes(b"" if tail == "empty" else segments[-1].read_bytes()[:12])

    server = launcher.start_loaded(data_dir, *ALWAYS)
    assert_contents(contents(server), items, f"with an {tail} last segment")
    set_each(server, {b"after-empty": b"v"})
    server.kill()
    again = launcher.start_loaded(data_dir, *ALWAYS)
    assert_contents(contents(again), {**items, b"after-empty": b"v"}, f"writes after an {tail} last segment")


def test_truncated_log_tail_with_aof_load_truncated_no_refuses_to_start(launcher, data_dir):
    """Redis's aof-load-truncated no: a torn tail stops start-up instead of being dropped."""
    items = build_log_dir(launcher, data_dir, size=200)
    last = list(items)[-1]
    segment, at = segment_holding(data_dir, items[last])
    truncate(segment, at + 100)
    damaged = segment.read_bytes()

    output = expect_refusal(launcher.start(data_dir, *ALWAYS, "--aof-load-truncated", "no"))
    assert_names_offset(output, segment, segment.read_bytes().find(items[list(items)[-2]]), len(damaged))
    assert segment.read_bytes() == damaged


# ----- other damage in a log segment: refused, or --repair ------------------------------


def damage_early_record(data_dir, items, index=5):
    """Flips a bit in the value of the index-th write; returns (segment, lowest and highest
    acceptable reported offsets): the damaged record lies between the previous value and the
    next one."""
    keys = list(items)
    segment, at = segment_holding(data_dir, items[keys[index]])
    previous_end = segment.read_bytes().find(items[keys[index - 1]]) + len(items[keys[index - 1]])
    next_start = segment.read_bytes().find(items[keys[index + 1]])
    assert 0 < previous_end <= at < next_start, "the records are not in write order in the segment"
    flip_bit(segment, at + 10, 0)
    return segment, previous_end, next_start - 1


def test_flipped_bit_in_an_early_log_record_refuses_to_start(launcher, data_dir):
    items = build_log_dir(launcher, data_dir)
    segment, low, high = damage_early_record(data_dir, items)
    damaged = segment.read_bytes()

    output = expect_refusal(launcher.start(data_dir, *ALWAYS))
    assert_names_offset(output, segment, low, high)
    assert segment.read_bytes() == damaged, "refusing to start must leave the damaged segment as it was"


def test_flipped_bit_in_an_early_log_record_with_repair(launcher, data_dir):
    items = build_log_dir(launcher, data_dir)
    keys = list(items)
    damage_early_record(data_dir, items, index=5)

    server = launcher.start_loaded(data_dir, *ALWAYS, "--repair")
    assert "dropped" in server.log_text(), "--repair did not log what it dropped\n" + server.describe()
    repaired = contents(server)
    assert_contents({k: repaired.get(k) for k in keys[:5]}, {k: items[k] for k in keys[:5]},
                    "the records before the damage")
    assert keys[5] not in repaired, f"the damaged record was loaded: {repaired[keys[5]]!r}"
    wrong = [k for k in repaired if items.get(k) != repaired[k]]
    assert not wrong, f"keys with values never written: {wrong}"

    # Starting again without --repair sees the repaired log plus what was written since.
    set_each(server, {b"after-repair": b"v"})
    server.kill()
    again = launcher.start_loaded(data_dir, *ALWAYS)
    assert_contents(contents(again), {**repaired, b"after-repair": b"v"}, "restart after --repair")


def test_log_segment_with_a_wrong_magic_refuses_to_start(launcher, data_dir):
    items = build_log_dir(launcher, data_dir)
    segment = log_segments(data_dir)[0]
    first_value = segment.read_bytes().find(next(iter(items.values())))
    head = segment.read_bytes()[:4]
    overwrite(segment, 0, bytes(b ^ 0xA5 for b in head))
    damaged = segment.read_bytes()

    output = expect_refusal(launcher.start(data_dir, *ALWAYS))
    assert_names_offset(output, segment, 0, max(first_value, 0))
    assert segment.read_bytes() == damaged


def test_torn_end_of_an_earlier_segment_refuses_to_start(launcher, data_dir):
    """Only the last segment may end mid-record: an earlier one cut short lost acknowledged
    writes that later segments build on. Two runs write two batches; the test needs the
    second run to have continued in a new segment (skipped otherwise)."""
    first = keyed_values(11, 30, 64, b"a:")
    second = keyed_values(12, 30, 64, b"b:")
    for batch in (first, second):
        server = launcher.start_loaded(data_dir, *ALWAYS)
        set_each(server, batch)
        server.kill()
    segments = log_segments(data_dir)
    candidates = []
    for segment in segments[:-1]:
        data = segment.read_bytes()
        candidates += [(segment, data.find(v), v) for v in first.values() if data.find(v) >= 0]
    if not candidates:
        pytest.skip(f"the second run did not start a new segment: {listing(data_dir)}")
    segment, at, value = candidates[-1]
    truncate(segment, at + len(value) // 2)
    damaged = segment.read_bytes()

    output = expect_refusal(launcher.start(data_dir, *ALWAYS))
    assert_names_offset(output, segment, 0, len(damaged))
    assert segment.read_bytes() == damaged


# ----- the snapshot ----------------------------------------------------------------------


def build_snapshot_dir(launcher, data_dir):
    """30 keys, SAVE, 10 more keys (only in the log), SIGKILL. Returns (before, after).
    The snapshot values are 100 KB so that a damaged spot costs at most its own key, whatever
    unit (record, block) the snapshot checksums."""
    before = keyed_values(21, 30, 100_000, b"snap:")
    after = keyed_values(22, 10, 64, b"tail:")
    server = launcher.start_loaded(data_dir, *ALWAYS)
    set_each(server, before)
    save(server)
    set_each(server, after)
    server.kill()
    snapshot = snapshot_file(data_dir)
    assert snapshot.exists() and snapshot.stat().st_size > 0, f"no snapshot after SAVE: {listing(data_dir)}"
    for value in before.values():
        find_unique(snapshot, value)
    return before, after


def snapshot_bounds(snapshot, before, index):
    """(offset of the index-th value, end of the previous value, start of the next one)."""
    data = snapshot.read_bytes()
    keys = list(before)
    at = data.find(before[keys[index]])
    previous_end = data.find(before[keys[index - 1]]) + len(before[keys[index - 1]])
    next_start = data.find(before[keys[index + 1]])
    assert previous_end <= at < next_start, "the snapshot does not hold the keys in order"
    return at, previous_end, next_start


@pytest.mark.parametrize("damage", ["truncated", "flipped-bit", "wrong-magic", "empty"])
def test_damaged_snapshot_refuses_to_start(launcher, data_dir, damage):
    before, _ = build_snapshot_dir(launcher, data_dir)
    snapshot = snapshot_file(data_dir)
    size = snapshot.stat().st_size
    at, low, high = snapshot_bounds(snapshot, before, 20)
    if damage == "truncated":
        truncate(snapshot, at + 32)
        low, high = low, at + 32
    elif damage == "flipped-bit":
        flip_bit(snapshot, at + 5, 6)
        high -= 1
    elif damage == "wrong-magic":
        overwrite(snapshot, 0, bytes(b ^ 0x5A for b in snapshot.read_bytes()[:4]))
        low, high = 0, snapshot.read_bytes().find(next(iter(before.values())))
    else:
        truncate(snapshot, 0)
        low, high = 0, 0
    damaged = snapshot.read_bytes()
    assert len(damaged) != size or damage in ("flipped-bit", "wrong-magic")

    output = expect_refusal(launcher.start(data_dir, *ALWAYS))
    assert_names_offset(output, snapshot, low, high)
    assert snapshot.read_bytes() == damaged, "refusing to start must leave the damaged snapshot as it was"


def test_damaged_snapshot_with_repair_keeps_what_precedes_and_the_log(launcher, data_dir):
    before, after = build_snapshot_dir(launcher, data_dir)
    snapshot = snapshot_file(data_dir)
    keys = list(before)
    at, _, _ = snapshot_bounds(snapshot, before, 20)
    flip_bit(snapshot, at + 5, 6)

    server = launcher.start_loaded(data_dir, *ALWAYS, "--repair")
    assert "dropped" in server.log_text(), "--repair did not log what it dropped\n" + server.describe()
    repaired = contents(server)
    written = {**before, **after}
    assert_contents({k: repaired.get(k) for k in keys[:20]}, {k: before[k] for k in keys[:20]},
                    "snapshot keys before the damage")
    assert_contents({k: repaired.get(k) for k in after}, after, "keys of the log after the snapshot")
    wrong = [k for k in repaired if written.get(k) != repaired[k]]
    assert not wrong, f"keys with values never written (the damaged one?): {wrong}"


# ----- the data directory ----------------------------------------------------------------


@pytest.mark.parametrize("flags", [ALWAYS, persistence_flags("no", "always", "3600 1")],
                         ids=["appendonly", "snapshots-only"])
def test_missing_dir_refuses_to_start(launcher, tmp_path, flags):
    missing = tmp_path / "no-such-data-dir"
    output = expect_refusal(launcher.start(missing, *flags))
    assert missing.name in output, f"the message does not name the directory {missing}:\n{output}"


def unprivileged(base):
    """(wrapper, binary) to run the server as an unprivileged user: nothing when not root,
    else setpriv to nobody, with the binary copied into `base` if nobody cannot run it
    where it is."""
    if os.geteuid() != 0:
        return (), None
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("running as root, and setpriv (util-linux) is not installed: the read-only "
                    "directory test needs to run the server as an unprivileged user")
    wrapper = (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--")
    probe = subprocess.run([*wrapper, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot switch to uid 65534 in this sandbox: {probe.stderr.strip()}")
    binary = server_binary()
    if subprocess.run([*wrapper, "test", "-x", binary]).returncode != 0:
        copy = base / "skipkv-server"
        shutil.copy2(binary, copy)
        copy.chmod(0o755)
        binary = str(copy)
    return wrapper, binary


def test_read_only_dir_refuses_to_start(launcher):
    base = Path(tempfile.mkdtemp(prefix="skipkv-readonly-", dir="/tmp"))
    base.chmod(0o755)
    try:
        wrapper, binary = unprivileged(base)
        # Control: the same user and binary start on a directory they may write.
        writable = base / "writable-data"
        writable.mkdir()
        if os.geteuid() == 0:
            os.chown(writable, 65534, 65534)
        control = launcher.start(writable, *ALWAYS, wrapper=wrapper, binary=binary)
        control.wait_loaded()
        set_each(control, {b"k": b"v"})
        assert control.terminate() == 0
        assert log_segments(writable), f"the control run wrote no log: {listing(writable)}"

        readonly = base / "readonly-data"
        readonly.mkdir()
        readonly.chmod(0o555)
        output = expect_refusal(launcher.start(readonly, *ALWAYS, wrapper=wrapper, binary=binary))
        assert readonly.name in output, f"the message does not name the directory {readonly}:\n{output}"
    finally:
        for path in base.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


# ----- clean shutdown and restart --------------------------------------------------------


def rich_dataset(server, seed=5):
    """Binary keys and values, an empty key and value, a 1 MB value, counters, appends,
    deletions and a RANGEDEL. Returns the model built alongside."""
    rng = random.Random(seed)
    model = {}
    client = RawClient(server.port)

    def run(*args, expect=None):
        reply = client.command(*args)
        if expect is not None:
            assert reply == expect, f"{args[0]} answered {reply!r}, expected {expect!r}"
        return reply

    try:
        for key, value in [(b"", b"empty key"), (b"empty", b""), (b"bin:\x00\xff\r\n", bytes(range(256)) * 4),
                           (b"big", rng.randbytes(1_000_000))]:
            run("SET", key, value, expect="OK")
            model[key] = value
        for i in range(300):
            key, value = b"n:%04d" % i, rng.randbytes(rng.randint(0, 200))
            run("SET", key, value, expect="OK")
            model[key] = value
        for _ in range(5):
            run("INCR", b"counter")
        run("INCRBY", b"counter2", "-42", expect=-42)
        model[b"counter"], model[b"counter2"] = b"5", b"-42"
        for i in range(10):
            run("APPEND", b"appended", b"part%d;" % i)
        model[b"appended"] = b"".join(b"part%d;" % i for i in range(10))
        for i in range(0, 300, 7):
            run("DEL", b"n:%04d" % i)
            model.pop(b"n:%04d" % i, None)
        removed = run("RANGEDEL", b"[n:0100", b"(n:0150")
        doomed = [k for k in model if b"n:0100" <= k < b"n:0150"]
        assert removed == len(doomed)
        for k in doomed:
            del model[k]
        assert run("GETDEL", b"n:0003") == model.pop(b"n:0003")
    finally:
        client.close()
    return model


SHUTDOWN_CASES = {
    # id: (appendonly, appendfsync, save, how to stop, data kept)
    "aof-shutdown-nosave": ("yes", "always", "", ("SHUTDOWN", "NOSAVE"), True),
    "aof-shutdown-save": ("yes", "always", "", ("SHUTDOWN", "SAVE"), True),
    "aof-everysec-shutdown": ("yes", "everysec", "", ("SHUTDOWN",), True),
    "aof-sigterm": ("yes", "always", "", ("SIGTERM",), True),
    "snapshots-shutdown": ("no", "always", "3600 1", ("SHUTDOWN",), True),
    "snapshots-sigterm": ("no", "always", "3600 1", ("SIGTERM",), True),
    "no-save-rules-shutdown-save": ("no", "always", "", ("SHUTDOWN", "SAVE"), True),
    "snapshots-shutdown-nosave": ("no", "always", "3600 1", ("SHUTDOWN", "NOSAVE"), False),
    "no-persistence-shutdown": ("no", "always", "", ("SHUTDOWN",), False),
    "no-persistence-sigterm": ("no", "always", "", ("SIGTERM",), False),
}


@pytest.mark.parametrize("case", list(SHUTDOWN_CASES))
def test_restart_after_clean_shutdown(launcher, data_dir, case):
    appendonly, appendfsync, save, stop, kept = SHUTDOWN_CASES[case]
    flags = persistence_flags(appendonly, appendfsync, save)
    server = launcher.start_loaded(data_dir, *flags)
    model = rich_dataset(server)
    before = contents(server)
    assert_contents(before, model, "before the shutdown")
    if stop[0] == "SIGTERM":
        status = server.terminate()
    else:
        status = server.shutdown(*stop[1:])
    assert status == 0, f"exit status {status} after {' '.join(stop)}\n" + server.describe()

    again = launcher.start_loaded(data_dir, *flags)
    after = contents(again)
    if kept:
        assert_contents(after, before, f"after {' '.join(stop)} and a restart")
        assert_loaded_count(again, len(before))
    else:
        assert after == {}, f"{len(after)} keys survived {' '.join(stop)} without persistence (Redis loses them)"


def test_data_commands_answer_loading_while_recovering(launcher, data_dir):
    """The server listens while it recovers: data commands (and PING) answer LOADING, never
    a partial keyspace, until everything is loaded. The port is chosen by the test, so that
    it can connect before the server reports anything."""
    flags = persistence_flags("yes", "no", "")
    server = launcher.start_loaded(data_dir, *flags)
    client = server.client()
    count, chunk = 150_000, 500
    try:
        for start in range(0, count, 20 * chunk):
            pipe = client.pipeline(transaction=False)
            for first in range(start, start + 20 * chunk, chunk):
                pipe.mset({b"load:%07d" % i: b"value-%07d-" % i + b"x" * 80 for i in range(first, first + chunk)})
            pipe.execute()
    finally:
        client.close()
    assert server.terminate() == 0

    port = free_port()
    again = launcher.start(data_dir, *flags, port=port)
    replies = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert again.running(), "the server exited while recovering\n" + again.describe()
        try:
            raw = RawClient(port, timeout=10)
        except OSError:
            time.sleep(0.001)
            continue
        try:
            got = raw.command("GET", b"load:0012345")
            total = raw.command("RANGECOUNT", "-", "+")
            pong = raw.command("PING")
        except OSError:
            continue
        finally:
            raw.close()
        replies.append((got, total, pong))
        for reply, complete in [(got, b"value-0012345-" + b"x" * 80), (total, count), (pong, "PONG")]:
            assert reply == complete or (isinstance(reply, RespError) and reply.message.startswith("LOADING")), \
                f"while recovering: {reply!r}, expected a LOADING error or {complete!r}\n" + again.describe()
        if pong == "PONG":
            break
    else:
        pytest.fail("the server did not finish loading in 120 s\n" + again.describe())
    loading = sum(isinstance(pong, RespError) for _, _, pong in replies)
    print(f"{len(replies)} probes, {loading} answered LOADING")
    assert loading > 0, ("no LOADING reply: the server did not accept connections while it loaded "
                         f"{count} keys\n" + again.describe())
    raw = RawClient(port)
    try:
        assert raw.command("GET", b"load:0012345") == b"value-0012345-" + b"x" * 80
        assert raw.command("RANGECOUNT", "-", "+") == count
    finally:
        raw.close()
    assert_loaded_count(again, count)


def test_custom_file_names(launcher, data_dir):
    flags = [*ALWAYS, "--appendfilename", "journal.log", "--dbfilename", "state.snap"]
    server = launcher.start_loaded(data_dir, *flags)
    items = keyed_values(31, 20)
    set_each(server, items)
    save(server)
    set_each(server, {b"later": b"v"})
    server.kill()
    assert (data_dir / "state.snap").stat().st_size > 0, listing(data_dir)
    assert log_segments(data_dir, "journal.log"), listing(data_dir)
    assert not log_segments(data_dir) and not snapshot_file(data_dir).exists(), listing(data_dir)
    again = launcher.start_loaded(data_dir, *flags)
    assert_contents(contents(again), {**items, b"later": b"v"}, "with custom file names")


# ----- persistence commands --------------------------------------------------------------


def test_save_lastsave_bgsave_and_info(launcher, data_dir):
    server = launcher.start_loaded(data_dir, *ALWAYS)
    client = RawClient(server.port)
    try:
        info = info_persistence(client)
        required = ["loading", "rdb_changes_since_last_save", "rdb_bgsave_in_progress", "rdb_last_save_time",
                    "rdb_last_bgsave_status", "aof_enabled", "aof_rewrite_in_progress", "aof_last_write_status",
                    "aof_current_size", "aof_pending_fsync"]
        missing = [name for name in required if name not in info]
        assert not missing, f"INFO persistence lacks {missing}: {info}"
        assert info["loading"] == "0" and info["aof_enabled"] == "1" and info["aof_rewrite_in_progress"] == "0"
        assert info["rdb_bgsave_in_progress"] == "0"

        first = client.command("LASTSAVE")
        assert isinstance(first, int), f"LASTSAVE answered {first!r}"
        size_before = int(info["aof_current_size"])
        for i in range(20):
            assert client.command("SET", b"s%d" % i, b"v" * 100) == "OK"
        info = info_persistence(client)
        assert int(info["rdb_changes_since_last_save"]) >= 20, info
        assert int(info["aof_current_size"]) >= size_before + 20 * 100, f"aof_current_size did not grow: {info}"
        assert info["aof_last_write_status"] == "ok" and info["aof_pending_fsync"] == "0", info

        time.sleep(1.1)  # LASTSAVE has a one-second resolution
        asked = time.time()
        assert client.command("SAVE") == "OK"
        second = client.command("LASTSAVE")
        assert isinstance(second, int) and second > first, f"LASTSAVE {first} then {second} after SAVE"
        assert asked - 2 <= second <= time.time() + 2, f"LASTSAVE {second} is not the time of the SAVE ({asked})"
        info = info_persistence(client)
        assert info["rdb_changes_since_last_save"] == "0", info
        assert int(info["rdb_last_save_time"]) == second, info
        assert snapshot_file(data_dir).stat().st_size > 0, listing(data_dir)

        assert client.command("SET", b"after-save", b"1") == "OK"
        time.sleep(1.1)
        assert client.command("BGSAVE") == "Background saving started"
        assert wait_for(lambda: info_persistence(client)["rdb_bgsave_in_progress"] == "0", 30), "BGSAVE never ended"
        info = info_persistence(client)
        assert info["rdb_last_bgsave_status"] == "ok", info
        third = client.command("LASTSAVE")
        assert third > second, f"LASTSAVE {second} then {third} after BGSAVE"
        assert info["rdb_changes_since_last_save"] == "0", info
    finally:
        client.close()


def test_info_persistence_with_appendonly_no(launcher, data_dir):
    server = launcher.start_loaded(data_dir, *persistence_flags("no", "always", "3600 1"))
    client = RawClient(server.port)
    try:
        assert client.command("SET", b"k", b"v") == "OK"
        info = info_persistence(client)
        assert info.get("aof_enabled") == "0", info
        assert info.get("rdb_changes_since_last_save") == "1", info
    finally:
        client.close()
    assert not log_segments(data_dir), f"appendonly no wrote a log: {listing(data_dir)}"


def test_bgrewriteaof_compacts_and_keeps_the_data(launcher, data_dir):
    server = launcher.start_loaded(data_dir, *ALWAYS)
    rng = random.Random(9)
    client = RawClient(server.port)
    final = {}
    try:
        for round_ in range(10):
            for i in range(50):
                key, value = b"r:%02d" % i, rng.randbytes(200)
                assert client.command("SET", key, value) == "OK"
                final[key] = value
        grown = int(info_persistence(client)["aof_current_size"])
        assert client.command("BGREWRITEAOF") == "Background append only file rewriting started"
        assert wait_for(lambda: info_persistence(client)["aof_rewrite_in_progress"] == "0", 30), "rewrite never ended"
        compacted = int(info_persistence(client)["aof_current_size"])
        assert compacted < grown // 2, f"aof_current_size {grown} before BGREWRITEAOF, {compacted} after"
        for i in range(10):
            key = b"post:%d" % i
            assert client.command("SET", key, b"x") == "OK"
            final[key] = b"x"
    finally:
        client.close()
    server.kill()
    again = launcher.start_loaded(data_dir, *ALWAYS)
    assert_contents(contents(again), final, "after BGREWRITEAOF and SIGKILL")


def test_save_rule_takes_automatic_snapshots(launcher, data_dir):
    flags = persistence_flags("no", "always", "1 1")
    server = launcher.start_loaded(data_dir, *flags)
    set_each(server, {b"auto": b"saved by the rule"})
    client = RawClient(server.port)
    try:
        assert wait_for(lambda: info_persistence(client)["rdb_changes_since_last_save"] == "0", 10), \
            f"no automatic snapshot within 10 s with save \"1 1\": {info_persistence(client)}"
    finally:
        client.close()
    server.kill()
    again = launcher.start_loaded(data_dir, *flags)
    assert contents(again) == {b"auto": b"saved by the rule"}


def test_automatic_log_rewrite(launcher, data_dir):
    flags = [*ALWAYS, "--auto-aof-rewrite-percentage", "100", "--auto-aof-rewrite-min-size", "16kb"]
    server = launcher.start_loaded(data_dir, *flags)
    rng = random.Random(3)
    client = RawClient(server.port)
    try:
        for _ in range(100):
            value = rng.randbytes(1024)
            assert client.command("SET", b"rewritten", value) == "OK"
        assert wait_for(lambda: int(info_persistence(client)["aof_current_size"]) < 16 * 1024, 10), \
            f"100 KB of overwrites of one key were not rewritten: {info_persistence(client)}"
    finally:
        client.close()
    server.kill()
    again = launcher.start_loaded(data_dir, *flags)
    assert contents(again) == {b"rewritten": value}
