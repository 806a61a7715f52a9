"""Helpers for the durability tests (test_crash_recovery.py, test_corruption.py,
test_transaction_durability.py): start a skipkv-server on a data directory, wait until it is
ready and until it has recovered, kill it (SIGKILL) or stop it (SIGTERM, SHUTDOWN), read what
it logged, issue snapshots and log rewrites during a load (Admin), and look at or damage the
files it keeps in its directory.

The binary is the one conftest.server_binary() picks ($SKIPKV_SERVER_BINARY, else the newest
build in the repository). Standard output and standard error are merged into one log.
"""
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from conftest import server_binary

READY = re.compile(r"Ready to accept connections tcp on 127\.0\.0\.1:(\d+)")

AOF_NAME = "appendonly.aof"
SNAPSHOT_NAME = "skipkv.snap"


class ServerExited(RuntimeError):
    """The server exited while we were waiting for it to become ready or to finish loading."""


class DurableServer:
    """One skipkv-server process on `data_dir`. `flags` follow
    `--bind 127.0.0.1 --port <port> --io-threads 2 --dir <data_dir>`; `port` 0 (the default)
    lets the server pick one, which it announces in its `Ready to accept connections` line;
    `wrapper` is a command prefix (e.g. setpriv ...) and `binary` overrides the server binary."""

    def __init__(self, data_dir, *flags, wrapper=(), binary=None, io_threads=2, port=0, env=None):
        self.data_dir = Path(data_dir)
        self.argv = [*wrapper, binary or server_binary(), "--bind", "127.0.0.1", "--port", str(port),
                     "--io-threads", str(io_threads), "--dir", str(data_dir), *flags]
        self.lines = []
        self.port = None
        self.started_at = time.monotonic()
        self._ready = threading.Event()
        self._eof = threading.Event()
        self.process = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()

    def _pump(self):
        for raw in self.process.stdout:
            line = raw.decode(errors="replace")
            self.lines.append(line)
            match = READY.search(line)
            if match and self.port is None:
                self.port = int(match.group(1))
                self._ready.set()
        self._eof.set()
        self._ready.set()

    # ----- state -----------------------------------------------------------------------

    @property
    def pid(self):
        return self.process.pid

    def running(self):
        return self.process.poll() is None

    def log_text(self):
        """Everything logged so far (the pump may still be reading after an exit: see
        wait_exit, which waits for the end of the output)."""
        return "".join(self.lines)

    def log_tail(self, n=40):
        return "".join(self.lines[-n:])

    def describe(self):
        status = self.process.poll()
        return (f"skipkv-server pid {self.pid} ({'running' if status is None else f'exit status {status}'})"
                f"\nargv: {self.argv}\n--- log tail ---\n{self.log_tail(60)}--- end of log ---")

    # ----- waiting ---------------------------------------------------------------------

    def wait_ready(self, timeout=20):
        """Waits for `Ready to accept connections`; raises ServerExited if the process ended
        first, RuntimeError (after SIGKILL) if neither happened in time."""
        if not self._ready.wait(timeout):
            self.kill()
            raise RuntimeError(f"skipkv-server did not announce readiness in {timeout} s\n" + self.describe())
        if self.port is None:
            self.wait_exit(5)
            raise ServerExited("skipkv-server exited before it was ready\n" + self.describe())
        return self.port

    def wait_loaded(self, timeout=60):
        """Waits for readiness, then until the server answers PING with PONG, retrying while
        it answers a `LOADING` error; any other reply is a failure. Returns the number of
        LOADING replies seen."""
        self.wait_ready()
        deadline = time.monotonic() + timeout
        loading_replies = 0
        raw = None
        try:
            while True:
                if not self.running():
                    self.wait_exit(5)
                    raise ServerExited("skipkv-server exited while recovering\n" + self.describe())
                if time.monotonic() > deadline:
                    raise AssertionError(f"skipkv-server still LOADING after {timeout} s\n" + self.describe())
                try:
                    if raw is None:
                        raw = RawClient(self.port)
                    reply = raw.command("PING")
                except OSError:
                    if raw is not None:
                        raw.close()
                    raw = None
                    time.sleep(0.02)
                    continue
                if reply == "PONG":
                    return loading_replies
                if isinstance(reply, RespError) and reply.message.startswith("LOADING"):
                    loading_replies += 1
                    time.sleep(0.005)
                    continue
                raise AssertionError(f"PING during start-up answered {reply!r}, expected PONG or a LOADING error\n"
                                     + self.describe())
        finally:
            if raw is not None:
                raw.close()

    def wait_exit(self, timeout=30):
        """Waits for the process to end and its output to be read; returns the exit status,
        or None if it is still running after `timeout` seconds (it is left running)."""
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._eof.wait(5)
        return status

    # ----- stopping --------------------------------------------------------------------

    def kill(self):
        """SIGKILL (if still running) and reap; returns the exit status."""
        if self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass
        status = self.process.wait(30)
        self._eof.wait(5)
        return status

    def terminate(self, timeout=30):
        """SIGTERM and wait; returns the exit status (SIGKILL and AssertionError if it hangs)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        status = self.wait_exit(timeout)
        if status is None:
            self.kill()
            raise AssertionError(f"skipkv-server did not exit within {timeout} s of SIGTERM\n" + self.describe())
        return status

    def shutdown(self, *options, timeout=30):
        """Sends SHUTDOWN [options] and waits for the exit; returns the exit status."""
        raw = RawClient(self.port)
        try:
            reply = raw.command("SHUTDOWN", *options)
        except OSError:
            reply = None  # the connection closes with the server: no reply on success
        finally:
            raw.close()
        if isinstance(reply, RespError):
            raise AssertionError(f"SHUTDOWN {' '.join(options)} answered {reply!r}\n" + self.describe())
        status = self.wait_exit(timeout)
        if status is None:
            self.kill()
            raise AssertionError(f"skipkv-server did not exit within {timeout} s of SHUTDOWN\n" + self.describe())
        return status

    # ----- clients ---------------------------------------------------------------------

    def client(self, socket_timeout=30):
        """A redis-py client that never retries (a retried write would blur what was
        acknowledged)."""
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=socket_timeout,
                           socket_connect_timeout=5, retry=Retry(NoBackoff(), 0))


class Launcher:
    """Starts servers and kills whatever is still running at cleanup (pytest fixtures)."""

    def __init__(self):
        self.servers = []

    def start(self, data_dir, *flags, **kwargs):
        server = DurableServer(data_dir, *flags, **kwargs)
        self.servers.append(server)
        return server

    def start_loaded(self, data_dir, *flags, timeout=60, **kwargs):
        """start + wait_loaded; returns the server."""
        server = self.start(data_dir, *flags, **kwargs)
        server.wait_loaded(timeout)
        return server

    def cleanup(self):
        for server in self.servers:
            if server.running():
                server.kill()


class SmallDisk:
    """A size-limited tmpfs mounted at `path` (root only), for real disk-full tests; `fill`
    leaves about `leave` bytes free with a ballast file and `empty` removes it. `SmallDisk.mount`
    returns None, with the reason in `SmallDisk.why_not`, where mounting is not allowed."""

    why_not = ""

    def __init__(self, path):
        self.path = Path(path)
        self.ballast = self.path / "ballast"

    @classmethod
    def mount(cls, path, megabytes):
        Path(path).mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            cls.why_not = "mounting a tmpfs needs root"
            return None
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            cls.why_not = f"mount -t tmpfs failed: {result.stderr.strip()}"
            return None
        return cls(path)

    def free_bytes(self):
        stat = os.statvfs(self.path)
        return stat.f_bavail * stat.f_frsize

    def fill(self, leave=0):
        """Writes a ballast file until about `leave` bytes are free (ENOSPC ends it early)."""
        chunk = b"\0" * (1 << 20)
        with open(self.ballast, "ab") as ballast:
            try:
                while self.free_bytes() > leave + len(chunk):
                    ballast.write(chunk)
                    ballast.flush()
                rest = self.free_bytes() - leave
                if rest > 0:
                    ballast.write(b"\0" * rest)
                    ballast.flush()
            except OSError:
                pass

    def empty(self):
        self.ballast.unlink(missing_ok=True)

    def unmount(self):
        subprocess.run(["umount", "-l", str(self.path)], capture_output=True)


def free_port():
    """A loopback port that was free a moment ago (for a test that must connect before the
    server has announced its port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def persistence_flags(appendonly="yes", appendfsync="always", save="", *more):
    return ["--appendonly", appendonly, "--appendfsync", appendfsync, "--save", save, *more]


def start_cycle(launcher, data_dir, appendfsync, cycle, rng, stats, context, previous=None):
    """Starts the server of one kill cycle of a crash test and waits until it has recovered:
    odd cycles with a tiny auto-aof-rewrite-min-size (the log is rewritten again and again),
    and after the first cycle, one time in five, a server killed while it recovers (or just
    after) and started again. Counts the kills in `stats`; a failed start fails the test."""
    flags = persistence_flags("yes", appendfsync, "")
    if cycle % 2 == 1:
        flags += ["--auto-aof-rewrite-percentage", "100", "--auto-aof-rewrite-min-size", "1kb"]
    server = launcher.start(data_dir, *flags)
    if cycle > 0 and rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, 0.06))
        server.kill()
        stats["kills"] += 1
        stats["kills during recovery"] += 1
        server = launcher.start(data_dir, *flags)
    try:
        server.wait_loaded(timeout=60)
    except Exception as error:  # noqa: BLE001 - any failure to come up fails the test
        prior = f"\n--- previous server ---\n{previous.describe()}" if previous else ""
        pytest.fail(f"{context}: restart failed: {error}\ndata dir: {listing(data_dir)}{prior}", pytrace=False)
    return server


