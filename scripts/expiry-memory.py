#!/usr/bin/env python3
"""Memory per key with and without a time to live: loads N keys of 16 bytes with 32-byte
values (--value-size) into a running server (SkipKV or Redis) plainly, then with `EX`, then plainly again,
and prints used_memory per key for each run (the third run shows the first was not a fluke).

    scripts/expiry-memory.py --port 6379 --keys 200000

Needs redis-py (the test venv has it: .build-python/venv/bin/python). FLUSHALLs the server."""
import argparse

import redis


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--keys", type=int, default=200_000)
    parser.add_argument("--value-size", type=int, default=32)
    args = parser.parse_args()
    client = redis.Redis(port=args.port)
    for with_ttl in (False, True, False):
        client.flushall()
        before = client.info("memory")["used_memory"]
        pipe = client.pipeline(transaction=False)
        for i in range(args.keys):
            key = b"key:%012d" % i
            if with_ttl:
                pipe.set(key, b"v" * args.value_size, ex=100_000)
            else:
                pipe.set(key, b"v" * args.value_size)
            if i % 5000 == 4999:
                pipe.execute()
        pipe.execute()
        per_key = (client.info("memory")["used_memory"] - before) / args.keys
        print(f"{'with EX' if with_ttl else 'plain':8} {args.keys} keys, {args.value_size}-byte values: "
              f"used_memory per key {per_key:.1f}")


if __name__ == "__main__":
    main()
