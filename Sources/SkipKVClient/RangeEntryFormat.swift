/// One line per range entry, for RANGE replies and `--range` scans, in the spirit of each
/// output mode: standard `"key" => "value"`, raw `key value` (how redis-cli's raw mode
/// prints a map entry), CSV `"key","value"`, JSON one object per line (JSON Lines, so a
/// scan of any size can be streamed and consumed line by line). Without values, the key
/// alone in the mode's quoting.
public struct RangeEntryFormat: Sendable {
    public var mode: OutputMode

    public init(mode: OutputMode) {
        self.mode = mode
    }

    /// Appends the line for one entry; `value` is nil for keys-only scans.
    public func appendLine(key: [UInt8], value: [UInt8]?, to out: inout [UInt8]) {
        switch mode {
        case .standard:
            ByteQuoting.appendQuoted(key, to: &out)
            if let value {
                out.append(contentsOf: Array(" => ".utf8))
                ByteQuoting.appendQuoted(value, to: &out)
            }
        case .raw:
            out.append(contentsOf: key)
            if let value {
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: value)
            }
        case .csv:
            ByteQuoting.appendQuoted(key, to: &out)
            if let value {
                out.append(UInt8(ascii: ","))
                ByteQuoting.appendQuoted(value, to: &out)
            }
        case .json:
            guard let value else {
                ByteQuoting.appendJSONString(key, to: &out)
                break
            }
            out.append(UInt8(ascii: "{"))
            ByteQuoting.appendJSONString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            ByteQuoting.appendJSONString(value, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "\n"))
    }
}
