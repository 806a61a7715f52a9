"""A full or failing disk loses nothing that was acknowledged, and a write refused with
-MISCONF was never applied (issue: "Faults lose nothing").

- A real full disk: a small tmpfs (root only; skipped, saying why, where mounting is not
  allowed) filled with a ballast file while a client increments a counter. The server must
  refuse writes with Redis's MISCONF text *before* running them (the counter equals the number
  of acknowledged increments at every refusal), resume once space is freed, and restart to
  exactly the acknowledged state after SIGKILL and after SIGTERM (with `save ""`).
- Injected faults (SKIPKV_FAULTS, the server's fault-injection hook): a failed log write
  holds the reply of the write that already ran until the retry succeeds (it is answered as
  done, never as refused) while later writes are refused; a failed snapshot refuses writes
  with the snapshot MISCONF text; under `appendfsync always` a failed log write ends the
  process and a restart holds every acknowledged write.
"""
import threading
import time

import pytest
import redis

from durability_server import SmallDisk, info_persistence, persistence_flags, wait_for

AOF_MISCONF = "MISCONF Errors writing to the AOF file: No space left on device"


@pytest.fixture
def small_disk(tmp_path):
    disk = SmallDisk.mount(tmp_path / "disk", 40)
    if disk is None:
        pytest.skip(f"no size-limited disk here: {SmallDisk.why_not}")
    yield disk
    disk.unmount()


def increment_until_refused(client, counter, acknowledged, limit=2_000_000):
    """INCRs `counter` until one is refused; returns (acknowledged, the refusal text). Every
    refusal must leave the counter at the acknowledged count: the refused INCR did not run."""
    for _ in range(limit):
        try:
            value = client.incr(counter)
        except redis.ResponseError as error:
            assert int(client.get(counter) or 0) == acknowledged, \
                f"INCR was refused ({error}) but applied: {client.get(counter)!r} after {acknowledged} acknowledged"
            return acknowledged, str(error)
        acknowledged += 1
        assert value == acknowledged
    pytest.fail(f"no write was refused after {limit} INCRs on a full disk")


def test_full_disk_refuses_writes_before_they_run_and_loses_nothing(launcher, small_disk):
    data = small_disk.path / "data"
    data.mkdir()
    flags = persistence_flags("yes", "everysec", "")
    server = launcher.start_loaded(data, *flags)
    client = server.client()
    big = b"x" * 4096
    for index in range(200):
        client.set(f"filler:{index}", big)
    small_disk.fill(leave=0)

    acknowledged, refusal = increment_until_refused(client, "counter", 0)
    assert refusal == AOF_MISCONF
    assert info_persistence(client)["aof_last_write_status"] == "err"
    # Reads and refusals keep working while the disk is full.
    assert client.get("filler:7") == big
    for _ in range(20):
        with pytest.raises(redis.ResponseError, match="^MISCONF"):
            client.incr("counter")
    assert int(client.get("counter")) == acknowledged

    small_disk.empty()
    assert wait_for(lambda: info_persistence(client)["aof_last_write_status"] == "ok", timeout=10), \
        "writes did not resume after space was freed\n" + server.describe()
    for _ in range(500):
        try:
            assert client.incr("counter") == acknowledged + 1
        except redis.ResponseError as error:
            pytest.fail(f"{error} after space was freed\n{info_persistence(client)}\n" + server.describe())
        acknowledged += 1

    server.kill()
    server = launcher.start_loaded(data, *flags)
    client = server.client()
    assert int(client.get("counter")) == acknowledged, server.describe()
    assert client.get("filler:199") == big
    client.incr("counter")
    acknowledged += 1
    assert server.terminate() == 0, server.describe()
    server = launcher.start_loaded(data, *flags)
    assert int(server.client().get("counter")) == acknowledged, server.describe()


