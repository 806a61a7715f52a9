"""What SkipKV's expiry adds to Redis's, with a controllable clock (DEBUG ADVANCE-CLOCK): the
active cycle reclaims exactly the expired keys (Redis samples), volatile-ttl evicts exactly
the nearest deadline, and deadlines survive SIGKILL and restart. Redis's replies and rules
are compared in test_expiry.py and test_differential.py. No test sleeps to see a key expire;
polls have generous bounds and never assert elapsed time."""
import time

import pytest
import redis

from conftest import wait_until


@pytest.fixture
def c(debug_server, protocol):
    client = redis.Redis(host="127.0.0.1", port=debug_server.port, protocol=protocol)
    client.flushall()
    client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    yield client
    client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    client.close()


def advance(client, milliseconds):
    assert client.execute_command("DEBUG", "ADVANCE-CLOCK", str(milliseconds)) in (b"OK", "OK", True)


def info_field(client, section, name):
    return client.info(section)[name]


def settled_used_memory(client):
    """used_memory once the server's client count has stopped changing. It counts every
    client's buffers (about 32 KiB each), so a connection of an earlier test on this shared
    server closing after the measurement would free more than a test's limit asks to evict.
    (Some earlier tests leave connections open, so the count need not reach 1.)"""
    count, steady = None, 0
    for _ in range(200):
        now = info_field(client, "clients", "connected_clients")
        steady = steady + 1 if now == count else 0
        count = now
        if steady >= 4:
            break
        time.sleep(0.05)
    return info_field(client, "memory", "used_memory")


def test_active_cycle_reclaims_exactly_and_counts(c):
    before = info_field(c, "stats", "expired_keys")
    c.mset({f"keep:{i}": i for i in range(50)})
    # Deadlines 10 s apart, so real time passing while the test polls changes nothing.
    for i in range(300):
        c.set(f"ttl:{i:03}", "v" * 20, px=1_000_000 + i * 10_000)
    assert info_field(c, "keyspace", "db0")["expires"] == 300
    advance(c, 1_000_000 + 199 * 10_000 + 5_000)   # keys ttl:000 .. ttl:199 have expired
    assert wait_until(lambda: c.dbsize() == 150, timeout=10), c.dbsize()
    assert info_field(c, "stats", "expired_keys") - before == 200, "exactly the expired keys, no live one"
    assert info_field(c, "keyspace", "db0")["expires"] == 100
    assert c.exists("ttl:199") == 0 and c.exists("ttl:200") == 1


def test_volatile_ttl_evicts_the_nearest_deadline_first(c):
    c.config_set("maxmemory-policy", "volatile-ttl")
    try:
        c.set("forever", "x" * 100)
        for i in range(20):
            c.set(f"t{i}", "x" * 100, ex=1000 + i)
        used = settled_used_memory(c)
        c.config_set("maxmemory", used - 1)
        assert c.set("one-more", "y") is not None
        assert c.exists("t0") == 0 and c.exists("forever") == 1 and c.exists("t19") == 1
    finally:
        c.config_set("maxmemory", 0)
        c.config_set("maxmemory-policy", "noeviction")


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random"])
def test_volatile_policies_evict_only_keys_with_a_deadline(c, policy):
    c.config_set("maxmemory-policy", policy)
    try:
        for i in range(200):
            c.set(f"plain:{i:03}", "x" * 200)
            c.set(f"ttl:{i:03}", "x" * 200, ex=100_000)
        used = settled_used_memory(c)
        c.config_set("maxmemory", used - 20_000)   # room for about 90 fewer 200-byte keys
        assert c.set("new", "y") is True
        left = c.execute_command("RANGECOUNT", "[ttl:", "[ttl:~")
        assert 0 < left < 200, f"{policy}: {left} keys with a deadline left"
        assert c.execute_command("RANGECOUNT", "[plain:", "[plain:~") == 200, "no key without a deadline is evicted"
        # Once no key with a deadline is left (eviction may finish in the background, commands
        # running meanwhile, as in Redis), nothing is evictable: -OOM.
        c.config_set("maxmemory", 1)
        assert wait_until(lambda: info_field(c, "keyspace", "db0")["expires"] == 0, timeout=10)
        with pytest.raises(redis.ResponseError, match="used memory > 'maxmemory'"):
            c.set("another", "z")
        assert c.execute_command("RANGECOUNT", "[plain:", "[plain:~") == 200
    finally:
        c.config_set("maxmemory", 0)
        c.config_set("maxmemory-policy", "noeviction")


def test_ttl_is_not_an_access(c):
    """TTL, PTTL, EXPIRETIME and PEXPIRETIME leave the LFU counter alone (Redis's NOTOUCH);
    GET counts (with lfu-log-factor 0 every access does). SkipKV tracks accesses while a
    maxmemory is set."""
    c.config_set("maxmemory", 1 << 30)
    c.config_set("maxmemory-policy", "allkeys-lfu")
    c.config_set("lfu-log-factor", 0)
    try:
        c.set("k", "v", ex=100)
        before = c.object("freq", "k")
        for command in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
            c.execute_command(command, "k")
        assert c.object("freq", "k") == before
        c.get("k")
        assert c.object("freq", "k") > before
    finally:
        c.config_set("lfu-log-factor", 10)
        c.config_set("maxmemory-policy", "noeviction")
        c.config_set("maxmemory", 0)


def test_deadlines_survive_sigkill_and_restart(launcher, tmp_path):
    """appendfsync always: every acknowledged SET EX / EXPIRE / PERSIST holds after SIGKILL,
    with the same absolute deadline, and a key whose deadline passed while the server was
    down does not come back."""
    flags = ("--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "yes")
    server = launcher.start_loaded(tmp_path, *flags)
    client = server.client()
    client.set("stays", "1", ex=1000)
    client.set("persisted", "2", px=2000)
    assert client.persist("persisted") is True
    client.set("extended", "3", px=2000)
    assert client.expire("extended", 5000) is True
    client.set("short", "4", pxat=client.pexpiretime("stays") - 990_000)   # 10 s from now
    deadlines = {key: client.pexpiretime(key) for key in ("stays", "extended")}
    client.close()
    server.kill()
    server = launcher.start_loaded(tmp_path, *flags)
    client = server.client()
    assert {key: client.pexpiretime(key) for key in deadlines} == deadlines
    assert client.ttl("persisted") == -1
    assert client.get("short") == b"4"
    client.execute_command("DEBUG", "ADVANCE-CLOCK", "20000")   # "short" expires
    assert client.get("short") is None   # lazy expiry removes it and logs a DEL
    # With appendfsync always, the acknowledgement of a later write covers every record
    # before it: the DEL is on disk, so the restart (whose clock is not advanced, so "short"
    # would be live again from its SET record alone) must not bring it back.
    assert client.set("marker", "1") is True
    client.close()
    server.kill()
    server = launcher.start_loaded(tmp_path, *flags)
    client = server.client()
    assert client.get("short") is None and client.get("stays") == b"1" and client.get("marker") == b"1"
