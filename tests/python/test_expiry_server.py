"""Key expiry against skipkv-server with a controllable clock (DEBUG ADVANCE-CLOCK): keys
vanish for every command on every loop at their deadline, the active cycle reclaims them
exactly, writes follow Redis's TTL rules, and deadlines survive a restart. No test sleeps
to see a key expire; polls have generous bounds and never assert elapsed time. The replies
that Redis also gives are compared with redis-server in test_differential.py."""
import pytest
import redis

from conftest import Server, wait_until


@pytest.fixture(scope="module")
def clock_server():
    instance = Server("--shards", "4", "--enable-debug-command", "yes")
    yield instance
    assert instance.stop() == 0


@pytest.fixture
def c(clock_server, protocol):
    client = redis.Redis(host="127.0.0.1", port=clock_server.port, protocol=protocol)
    client.flushall()
    client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    yield client
    client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    client.close()


def advance(client, milliseconds):
    assert client.execute_command("DEBUG", "ADVANCE-CLOCK", str(milliseconds)) in (b"OK", "OK", True)


def info_field(client, section, name):
    return client.info(section)[name]


def test_expired_keys_are_gone_for_every_command(c, clock_server):
    c.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    c.set("live", "1")
    c.set("gone:a", "x", px=10_000)
    c.set("gone:b", "y", ex=10)
    c.set("gone:c", "z", pxat=4_000_000_000_000)
    advance(c, 10_001)
    other = redis.Redis(host="127.0.0.1", port=clock_server.port)  # likely served by the other loop
    for client in (c, other):
        assert client.get("gone:a") is None
        assert client.exists("gone:a", "gone:b", "live") == 1
        assert client.mget("gone:a", "live") == [None, b"1"]
        assert client.type("gone:b") in (b"none", "none")
        assert client.ttl("gone:a") == -2
        assert sorted(client.keys("*")) == [b"gone:c", b"live"]
        assert sorted(client.scan_iter("*")) == [b"gone:c", b"live"]
        assert client.execute_command("RANGECOUNT", "-", "+") == 2
        assert [k for k, _ in zip(*[iter(client.execute_command("RANGE", "-", "+"))] * 2)] == [b"gone:c", b"live"]
    other.close()
    # DBSIZE still counts what the (stopped) cycle has not reclaimed, as in Redis.
    assert c.dbsize() == 4
    assert c.set("gone:a", "new", nx=True) is True
    assert c.ttl("gone:a") == -1
    assert c.incr("gone:b") == 1
    assert c.ttl("gone:b") == -1
    assert c.execute_command("RANGEDEL", "-", "+") == 4


def test_active_cycle_reclaims_exactly_and_counts(c):
    before = info_field(c, "stats", "expired_keys")
    c.mset({f"keep:{i}": i for i in range(50)})
    # Deadlines 10 s apart, so real time passing while the test polls changes nothing.
    for i in range(300):
        c.set(f"ttl:{i:03}", "v" * 20, px=1_000_000 + i * 10_000)
    assert info_field(c, "keyspace", "db0")["expires"] == 300
    advance(c, 1_000_000 + 199 * 10_000 + 5_000)   # keys ttl:000 .. ttl:199 have expired
    assert wait_until(lambda: c.dbsize() == 150, timeout=10), c.dbsize()
    assert info_field(c, "stats", "expired_keys") - before == 200
    assert info_field(c, "keyspace", "db0")["expires"] == 100
    assert info_field(c, "stats", "expired_stale_perc") == 0
    assert c.exists("ttl:199") == 0 and c.exists("ttl:200") == 1


def test_write_rules_for_the_deadline(c):
    c.set("k", "1", ex=100)
    c.incr("k")
    c.append("k", "0")
    c.setrange("k", 0, "3")
    assert c.get("k") == b"30" and 0 < c.ttl("k") <= 100
    c.rename("k", "moved")
    assert c.ttl("k") == -2 and 0 < c.ttl("moved") <= 100
    c.copy("moved", "copied")
    assert c.pexpiretime("copied") == c.pexpiretime("moved")
    assert c.getset("copied", "v") == b"30"
    assert c.ttl("copied") == -1
    assert c.expire("moved", 0) is True
    assert c.exists("moved") == 0
    c.set("p", "v", ex=50)
    assert c.persist("p") is True and c.persist("p") is False and c.ttl("p") == -1
    assert c.getex("p", px=5000) == b"v" and 0 < c.pttl("p") <= 5000
    assert c.getex("p", persist=True) == b"v" and c.ttl("p") == -1


def test_volatile_ttl_evicts_the_nearest_deadline_first(c):
    c.config_set("maxmemory-policy", "volatile-ttl")
    try:
        c.set("forever", "x" * 100)
        for i in range(20):
            c.set(f"t{i}", "x" * 100, ex=1000 + i)
        used = info_field(c, "memory", "used_memory")
        c.config_set("maxmemory", used - 1)
        assert c.set("one-more", "y") is not None
        assert c.exists("t0") == 0 and c.exists("forever") == 1 and c.exists("t19") == 1
    finally:
        c.config_set("maxmemory", 0)
        c.config_set("maxmemory-policy", "noeviction")


def test_debug_is_refused_unless_enabled(r):
    with pytest.raises(redis.ResponseError, match="DEBUG command not allowed"):
        r.execute_command("DEBUG", "ADVANCE-CLOCK", "1")


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
    assert client.get("short") is None
    assert wait_until(lambda: client.dbsize() == 3, timeout=10)
    client.close()
    server.kill()
    server = launcher.start_loaded(tmp_path, *flags)
    client = server.client()
    assert client.get("short") is None and client.get("stays") == b"1"