# ----- a minimal RESP2 client: every reply is returned, errors included ------------------


class RespError:
    def __init__(self, message):
        self.message = message

    def __repr__(self):
        return f"RespError({self.message!r})"

    def __eq__(self, other):
        return isinstance(other, RespError) and other.message == self.message


class RawClient:
    """Blocking RESP2 connection. command() returns str for simple strings, RespError for
    errors, int, bytes or None for bulk strings, list for arrays. Raises OSError (including
    ConnectionError) when the connection fails or closes."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def command(self, *args):
        return self.pipeline(args)[0]

    def pipeline(self, *commands):
        """Sends the commands (sequences of arguments) in one write, then returns their
        replies in order."""
        parts = []
        for args in commands:
            parts.append(b"*%d\r\n" % len(args))
            for arg in args:
                if isinstance(arg, str):
                    arg = arg.encode()
                elif isinstance(arg, int):
                    arg = str(arg).encode()
                parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
        self.sock.sendall(b"".join(parts))
        return [self._reply() for _ in commands]

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("connection closed by the server")
        self.buffer += chunk

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buffer) < n + 2:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RespError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ConnectionError(f"unexpected RESP2 line {line!r}")


class Admin:
    """Polls INFO persistence and issues BGSAVE / BGREWRITEAOF / SAVE at the given moments,
    so that kills land during snapshots and rewrites."""

    EXPECTED = {"BGSAVE": "Background saving started",
                "BGREWRITEAOF": "Background append only file rewriting started",
                "SAVE": "OK"}

    def __init__(self, schedule):
        self.schedule = schedule  # [(seconds after start, command)]
        self.accepted = {}
        self.refused = []
        self.last_info = {}

    def run(self, port, go, errors):
        try:
            client = RawClient(port, timeout=30)
        except OSError:
            return
        go.wait()
        start = time.monotonic()
        pending = list(self.schedule)
        try:
            while True:
                now = time.monotonic() - start
                if pending and now >= pending[0][0]:
                    _, command = pending.pop(0)
                    reply = client.command(command)
                    if reply == self.EXPECTED[command]:
                        self.accepted[command] = self.accepted.get(command, 0) + 1
                    elif command == "BGREWRITEAOF" and reply == "Background append only file rewriting scheduled":
                        self.refused.append(f"{command}: {reply}")  # Redis's answer while a snapshot runs
                    elif isinstance(reply, RespError):
                        self.refused.append(f"{command}: {reply.message}")  # e.g. one already running
                    else:
                        errors.append(f"{command} answered {reply!r}, expected {self.EXPECTED[command]!r}")
                        return
                text = client.command("INFO", "persistence")
                if isinstance(text, bytes):
                    self.last_info = dict(line.split(":", 1) for line in text.decode().splitlines() if ":" in line)
                time.sleep(0.01)
        except OSError:
            return
        finally:
            client.close()


# ----- the data directory ----------------------------------------------------------------


def log_segments(data_dir, name=AOF_NAME):
    """The log segments `<name>.<N>` in data_dir, ordered by N."""
    pattern = re.compile(re.escape(name) + r"\.(\d+)$")
    found = []
    for entry in Path(data_dir).iterdir():
        match = pattern.match(entry.name)
        if match and entry.is_file():
            found.append((int(match.group(1)), entry))
    return [path for _, path in sorted(found)]


def snapshot_file(data_dir, name=SNAPSHOT_NAME):
    return Path(data_dir) / name


def listing(data_dir):
    """`name size` for every file of data_dir, for failure messages."""
    rows = []
    for entry in sorted(Path(data_dir).iterdir()):
        try:
            rows.append(f"{entry.name} {entry.stat().st_size}")
        except OSError as error:
            rows.append(f"{entry.name} ({error})")
    return ", ".join(rows) or "(empty)"


def flip_bit(path, offset, bit=0):
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        assert len(byte) == 1, f"{path} has no byte at offset {offset}"
        f.seek(offset)
        f.write(bytes([byte[0] ^ (1 << bit)]))
        f.flush()
        os.fsync(f.fileno())


def overwrite(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def truncate(path, size):
    os.truncate(path, size)


def find_unique(path, needle):
    """Offset of the only occurrence of `needle` in the file (AssertionError otherwise)."""
    data = Path(path).read_bytes()
    first = data.find(needle)
    assert first >= 0, (f"{len(needle)} bytes of a written value not found in {path} ({len(data)} bytes): "
                        "the test locates records by their value bytes (are values compressed?)")
    assert data.find(needle, first + 1) < 0, f"value bytes found twice in {path}"
    return first


def reported_offsets(text):
    """The integers that follow the word `offset` in the text."""
    return [int(m.group(1)) for m in re.finditer(r"offset[^0-9\n]{0,24}?(\d+)", text, re.IGNORECASE)]


def dump(client):
    """Every key and value, through RANGE - +."""
    flat = client.execute_command("RANGE", "-", "+")
    return dict(zip(flat[0::2], flat[1::2]))


def info_persistence(client):
    """INFO persistence as a dict of str to str, from a RawClient or a redis-py client."""
    text = client.command("INFO", "persistence") if isinstance(client, RawClient) else \
        client.execute_command("INFO", "persistence")
    if isinstance(text, dict):  # redis-py parsed it
        return {str(name): str(value) for name, value in text.items()}
    if isinstance(text, RespError):
        raise AssertionError(f"INFO persistence answered {text!r}")
    if isinstance(text, bytes):
        text = text.decode()
    fields = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            name, value = line.split(":", 1)
            fields[name.strip()] = value.strip()
    return fields


def wait_for(predicate, timeout=30, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
