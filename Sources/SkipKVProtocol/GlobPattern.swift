/// Glob matching with the semantics of Redis's `stringmatchlen` (KEYS, SCAN MATCH): `*` any
/// run of bytes, `?` any one byte, `[abc]` / `[^abc]` / `[a-z]` classes (`\` escapes inside
/// them, reversed ranges are swapped, an unterminated class ends at the pattern's end), and
/// `\x` for a literal `x`. Binary-safe. Range bounds compare as signed bytes, as Redis's C
/// `char` does on x86-64 (the reference, Debian's redis-server there): `[\xff-?]` is -1...63.
/// Redis on ARM, where `char` is unsigned, differs; the differential test holds us to x86.
///
/// Every element other than `*` consumes exactly one byte, so backtracking only ever needs to
/// resume at the most recent `*`: the loop below runs in O(pattern × string) time and constant
/// space whatever the pattern. (Redis recurses, gives up with "no match" beyond 1000 nested
/// stars; we simply answer correctly.)
///
/// Like Redis, an empty string matches only the empty pattern: `*` does not match `""`.
/// Redis's KEYS and SCAN treat a lone `*` as "everything" before calling the matcher, and
/// so should the server.
public enum GlobPattern {
    public static func matches(
        _ pattern: UnsafeRawBufferPointer,
        _ string: UnsafeRawBufferPointer,
        caseInsensitive: Bool = false
    ) -> Bool {
        if string.isEmpty { return pattern.isEmpty }
        var p = 0
        var s = 0
        // Where to resume after a mismatch: the element after the last star, and the string
        // position that star's next attempt starts from.
        var starResume: (pattern: Int, string: Int)? = nil
        while s < string.count {
            if p < pattern.count {
                if pattern[p] == UInt8(ascii: "*") {
                    while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
                    if p == pattern.count { return true }
                    starResume = (p, s)
                    continue
                }
                let (matched, next) = matchElement(pattern, at: p, byte: string[s], caseInsensitive: caseInsensitive)
                if matched {
                    p = next
                    s += 1
                    continue
                }
            }
            // Mismatch, or pattern exhausted with string left: let the last star absorb one
            // more byte, or fail if there is none.
            guard let resume = starResume else { return false }
            p = resume.pattern
            s = resume.string + 1
            starResume = (resume.pattern, s)
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// Matches the single-byte element (literal, `?`, escape or class) starting at
    /// `pattern[start]` against `byte`; returns whether it matched and where the next element
    /// starts. Where that is depends only on the pattern, which is what makes resuming at the
    /// last star sound.
    private static func matchElement(
        _ pattern: UnsafeRawBufferPointer,
        at start: Int,
        byte: UInt8,
        caseInsensitive: Bool
    ) -> (matched: Bool, next: Int) {
        let end = pattern.count
        switch pattern[start] {
        case UInt8(ascii: "?"):
            return (true, start + 1)
        case UInt8(ascii: "["):
            return matchClass(pattern, at: start, byte: byte, caseInsensitive: caseInsensitive)
        case UInt8(ascii: "\\") where end - start >= 2:
            return (equal(pattern[start + 1], byte, caseInsensitive), start + 2)
        default:
            return (equal(pattern[start], byte, caseInsensitive), start + 1)
        }
    }

    /// A `[...]` class starting at `pattern[start]`, parsed exactly as Redis does, including
    /// its quirks: `]` right after `[` closes an empty class, `x-]` is a range ending at `]`,
    /// and an escaped byte compares case-sensitively even when matching ignores case.
    private static func matchClass(
        _ pattern: UnsafeRawBufferPointer,
        at start: Int,
        byte: UInt8,
        caseInsensitive: Bool
    ) -> (matched: Bool, next: Int) {
        let end = pattern.count
        var i = start + 1
        let negated = i < end && pattern[i] == UInt8(ascii: "^")
        if negated { i += 1 }
        var matched = false
        while true {
            if end - i >= 2 && pattern[i] == UInt8(ascii: "\\") {
                i += 1
                if pattern[i] == byte { matched = true }
            } else if i == end {
                // Unterminated: the class ends with the pattern; Redis steps back so that its
                // shared "advance past the element" step lands exactly on the end.
                i -= 1
                break
            } else if pattern[i] == UInt8(ascii: "]") {
                break
            } else if end - i >= 3 && pattern[i + 1] == UInt8(ascii: "-") {
                var low = Int8(bitPattern: pattern[i])
                var high = Int8(bitPattern: pattern[i + 2])
                if low > high { swap(&low, &high) }
                var candidate = Int8(bitPattern: byte)
                if caseInsensitive {
                    low = Int8(bitPattern: ASCII.lowercased(UInt8(bitPattern: low)))
                    high = Int8(bitPattern: ASCII.lowercased(UInt8(bitPattern: high)))
                    candidate = Int8(bitPattern: ASCII.lowercased(byte))
                }
                if candidate >= low && candidate <= high { matched = true }
                i += 2
            } else if equal(pattern[i], byte, caseInsensitive) {
                matched = true
            }
            i += 1
        }
        return (matched != negated, i + 1)
    }

    private static func equal(_ a: UInt8, _ b: UInt8, _ caseInsensitive: Bool) -> Bool {
        caseInsensitive ? ASCII.lowercased(a) == ASCII.lowercased(b) : a == b
    }
}
