"""Pipelining, many connections, and malformed input from raw sockets; after every abuse the
server still answers other clients correctly."""
import os
import random
import socket

import pytest
import redis


def raw(server, payload, read_all=True):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(payload)
        if not read_all:
            return b""
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk


def healthy(server):
    client = redis.Redis(port=server.port)
    assert client.set("health", "ok")
    assert client.get("health") == b"ok"
    client.close()


def test_pipeline_of_ten_thousand(r):
    pipe = r.pipeline(transaction=False)
    for i in range(10_000):
        if i % 2 == 0:
            pipe.set(f"p:{i}", i)
        else:
            pipe.incr("counter")
    results = pipe.execute()
    assert results[0::2] == [True] * 5000
    assert results[1::2] == list(range(1, 5001))
    assert r.dbsize() == 5001


@pytest.mark.parametrize("payload,message", [
    (b"*abc\r\n", b"invalid multibulk length"),
    (b"*2\r\n$3\r\nGET\r\n$x\r\n", b"invalid bulk length"),
    (b"*1\r\n$-1\r\n", b"invalid bulk length"),
    (b"*1\r\n$600000000\r\n", b"invalid bulk length"),
    (b"*3000000\r\n", b"invalid multibulk length"),
    (b"*2\r\n+GET\r\n", b"expected '$', got '+'"),
    (b"*1\r\n$3\r\nGETxx\r\n", b"expected CRLF after bulk data"),
    (b'SET k "abc\r\n', b"unbalanced quotes in request"),
    (b"x" * 70_000, b"too big inline request"),
])
def test_framing_errors_close_the_connection(server, payload, message):
    assert raw(server, payload) == b"-ERR Protocol error: " + message + b"\r\n"
    healthy(server)


def test_inline_commands(server):
    reply = raw(server, b'SET k "a b"\r\nGET k\r\nQUIT\r\n')
    assert reply == b"+OK\r\n$3\r\na b\r\n+OK\r\n"


def test_disconnect_mid_command_and_random_bytes(server):
    client = redis.Redis(port=server.port)
    client.set("canary", "alive")
    request = b"*3\r\n$3\r\nSET\r\n$6\r\ncanary\r\n$4\r\ndead\r\n"
    for cut in range(1, len(request) - 1, 5):
        raw(server, request[:cut], read_all=False)
    rng = random.Random(3)
    for _ in range(30):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(bytes(rng.randrange(256) for _ in range(rng.randint(1, 2048))))
    assert client.get("canary") == b"alive"
    healthy(server)


def test_thousand_simultaneous_connections(server, protocol):
    clients = []
    try:
        for i in range(1000):
            c = redis.Redis(port=server.port, protocol=protocol, single_connection_client=True)
            c.set(f"conn:{i}", i)
            clients.append(c)
        for i, c in enumerate(clients):
            assert c.get(f"conn:{i}") == str(i).encode()
        assert int(clients[0].info("clients")["connected_clients"]) >= 1000
    finally:
        for c in clients:
            c.close()
    healthy(server)
