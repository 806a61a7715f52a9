/// Splits one inline command line into arguments the way Redis's `sdssplitargs` does:
/// words separated by spaces, tabs, CR or LF (any C-locale space before a word is skipped);
/// double quotes with `\xHH`, `\n`, `\r`, `\t`, `\b`, `\a` escapes (any other escaped byte
/// stands for itself); single quotes with only `\'`; quotes may start mid-word (`a"b c"` is
/// one argument `ab c`), but a closing quote must be followed by a space or the line end.
///
/// Unlike Redis, which works on a C string, a NUL byte is ordinary data here instead of
/// silently ending the line.
///
/// A word that is a contiguous run of the line (any unquoted word, or a quoted one without
/// escapes) becomes a slice of the receive buffer; only words whose bytes had to change are
/// copied into the arguments' scratch area.
enum InlineCommandSplitter {
    /// Appends the arguments of `line` (offsets into `buffer`, without the line terminator)
    /// to `arguments`. Returns false on unbalanced quotes.
    static func split(
        _ buffer: UnsafeRawBufferPointer,
        line: Range<Int>,
        into arguments: inout CommandArguments
    ) -> Bool {
        let end = line.upperBound
        var position = line.lowerBound
        while true {
            while position < end && ASCII.isSpace(buffer[position]) { position += 1 }
            if position == end { return true }
            var word = WordBuilder(start: position)
            guard scanWord(buffer, from: &position, end: end, into: &word, arguments: &arguments) else {
                return false
            }
            word.finish(into: &arguments)
        }
    }

    /// Consumes one word starting at `position` (a non-space byte), leaving `position` just
    /// past its terminating separator or closing quote.
    private static func scanWord(
        _ buffer: UnsafeRawBufferPointer,
        from position: inout Int,
        end: Int,
        into word: inout WordBuilder,
        arguments: inout CommandArguments
    ) -> Bool {
        var quote: UInt8? = nil
        while true {
            // Take the run of bytes that stand for themselves in one step; for a plain word
            // that is the whole word.
            let runStart = position
            while position < end && !interruptsRun(buffer[position], quote: quote) { position += 1 }
            if position > runStart { word.appendLiterals(runStart..<position, buffer, &arguments) }
            guard position < end else {
                // The line ended: that completes an unquoted word, but leaves a quote open.
                return quote == nil
            }
            let byte = buffer[position]
            switch quote {
            case nil:
                position += 1
                guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") else {
                    return true  // a separator
                }
                quote = byte
            case UInt8(ascii: "\""):
                if byte == UInt8(ascii: "\"") { return closeQuote(buffer, at: &position, end: end) }
                // A backslash.
                if position + 3 < end, buffer[position + 1] == UInt8(ascii: "x"),
                   let high = ASCII.hexValue(buffer[position + 2]),
                   let low = ASCII.hexValue(buffer[position + 3]) {
                    word.appendDecoded(high << 4 | low, buffer, &arguments)
                    position += 4
                } else if position + 1 < end {
                    word.appendDecoded(unescaped(buffer[position + 1]), buffer, &arguments)
                    position += 2
                } else {
                    // A backslash ending the line is literal (and the quote is unbalanced).
                    word.appendLiterals(position..<(position + 1), buffer, &arguments)
                    position += 1
                }
            default:
                if byte == UInt8(ascii: "'") { return closeQuote(buffer, at: &position, end: end) }
                // A backslash: only `\'` is an escape in single quotes.
                if position + 1 < end && buffer[position + 1] == UInt8(ascii: "'") {
                    word.appendDecoded(UInt8(ascii: "'"), buffer, &arguments)
                    position += 2
                } else {
                    word.appendLiterals(position..<(position + 1), buffer, &arguments)
                    position += 1
                }
            }
        }
    }

    /// Whether `byte` ends a run of literal bytes: outside quotes a separator or a quote,
    /// inside quotes the closing quote or a backslash.
    private static func interruptsRun(_ byte: UInt8, quote: UInt8?) -> Bool {
        guard let quote else {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"),
                 UInt8(ascii: "\""), UInt8(ascii: "'"):
                return true
            default:
                return false
            }
        }
        return byte == quote || byte == UInt8(ascii: "\\")
    }

    /// Steps over a closing quote, which Redis only accepts at the end of a word.
    private static func closeQuote(_ buffer: UnsafeRawBufferPointer, at position: inout Int, end: Int) -> Bool {
        position += 1
        return position == end || ASCII.isSpace(buffer[position])
    }

    /// The byte a backslash escape inside double quotes stands for.
    private static func unescaped(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): return UInt8(ascii: "\n")
        case UInt8(ascii: "r"): return UInt8(ascii: "\r")
        case UInt8(ascii: "t"): return UInt8(ascii: "\t")
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "a"): return 0x07
        default: return byte
        }
    }
}

/// Accumulates one word, as a buffer slice for as long as its bytes are a contiguous run of
/// the line, switching to the scratch area the first time they are not.
private struct WordBuilder {
    private var sliceStart: Int
    private var sliceCount = 0
    private var scratchStart: Int? = nil

    init(start: Int) {
        sliceStart = start
    }

    /// Adds the line bytes in `range` unchanged.
    mutating func appendLiterals(_ range: Range<Int>, _ buffer: UnsafeRawBufferPointer, _ arguments: inout CommandArguments) {
        if scratchStart == nil {
            if sliceCount == 0 {
                sliceStart = range.lowerBound
                sliceCount = range.count
                return
            }
            if sliceStart + sliceCount == range.lowerBound {
                sliceCount += range.count
                return
            }
            moveToScratch(buffer, &arguments)
        }
        arguments.appendScratchBytes(buffer.baseAddress! + range.lowerBound, count: range.count)
    }

    /// Adds the byte an escape sequence stands for. It differs from the sequence's own bytes,
    /// so from here on the word can only live in the scratch area.
    mutating func appendDecoded(_ byte: UInt8, _ buffer: UnsafeRawBufferPointer, _ arguments: inout CommandArguments) {
        if scratchStart == nil { moveToScratch(buffer, &arguments) }
        arguments.appendScratchByte(byte)
    }

    func finish(into arguments: inout CommandArguments) {
        if let scratchStart {
            arguments.finishScratchArgument(start: scratchStart)
        } else {
            arguments.appendBufferSlice(offset: sliceStart, count: sliceCount)
        }
    }

    private mutating func moveToScratch(_ buffer: UnsafeRawBufferPointer, _ arguments: inout CommandArguments) {
        scratchStart = arguments.beginScratchArgument()
        if sliceCount > 0 {
            arguments.appendScratchBytes(buffer.baseAddress! + sliceStart, count: sliceCount)
        }
    }
}
