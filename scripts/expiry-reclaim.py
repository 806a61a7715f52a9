#!/usr/bin/env python3
"""How fast expired keys give their memory back when nobody reads them (issue 13).

Loads N keys (16-byte names, 32-byte values) with deadlines spread uniformly over
[start + lead + 1 s, start + lead + 10 s] (PXAT, so the script knows every deadline), then
reads nothing but INFO every 50 ms until every key is gone, and prints:
  - lag: for each poll, how long the oldest expired-but-not-reclaimed key had been expired
    (keys are reclaimed earliest first when the server is exact; for a sampling server this
    is the oldest deadline still present, estimated from the count);
  - when the last key went, relative to the last deadline;
  - used_memory before loading, at the last deadline, and at the end;
  - the server's CPU seconds (INFO cpu) from the end of loading to the end, and, for SkipKV,
    expire_cycle_cpu_milliseconds.

    scripts/expiry-reclaim.py --port 6379 --keys 1000000

Works against SkipKV and Redis alike (FLUSHALLs the server first). Only the standard library."""
import argparse
import random
import socket
import sys
import time


def command(*parts):
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(out)


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buffer = b""

    def send(self, data):
        self.sock.sendall(data)

    def read_line(self):
        while b"\r\n" not in self.buffer:
            self.buffer += self.sock.recv(1 << 20)
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    def read_bulk(self):
        header = self.read_line()
        assert header.startswith(b"$"), header
        size = int(header[1:])
        while len(self.buffer) < size + 2:
            self.buffer += self.sock.recv(1 << 20)
        data, self.buffer = self.buffer[:size], self.buffer[size + 2:]
        return data

    def info(self, section):
        self.send(command(b"INFO", section.encode()))
        fields = {}
        for line in self.read_bulk().decode().splitlines():
            if ":" in line:
                name, _, value = line.partition(":")
                fields[name] = value
        return fields


def cpu_seconds(connection):
    cpu = connection.info("cpu")
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])


def keys_left(connection):
    line = connection.info("keyspace").get("db0")
    if not line:
        return 0
    return int(dict(part.split("=") for part in line.split(","))["keys"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--lead", type=float, default=30.0, help="seconds before the first deadline (loading must fit)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    connection = Connection(args.port)
    connection.send(command(b"FLUSHALL"))
    connection.read_line()
    baseline = int(connection.info("memory")["used_memory"])
    start = time.time()
    first = start + args.lead
    deadlines = sorted(int((first + 1 + rng.random() * 9) * 1000) for _ in range(args.keys))
    order = list(range(args.keys))
    rng.shuffle(order)
    value = b"v" * 32
    batch = 10_000
    for offset in range(0, args.keys, batch):
        chunk = order[offset:offset + batch]
        connection.send(b"".join(command(b"SET", b"key:%012d" % i, value, b"PXAT", str(deadlines[i]).encode()) for i in chunk))
        for _ in chunk:
            reply = connection.read_line()
            assert reply == b"+OK", reply
    loaded = time.time()
    if loaded * 1000 >= deadlines[0]:
        sys.exit(f"loading took {loaded - start:.1f} s, past the first deadline: raise --lead")
    cpu_start = cpu_seconds(connection)
    cycle_start = int(connection.info("stats").get("expire_cycle_cpu_milliseconds", 0))
    print(f"loaded {args.keys} keys in {loaded - start:.1f} s; used_memory {baseline} -> "
          f"{connection.info('memory')['used_memory']}; deadlines from +{(deadlines[0] / 1000 - loaded):.1f} s "
          f"to +{(deadlines[-1] / 1000 - loaded):.1f} s")
    lags = []
    memory_at_last_deadline = None
    while True:
        time.sleep(0.05)
        now_ms = time.time() * 1000
        left = keys_left(connection)
        gone = args.keys - left
        if gone < args.keys and deadlines[gone] < now_ms:
            lags.append(now_ms - deadlines[gone])   # the oldest deadline still present
        elif deadlines[0] < now_ms:
            lags.append(0.0)
        if memory_at_last_deadline is None and now_ms >= deadlines[-1]:
            memory_at_last_deadline = int(connection.info("memory")["used_memory"])
        if left == 0:
            break
        if now_ms > deadlines[-1] + 60_000:
            sys.exit(f"{left} keys still present 60 s after the last deadline")
    end = time.time()
    lags.sort()
    def pick(q):
        return lags[min(len(lags) - 1, int(q * len(lags)))] if lags else 0.0
    cycle = int(connection.info("stats").get("expire_cycle_cpu_milliseconds", 0)) - cycle_start
    print(f"last key gone {(end * 1000 - deadlines[-1]):.0f} ms after the last deadline (polling every 50 ms)")
    print(f"lag of the oldest expired key still present, over {len(lags)} polls: "
          f"p50 {pick(0.5):.0f} ms, p99 {pick(0.99):.0f} ms, max {lags[-1] if lags else 0:.0f} ms")
    print(f"used_memory: before load {baseline}, at the last deadline {memory_at_last_deadline}, "
          f"end {connection.info('memory')['used_memory']}")
    print(f"server CPU from end of load to end: {cpu_seconds(connection) - cpu_start:.2f} s over "
          f"{end - loaded:.1f} s; expire cycle (SkipKV only): {cycle} ms")


if __name__ == "__main__":
    main()
