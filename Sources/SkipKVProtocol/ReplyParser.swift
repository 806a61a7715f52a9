#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Incremental parser for server replies in RESP2 and RESP3, the client-side counterpart of
/// `RequestParser`.
///
/// One parser per connection. The client keeps unread bytes in a contiguous buffer and calls
/// `parse(_:)` with a view starting at the first byte not yet consumed; each call yields at
/// most one reply. Aggregates are built up across calls: every complete element is moved into
/// the parser's stack of open aggregates and its bytes reported consumed, so a reply of a
/// million elements arriving in many reads is scanned once, and the client never has to hold
/// more of it than one unfinished element.
///
/// RESP3 attributes (`|`) are parsed and dropped, as the protocol allows for clients that do
/// not use them; the value they annotate is returned as usual.
public struct ReplyParser: Sendable {
    private enum AggregateKind: Sendable {
        case array, map, set, push, attribute
    }

    /// An aggregate whose header has been read but not all of its elements.
    private struct OpenAggregate: Sendable {
        var kind: AggregateKind
        /// Elements still to come; maps and attributes count keys and values separately.
        var remaining: Int
        var elements: [RESPReply]
    }

    /// Innermost aggregate last.
    private var open: [OpenAggregate] = []
    /// How far past the start of the buffer the current element's header line has been
    /// searched for its LF, so a long line arriving in pieces is not searched again from the
    /// beginning.
    private var scanned = 0

    public init() {}

    public mutating func parse(_ buffer: UnsafeRawBufferPointer) -> ReplyParseResult {
        var position = 0
        while true {
            let element: ElementOutcome = readElement(buffer, at: position)
            let value: RESPReply
            switch element {
            case .value(let parsed, let end):
                value = parsed
                position = end
            case .opened(let end):
                position = end
                continue
            case .needMore(let bytesNeeded):
                return .incomplete(consumed: position, bytesNeeded: bytesNeeded)
            case .failed(let error):
                open.removeAll()
                scanned = 0
                return .error(error)
            }
            if let reply = close(with: value) { return .reply(reply, consumed: position) }
        }
    }

    // MARK: Elements

    private enum ElementOutcome {
        /// A scalar, or an empty aggregate, ending at `end`.
        case value(RESPReply, end: Int)
        /// The header of a non-empty aggregate (now on the `open` stack) or of an empty
        /// attribute, ending at `end`.
        case opened(end: Int)
        case needMore(bytesNeeded: Int)
        case failed(ReplyProtocolError)
    }

