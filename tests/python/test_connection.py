"""Connection and server commands through redis-py."""
import time

import pytest
import redis


def test_ping_echo_select_time(r):
    assert r.ping() is True
    assert r.echo("hi") == b"hi"
    assert r.execute_command("SELECT", 0) in (b"OK", "OK", True)
    with pytest.raises(redis.ResponseError, match="^DB index is out of range$"):
        r.execute_command("SELECT", 1)
    seconds, micros = r.time()
    assert abs(seconds - time.time()) < 5 and 0 <= micros < 1_000_000


def test_hello_and_protocol(r, protocol):
    info = r.execute_command("HELLO", protocol)
    info = {k.decode() if isinstance(k, bytes) else k: v for k, v in (info.items() if isinstance(info, dict) else zip(info[0::2], info[1::2]))}
    assert info["proto"] == protocol
    assert info["mode"] in (b"standalone", "standalone")


def test_client_commands(r):
    assert isinstance(r.client_id(), int)
    assert r.client_setname("py-client") is True
    assert r.client_getname() in (b"py-client", "py-client")
    clients = r.client_list()
    assert any(c.get("name") in ("py-client", b"py-client") for c in clients)
    with pytest.raises(redis.ResponseError, match="^Client names cannot contain spaces"):
        r.client_setname("bad name")


def test_config_get_set(r):
    assert r.config_get("maxclients") in ({"maxclients": "5000"}, {b"maxclients": b"5000"})
    assert r.config_set("timeout", 0) is True
    with pytest.raises(redis.ResponseError, match="can't set immutable config"):
        r.config_set("port", 1)
    with pytest.raises(redis.ResponseError, match="Unknown option"):
        r.config_set("no-such", 1)


def test_info(r):
    r.set("a", 1)
    info = r.info()
    assert "redis_version" in info
    assert info["db0"]["keys"] == 1
    assert "instantaneous_ops_per_sec" in info
    assert "cmdstat_set" in r.info("commandstats")


def test_command_introspection(r):
    assert r.command_count() > 30
    # "COMMAND DOCS" as one name: redis-py would parse a reply to plain "COMMAND" as a
    # command table.
    docs = r.execute_command("COMMAND DOCS", "range")
    assert docs


def test_requirepass(password_server, protocol):
    anonymous = redis.Redis(port=password_server.port, protocol=2)
    with pytest.raises(redis.AuthenticationError):
        anonymous.get("k")
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=password_server.port, protocol=protocol, password="wrong").ping()
    authed = redis.Redis(port=password_server.port, protocol=protocol, password="pw-123")
    assert authed.set("k", "v") is True
    assert authed.get("k") == b"v"
