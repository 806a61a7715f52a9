"""A minimal RESP client that keeps every reply's exact bytes, for tests that compare two
servers' replies byte for byte (redis-py would parse them into equal Python values and hide
differences in framing, types and error texts).

Speaks RESP2 and RESP3: a reply is read by its type byte only, so it follows whatever the
server switched to after HELLO.
"""
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    """One reply: `raw` is every byte of it as received; `items` are the elements of an
    aggregate (array, set, map, push, attribute, in order), None for anything else."""
    raw: bytes
    items: tuple = None

    @property
    def is_error(self):
        return self.raw[:1] in (b"-", b"!")


_LINE_TYPES = frozenset(b"+-:_,#(")
_BULK_TYPES = frozenset(b"$!=")
_AGGREGATE_TYPES = frozenset(b"*~>%|")
_PAIR_TYPES = frozenset(b"%|")  # maps and attributes count pairs


def encode(args):
    """A command as a RESP multibulk request (the form every server accepts)."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


class Connection:
    def __init__(self, address, timeout=10.0):
        family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(address)
        self.buffer = bytearray()
        self.position = 0

    def close(self):
        self.sock.close()

    def call(self, args):
        self.send(args)
        return self.read()

    def send(self, args):
        self.sock.sendall(encode(args))

    def read(self):
        """The next complete reply; raises ConnectionError if the server closed the connection."""
        reply = self._reply()
        if self.position > 1 << 16:
            del self.buffer[:self.position]
            self.position = 0
        return reply

    def _fill(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data

    def _line(self):
        while True:
            end = self.buffer.find(b"\r\n", self.position)
            if end >= 0:
                line = bytes(self.buffer[self.position:end + 2])
                self.position = end + 2
                return line
            self._fill()

    def _exactly(self, count):
        while len(self.buffer) - self.position < count:
            self._fill()
        data = bytes(self.buffer[self.position:self.position + count])
        self.position += count
        return data

    def _reply(self):
        header = self._line()
        kind = header[0]
        if kind in _LINE_TYPES:
            return Reply(header)
        length = int(header[1:-2])
        if kind in _BULK_TYPES:
            return Reply(header if length < 0 else header + self._exactly(length + 2))
        if kind in _AGGREGATE_TYPES:
            if length < 0:
                return Reply(header)
            count = length * 2 if kind in _PAIR_TYPES else length
            items = tuple(self._reply() for _ in range(count))
            raw = header + b"".join(item.raw for item in items)
            if kind == ord("|"):  # an attribute precedes the reply it annotates
                annotated = self._reply()
                return Reply(raw + annotated.raw, annotated.items)
            return Reply(raw, items)
        raise ValueError(f"not a RESP reply: {header!r}")
