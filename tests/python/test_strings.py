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


@pytest.mark.parametrize("option", [{"ex": 100}, {"px": 100000}, {"exat": 4000000000}, {"pxat": 4000000000000}])
def test_expiry_options_set_a_deadline(r, option):
    assert r.set("k", "v", **option) is True
    assert 0 < r.ttl("k") <= 4000000000
    assert r.set("k", "v2", keepttl=True) is True
    assert r.ttl("k") > 0 and r.get("k") == b"v2"
    assert r.set("k", "v3") is True
    assert r.ttl("k") == -1


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


def test_incrbyfloat(r):
    assert r.incrbyfloat("f", 10.5) == 10.5
    assert r.incrbyfloat("f", 0.1) == pytest.approx(10.6)
    assert r.get("f") == b"10.6"
    assert r.incrbyfloat("f", 5.0e3) == pytest.approx(5010.6)
    assert r.get("f") == b"5010.60000000000000009"
    with pytest.raises(redis.ResponseError, match="increment would produce NaN or Infinity"):
        r.incrbyfloat("f", "inf")
    r.set("text", "abc")
    with pytest.raises(redis.ResponseError, match="value is not a valid float"):
        r.incrbyfloat("text", 1)
    # The whole value must be the number: an embedded NUL (found by the differential test).
    r.set("nul", b"1\x002")
    with pytest.raises(redis.ResponseError, match="value is not a valid float"):
        r.incrbyfloat("nul", 1)
    assert r.incrbyfloat("hex", "0x10") == 16


def test_getrange_substr_setrange(r):
    r.set("s", "Hello World")
    assert r.getrange("s", 0, 3) == b"Hell"
    assert r.getrange("s", -3, -1) == b"rld"
    assert r.getrange("s", 0, -100) == b"H"
    assert r.substr("s", 6) == b"World"
    assert r.getrange("missing", 0, -1) == b""
    assert r.setrange("s", 6, "Redis") == 11
    assert r.get("s") == b"Hello Redis"
    assert r.setrange("pad", 3, "x") == 4
    assert r.get("pad") == b"\x00\x00\x00x"
    assert r.setrange("none", 5, "") == 0
    assert r.exists("none") == 0
    with pytest.raises(redis.ResponseError, match="offset is out of range"):
        r.setrange("s", -1, "x")
    with pytest.raises(redis.ResponseError, match=r"string exceeds maximum allowed size \(proto-max-bulk-len\)"):
        r.setrange("s", 512 * 1024 * 1024, "x")


def test_msetnx(r):
    assert r.msetnx({"a": 1, "b": 2}) is True
    assert r.msetnx({"b": 3, "c": 4}) is False
    assert r.mget("a", "b", "c") == [b"1", b"2", None]


def test_lcs(r):
    r.mset({"key1": "ohmytext", "key2": "mynewtext"})
    assert r.lcs("key1", "key2") == b"mytext"
    assert r.lcs("key1", "key2", len=True) == 6
    reply = r.lcs("key1", "key2", idx=True, minmatchlen=4, withmatchlen=True)
    if isinstance(reply, dict):
        assert reply == {b"matches": [[[4, 7], [5, 8], 4]], b"len": 6}
    else:
        assert reply == [b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    with pytest.raises(redis.ResponseError, match="please just use IDX"):
        r.lcs("key1", "key2", len=True, idx=True)


def test_set_get_with_condition(r):
    assert r.set("k", "v1", nx=True, get=True) is None
    assert r.set("k", "v2", nx=True, get=True) == b"v1"
    assert r.set("k", "v3", xx=True, get=True) == b"v1"
    assert r.get("k") == b"v3"
    assert r.set("absent", "v", xx=True, get=True) is None
    assert r.exists("absent") == 0
