"""Django's Redis cache backend (django.core.cache.backends.redis.RedisCache) against
skipkv-server and, as the reference, redis-server 7 (the `target` fixture): timeouts become
SET EX, EXPIRE and PERSIST, `add` is SET NX, `touch` EXPIRE, `get_many` MGET, `clear` FLUSHDB.
A timeout running out is seen through SkipKV's fake clock (DEBUG ADVANCE-CLOCK)."""
import django
import pytest
from django.conf import settings

if not settings.configured:
    settings.configure(USE_TZ=True)
django.setup()

from django.core.cache.backends.redis import RedisCache  # noqa: E402


@pytest.fixture
def cache(target):
    """A RedisCache on the target server, default timeout 300 s, keys prefixed by Django."""
    instance = RedisCache(target.url, {"TIMEOUT": 300, "KEY_PREFIX": "test"})
    yield instance
    instance.close()


@pytest.fixture
def raw(target):
    """A plain client of the same server, to look at the keys the cache wrote."""
    with target.client() as client:
        yield client


def stored(cache, key):
    return cache.make_and_validate_key(key)


def test_set_and_get_with_timeouts(cache, raw):
    cache.set("default", "v")
    assert cache.get("default") == "v"
    assert 298 <= raw.ttl(stored(cache, "default")) <= 300
    cache.set("forever", {"a": [1, 2]}, timeout=None)
    assert cache.get("forever") == {"a": [1, 2]}
    assert raw.ttl(stored(cache, "forever")) == -1
    cache.set("short", 42, timeout=60)
    assert cache.get("short") == 42
    assert 58 <= raw.ttl(stored(cache, "short")) <= 60
    assert raw.get(stored(cache, "short")) == b"42"  # integers are stored unpickled, for INCR
    cache.set("forever", "zero", timeout=0)  # timeout 0 deletes
    assert cache.get("forever") is None
    assert cache.get("missing", "fallback") == "fallback"
    cache.set("negative", "v", timeout=-5)
    assert cache.has_key("negative") is False


def test_set_replaces_the_timeout(cache, raw):
    cache.set("k", "v", timeout=60)
    cache.set("k", "w", timeout=None)
    assert raw.ttl(stored(cache, "k")) == -1
    cache.set("k", "x", timeout=1000)
    assert 998 <= raw.ttl(stored(cache, "k")) <= 1000


def test_add(cache, raw):
    assert cache.add("k", "first", timeout=100) is True
    assert cache.add("k", "second") is False
    assert cache.get("k") == "first"
    assert 98 <= raw.ttl(stored(cache, "k")) <= 100
    assert cache.add("zero", "v", timeout=0) is True  # added, then deleted at once
    assert cache.has_key("zero") is False
    assert cache.add("forever", "v", timeout=None) is True
    assert raw.ttl(stored(cache, "forever")) == -1


def test_touch(cache, raw):
    cache.set("k", "v", timeout=None)
    assert cache.touch("k", 500) is True
    assert 498 <= raw.ttl(stored(cache, "k")) <= 500
    assert cache.touch("k", None) is True
    assert raw.ttl(stored(cache, "k")) == -1
    assert cache.touch("k", None) is False  # already persistent: PERSIST replies 0
    assert cache.touch("missing", 10) is False
    assert cache.touch("k", 0) is True  # EXPIRE k 0 deletes
    assert cache.get("k") is None


def test_get_many_delete_has_key(cache):
    cache.set("a", 1)
    cache.set("b", "two", timeout=None)
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": "two"}
    assert cache.has_key("a") is True
    assert cache.delete("a") is True
    assert cache.delete("a") is False
    assert cache.has_key("a") is False
    cache.set("c", 3)
    cache.delete_many(["b", "c", "missing"])
    assert cache.get_many(["a", "b", "c"]) == {}


def test_incr_decr_keep_the_timeout(cache, raw):
    cache.set("n", 10, timeout=100)
    assert cache.incr("n") == 11
    assert cache.incr("n", 5) == 16
    assert cache.decr("n", 20) == -4
    assert cache.get("n") == -4
    assert 98 <= raw.ttl(stored(cache, "n")) <= 100
    with pytest.raises(ValueError):
        cache.incr("missing")


def test_clear(cache, raw):
    cache.set("a", 1, timeout=100)
    cache.set("b", 2)
    assert cache.clear() is True
    assert raw.dbsize() == 0


def test_get_or_set(cache, raw):
    assert cache.get_or_set("k", "computed", timeout=100) == "computed"
    assert cache.get_or_set("k", "other") == "computed"
    assert cache.get_or_set("callable", lambda: [1, 2], timeout=None) == [1, 2]
    assert raw.ttl(stored(cache, "callable")) == -1
    assert 98 <= raw.ttl(stored(cache, "k")) <= 100


def test_set_many(cache):
    assert cache.set_many({"a": 1, "b": "two"}, timeout=100) == []
    assert cache.get_many(["a", "b"]) == {"a": 1, "b": "two"}


def test_set_many_timeouts_and_delete_many(cache, raw):
    """set_many is one transaction: MSET, then an EXPIRE per key unless the timeout is None."""
    assert cache.set_many({"a": 1, "b": [2], "c": "three"}, timeout=100) == []
    assert all(98 <= raw.ttl(stored(cache, key)) <= 100 for key in "abc")
    assert cache.set_many({"a": "forever", "d": 4}, timeout=None) == []  # MSET drops a's TTL
    assert [raw.ttl(stored(cache, key)) for key in "ad"] == [-1, -1]
    assert 98 <= raw.ttl(stored(cache, "b")) <= 100
    assert cache.set_many({"b": "gone", "e": 5}, timeout=0) == []  # EXPIRE 0 deletes
    assert cache.get_many(["a", "b", "c", "d", "e"]) == {"a": "forever", "c": "three", "d": 4}
    assert cache.set_many({}) == []
    cache.delete_many(["a", "c", "missing"])
    assert cache.get_many(["a", "b", "c", "d", "e"]) == {"d": 4}
    cache.delete_many([])
    assert raw.dbsize() == 1


def test_set_many_timeout_runs_out(cache, target):
    cache.set_many({"short": 1, "other": 2}, timeout=10)
    cache.set_many({"long": 3}, timeout=1000)
    target.advance_clock(11_000)
    assert cache.get_many(["short", "other", "long"]) == {"long": 3}


def test_timeout_runs_out(cache, target):
    cache.set("short", "v", timeout=10)
    cache.set("long", "v", timeout=1000)
    cache.set("forever", "v", timeout=None)
    cache.add("added", "v", timeout=10)
    cache.set("touched", "v", timeout=None)
    cache.touch("touched", 10)
    target.advance_clock(11_000)
    assert cache.get_many(["short", "long", "forever", "added", "touched"]) == {"long": "v", "forever": "v"}
    assert cache.has_key("short") is False
    assert cache.add("short", "again", timeout=None) is True
    assert cache.get("short") == "again"
    assert cache.get_or_set("added", "fresh") == "fresh"
    target.advance_clock(1_000_000)
    assert cache.get("long") is None
    assert cache.get("short") == "again"
