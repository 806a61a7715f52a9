"""KEYS, SCAN (scan_iter and redis-cli --scan), DBSIZE, FLUSHDB, RENAME, RENAMENX, COPY, TOUCH, RANDOMKEY, OBJECT."""
import shutil
import subprocess

import pytest
import redis


def fill(r, keys):
    pipe = r.pipeline(transaction=False)
    for key in keys:
        pipe.set(key, "v")
    pipe.execute()


def test_keys_in_order_with_patterns(r):
    fill(r, ["user:2", "user:10", "user:1", "admin", "hello", "hallo"])
    assert r.keys("*") == [b"admin", b"hallo", b"hello", b"user:1", b"user:10", b"user:2"]
    assert r.keys("user:?") == [b"user:1", b"user:2"]
    assert r.keys("h[ae]llo") == [b"hallo", b"hello"]


@pytest.mark.parametrize("count", [1, 10, 1000])
def test_scan_iter_is_complete_and_ordered(r, count):
    keys = [f"key:{i:05d}".encode() for i in range(1500)] + [f"x{i}".encode() for i in range(50)]
    fill(r, keys)
    assert list(r.scan_iter(count=count)) == sorted(keys)
    assert list(r.scan_iter(match="key:000*", count=count)) == sorted(keys)[:100]
    assert list(r.scan_iter(_type="string", count=count)) == sorted(keys)


def test_scan_while_keys_change(r):
    stable = [f"stable:{i:04d}".encode() for i in range(800)]
    fill(r, stable)
    seen = set()
    cursor = 0
    step = 0
    while True:
        cursor, batch = r.scan(cursor=cursor, count=17)
        seen.update(batch)
        r.set(f"churn:{step}", "x")
        r.delete(f"churn:{step - 1}")
        step += 1
        if cursor == 0:
            break
    assert set(stable) <= seen


@pytest.mark.skipif(shutil.which("redis-cli") is None, reason="redis-cli not installed")
def test_redis_cli_scan(r, server):
    keys = [f"cli:{i:04d}" for i in range(700)]
    fill(r, keys)
    out = subprocess.run(["redis-cli", "-p", str(server.port), "--scan"], capture_output=True, check=True, text=True)
    assert out.stdout.split() == keys
    out = subprocess.run(["redis-cli", "-p", str(server.port), "--scan", "--pattern", "cli:00*"], capture_output=True, check=True, text=True)
    assert out.stdout.split() == keys[:100]


def test_dbsize_and_flush(r):
    fill(r, ["a", "b"])
    assert r.dbsize() == 2
    assert r.flushdb() is True
    assert r.dbsize() == 0


def test_rename_and_renamenx(r):
    r.set("a", "1")
    assert r.rename("a", "b") is True
    assert r.get("a") is None and r.get("b") == b"1"
    r.set("c", "2")
    assert r.renamenx("b", "c") is False
    assert r.renamenx("b", "d") is True
    assert r.get("d") == b"1"
    with pytest.raises(redis.ResponseError, match="^no such key$"):
        r.rename("missing", "x")
    assert r.dbsize() == 2


def test_copy(r):
    r.set("src", "v")
    assert r.copy("src", "dst") is True
    assert r.copy("src", "dst") is False
    r.set("src", "w")
    assert r.copy("src", "dst", replace=True) is True
    assert r.get("dst") == b"w"
    assert r.copy("src", "other", destination_db=0) is True
    with pytest.raises(redis.ResponseError, match="^DB index is out of range$"):
        r.copy("src", "x", destination_db=1)
    with pytest.raises(redis.ResponseError, match="^source and destination objects are the same$"):
        r.copy("src", "src")


def test_touch_randomkey_object(r):
    assert r.randomkey() is None
    r.set("n", "12345")
    r.set("s", "hello")
    r.set("long", "x" * 45)
    assert r.touch("n", "s", "missing") == 2
    assert r.randomkey() in (b"n", b"s", b"long")
    assert r.object("encoding", "n") in (b"int", "int")
    assert r.object("encoding", "s") in (b"embstr", "embstr")
    assert r.object("encoding", "long") in (b"raw", "raw")
    assert r.object("encoding", "missing") is None
    assert r.object("refcount", "s") == 1
    assert r.object("idletime", "s") == 0
    with pytest.raises(redis.ResponseError, match="^An LFU maxmemory policy is not selected"):
        r.object("freq", "s")
