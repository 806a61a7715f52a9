"""RANGE / RANGECOUNT / RANGEDEL against a sorted model, and writers racing range scans."""
import itertools
import random
import threading

import pytest
import redis


def build(r, rng, n=250):
    alphabet = [b"\x00", b"a", b"b", b"z", b"\xff", b"\r\n"]
    model = {}
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        key = b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4)))
        model[key] = b"v%d" % i
        pipe.set(key, model[key])
    pipe.execute()
    return model


def bound_sets(keys, rng):
    probes = [b"", b"a", b"b\x00", b"\xff\xff\xff"] + rng.sample(keys, 3)
    bounds = [(b"-", lambda k: True, lambda k: False), (b"+", lambda k: False, lambda k: True)]
    for p in probes:
        bounds.append((b"[" + p, lambda k, p=p: k >= p, lambda k, p=p: k <= p))
        bounds.append((b"(" + p, lambda k, p=p: k > p, lambda k, p=p: k < p))
    return bounds


def test_range_matches_model(r):
    rng = random.Random(7)
    model = build(r, rng)
    keys = sorted(model)
    limits = [None, (0, -1), (0, 0), (2, 3), (1000, 5), (-1, 5)]
    pipe = r.pipeline(transaction=False)
    expected = []
    for (lo_text, lo, _), (hi_text, _, hi) in itertools.product(bound_sets(keys, rng), repeat=2):
        selected = [k for k in keys if lo(k) and hi(k)]
        pipe.execute_command("RANGECOUNT", lo_text, hi_text)
        expected.append(len(selected))
        for rev, limit, novalues in itertools.product([False, True], limits, [False, True]):
            ordered = selected[::-1] if rev else selected
            args = ["RANGE", lo_text, hi_text]
            if rev:
                args.append("REV")
            if limit:
                offset, count = limit
                args += ["LIMIT", offset, count]
                ordered = [] if offset < 0 else ordered[offset:]
                if count >= 0:
                    ordered = ordered[:count]
            if novalues:
                args.append("NOVALUES")
            pipe.execute_command(*args)
            expected.append([x for k in ordered for x in ((k,) if novalues else (k, model[k]))])
    assert pipe.execute() == expected


def test_rangedel_and_errors(r):
    r.mset({"a": 1, "b": 2, "c": 3, "d": 4})
    assert r.execute_command("RANGECOUNT", "(a", "[c") == 2
    assert r.execute_command("RANGEDEL", "(a", "[c") == 2
    assert r.execute_command("RANGE", "-", "+", "NOVALUES") == [b"a", b"d"]
    with pytest.raises(redis.ResponseError, match="^min or max not valid string range item$"):
        r.execute_command("RANGE", "a", "+")
    with pytest.raises(redis.ResponseError, match="^syntax error$"):
        r.execute_command("RANGE", "-", "+", "LIMIT", "1")
    assert r.execute_command("RANGE", "+", "-") == []


def test_writers_racing_range_scans(server, protocol):
    reader = redis.Redis(port=server.port, protocol=protocol)
    reader.flushall()
    stable = [b"s%05d" % (2 * i) for i in range(1000)]
    pipe = reader.pipeline(transaction=False)
    for k in stable:
        pipe.set(k, k)
    pipe.execute()
    stop = threading.Event()
    errors = []

    def writer(seed):
        client = redis.Redis(port=server.port, protocol=protocol)
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                key = b"s%05d" % (2 * rng.randrange(1000) + 1)
                if rng.random() < 0.5:
                    client.set(key, key)
                else:
                    client.delete(key)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    try:
        for round_ in range(30):
            rev = round_ % 2 == 1
            args = ["RANGE", "-", "+"] + (["REV"] if rev else [])
            flat = reader.execute_command(*args)
            keys = flat[0::2]
            assert flat[1::2] == keys
            assert keys == sorted(keys, reverse=rev)
            assert set(stable) <= set(keys)
            assert reader.execute_command("RANGECOUNT", "-", "+") >= len(stable)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
