"""Connection and server commands through redis-py."""
import socket
import time

import pytest
import redis

from conftest import wait_until


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


def _raw_client(port):
    """A bare connection (no reconnecting pool) and its CLIENT ID."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(5)
    sock.sendall(b"CLIENT ID\r\n")
    reply = sock.recv(64)
    assert reply.startswith(b":"), reply
    return sock, int(reply[1:].strip())


def _closed(sock):
    try:
        return sock.recv(64) == b""
    except ConnectionResetError:
        return True


def _listed_ids(r):
    return {int(c["id"]) for c in r.client_list()}


def test_client_kill(server, r):
    # Four bare clients, spread round-robin over the server's two event loops.
    victims = [_raw_client(server.port) for _ in range(4)]

    sock, cid = victims[0]
    assert r.client_kill_filter(_id=cid) == 1
    assert _closed(sock)
    assert wait_until(lambda: cid not in _listed_ids(r))

    sock, cid = victims[1]
    address = "%s:%d" % sock.getsockname()
    assert r.client_kill(address) is True
    assert _closed(sock)
    assert wait_until(lambda: cid not in _listed_ids(r))
    with pytest.raises(redis.ResponseError, match="^No such client$"):
        r.client_kill(address)

    # Filters must all match; nothing is killed by a mismatch.
    sock, cid = victims[2]
    address = "%s:%d" % sock.getsockname()
    assert r.execute_command("CLIENT", "KILL", "ID", cid, "ADDR", "127.0.0.1:1") == 0
    assert r.execute_command("CLIENT", "KILL", "ID", cid, "TYPE", "pubsub") == 0
    assert r.execute_command("CLIENT", "KILL", "ID", cid, "ADDR", address, "TYPE", "normal", "USER", "default") == 1
    assert _closed(sock)

    for args, message in [
        (("ID", 0), "^client-id should be greater than 0$"),
        (("ID", "x"), "^client-id should be greater than 0$"),
        (("ID", 1, "SKIPME"), "^syntax error$"),
        (("SKIPME", "maybe"), "^syntax error$"),
        (("NOSUCH", 1), "^syntax error$"),
        (("TYPE", "other"), "^Unknown client type 'other'$"),
        (("USER", "alice"), "^No such user 'alice'$"),
    ]:
        with pytest.raises(redis.ResponseError, match=message):
            r.execute_command("CLIENT", "KILL", *args)

    # SKIPME defaults to yes: a client does not kill itself by its own id...
    sock, cid = victims[3]
    sock.sendall(b"CLIENT KILL ID %d\r\n" % cid)
    assert sock.recv(64) == b":0\r\n"
    sock.sendall(b"PING\r\n")
    assert sock.recv(64) == b"+PONG\r\n"
    # ...unless told to: the reply comes first, then the connection closes.
    sock.sendall(b"CLIENT KILL ID %d SKIPME no\r\n" % cid)
    assert sock.recv(64) == b":1\r\n"
    assert _closed(sock)

    # The old form may kill the caller itself.
    sock, cid = _raw_client(server.port)
    sock.sendall(b"CLIENT KILL %s:%d\r\n" % (sock.getsockname()[0].encode(), sock.getsockname()[1]))
    assert sock.recv(64) == b"+OK\r\n"
    assert _closed(sock)
    assert r.ping() is True


def test_unauthenticated_request_limits(password_server):
    """Until AUTH, at most 10 arguments of at most 16 KiB each, as Redis enforces."""
    for request, message in [
        (b"*11\r\n", b"-ERR Protocol error: unauthenticated multibulk length\r\n"),
        (b"*2\r\n$5\r\nHELLO\r\n$16385\r\n", b"-ERR Protocol error: unauthenticated bulk length\r\n"),
    ]:
        sock = socket.create_connection(("127.0.0.1", password_server.port))
        sock.settimeout(5)
        sock.sendall(request)
        assert sock.recv(200) == message
        assert _closed(sock)
    # Within the limits the client just needs to authenticate; after AUTH (even in the same
    # packet) the normal limits apply.
    sock = socket.create_connection(("127.0.0.1", password_server.port))
    sock.settimeout(5)
    big = b"v" * 20000
    mset = b"*11\r\n$4\r\nMSET\r\n" + b"".join(b"$2\r\nk%d\r\n$%d\r\n%s\r\n" % (i, len(big), big) for i in range(5))
    sock.sendall(b"*2\r\n$4\r\nAUTH\r\n$6\r\npw-123\r\n" + mset)
    reply = b""
    while reply.count(b"\r\n") < 2:
        chunk = sock.recv(200)
        assert chunk, reply
        reply += chunk
    assert reply == b"+OK\r\n+OK\r\n"
    sock.close()


def test_info_cpu(r):
    cpu = r.info("cpu")
    for field in ("used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
                  "used_cpu_sys_main_thread", "used_cpu_user_main_thread"):
        assert isinstance(cpu[field], float)
    assert "used_cpu_user" in r.info()


def test_slowlog(r):
    r.config_set("slowlog-log-slower-than", 0)
    try:
        r.slowlog_reset()
        r.set("slow-key", "x" * 200)
        entries = r.slowlog_get(-1)
        assert r.slowlog_len() >= 1
        logged = [e for e in entries if e["command"].startswith(b"SET slow-key")]
        assert logged and logged[0]["command"].endswith(b"... (72 more bytes)")
        assert isinstance(logged[0]["duration"], int)
    finally:
        r.config_set("slowlog-log-slower-than", 10000)
    r.slowlog_reset()
    assert r.slowlog_len() == 0
