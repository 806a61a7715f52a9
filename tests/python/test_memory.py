"""maxmemory and its policies, maxmemory-clients and the address-space limit, through
redis-py against a server of their own (docs/OPERATIONS.md, "Memory")."""
import os
import random
import shutil
import socket
import time

import pytest
import redis

from conftest import Server, wait_until

OOM = "^command not allowed when used memory > 'maxmemory'.$"
VALUE = b"v" * 1000


@pytest.fixture(scope="module")
def memory_server():
    instance = Server("--shards", "4")
    yield instance
    assert instance.stop() == 0, "skipkv-server must exit 0 on SIGTERM:\n" + "".join(instance.log)


@pytest.fixture
def m(memory_server):
    client = redis.Redis(host="127.0.0.1", port=memory_server.port)
    client.flushall()
    yield client
    client.config_set("maxmemory", 0)
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory-clients", 0)
    client.config_set("lfu-log-factor", 10)
    client.close()


def seeded(name):
    seed = int(os.environ.get("SKIPKV_TEST_SEED", random.randrange(1, 2**63)))
    print(f"{name}: seed {seed} (replay with SKIPKV_TEST_SEED={seed})")
    return random.Random(seed)


def write(client, keys, batch=100):
    for start in range(0, len(keys), batch):
        pipe = client.pipeline(transaction=False)
        for key in keys[start:start + batch]:
            pipe.set(key, VALUE)
        assert all(reply is True for reply in pipe.execute())


def read(client, keys, times=1):
    pipe = client.pipeline(transaction=False)
    for _ in range(times):
        for key in keys:
            pipe.get(key)
    assert all(reply == VALUE for reply in pipe.execute())


def surviving(client, keys):
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.exists(key)
    return sum(pipe.execute()) / len(keys)


def test_oom_reply(m):
    m.set("kept", "v")
    m.config_set("maxmemory", 1)
    with pytest.raises(redis.exceptions.OutOfMemoryError, match=OOM):
        m.set("k", "v")
    with pytest.raises(redis.exceptions.OutOfMemoryError, match=OOM):
        m.incr("n")
    assert m.get("kept") == b"v"
    assert m.delete("kept") == 1


def fill_then_evict(m, policy, warm, rnd):
    """Writes 2,000 keys, lets `warm` access a seeded tenth of them, sets maxmemory just above
    what is used and writes 1,000 more keys: about 1,000 must be evicted. Returns the
    fractions of accessed and untouched old keys that survive."""
    # Keys' accesses are recorded only while a limit is set: set a generous one from the start.
    m.config_set("maxmemory-policy", policy)
    m.config_set("maxmemory", "1gb")
    old = [f"old:{i:05d}" for i in range(2000)]
    write(m, old)
    hot = rnd.sample(old, 200)
    # The LRU clock counts milliseconds: accesses after the pause are newer than every write
    # before it, however fast the writes ran.
    time.sleep(0.05)
    warm(hot)
    time.sleep(0.05)
    evicted = m.info("stats")["evicted_keys"]
    m.config_set("maxmemory", m.info("memory")["used_memory"] + 64 * 1024)
    write(m, [f"new:{i:05d}" for i in range(1000)], batch=50)
    assert m.info("stats")["evicted_keys"] - evicted >= 800
    assert m.info("memory")["used_memory"] <= int(m.config_get("maxmemory")["maxmemory"]) + 4096
    hot_set = set(hot)
    return surviving(m, hot), surviving(m, [k for k in old if k not in hot_set])


def test_lru_keeps_recently_read_keys(m):
    rnd = seeded("test_lru_keeps_recently_read_keys")
    hot, untouched = fill_then_evict(m, "allkeys-lru", lambda keys: read(m, keys), rnd)
    assert hot >= 0.95, f"{hot:.0%} of the keys read since survived"
    assert untouched <= 0.6, f"{untouched:.0%} of the untouched keys survived"


def test_lfu_keeps_frequently_read_keys(m):
    rnd = seeded("test_lfu_keeps_frequently_read_keys")
    # With log factor 0 every access counts: read keys reach 10, the others stay at 5.
    m.config_set("lfu-log-factor", 0)
    hot, untouched = fill_then_evict(m, "allkeys-lfu", lambda keys: read(m, keys, times=5), rnd)
    assert hot >= 0.95, f"{hot:.0%} of the frequently read keys survived"
    assert untouched <= 0.8, f"{untouched:.0%} of the untouched keys survived"


