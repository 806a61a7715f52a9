#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Incremental parser for client requests: RESP multibulk (`*<n>\r\n` followed by n
/// `$<len>\r\n<bytes>\r\n`) and inline commands (a text line, see `InlineCommandSplitter`),
/// with Redis's rules for telling them apart, skipping empty requests, and rejecting
/// malformed ones.
///
/// One parser per connection. The server keeps the unconsumed bytes in a contiguous buffer
/// and calls `parse(_:into:)` with a view that starts at the first unconsumed byte; each call
/// yields at most one command, so the server loops until `.incomplete`. Between calls for an
/// incomplete request the parser remembers how far it got (arguments already parsed, and how
/// far it has searched for a line end), so a request arriving in many small reads is scanned
/// once, not once per read. Nothing is allocated in proportion to lengths a client announces.
public struct RequestParser: Sendable {
    public var limits: ParserLimits

    /// What the partially parsed request at the start of the buffer is.
    private enum State {
        /// Between requests.
        case idle
        /// In an inline line; no line feed before `scanned`.
        case inline(scanned: Int)
        /// Reading a `*<n>` header; no CR before `scanned`.
        case multibulkCount(scanned: Int)
        /// In a multibulk request with `remaining` arguments still to read; the next one
        /// starts at `position` and its header has been searched up to `scanned`.
        case bulkHeader(remaining: Int, position: Int, scanned: Int)
        /// Waiting for the `length` data bytes (plus CRLF) of a bulk starting at `position`.
        case bulkData(remaining: Int, position: Int, length: Int)
    }

