/// Encodes replies into a connection's `ByteQueue` in the connection's RESP version.
///
/// RESP3-only types degrade the way Redis degrades them for RESP2 clients: null and null
/// array become `$-1` and `*-1`, maps become flat arrays of 2n elements, sets become arrays,
/// doubles become bulk strings, booleans become integers 1 / 0 and verbatim strings become
/// plain bulk strings.
///
/// Every method reserves the whole reply element with one capacity check and formats integers
/// in place, so writing a reply allocates nothing unless the buffer has to grow. (The
/// exceptions are off the hot path: `writeDouble` of a non-integral value goes through
/// Swift's `description`, which allocates when the text exceeds 15 bytes, and
/// `writeError(_: ProtocolError)` builds its message.)
public struct ReplyWriter: ~Copyable {
    /// The encoded replies; hand `output.readableBytes` to the socket and `consume` what
    /// was written.
    public var output: ByteQueue
    /// Switchable at any time (`HELLO`); affects replies written afterwards.
    public var version: RESPVersion

    public init(version: RESPVersion = .resp2, initialCapacity: Int = 16 * 1024) {
        self.output = ByteQueue(initialCapacity: initialCapacity)
        self.version = version
    }

    // MARK: Simple replies

    /// `+OK`, the most common reply, from a constant.
    @inlinable
    public mutating func writeOK() {
        let target = output.reserveWritable(5)
        target.storeBytes(of: UInt8(ascii: "+"), as: UInt8.self)
        target.storeBytes(of: UInt8(ascii: "O"), toByteOffset: 1, as: UInt8.self)
        target.storeBytes(of: UInt8(ascii: "K"), toByteOffset: 2, as: UInt8.self)
        target.storeBytes(of: UInt8(ascii: "\r"), toByteOffset: 3, as: UInt8.self)
        target.storeBytes(of: UInt8(ascii: "\n"), toByteOffset: 4, as: UInt8.self)
        output.writerIndex += 5
    }

    /// `+<text>`; CR and LF in `text` become spaces so the reply cannot break framing.
    @inlinable
    public mutating func writeSimpleString(_ text: String) {
        writeLine(UInt8(ascii: "+"), text)
    }

    /// `-<message>`. `message` starts with the error code, as in `"ERR syntax error"` or
    /// `"WRONGTYPE Operation against a key holding the wrong kind of value"`; CR and LF
    /// become spaces, as Redis does.
    @inlinable
    public mutating func writeError(_ message: String) {
        writeLine(UInt8(ascii: "-"), message)
    }

    /// The `-ERR Protocol error: ...` reply for a malformed request.
    public mutating func writeError(_ error: ProtocolError) {
        writeError("ERR " + error.message)
    }

    /// `:<value>`.
    @inlinable
    public mutating func writeInteger(_ value: Int64) {
        writeHeader(UInt8(ascii: ":"), value)
    }

    @inlinable
    public mutating func writeInteger(_ value: Int) {
        writeHeader(UInt8(ascii: ":"), Int64(value))
    }

    // MARK: Strings

    /// `$<length>\r\n<bytes>\r\n`; binary-safe.
    @inlinable
    public mutating func writeBulkString(_ bytes: UnsafeRawBufferPointer) {
        let length = Int64(bytes.count)
        let digits = DecimalFormatting.length(of: length)
        let total = 1 + digits + 2 + bytes.count + 2
        let target = output.reserveWritable(total)
        target.storeBytes(of: UInt8(ascii: "$"), as: UInt8.self)
        DecimalFormatting.write(length, to: target + 1)
        var position = 1 + digits
        storeCRLF(target + position)
        position += 2
        if let source = bytes.baseAddress {
            (target + position).copyMemory(from: source, byteCount: bytes.count)
        }
        storeCRLF(target + position + bytes.count)
        output.writerIndex += total
    }

    @inlinable
    public mutating func writeBulkString(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { writeBulkString($0) }
    }

    @inlinable
    public mutating func writeBulkString(_ text: String) {
        var text = text
        text.withUTF8 { writeBulkString(UnsafeRawBufferPointer($0)) }
    }

    /// RESP3 `=<length>\r\n<fmt>:<bytes>\r\n`; RESP2 a bulk string of `bytes` alone.
    @inlinable
    public mutating func writeVerbatimString(_ bytes: UnsafeRawBufferPointer, format: VerbatimFormat = .text) {
        guard version == .resp3 else {
            writeBulkString(bytes)
            return
        }
        writeHeader(UInt8(ascii: "="), Int64(bytes.count + 4))
        let tag = format.tag
        let target = output.reserveWritable(4)
        target.storeBytes(of: tag.0, as: UInt8.self)
        target.storeBytes(of: tag.1, toByteOffset: 1, as: UInt8.self)
        target.storeBytes(of: tag.2, toByteOffset: 2, as: UInt8.self)
        target.storeBytes(of: UInt8(ascii: ":"), toByteOffset: 3, as: UInt8.self)
        output.writerIndex += 4
        output.append(bytes)
        output.append(UInt8(ascii: "\r"), UInt8(ascii: "\n"))
    }