def test_lowering_maxmemory_at_run_time_evicts(m):
    m.config_set("maxmemory-policy", "allkeys-random")
    write(m, [f"k:{i:05d}" for i in range(4000)])
    used = m.info("memory")["used_memory"]
    m.config_set("maxmemory", used // 2)
    assert wait_until(lambda: m.info("memory")["used_memory"] <= used // 2)
    assert m.info("stats")["evicted_keys"] >= 1500
    assert 1000 <= m.dbsize() <= 2500
    assert m.set("after", "still writable") is True


def slow_reader(port, requests):
    """A client that sends `requests` and never reads the replies."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.connect(("127.0.0.1", port))
    sock.sendall(requests)
    return sock


def read_replies(sock, count, size):
    """Reads `count` bulk replies of `size` bytes; returns how many came before a close."""
    expected = len(f"${size}\r\n") + size + 2
    data = b""
    sock.settimeout(20)
    while len(data) < count * expected:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    return len(data) // expected


def test_maxmemory_clients_closes_the_biggest_slow_reader(m, memory_server):
    size = 1 << 20
    m.set("big", b"x" * size)
    get = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n"
    m.config_set("maxmemory-clients", 20 * 1024 * 1024)
    small = slow_reader(memory_server.port, get)
    medium = slow_reader(memory_server.port, get * 6)
    time.sleep(0.2)
    assert m.info("stats")["evicted_clients"] == 0, "6 MiB of replies fit"
    # 64 MiB of replies: the server stops reading at the 16 MiB output limit, with a reply
    # buffer of 32 MiB, over the cap on its own.
    biggest = slow_reader(memory_server.port, get * 64)
    assert wait_until(lambda: m.info("stats")["evicted_clients"] == 1)
    assert read_replies(biggest, 64, size) < 64, "the biggest reader was closed"
    assert read_replies(medium, 6, size) == 6
    assert read_replies(small, 1, size) == 1
    for sock in (small, medium):
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")
        assert sock.recv(64) == b"+PONG\r\n"
        sock.close()
    biggest.close()
    assert m.info("stats")["evicted_clients"] == 1


def test_address_space_limit_gets_oom_instead_of_a_crash():
    """Under a 400 MB address-space limit, writing 460 MB of 10 KB values with maxmemory at
    128 MB: the server answers -OOM, keeps every acknowledged value, and serves reads and
    deletes (without maxmemory it aborts in malloc)."""
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        pytest.skip("prlimit (util-linux) is not installed")
    server = Server("--maxmemory", "128mb", launcher=(prlimit, "--as=400000000"))
    try:
        client = redis.Redis(host="127.0.0.1", port=server.port)
        acknowledged, refused = [], 0
        for start in range(0, 46_000, 500):
            pipe = client.pipeline(transaction=False)
            keys = [f"key:{i:06d}" for i in range(start, start + 500)]
            for key in keys:
                pipe.set(key, key.encode() * 1024)
            for key, reply in zip(keys, pipe.execute(raise_on_error=False)):
                if reply is True:
                    acknowledged.append(key)
                else:
                    assert isinstance(reply, redis.exceptions.OutOfMemoryError), reply
                    refused += 1
        assert server.process.poll() is None, "".join(server.log)
        assert refused > 20_000 and len(acknowledged) > 8_000
        assert client.info("memory")["used_memory"] <= 128 * 1024 * 1024 + 10_240
        for start in range(0, len(acknowledged), 1000):
            pipe = client.pipeline(transaction=False)
            for key in acknowledged[start:start + 1000]:
                pipe.get(key)
            assert pipe.execute() == [key.encode() * 1024 for key in acknowledged[start:start + 1000]]
        assert client.delete(*acknowledged[:100]) == 100
        assert client.set("after-delete", b"x" * 10240) is True
        assert client.dbsize() == len(acknowledged) - 100 + 1
    finally:
        assert server.stop() == 0, "".join(server.log)
