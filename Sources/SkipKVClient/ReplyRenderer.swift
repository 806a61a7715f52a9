import SkipKVProtocol

/// Turns replies into the text a user sees, in one of the `OutputMode`s. Everything redis-cli
/// also prints comes out byte for byte as redis-cli 7 prints it; RANGE replies, which
/// redis-cli knows nothing about, are shown as key → value pairs (`RangeEntryFormat`).
public struct ReplyRenderer: Sendable {
    public var mode: OutputMode

    public init(mode: OutputMode) {
        self.mode = mode
    }

    /// The output for one reply, final newline included.
    public func render(_ reply: RESPReply) -> [UInt8] {
        var out: [UInt8] = []
        switch mode {
        case .standard: StandardFormat.append(reply, prefix: [], to: &out)
        case .raw: RawFormat.append(reply, to: &out)
        case .csv: CSVFormat.append(reply, to: &out)
        case .json: JSONFormat.append(reply, to: &out)
        }
        // The standard format ends every line itself; the others leave the last one open.
        if mode != .standard { out.append(UInt8(ascii: "\n")) }
        return out
    }

    /// The output for the reply to `command`: a RANGE reply with values becomes key → value
    /// pairs, anything else is rendered as `render(_:)` does.
    public func render(_ reply: RESPReply, to command: [[UInt8]]) -> [UInt8] {
        guard RangeCommand.returnsPairs(command), case .array(let elements) = reply,
              let entries = RangeCommand.pairs(elements), !entries.isEmpty
        else { return render(reply) }
        let format = RangeEntryFormat(mode: mode)
        var out: [UInt8] = []
        switch mode {
        case .standard:
            let width = StandardFormat.digitCount(entries.count)
            for (index, entry) in entries.enumerated() {
                StandardFormat.appendNumber(index + 1, width: width, marker: UInt8(ascii: ")"), to: &out)
                format.appendLine(key: entry.key, value: entry.value, to: &out)
            }
        case .raw, .csv:
            for entry in entries { format.appendLine(key: entry.key, value: entry.value, to: &out) }
        case .json:
            // One object for the whole reply, keys in range order.
            out.append(UInt8(ascii: "{"))
            for (index, entry) in entries.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                ByteQuoting.appendJSONString(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                ByteQuoting.appendJSONString(entry.value, to: &out)
            }
            out.append(contentsOf: Array("}\n".utf8))
        }
        return out
    }
}