def test_a_failed_log_write_holds_its_reply_and_refuses_later_writes(launcher, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    flag = tmp_path / "disk-full"
    faults = f"op=write,path=appendonly,error=ENOSPC,times=-1,while={flag}"
    flags = persistence_flags("yes", "everysec", "", "--aof-disk-reserve", "0")
    server = launcher.start_loaded(data, *flags, env={"SKIPKV_FAULTS": faults})
    first, second = server.client(), server.client()
    for _ in range(10):
        first.incr("counter")
    flag.touch()
    held = {}
    thread = threading.Thread(target=lambda: held.setdefault("reply", first.incr("counter")), daemon=True)
    thread.start()
    assert wait_for(lambda: info_persistence(second)["aof_last_write_status"] == "err", timeout=10)
    # The INCR that ran waits for its record; later writes are refused and not applied.
    time.sleep(0.3)
    assert "reply" not in held, "a write whose record failed was acknowledged"
    with pytest.raises(redis.ResponseError, match="^MISCONF Errors writing to the AOF file: No space left on device"):
        second.incr("counter")
    with pytest.raises(redis.ResponseError, match="^MISCONF"):
        second.set("other", "x")
    assert second.get("other") is None
    flag.unlink()
    thread.join(10)
    assert held.get("reply") == 11, f"the held INCR answered {held!r}"
    assert wait_for(lambda: info_persistence(second)["aof_last_write_status"] == "ok", timeout=10)
    assert second.incr("counter") == 12
    server.kill()
    server = launcher.start_loaded(data, *flags)
    assert int(server.client().get("counter")) == 12, server.describe()


def test_a_failed_snapshot_refuses_writes_until_one_succeeds(launcher, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    flag = tmp_path / "disk-full"
    faults = f"op=write,path=.snap,error=ENOSPC,times=-1,while={flag}"
    server = launcher.start_loaded(data, *persistence_flags("no", "everysec", "3600 1"), env={"SKIPKV_FAULTS": faults})
    client = server.client()
    client.set("k", "1")
    # A transaction queued before the failure is refused whole at EXEC (Redis's execCommandAbort).
    queued = server.client()
    queued.execute_command("MULTI")
    queued.execute_command("SET", "k", "queued")
    flag.touch()
    client.bgsave()
    assert wait_for(lambda: info_persistence(client)["rdb_last_bgsave_status"] == "err", timeout=10)
    with pytest.raises(redis.ResponseError, match="^MISCONF SkipKV is configured to save snapshots"):
        client.set("k", "2")
    # redis-py turns the EXECABORT code into ExecAbortError and keeps the rest as the message.
    with pytest.raises(redis.exceptions.ExecAbortError,
                       match="^Transaction discarded because of: MISCONF SkipKV is configured to save snapshots"):
        queued.execute_command("EXEC")
    # Queuing a write is refused at once and fails the EXEC; a read-only transaction runs.
    pipe = client.pipeline()
    pipe.set("k", "3").get("k")
    # (redis-py reports the refused command's own error rather than the EXECABORT after it.)
    with pytest.raises(redis.ResponseError, match=r"Command # 1 \(SET k 3\) of pipeline caused error: MISCONF"):
        pipe.execute()
    pipe = client.pipeline()
    assert pipe.get("k").exists("k").execute() == [b"1", 1]
    assert client.get("k") == b"1"
    flag.unlink()
    client.bgsave()
    assert wait_for(lambda: info_persistence(client)["rdb_last_bgsave_status"] == "ok", timeout=10)
    assert wait_for(lambda: _accepts_writes(client), timeout=5)
    assert not list(data.glob("*.tmp")), "a failed snapshot left its temporary file"


def _accepts_writes(client):
    try:
        return client.set("k", "3")
    except redis.ResponseError:
        return False


def test_a_log_write_error_under_always_exits_and_keeps_acknowledged_writes(launcher, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    flag = tmp_path / "broken"
    faults = f"op=write,path=appendonly,short=1,error=EIO,times=-1,while={flag}"
    flags = persistence_flags("yes", "always", "")
    server = launcher.start_loaded(data, *flags, env={"SKIPKV_FAULTS": faults})
    client = server.client()
    for index in range(100):
        client.set(f"k{index}", str(index))
    flag.touch()
    with pytest.raises(redis.ConnectionError):
        client.set("lost", "x")
    assert server.wait_exit(timeout=10) != 0
    assert "Exiting" in server.log_text()
    server = launcher.start_loaded(data, *flags)
    client = server.client()
    assert [client.get(f"k{index}") for index in range(100)] == [str(index).encode() for index in range(100)]