    private var state = State.idle

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
    }

    /// Parses the next request at the start of `buffer`. On `.command`, `arguments` holds the
    /// command's arguments (resolve them with `arguments.argument(_:in:)` and this `buffer`).
    ///
    /// Always pass the same `arguments` for a connection: a partially parsed request keeps its
    /// first arguments there between calls. After `.error` the parser is reset, but the
    /// stream cannot be resynchronised and the connection should be closed.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer, into arguments: inout CommandArguments) -> ParseResult {
        var requestStart = 0
        while true {
            // The step functions keep their progress in locals and store `state` only when
            // they pause for more data, so a request parsed in one call never touches it.
            let outcome: Outcome
            switch state {
            case .idle:
                guard requestStart < buffer.count else {
                    return .incomplete(consumed: requestStart, bytesNeeded: 1)
                }
                arguments.removeAll()
                if buffer[requestStart] == UInt8(ascii: "*") {
                    outcome = parseMultibulkCount(buffer, requestStart: requestStart, scanned: requestStart + 1, into: &arguments)
                } else {
                    outcome = parseInline(buffer, requestStart: requestStart, scanned: requestStart, into: &arguments)
                }
            case .inline(let scanned):
                outcome = parseInline(buffer, requestStart: requestStart, scanned: scanned, into: &arguments)
            case .multibulkCount(let scanned):
                outcome = parseMultibulkCount(buffer, requestStart: requestStart, scanned: scanned, into: &arguments)
            case .bulkHeader(let remaining, let position, let scanned):
                outcome = parseBulks(buffer, remaining: remaining, position: position, scanned: scanned,
                                     pendingLength: nil, into: &arguments)
            case .bulkData(let remaining, let position, let length):
                outcome = parseBulks(buffer, remaining: remaining, position: position, scanned: position,
                                     pendingLength: length, into: &arguments)
            }
            switch outcome {
            case .done(let end) where arguments.isEmpty:
                // `*0`, `*-1` or a blank line: nothing to run, look at what follows.
                state = .idle
                requestStart = end
            case .done(let end):
                state = .idle
                return .command(consumed: end)
            case .needMore(let bytesNeeded):
                rebase(by: requestStart, arguments: &arguments)
                return .incomplete(consumed: requestStart, bytesNeeded: bytesNeeded)
            case .failed(let error):
                state = .idle
                arguments.removeAll()
                return .error(error)
            }
        }
    }

    /// The result of advancing the current request.
    private enum Outcome {
        /// The request ends at this offset (exclusive).
        case done(end: Int)
        /// Paused; `state` records where to resume.
        case needMore(bytesNeeded: Int)
        case failed(ProtocolError)
    }

    // MARK: Inline

    private mutating func parseInline(
        _ buffer: UnsafeRawBufferPointer,
        requestStart: Int,
        scanned: Int,
        into arguments: inout CommandArguments
    ) -> Outcome {
        guard let lineFeed = find(UInt8(ascii: "\n"), in: buffer, from: scanned) else {
            if buffer.count - requestStart > limits.maxInlineLength { return .failed(.tooBigInlineRequest) }
            state = .inline(scanned: buffer.count)
            return .needMore(bytesNeeded: 1)
        }
        // Checking the complete line too (Redis only checks while waiting for its end) makes
        // the outcome independent of how the line was split across reads.
        if lineFeed - requestStart > limits.maxInlineLength { return .failed(.tooBigInlineRequest) }
        var lineEnd = lineFeed
        if lineEnd > requestStart && buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        guard InlineCommandSplitter.split(buffer, line: requestStart..<lineEnd, into: &arguments) else {
            return .failed(.unbalancedQuotes)
        }
        return .done(end: lineFeed + 1)
    }

    // MARK: Multibulk

    private mutating func parseMultibulkCount(
        _ buffer: UnsafeRawBufferPointer,
        requestStart: Int,
        scanned: Int,
        into arguments: inout CommandArguments
    ) -> Outcome {
        let count: Int64
        let next: Int
        switch readHeader(buffer, start: requestStart, scanned: scanned) {
        case .value(let value, let end):
            count = value
            next = end
        case .searched(let upTo):
            state = .multibulkCount(scanned: upTo)
            return .needMore(bytesNeeded: 1)
        case .invalid: return .failed(.invalidMultibulkLength)
        case .tooLong: return .failed(.tooBigMultibulkCount)
        }
        guard count <= limits.maxArguments else { return .failed(.invalidMultibulkLength) }
        if limits.authenticationPending && count > ParserLimits.unauthenticatedMaxArguments {
            return .failed(.unauthenticatedMultibulkLength)
        }
        guard count > 0 else { return .done(end: next) }
        return parseBulks(buffer, remaining: Int(count), position: next, scanned: next + 1, pendingLength: nil, into: &arguments)
    }

    /// Reads bulk arguments until the request is complete or the buffer runs out. `remaining`
    /// counts the bulk at `position`; `pendingLength` is its data length when its header has
    /// already been read (`position` is then where the data starts).
    private mutating func parseBulks(
        _ buffer: UnsafeRawBufferPointer,
        remaining: Int,
        position: Int,
        scanned: Int,
        pendingLength: Int?,
        into arguments: inout CommandArguments
    ) -> Outcome {
        var remaining = remaining
        var position = position
        var scanned = scanned
        var pendingLength = pendingLength
        while true {
            let length: Int
            if let pending = pendingLength {
                length = pending
            } else {
                guard position < buffer.count else {
                    state = .bulkHeader(remaining: remaining, position: position, scanned: scanned)
                    return .needMore(bytesNeeded: 1)
                }
                // Known from the first byte, so report it without waiting for the line end.
                let marker = buffer[position]
                guard marker == UInt8(ascii: "$") else { return .failed(.expectedBulk(got: marker)) }
                switch readHeader(buffer, start: position, scanned: scanned) {
                case .value(let value, let end):
                    guard value >= 0 && value <= limits.maxBulkLength else { return .failed(.invalidBulkLength) }
                    if limits.authenticationPending && value > ParserLimits.unauthenticatedMaxBulkLength {
                        return .failed(.unauthenticatedBulkLength)
                    }
                    length = Int(value)
                    position = end
                case .searched(let upTo):
                    state = .bulkHeader(remaining: remaining, position: position, scanned: upTo)
                    return .needMore(bytesNeeded: 1)
                case .invalid: return .failed(.invalidBulkLength)
                case .tooLong: return .failed(.tooBigBulkCount)
                }
            }
            let dataEnd = position + length
            guard dataEnd + 2 <= buffer.count else {
                state = .bulkData(remaining: remaining, position: position, length: length)
                return .needMore(bytesNeeded: dataEnd + 2 - buffer.count)
            }
            guard buffer[dataEnd] == UInt8(ascii: "\r") && buffer[dataEnd + 1] == UInt8(ascii: "\n") else {
                return .failed(.unterminatedBulk)
            }
            arguments.appendBufferSlice(offset: position, count: length)
            position = dataEnd + 2
            remaining -= 1
            if remaining == 0 { return .done(end: position) }
            scanned = position + 1
            pendingLength = nil
        }
    }

    private enum Header {
        /// The line's integer, and the offset just past its CRLF.
        case value(Int64, end: Int)
        /// No CR yet; searched up to this offset.
        case searched(upTo: Int)
        /// Not a strict decimal integer, or a CR not followed by LF.
        case invalid
        /// Longer than `maxInlineLength` (Redis's limit for these lines too).
        case tooLong
    }

    /// Reads the `*<n>` or `$<n>` line whose marker is at `start`, resuming the search for
    /// its CR at `scanned`. Forced inline: it runs once per argument, and its fast path is a
    /// few instructions next to the call overhead.
    @inline(__always)
    private func readHeader(_ buffer: UnsafeRawBufferPointer, start: Int, scanned: Int) -> Header {
        // Fast path for the form clients actually send (a few canonical digits, then CRLF):
        // one pass, no memchr call. It accepts only what the general path below would, with
        // the same value; 18 digits cannot overflow.
        var index = start + 1
        var value: Int64 = 0
        let digitsEnd = min(buffer.count, index + 18)
        while index < digitsEnd {
            let digit = buffer[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { break }
            value = value &* 10 &+ Int64(digit)
            index += 1
        }
        let digitCount = index - start - 1
        if digitCount > 0 && (digitCount == 1 || buffer[start + 1] != UInt8(ascii: "0"))
            && index + 1 < buffer.count
            && buffer[index] == UInt8(ascii: "\r") && buffer[index + 1] == UInt8(ascii: "\n")
            && index - start <= limits.maxInlineLength {
            return .value(value, end: index + 2)
        }

        guard let carriageReturn = find(UInt8(ascii: "\r"), in: buffer, from: scanned) else {
            if buffer.count - start > limits.maxInlineLength { return .tooLong }
            return .searched(upTo: buffer.count)
        }
        // As for inline lines, also check a complete line so splitting cannot change the error.
        if carriageReturn - start > limits.maxInlineLength { return .tooLong }
        // Stop the next search at the CR so it is found again once its LF arrives.
        guard carriageReturn + 1 < buffer.count else { return .searched(upTo: carriageReturn) }
        guard buffer[carriageReturn + 1] == UInt8(ascii: "\n"),
              let parsed = StrictInteger.parse(buffer.baseAddress! + start + 1, count: carriageReturn - start - 1)
        else { return .invalid }
        return .value(parsed, end: carriageReturn + 2)
    }

    // MARK: Support

    /// Makes every remembered offset relative to a buffer that will start `distance` bytes
    /// later, because the caller is told it may discard that many bytes.
    private mutating func rebase(by distance: Int, arguments: inout CommandArguments) {
        guard distance > 0 else { return }
        switch state {
        case .idle:
            break
        case .inline(let scanned):
            state = .inline(scanned: scanned - distance)
        case .multibulkCount(let scanned):
            state = .multibulkCount(scanned: scanned - distance)
        case .bulkHeader(let remaining, let position, let scanned):
            state = .bulkHeader(remaining: remaining, position: position - distance, scanned: scanned - distance)
        case .bulkData(let remaining, let position, let length):
            state = .bulkData(remaining: remaining, position: position - distance, length: length)
        }
        arguments.rebaseBufferSlices(by: distance)
    }

    /// Offset of the first `byte` at or after `start`, using memchr (vectorised by libc).
    private func find(_ byte: UInt8, in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < buffer.count, let base = buffer.baseAddress else { return nil }
        guard let hit = memchr(base + start, Int32(byte), buffer.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }
}
