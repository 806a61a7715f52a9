import SkipKVKeys

/// The key range a glob pattern can match: every match starts with the pattern's literal
/// prefix (the bytes before its first `*`, `?`, `[` or `\`), so KEYS and SCAN MATCH only
/// need to visit the keys in [prefix, successor of prefix).
enum GlobRange {
    static func keys(matching pattern: UnsafeRawBufferPointer) -> KeyRange {
        var prefix: [UInt8] = []
        for byte in pattern {
            switch byte {
            case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "\\"):
                return range(prefix: prefix)
            default:
                prefix.append(byte)
            }
        }
        // No wildcard at all: the pattern matches only itself.
        return KeyRange(lower: .inclusive(prefix), upper: .inclusive(prefix))
    }

    private static func range(prefix: [UInt8]) -> KeyRange {
        guard !prefix.isEmpty else { return .all }
        // The smallest key above every key with this prefix: drop trailing 0xFF bytes, then
        // increment the last byte. All 0xFF: nothing lies above, so no upper bound.
        var successor = prefix
        while let last = successor.last, last == 0xFF { successor.removeLast() }
        guard !successor.isEmpty else { return KeyRange(lower: .inclusive(prefix), upper: .unbounded) }
        successor[successor.count - 1] += 1
        return KeyRange(lower: .inclusive(prefix), upper: .exclusive(successor))
    }
}
