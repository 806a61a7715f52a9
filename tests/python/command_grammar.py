"""The command grammar of the differential test (test_differential.py): from a seeded
random.Random, commands over a small key space, so that they collide.

Each `Entry` generates one kind of command and names, in `requires`, the commands a server
must list in `COMMAND LIST` for the entry to be used. The test keeps only the entries
skipkv-server supports, so an entry for a command SkipKV does not have yet (the later
entries below) waits, unused, until the server gains the command; then it joins the stream
with no change here. `test_grammar_is_deterministic` runs every entry Redis supports against
two redis-servers, so an entry is known to be replayable before SkipKV picks it up.

Adding a command: one line for `COMMAND <drawn arguments>`, such as
`STRLEN = simple("strlen", one_key, weight=5)`, or a function decorated with `@single(...)`
(one command) or `@sequence(...)` (set-up commands, then the one under test).

Entries must produce commands whose replies are a function of the commands before them:
nothing that depends on time, randomness in the server (RANDOMKEY, SCAN cursors), memory
layout (OBJECT, MEMORY USAGE) or a second database.
"""
from dataclasses import dataclass
from typing import Callable

# Short, long (SkipKV keeps keys over 16 bytes out of line), prefix-sharing, binary, empty and
# glob-special keys; few enough that commands often hit the same key.
KEYS = [
    b"k1", b"k2", b"k3", b"k4", b"k10", b"counter", b"K1", b"", b"a\r\nb", b"nul\x00key",
    b"\xff\xfe\x00", b"k*?[", b"key with spaces", b"k1:" + b"long" * 10, b"k1:" + b"long" * 10 + b"\x00",
]

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

# Integer arguments: ordinary, at the 64-bit edges, past them, and not integers at all.
INTEGER_ARGS = [
    b"0", b"1", b"-1", b"7", b"-13", b"100", str(INT64_MAX).encode(), str(INT64_MIN).encode(),
    str(INT64_MAX + 1).encode(), str(INT64_MIN - 1).encode(), b"99999999999999999999",
    b"", b"abc", b"1.5", b"+1", b"01", b" 1", b"1 ", b"-0", b"0x10", b"1e3", b"\x00",
]

# Values that look like integers to INCR and friends, and those that nearly do.
NUMERIC_VALUES = [
    b"0", b"1", b"-1", b"42", b"-100", str(INT64_MAX).encode(), str(INT64_MIN).encode(),
    str(INT64_MAX - 1).encode(), str(INT64_MIN + 1).encode(), str(INT64_MAX + 1).encode(),
    b"007", b" 1", b"1 ", b"+5", b"1.5", b"-0", b"-01", b"00", b"1e3", b"9" * 25,
]

KEY_PATTERNS = [
    b"*", b"k*", b"k?", b"k[1-3]", b"k[^1]*", b"[kK]1", b"*\r\n*", b"*\x00*", b"\\*", b"k\\*?\\[",
    b"", b"?", b"[", b"[a-", b"[z-a]*", b"*[\xff]*", b"k[]*", b"key*spaces", b"**", b"*1",
    b"[\\]]", b"nul*", b"K*", b"k\\", b"[^", b"[]]", b"*[", b"k1:*long", b"k1:long*\x00", b"k1?", b"*0",
]