    /// Reads the element that starts at `position`.
    private mutating func readElement(_ buffer: UnsafeRawBufferPointer, at position: Int) -> ElementOutcome {
        guard position < buffer.count else { return .needMore(bytesNeeded: 1) }
        let marker = buffer[position]
        guard let lineFeed = find(UInt8(ascii: "\n"), in: buffer, from: position + 1 + scanned) else {
            scanned = buffer.count - position - 1
            return .needMore(bytesNeeded: 1)
        }
        scanned = 0
        guard lineFeed > position + 1 && buffer[lineFeed - 1] == UInt8(ascii: "\r") else {
            return .failed(.missingLineTerminator)
        }
        let line = UnsafeRawBufferPointer(rebasing: buffer[(position + 1)..<(lineFeed - 1)])
        let next = lineFeed + 1
        switch marker {
        case UInt8(ascii: "+"):
            return .value(.simpleString([UInt8](line)), end: next)
        case UInt8(ascii: "-"):
            return .value(.error([UInt8](line)), end: next)
        case UInt8(ascii: ":"):
            guard let value = StrictInteger.parse(line) else { return .failed(.invalidInteger) }
            return .value(.integer(value), end: next)
        case UInt8(ascii: "_"):
            guard line.isEmpty else { return .failed(.invalidScalar(type: marker)) }
            return .value(.null, end: next)
        case UInt8(ascii: "#"):
            guard line.count == 1, line[0] == UInt8(ascii: "t") || line[0] == UInt8(ascii: "f") else {
                return .failed(.invalidScalar(type: marker))
            }
            return .value(.boolean(line[0] == UInt8(ascii: "t")), end: next)
        case UInt8(ascii: ","):
            guard Self.isDouble(line) else { return .failed(.invalidScalar(type: marker)) }
            return .value(.double([UInt8](line)), end: next)
        case UInt8(ascii: "("):
            guard Self.isBigNumber(line) else { return .failed(.invalidScalar(type: marker)) }
            return .value(.bigNumber([UInt8](line)), end: next)
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            return readBlob(marker, buffer, lengthLine: line, dataStart: next)
        case UInt8(ascii: "*"), UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "|"):
            return openAggregate(marker, countLine: line, end: next)
        default:
            return .failed(.unexpectedTypeByte(marker))
        }
    }

    /// The data of a `$`, `!` or `=` element whose length line has been read.
    private func readBlob(_ marker: UInt8, _ buffer: UnsafeRawBufferPointer, lengthLine: UnsafeRawBufferPointer, dataStart: Int) -> ElementOutcome {
        guard let length = StrictInteger.parse(lengthLine), length >= -1, length < Int64(Int.max / 2) else {
            return .failed(.invalidLength)
        }
        if length == -1 {
            // RESP2's null bulk string; the other blob types have no null form.
            return marker == UInt8(ascii: "$") ? .value(.null, end: dataStart) : .failed(.invalidLength)
        }
        let dataEnd = dataStart + Int(length)
        guard dataEnd + 2 <= buffer.count else {
            // The header is parsed again when the data is in: it is one short line.
            return .needMore(bytesNeeded: dataEnd + 2 - buffer.count)
        }
        guard buffer[dataEnd] == UInt8(ascii: "\r") && buffer[dataEnd + 1] == UInt8(ascii: "\n") else {
            return .failed(.missingLineTerminator)
        }
        let data = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[dataStart..<dataEnd]))
        switch marker {
        case UInt8(ascii: "$"):
            return .value(.bulkString(data), end: dataEnd + 2)
        case UInt8(ascii: "!"):
            return .value(.error(data), end: dataEnd + 2)
        default:
            guard data.count >= 4 && data[3] == UInt8(ascii: ":") else { return .failed(.invalidVerbatimString) }
            return .value(.verbatimString(format: Array(data[0..<3]), text: Array(data[4...])), end: dataEnd + 2)
        }
    }

    /// Pushes the aggregate whose count line has been read, or returns it whole when empty.
    private mutating func openAggregate(_ marker: UInt8, countLine: UnsafeRawBufferPointer, end: Int) -> ElementOutcome {
        guard let count = StrictInteger.parse(countLine), count >= -1, count < Int64(Int.max / 4) else {
            return .failed(.invalidLength)
        }
        let kind: AggregateKind
        switch marker {
        case UInt8(ascii: "*"): kind = .array
        case UInt8(ascii: "%"): kind = .map
        case UInt8(ascii: "~"): kind = .set
        case UInt8(ascii: ">"): kind = .push
        default: kind = .attribute
        }
        if count == -1 {
            // RESP2's null array.
            return kind == .array ? .value(.null, end: end) : .failed(.invalidLength)
        }
        let elementCount = kind == .map || kind == .attribute ? Int(count) * 2 : Int(count)
        if elementCount == 0 {
            if kind == .attribute { return .opened(end: end) }
            return .value(Self.build(kind, from: []), end: end)
        }
        var elements: [RESPReply] = []
        // The count comes from the server; grow towards it as elements actually arrive.
        elements.reserveCapacity(min(elementCount, 1024))
        open.append(OpenAggregate(kind: kind, remaining: elementCount, elements: elements))
        return .opened(end: end)
    }

    /// Adds a finished element to the innermost open aggregate, closing every aggregate it
    /// completes. Returns the reply when the outermost one (or a lone scalar) is complete.
    private mutating func close(with value: RESPReply) -> RESPReply? {
        var finished = value
        while !open.isEmpty {
            let innermost = open.count - 1
            open[innermost].elements.append(finished)
            open[innermost].remaining -= 1
            guard open[innermost].remaining == 0 else { return nil }
            let aggregate = open.removeLast()
            // An attribute only annotates the element that follows it, which still has to
            // arrive to fill this slot.
            if aggregate.kind == .attribute { return nil }
            finished = Self.build(aggregate.kind, from: aggregate.elements)
        }
        return finished
    }

    private static func build(_ kind: AggregateKind, from elements: [RESPReply]) -> RESPReply {
        switch kind {
        case .array: return .array(elements)
        case .set: return .set(elements)
        case .push: return .push(elements)
        case .map, .attribute:
            var pairs: [RESPReply.Pair] = []
            pairs.reserveCapacity(elements.count / 2)
            var index = 0
            while index < elements.count {
                pairs.append(RESPReply.Pair(key: elements[index], value: elements[index + 1]))
                index += 2
            }
            return .map(pairs)
        }
    }

    // MARK: Scalar validation

    /// RESP3 doubles: what `strtod` reads in full, plus `nan` (which `StrictDouble` refuses
    /// as an argument but servers do send).
    private static func isDouble(_ text: UnsafeRawBufferPointer) -> Bool {
        let lowered = text.map(ASCII.lowercased)
        if lowered == Array("nan".utf8) || lowered == Array("-nan".utf8) { return true }
        return StrictDouble.parse(text) != nil
    }

    /// An optional sign, then at least one decimal digit.
    private static func isBigNumber(_ text: UnsafeRawBufferPointer) -> Bool {
        var digits = text[...]
        if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            digits = digits.dropFirst()
        }
        return !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Offset of the first `byte` at or after `start`, using memchr.
    private func find(_ byte: UInt8, in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < buffer.count, let base = buffer.baseAddress else { return nil }
        guard let hit = memchr(base + start, Int32(byte), buffer.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }
}
