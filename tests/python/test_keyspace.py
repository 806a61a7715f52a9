"""KEYS, SCAN (scan_iter and redis-cli --scan), DBSIZE, FLUSHDB."""
import shutil
import subprocess

import pytest


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
