import SkipKVProtocol

/// Knowledge about SkipKV's `RANGE min max [REV] [LIMIT offset count] [NOVALUES]`, whose
/// reply is a flat array `k1 v1 k2 v2 ...` (keys only with NOVALUES).
public enum RangeCommand {
    /// The command for one page of a range scan: at most `count` entries from offset 0.
    public static func page(min: [UInt8], max: [UInt8], reverse: Bool, count: Int, keysOnly: Bool) -> [[UInt8]] {
        var command: [[UInt8]] = [Array("RANGE".utf8), min, max]
        if reverse { command.append(Array("REV".utf8)) }
        command += [Array("LIMIT".utf8), Array("0".utf8), Array(String(count).utf8)]
        if keysOnly { command.append(Array("NOVALUES".utf8)) }
        return command
    }

    /// The exclusive bound `(key` that continues a scan after `key`.
    public static func bound(after key: [UInt8]) -> [UInt8] {
        [UInt8(ascii: "(")] + key
    }

    /// Whether `command` is a RANGE whose reply alternates keys and values.
    static func returnsPairs(_ command: [[UInt8]]) -> Bool {
        guard let name = command.first, matches(name, "RANGE") else { return false }
        // Only options follow the two bounds, so NOVALUES can be looked for by name.
        return !command.dropFirst(3).contains { matches($0, "NOVALUES") }
    }

    /// The key-value pairs of a RANGE reply, or nil if the array does not have that shape.
    public static func pairs(_ elements: [RESPReply]) -> [(key: [UInt8], value: [UInt8])]? {
        guard elements.count % 2 == 0 else { return nil }
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(elements.count / 2)
        var index = 0
        while index < elements.count {
            guard case .bulkString(let key) = elements[index], case .bulkString(let value) = elements[index + 1] else {
                return nil
            }
            entries.append((key, value))
            index += 2
        }
        return entries
    }

    private static func matches(_ argument: [UInt8], _ keyword: StaticString) -> Bool {
        argument.withUnsafeBytes { Keyword.matches($0, keyword) }
    }
}
