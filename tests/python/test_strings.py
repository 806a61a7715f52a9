"""String commands through redis-py, in RESP2 and RESP3."""
import pytest
import redis


def test_get_set_conditions(r):
    assert r.get("k") is None
    assert r.set("k", "v1") is True
    assert r.get("k") == b"v1"
    assert r.set("k", "v2", nx=True) is None
    assert r.set("k", "v2", xx=True) is True
    assert r.set("absent", "v", xx=True) is None
    assert r.set("k", "v3", get=True) == b"v2"
    assert r.get("k") == b"v3"


@pytest.mark.parametrize("option", [{"ex": 10}, {"px": 100}, {"exat": 2000000000}, {"pxat": 2000000000000}, {"keepttl": True}])
def test_expiry_options_are_refused(r, option):
    with pytest.raises(redis.ResponseError, match="do not expire"):
        r.set("k", "v", **option)
    assert r.get("k") is None


def test_setnx_getset_getdel(r):
    assert r.setnx("k", 1) is True
    assert r.setnx("k", 2) is False
    assert r.getset("k", 3) == b"1"
    assert r.getdel("k") == b"3"
    assert r.getdel("k") is None


def test_mget_mset_del_unlink_exists(r):
    assert r.mset({"a": 1, "b": 2, "c": 3}) is True
    assert r.mget("a", "x", "c") == [b"1", None, b"3"]
    assert r.exists("a", "a", "x") == 2
    assert r.delete("a", "x") == 1
    assert r.unlink("b", "c") == 2
    assert r.dbsize() == 0


def test_counters_and_errors(r):
    assert r.incr("n") == 1
    assert r.incrby("n", 41) == 42
    assert r.decr("n") == 41
    assert r.decrby("n", 1) == 40
    r.set("max", 2**63 - 1)
    with pytest.raises(redis.ResponseError, match="^increment or decrement would overflow$"):
        r.incr("max")
    r.set("s", "abc")
    with pytest.raises(redis.ResponseError, match="^value is not an integer or out of range$"):
        r.incr("s")
    with pytest.raises(redis.ResponseError, match="^value is not an integer or out of range$"):
        r.incrby("n", "x")


def test_append_strlen_type(r):
    assert r.append("k", "ab") == 2
    assert r.append("k", "cd") == 4
    assert r.strlen("k") == 4
    assert r.strlen("none") == 0
    assert r.type("k") == b"string"
    assert r.type("none") == b"none"


def test_binary_keys_and_values(r):
    key = b"\x00k\r\n\xff\x00"
    value = bytes(range(256)) + b"\r\n\x00"
    assert r.set(key, value)
    assert r.get(key) == value
    assert r.get(key[:-1]) is None
    assert r.keys(b"*") == [key]
    assert r.execute_command("RANGE", "-", "+") == [key, value]


def test_sixty_four_mebibyte_value(r):
    value = bytes(range(256)) * (64 * 1024 * 1024 // 256)
    assert r.set("big", value)
    assert r.strlen("big") == len(value)
    assert r.get("big") == value
    assert r.delete("big") == 1


def test_wrong_arity_and_unknown_command(r):
    with pytest.raises(redis.ResponseError, match="^wrong number of arguments for 'get' command$"):
        r.execute_command("GET")
    with pytest.raises(redis.ResponseError, match="^unknown command 'FOO', with args beginning with: 'a' $"):
        r.execute_command("FOO", "a")
    assert r.ping() is True
