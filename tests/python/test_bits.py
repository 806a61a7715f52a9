"""Bit commands through redis-py, in RESP2 and RESP3."""
import pytest
import redis


def test_setbit_getbit_bitcount(r):
    assert r.setbit("k", 7, 1) == 0
    assert r.setbit("k", 7, 1) == 1
    assert r.getbit("k", 7) == 1
    assert r.getbit("k", 100) == 0
    assert r.setbit("k", 23, 0) == 0
    assert r.get("k") == b"\x01\x00\x00"
    assert r.set("s", "foobar") is True
    assert r.bitcount("s") == 26
    assert r.bitcount("s", 1, 1) == 6
    assert r.bitcount("s", 5, 30, "BIT") == 17
    assert r.bitcount("missing", 0, 1) == 0
    with pytest.raises(redis.ResponseError, match="bit offset is not an integer or out of range"):
        r.setbit("k", -1, 1)
    with pytest.raises(redis.ResponseError, match="bit is not an integer or out of range"):
        r.execute_command("SETBIT", "k", 0, 2)  # redis-py's setbit sends only 0 or 1


def test_bitpos(r):
    r.set("s", b"\xff\xf0\x00")
    assert r.bitpos("s", 0) == 12
    assert r.bitpos("s", 1, 2) == -1
    assert r.bitpos("s", 0, 0, 11, "BIT") == -1
    r.set("ones", b"\xff\xff")
    assert r.bitpos("ones", 0) == 16
    assert r.bitpos("ones", 0, 0, -1) == -1
    assert r.bitpos("missing", 0) == 0
    assert r.bitpos("missing", 1) == -1


def test_bitop(r):
    r.set("a", b"\xf0\x0f\xaa")
    r.set("b", b"\xff")
    assert r.bitop("AND", "d", "a", "b") == 3
    assert r.get("d") == b"\xf0\x00\x00"
    assert r.bitop("OR", "d", "a", "b", "missing") == 3
    assert r.get("d") == b"\xff\x0f\xaa"
    assert r.bitop("NOT", "d", "b") == 1
    assert r.get("d") == b"\x00"
    assert r.bitop("XOR", "d", "missing") == 0
    assert r.exists("d") == 0
    with pytest.raises(redis.ResponseError, match="BITOP NOT must be called with a single source key"):
        r.bitop("NOT", "d", "a", "b")


def test_bitfield(r):
    field = r.bitfield("k")
    field.set("u8", 0, 255).incrby("u8", 0, 10).get("u8", 0)
    field.overflow("SAT").incrby("i8", "#1", 200).overflow("FAIL").incrby("i8", "#1", 1)
    assert field.execute() == [0, 9, 9, 127, None]
    assert r.get("k") == b"\x09\x7f"
    assert r.bitfield_ro("k", "u8", 8, items=[("i4", 0)]) == [127, 0]
    with pytest.raises(redis.ResponseError, match="Invalid bitfield type"):
        r.bitfield("k").get("u64", 0).execute()
    with pytest.raises(redis.ResponseError, match="BITFIELD_RO only supports the GET subcommand"):
        r.execute_command("BITFIELD_RO", "k", "SET", "u8", 0, 1)


def test_bit_writes_are_logged_as_their_results(launcher, tmp_path):
    """SETBIT, BITFIELD and BITOP log the SET (or DEL) of what they stored: after a SIGKILL
    with appendfsync always, recovery rebuilds the same values."""
    from durability_server import persistence_flags
    server = launcher.start_loaded(tmp_path, *persistence_flags())
    client = server.client()
    client.setbit("a", 100, 1)
    client.bitfield("b").set("u8", 0, 200).incrby("i16", "#1", -5).overflow("FAIL").incrby("u8", 40, 300).execute()
    client.set("c", b"\x0f")
    client.bitop("XOR", "d", "a", "b", "c")
    client.set("gone", "x")
    client.bitop("AND", "gone", "missing")
    expected = {key: client.get(key) for key in ["a", "b", "c", "d", "gone"]}
    server.kill()
    again = launcher.start_loaded(tmp_path, *persistence_flags())
    client = again.client()
    assert {key: client.get(key) for key in expected} == expected
    assert expected["gone"] is None and len(expected["b"]) == 6
