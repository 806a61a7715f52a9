"""Fixtures for the redis-py suite: one skipkv-server per session on an ephemeral port of
127.0.0.1 (plus one with requirepass, and one with the DEBUG test hooks), and a client per
test parametrized over RESP2 and RESP3; a redis-server 7 per session as the reference
(`reference_redis`), and `target`, which runs a test against each of the two servers.

The binary is $SKIPKV_SERVER_BINARY, else the newest skipkv-server found in the usual
SwiftPM build directories of the repository.
"""
import os
import re
import resource
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis

from raw_resp import Connection

REPO = Path(__file__).resolve().parents[2]


def server_binary():
    explicit = os.environ.get("SKIPKV_SERVER_BINARY")
    if explicit:
        return explicit
    candidates = [p for p in REPO.glob(".build*/*/skipkv-server") if p.is_file() and os.access(p, os.X_OK)]
    if not candidates:
        pytest.exit("no skipkv-server binary found: build it or set SKIPKV_SERVER_BINARY", 2)
    return str(max(candidates, key=lambda p: p.stat().st_mtime))


class Server:
    """A running skipkv-server; `port` is the port it announced. `launcher` is a command
    prefix the server runs under (for example `prlimit --as=...`)."""

    def __init__(self, *args, launcher=()):
        self.process = subprocess.Popen(
            [*launcher, server_binary(), "--bind", "127.0.0.1", "--port", "0", "--io-threads", "2", "--save", "", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self.log = []
        self.port = None
        ready = threading.Event()

        def pump():
            for raw in self.process.stdout:
                line = raw.decode(errors="replace")
                self.log.append(line)
                match = re.search(r"Ready to accept connections tcp on 127\.0\.0\.1:(\d+)", line)
                if match and self.port is None:
                    self.port = int(match.group(1))
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(20):
            self.process.kill()
            raise RuntimeError("skipkv-server did not start:\n" + "".join(self.log))

    def stop(self):
        """SIGTERM; returns the exit status (None if it hung). A server built with
        --sanitize=thread must not have reported anything."""
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return None
        time.sleep(0.1)
        assert "WARNING: ThreadSanitizer" not in "".join(self.log), "".join(self.log)
        return status


def start_redis(directory):
    """A fresh redis-server on a Unix socket in `directory` (no TCP port to race for), with no
    persistence; returns (process, socket path)."""
    if shutil.which("redis-server") is None:
        pytest.fail("comparing with Redis needs redis-server 7 (Debian: apt-get install redis-server)")
    path = str(directory / "redis.sock")
    process = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", path, "--save", "", "--appendonly", "no",
         "--dir", str(directory), "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            connection = Connection(path)
            connection.call([b"PING"])
            connection.close()
            return process, path
        except OSError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("redis-server did not start")


@pytest.fixture(scope="session", autouse=True)
def raise_descriptor_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4096)), hard))


@pytest.fixture(scope="session")
def server():
    instance = Server("--shards", "8", "--maxclients", "5000")
    yield instance
    assert instance.stop() == 0, "skipkv-server must exit 0 on SIGTERM:\n" + "".join(instance.log)


@pytest.fixture(scope="session")
def password_server():
    instance = Server("--requirepass", "pw-123")
    yield instance
    assert instance.stop() == 0


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def protocol(request):
    return request.param


@pytest.fixture
def r(server, protocol):
    client = redis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    client.flushall()
    yield client
    client.close()


@pytest.fixture(scope="session")
def debug_server():
    """A skipkv-server with the test hooks on: DEBUG ADVANCE-CLOCK moves its expiry clock forward
    and DEBUG SET-ACTIVE-EXPIRE turns its active expiry cycle off and on."""
    instance = Server("--enable-debug-command", "yes")
    yield instance
    assert instance.stop() == 0


@pytest.fixture(scope="session")
def reference_redis(tmp_path_factory):
    """A redis-server 7, the reference of the differential tests and the other server of the
    `target` tests; yields its socket path."""
    process, path = start_redis(tmp_path_factory.mktemp("reference-redis"))
    yield path
    process.terminate()
    process.wait(20)


class Target:
    """The server a `target` test talks to: `kind` is "skipkv" (debug_server) or "redis"."""

    def __init__(self, kind, server=None, socket_path=None):
        self.kind, self.server, self.socket_path = kind, server, socket_path

    @property
    def url(self):
        return f"unix://{self.socket_path}" if self.socket_path else f"redis://127.0.0.1:{self.server.port}"

    def client(self, protocol=2):
        if self.socket_path:
            return redis.Redis(unix_socket_path=self.socket_path, protocol=protocol)
        return redis.Redis(host="127.0.0.1", port=self.server.port, protocol=protocol)

    def advance_clock(self, milliseconds):
        """Moves SkipKV's expiry clock forward; Redis has no such hook, so a test that needs it
        is for SkipKV only."""
        if self.kind != "skipkv":
            pytest.skip("DEBUG ADVANCE-CLOCK is a SkipKV test hook")
        with self.client() as client:
            client.execute_command("DEBUG", "ADVANCE-CLOCK", milliseconds)

    def xfail_on_skipkv(self, request, reason):
        """Marks the running test as an expected failure on SkipKV only (Redis passes it)."""
        if self.kind == "skipkv":
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.fixture(params=["skipkv", "redis"])
def target(request):
    """Runs a test against skipkv-server (with the debug hooks) and against redis-server 7,
    each flushed first; `-k redis` or `-k skipkv` picks one."""
    if request.param == "skipkv":
        instance = Target("skipkv", server=request.getfixturevalue("debug_server"))
    else:
        instance = Target("redis", socket_path=request.getfixturevalue("reference_redis"))
    with instance.client() as client:
        client.flushall()
    return instance


def wait_until(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def launcher():
    """Starts durability-test servers (durability_server.Launcher) and kills what is left."""
    from durability_server import Launcher  # it imports this module: import it late
    instance = Launcher()
    yield instance
    instance.cleanup()