    @inlinable
    public mutating func writeVerbatimString(_ text: String, format: VerbatimFormat = .text) {
        var text = text
        text.withUTF8 { writeVerbatimString(UnsafeRawBufferPointer($0), format: format) }
    }

    // MARK: Nulls

    /// A missing value: RESP3 `_`, RESP2 the null bulk string `$-1`.
    @inlinable
    public mutating func writeNull() {
        if version == .resp3 {
            writeRESP3Null()
        } else {
            writeHeader(UInt8(ascii: "$"), -1)
        }
    }

    /// A missing aggregate: RESP3 `_`, RESP2 the null array `*-1`.
    @inlinable
    public mutating func writeNullArray() {
        if version == .resp3 {
            writeRESP3Null()
        } else {
            writeHeader(UInt8(ascii: "*"), -1)
        }
    }

    // MARK: Aggregates

    /// `*<count>`; follow with `count` elements.
    @inlinable
    public mutating func writeArrayHeader(count: Int) {
        writeHeader(UInt8(ascii: "*"), Int64(count))
    }

    /// RESP3 `%<count>`, RESP2 `*<2 × count>`; follow with `count` key-value pairs.
    @inlinable
    public mutating func writeMapHeader(count: Int) {
        if version == .resp3 {
            writeHeader(UInt8(ascii: "%"), Int64(count))
        } else {
            writeHeader(UInt8(ascii: "*"), Int64(count) * 2)
        }
    }

    /// RESP3 `~<count>`, RESP2 `*<count>`; follow with `count` elements.
    @inlinable
    public mutating func writeSetHeader(count: Int) {
        writeHeader(version == .resp3 ? UInt8(ascii: "~") : UInt8(ascii: "*"), Int64(count))
    }

    // MARK: Other RESP3 scalars

    /// RESP3 `,<value>`, RESP2 a bulk string of the same text (see `DoubleFormatting`).
    public mutating func writeDouble(_ value: Double) {
        withUnsafeTemporaryAllocation(byteCount: DoubleFormatting.maximumLength, alignment: 1) { scratch in
            let text = scratch.baseAddress!
            let length = DoubleFormatting.write(value, to: text)
            if version == .resp3 {
                output.append(UInt8(ascii: ","))
                output.append(UnsafeRawBufferPointer(start: text, count: length))
                output.append(UInt8(ascii: "\r"), UInt8(ascii: "\n"))
            } else {
                writeBulkString(UnsafeRawBufferPointer(start: text, count: length))
            }
        }
    }

    /// RESP3 `#t` / `#f`, RESP2 `:1` / `:0`.
    @inlinable
    public mutating func writeBoolean(_ value: Bool) {
        if version == .resp3 {
            let target = output.reserveWritable(4)
            target.storeBytes(of: UInt8(ascii: "#"), as: UInt8.self)
            target.storeBytes(of: value ? UInt8(ascii: "t") : UInt8(ascii: "f"), toByteOffset: 1, as: UInt8.self)
            storeCRLF(target + 2)
            output.writerIndex += 4
        } else {
            writeHeader(UInt8(ascii: ":"), value ? 1 : 0)
        }
    }

    // MARK: Building blocks

    /// `<marker><value>\r\n`, the shape of integers, lengths and aggregate headers.
    @inlinable
    mutating func writeHeader(_ marker: UInt8, _ value: Int64) {
        let digits = DecimalFormatting.length(of: value)
        let target = output.reserveWritable(digits + 3)
        target.storeBytes(of: marker, as: UInt8.self)
        DecimalFormatting.write(value, to: target + 1)
        storeCRLF(target + 1 + digits)
        output.writerIndex += digits + 3
    }

    @inlinable
    mutating func writeRESP3Null() {
        let target = output.reserveWritable(3)
        target.storeBytes(of: UInt8(ascii: "_"), as: UInt8.self)
        storeCRLF(target + 1)
        output.writerIndex += 3
    }

    /// `<marker><text>\r\n` with CR and LF in `text` replaced by spaces.
    @inlinable
    mutating func writeLine(_ marker: UInt8, _ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            let target = output.reserveWritable(utf8.count + 3)
            target.storeBytes(of: marker, as: UInt8.self)
            for (offset, byte) in utf8.enumerated() {
                let safe = byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") ? UInt8(ascii: " ") : byte
                target.storeBytes(of: safe, toByteOffset: 1 + offset, as: UInt8.self)
            }
            storeCRLF(target + 1 + utf8.count)
            output.writerIndex += utf8.count + 3
        }
    }

    @inlinable
    func storeCRLF(_ target: UnsafeMutableRawPointer) {
        target.storeBytes(of: UInt8(ascii: "\r"), as: UInt8.self)
        target.storeBytes(of: UInt8(ascii: "\n"), toByteOffset: 1, as: UInt8.self)
    }
}