class Generator:
    """The random choices every entry draws from; `rng` is the seeded random.Random."""

    def __init__(self, rng):
        self.rng = rng

    def key(self):
        return self.rng.choice(KEYS)

    def keys(self, low=1, high=5):
        if self.rng.random() < 0.03:  # now and then a long list, with many repeats
            high = 100
        return [self.key() for _ in range(self.rng.randint(low, high))]

    def value(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            return rng.choice([b"v", b"hello", b"abc", b"x" * rng.randint(1, 40), b"hello world"])
        if roll < 0.65:
            return rng.choice(NUMERIC_VALUES) if rng.random() < 0.4 else str(rng.randint(-1000, 1000)).encode()
        if roll < 0.75:
            return b""
        if roll < 0.97:
            return rng.choice([b"\r\n", b"\x00", b"a\r\nb\x00c", b""]) + rng.randbytes(rng.randint(0, 24))
        return rng.randbytes(rng.randint(1000, 20000))

    def integer(self):
        roll = self.rng.random()
        if roll < 0.45:
            return self.rng.choice(INTEGER_ARGS)
        if roll < 0.55:
            return str(self.rng.randint(INT64_MIN, INT64_MAX)).encode()
        return str(self.rng.randint(-50, 50)).encode()

    def pattern(self):
        """A glob pattern: a chosen one, or random bytes from the glob syntax and the keys."""
        if self.rng.random() < 0.6:
            return self.rng.choice(KEY_PATTERNS)
        return bytes(self.rng.choice(b"k1K:*?[]^-\\a\x00\xff") for _ in range(self.rng.randint(0, 8)))

    def name(self, command):
        """The command name in upper, lower or mixed case (names are case-insensitive)."""
        roll = self.rng.random()
        if roll < 0.7:
            return command.upper()
        if roll < 0.9:
            return command.lower()
        return b"".join(bytes([c]).upper() if self.rng.random() < 0.5 else bytes([c]).lower() for c in command)

    def options(self, pool, most=3):
        """Up to `most` option words from `pool`, in random order and case, repeats allowed."""
        return [self.name(self.rng.choice(pool)) for _ in range(self.rng.randint(0, most))]


@dataclass(frozen=True)
class Entry:
    requires: tuple          # command names (lower case) the server must list
    weight: int              # relative frequency
    generate: Callable       # Generator -> list of commands, each a list of bytes arguments


def single(*requires, weight=10):
    """An entry that generates one command."""
    def wrap(function):
        return Entry(requires, weight, lambda g: [function(g)])
    return wrap


def simple(command, *arguments, weight=10):
    """An entry for `command` followed by one draw of each of `arguments`: functions of the
    Generator returning one argument (bytes) or several (a list)."""
    name = command.encode()

    def generate(g):
        args = [g.name(name)]
        for draw in arguments:
            drawn = draw(g)
            if isinstance(drawn, list):
                args.extend(drawn)
            else:
                args.append(drawn)
        return [args]
    return Entry((command,), weight, generate)


one_key, some_keys, one_value, one_integer = Generator.key, Generator.keys, Generator.value, Generator.integer


def sequence(*requires, weight=10):
    """An entry that generates several commands (set-up, then the command under test)."""
    def wrap(function):
        return Entry(requires, weight, function)
    return wrap


# --- Strings ---------------------------------------------------------------------------------

GET = simple("get", one_key, weight=20)


@single("set", weight=30)
def set_(g):
    pool = [b"NX", b"XX", b"GET"] * 10 + [b"FOO", b"NXX", b"", b"GETT"]
    return [g.name(b"set"), g.key(), g.value(), *g.options(pool)]


@single("set", weight=4)
def set_expiry_refused_by_both(g):
    """Expiry options Redis refuses too (bad numbers, conflicts), so both reply an error and
    neither writes. The accepted ones are in `set_expiry` below."""
    forms = [
        [b"EX"], [b"EX", b"abc"], [b"EX", b"0"], [b"EX", b"-1"], [b"PX", b"0"], [b"EX", b"1.5"],
        [b"EX", b""], [b"EX", b"10", b"PX", b"10"], [b"EX", b"10", b"KEEPTTL"], [b"KEEPTTL", b"PX", b"5"],
        [b"NX", b"XX", b"EX", b"10"], [b"EXAT", b"0"], [b"PXAT", b"-1"], [b"EX", b"10", b"EX", b"abc"],
        [b"PX", b"0", b"PX", b"0"], [b"EX", str(INT64_MAX).encode()], [b"PX", str(INT64_MAX).encode()],
        [b"EXAT", str(INT64_MAX + 1).encode()], [b"PXAT", str(INT64_MAX).encode() + b"0"],
    ]
    form = [g.name(word) if word.isalpha() else word for word in g.rng.choice(forms)]
    return [g.name(b"set"), g.key(), g.value(), *form]


@single("set", "expire", weight=6)
def set_expiry(g):
    """Expiry options Redis accepts (the entry requires EXPIRE, which both servers have). Times
    are far in the future so no key expires during the run."""
    expiry = g.rng.choice([
        [b"EX", b"100000"], [b"PX", b"100000000"], [b"EXAT", b"4000000000"],
        [b"PXAT", b"4000000000000"], [b"KEEPTTL"],
        # Redis takes the last of a repeated option, even after an invalid number.
        [b"KEEPTTL", b"KEEPTTL"], [b"EX", b"abc", b"EX", b"100000"], [b"PX", b"10", b"PX", b"100000000"],
    ])
    return [g.name(b"set"), g.key(), g.value(), *expiry, *g.options([b"NX", b"XX", b"GET"], 2)]


SETNX = simple("setnx", one_key, one_value)


GETSET = simple("getset", one_key, one_value)


GETDEL = simple("getdel", one_key)


MGET = simple("mget", some_keys)


@single("mset")
def mset(g):
    args = [item for _ in range(g.rng.randint(1, 4)) for item in (g.key(), g.value())]
    if g.rng.random() < 0.1:  # an odd count: Redis's own arity message
        args.append(g.key())
    return [g.name(b"mset"), *args]


INCR = simple("incr", one_key, weight=8)


DECR = simple("decr", one_key, weight=8)


INCRBY = simple("incrby", one_key, one_integer, weight=8)


DECRBY = simple("decrby", one_key, one_integer, weight=8)


@sequence("set", "incrby", "decrby", weight=4)
def counter_near_the_edge(g):
    """A counter a step away from a 64-bit limit, then a step that may cross it (random values
    rarely land there)."""
    start = g.rng.choice([INT64_MAX - 1, INT64_MAX, INT64_MIN + 1, INT64_MIN, -1, 0])
    step = g.rng.choice([b"1", b"2", b"-1", b"-2", str(INT64_MAX).encode(), str(INT64_MIN).encode()])
    return [[b"SET", b"counter", str(start).encode()], [g.name(g.rng.choice([b"incrby", b"decrby"])), b"counter", step]]


APPEND = simple("append", one_key, one_value)


STRLEN = simple("strlen", one_key, weight=5)


# --- Keyspace --------------------------------------------------------------------------------

DEL = simple("del", some_keys, weight=6)


UNLINK = simple("unlink", some_keys, weight=4)


EXISTS = simple("exists", some_keys, weight=5)


TYPE = simple("type", one_key, weight=4)


DBSIZE = simple("dbsize", weight=3)


@single("keys", weight=6)
def keys(g):
    return [g.name(b"keys"), g.pattern()]


@single("flushdb", weight=1)
def flushdb(g):
    return [g.name(b"flushdb"), *g.rng.choice([[], [b"ASYNC"], [b"SYNC"], [b"async"], [b"LATER"], [b"SYNC", b"SYNC"]])]


# --- Errors every server must word alike -----------------------------------------------------

@single(weight=2)
def unknown_command(g):
    """A name no server has; Redis's message quotes it and the first arguments, cut at 128 bytes.
    Not a known name followed by a NUL ("get\\0"): whether Redis then finds GET differs from one
    redis-server process to the next (2 of 30 fresh ones did; it compares names as C strings, so a
    hash-bucket collision with GET, which its random hash seed decides, is the likely cause)."""
    name = g.rng.choice([b"NOSUCHCOMMAND", b"GETX", b"x" * 200, b"s\r\net", b"", b"GET "])
    return [name, *g.keys(0, 3), *([g.value()] if g.rng.random() < 0.3 else [])]


# --- Commands SkipKV does not have yet (issue 12); each joins when the server lists it -------

FLOAT_ARGS = [b"1.5", b"-0.1", b"1e3", b"5", b"0", b"-5.0e-3", b"inf", b"-inf", b"nan", b"abc", b"",
              b"1.7976931348623157e308", b"3.0e3", b"0x10", b" 1", b"1.", b".5"]


def float_arg(g):
    return g.rng.choice(FLOAT_ARGS)


INCRBYFLOAT = simple("incrbyfloat", one_key, float_arg, weight=6)


def range_bound(g):
    return g.rng.choice([b"0", b"-1", b"1", b"3", b"-5", b"100", b"-100", str(INT64_MAX).encode(),
                         str(INT64_MIN).encode(), b"x", b"1.0"])


GETRANGE = simple("getrange", one_key, range_bound, range_bound, weight=5)


SUBSTR = simple("substr", one_key, range_bound, range_bound, weight=2)


@single("setrange", weight=5)
def setrange(g):
    # Offsets stay small or are refused outright: one past 512 MB - 1 would make Redis allocate it.
    offset = g.rng.choice([b"0", b"1", b"5", b"17", b"100", b"-1", b"x", b"536870912", str(INT64_MAX).encode()])
    return [g.name(b"setrange"), g.key(), offset, g.value()]


@single("msetnx", weight=5)
def msetnx(g):
    args = [item for _ in range(g.rng.randint(1, 3)) for item in (g.key(), g.value())]
    if g.rng.random() < 0.1:
        args.append(g.key())
    return [g.name(b"msetnx"), *args]


@sequence("lcs", "set", weight=3)
def lcs(g):
    """On two keys of its own with short values: LCS is quadratic in the values' lengths."""
    def short():
        return bytes(g.rng.choice(b"abcde") for _ in range(g.rng.randint(0, 12)))
    options = g.rng.choice([[], [b"LEN"], [b"IDX"], [b"IDX", b"WITHMATCHLEN"], [b"IDX", b"MINMATCHLEN", b"2"],
                            [b"IDX", b"MINMATCHLEN", b"x"], [b"LEN", b"IDX"], [b"FOO"]])
    return [[b"SET", b"lcs:a", short()], [b"SET", b"lcs:b", short()],
            [g.name(b"lcs"), b"lcs:a", g.rng.choice([b"lcs:b", b"lcs:missing"]), *options]]


def bit_offset(g):
    return g.rng.choice([b"0", b"1", b"7", b"8", b"63", b"100", b"-1", b"x", b"4294967296"])


@single("setbit", weight=4)
def setbit(g):
    return [g.name(b"setbit"), g.key(), bit_offset(g), g.rng.choice([b"0", b"1", b"1", b"2", b"x"])]


GETBIT = simple("getbit", one_key, bit_offset, weight=4)


@single("bitcount", weight=3)
def bitcount(g):
    extra = g.rng.choice([[], [range_bound(g), range_bound(g)], [range_bound(g), range_bound(g), b"BIT"],
                          [range_bound(g), range_bound(g), b"BYTE"], [b"0"], [b"0", b"1", b"WORD"]])
    return [g.name(b"bitcount"), g.key(), *extra]


@single("bitpos", weight=3)
def bitpos(g):
    extra = g.rng.choice([[], [range_bound(g)], [range_bound(g), range_bound(g)],
                          [range_bound(g), range_bound(g), b"BIT"], [b"0", b"-1", b"BYTE"]])
    return [g.name(b"bitpos"), g.key(), g.rng.choice([b"0", b"1", b"2"]), *extra]


@single("bitop", weight=3)
def bitop(g):
    operation = g.rng.choice([b"AND", b"OR", b"XOR", b"NOT", b"nand"])
    return [g.name(b"bitop"), g.name(operation), g.key(), *g.keys(1, 3)]


def _bitfield_type(g):
    return g.rng.choice([b"i1", b"i8", b"u8", b"i16", b"u63", b"i64", b"u64", b"i0", b"x8"])


def _bitfield_operation(g, read_only):
    offset = g.rng.choice([b"0", b"3", b"#1", b"100", b"-1"])
    if read_only or g.rng.random() < 0.3:
        return [b"GET", _bitfield_type(g), offset]
    return g.rng.choice([
        [b"SET", _bitfield_type(g), offset, g.integer()],
        [b"INCRBY", _bitfield_type(g), offset, g.integer()],
        [b"OVERFLOW", g.rng.choice([b"WRAP", b"SAT", b"FAIL", b"NONE"])],
    ])


@single("bitfield", weight=3)
def bitfield(g):
    return [g.name(b"bitfield"), g.key(), *[a for _ in range(g.rng.randint(0, 3)) for a in _bitfield_operation(g, False)]]


@single("bitfield_ro", weight=2)
def bitfield_ro(g):
    return [g.name(b"bitfield_ro"), g.key(), *[a for _ in range(g.rng.randint(0, 3)) for a in _bitfield_operation(g, True)]]


RENAME = simple("rename", one_key, one_key, weight=3)


RENAMENX = simple("renamenx", one_key, one_key, weight=3)


@single("copy", weight=3)
def copy(g):
    # No DB option: SkipKV has one database, and Redis would copy into another.
    return [g.name(b"copy"), g.key(), g.key(), *g.rng.choice([[], [b"REPLACE"], [b"replace"], [b"FOO"]])]


TOUCH = simple("touch", some_keys, weight=2)


# --- Key expiry (issue 13); each joins when the server lists it ------------------------------
# No key may expire during a run, and no reply may depend on when a command ran: relative times
# are a day or more; absolute times are decades ahead (or long past, which deletes at once); GT
# and LT never compare two relative times (the same duration given twice compares equal or
# greater by whether a millisecond passed between the commands); TTL-like replies are compared
# only as -2, -1 or positive (test_differential.ALLOWED_DIFFERENCES; test_expiry.py checks them
# within a tolerance). Refused times are refused whenever they are sent.

EXPIRY_CONDITIONS = [b"NX", b"XX", b"GT", b"LT"]


def _expire_entry(command, future, past, refused, comparable):
    """An entry for `command key time [conditions]`: a time from `future`, `past` (the key is
    deleted) or `refused`; GT and LT with a future time only if the times are `comparable`
    (absolute), and now and then an unknown condition."""
    name = command.encode()

    def generate(g):
        roll = g.rng.random()
        if roll < 0.6:
            time, pool = g.rng.choice(future), EXPIRY_CONDITIONS if comparable else [b"NX", b"XX"]
        elif roll < 0.8:
            time, pool = g.rng.choice(past), EXPIRY_CONDITIONS
        else:
            time, pool = g.rng.choice(refused), EXPIRY_CONDITIONS
        conditions = g.options(pool * 4 + [b"AB", b"NXX"], 2)
        return [[g.name(name), g.key(), time, *conditions]]
    return Entry((command,), 4, generate)


REFUSED_SECONDS = [b"abc", b"", b"1.5", b" 1", b"99999999999999999999", str(INT64_MAX).encode(), str(INT64_MIN).encode(),
                   b"9223372036854776", b"-9223372036854776", b"10000000000000000"]
REFUSED_MILLISECONDS = [b"abc", b"", b"1e3", str(INT64_MAX + 1).encode(), str(INT64_MAX).encode(), b"9223372036854770000"]

EXPIRE = _expire_entry("expire", [b"100000", b"250000"], [b"0", b"-1", b"-100000"], REFUSED_SECONDS, False)
PEXPIRE = _expire_entry("pexpire", [b"100000000", b"250000000"], [b"0", b"-1", str(INT64_MIN).encode()],
                        REFUSED_MILLISECONDS, False)
EXPIREAT = _expire_entry("expireat", [b"3000000000", b"4000000000", b"9223372036854775"], [b"0", b"1", b"-1"],
                         REFUSED_SECONDS, True)
PEXPIREAT = _expire_entry("pexpireat", [b"3000000000000", b"3500000000123", str(INT64_MAX).encode()],
                          [b"0", b"1", b"-1", str(INT64_MIN).encode()], [b"abc", b"", b"1e3", str(INT64_MAX + 1).encode()], True)


TTL = simple("ttl", one_key, weight=4)


PTTL = simple("pttl", one_key, weight=3)


EXPIRETIME = simple("expiretime", one_key, weight=3)


PEXPIRETIME = simple("pexpiretime", one_key, weight=3)


PERSIST = simple("persist", one_key, weight=3)


@single("getex", weight=5)
def getex(g):
    option = g.rng.choice([
        [], [b"EX", b"100000"], [b"PX", b"100000000"], [b"EXAT", b"4000000000"], [b"PXAT", b"3500000000123"],
        [b"PERSIST"], [b"EXAT", b"1"], [b"PXAT", b"1"],
        # Refused (on an existing key; a missing key gets nil before the time is read).
        [b"EX", b"0"], [b"PX", b"-1"], [b"EXAT", b"0"], [b"EX", b"abc"], [b"EX", str(INT64_MAX).encode()],
        [b"EX"], [b"FOO"], [b"EX", b"10", b"PX", b"10"], [b"PERSIST", b"EX", b"100000"],
        # Repeats: the last one counts.
        [b"EX", b"abc", b"EX", b"100000"], [b"PERSIST", b"PERSIST"], [b"PX", b"100000000", b"PX", b"0"],
    ])
    return [g.name(b"getex"), g.key(), *[g.name(word) if word.isalpha() else word for word in option]]


@single("setex", weight=4)
def setex(g):
    seconds = g.rng.choice([b"100000", b"250000", b"0", b"-1", b"abc", b"", b"1.5", str(INT64_MAX).encode(),
                            b"9223372036854775", b"9223372036854774"])
    return [g.name(b"setex"), g.key(), seconds, g.value()]


@single("psetex", weight=4)
def psetex(g):
    milliseconds = g.rng.choice([b"100000000", b"250000000", b"0", b"-1", b"abc", str(INT64_MAX).encode(),
                                 b"9223372036854770000", b"92233720368547700"])
    return [g.name(b"psetex"), g.key(), milliseconds, g.value()]


# --- Transactions ----------------------------------------------------------------------------

@sequence("multi", "exec", "discard", "watch", "unwatch", weight=6)
def transaction(g):
    """Maybe WATCH some keys (and maybe write one of them), then MULTI, a few commands drawn
    from the rest of the grammar (queued; any refused one makes EXEC answer EXECABORT), and
    EXEC, or now and then DISCARD, a nested MULTI or an UNWATCH inside."""
    commands = []
    watched = g.keys(1, 3) if g.rng.random() < 0.5 else []
    if watched:
        commands.append([g.name(b"watch"), *watched])
        if g.rng.random() < 0.3:
            commands.append([b"SET", g.rng.choice(watched), g.value()])
    commands.append([g.name(b"multi")])
    inner = [entry for entry in g.entries if entry.generate is not transaction.generate]
    for _ in range(g.rng.randint(0, 4)):
        commands.extend(g.rng.choices(inner, [entry.weight for entry in inner])[0].generate(g))
        if g.rng.random() < 0.05:
            commands.append([g.name(g.rng.choice([b"multi", b"unwatch", b"watch"])), g.key()][:1 if g.rng.random() < 0.7 else 2])
    commands.append([g.name(b"discard" if g.rng.random() < 0.1 else b"exec")])
    return commands


ENTRIES = [value for value in list(globals().values()) if isinstance(value, Entry)]


def wrong_arity(g, arities):
    """A command of the grammar with one argument too many (fixed arity) or too few (a minimum);
    `arities` maps names to Redis's COMMAND INFO arity."""
    name, arity = g.rng.choice(sorted(arities.items()))
    count = arity + 1 if arity > 0 else g.rng.randint(1, -arity - 1)
    return [g.name(name), *(g.key() for _ in range(count - 1))]


def generate(seed_rng, entries, arities, count):
    """`count` or a few more commands from the given entries, plus wrong-arity commands for the
    grammar's commands that have an arity to get wrong."""
    g = Generator(seed_rng)
    g.entries = entries
    wrong = {name: arity for name, arity in arities.items() if arity > 0 or arity < -1}
    weights = [entry.weight for entry in entries]
    commands = []
    while len(commands) < count:
        if wrong and g.rng.random() < 0.03:
            commands.append(wrong_arity(g, wrong))
        else:
            commands.extend(g.rng.choices(entries, weights)[0].generate(g))
    return commands
