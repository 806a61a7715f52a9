import XCTest
@testable import SkipKVProtocol
import SkipKVTestSupport

final class GlobPatternTests: XCTestCase {
    private func matches(_ pattern: String, _ string: String, caseInsensitive: Bool = false) -> Bool {
        bytes(pattern).withUnsafeBytes { p in
            bytes(string).withUnsafeBytes { s in GlobPattern.matches(p, s, caseInsensitive: caseInsensitive) }
        }
    }

    private func matches(_ pattern: [UInt8], _ string: [UInt8]) -> Bool {
        pattern.withUnsafeBytes { p in string.withUnsafeBytes { s in GlobPattern.matches(p, s) } }
    }

    /// Each row was checked against redis-server 7.0.15 with `SET <string>` then
    /// `KEYS <pattern>` (KEYS calls `stringmatchlen` for any pattern but a lone `*`).
    func testTableMatchesRedis() {
        let table: [(pattern: String, string: String, matches: Bool)] = [
            ("", "", true),
            ("", "a", false),
            ("**", "", false),
            ("*", "abc", true),
            ("a*", "a", true),
            ("*a", "a", true),
            ("a*b", "ab", true),
            ("a*b", "axxb", true),
            ("a*b", "axxbc", false),
            ("a*b*c", "abc", true),
            ("a*b*c", "abxbc", true),
            ("a*b*c", "abxb", false),
            ("?", "a", true),
            ("??", "a", false),
            ("?", "ab", false),
            ("??", "ab", true),
            ("[abc]", "b", true),
            ("[abc]", "d", false),
            ("[^abc]", "d", true),
            ("[^abc]", "a", false),
            ("[a-c]", "b", true),
            ("[c-a]", "b", true),
            ("[a-c]", "d", false),
            ("[a-]", "b", false),
            ("[a-]", "_", true),
            ("[a-]", "a", true),
            ("[a-]", "-", false),
            ("[]", "a", false),
            ("[]a]", "a", false),
            ("[]a]", "]", false),
            ("[]a]", "a]", false),
            ("[a", "a", true),
            ("[", "[", false),
            ("[^", "x", true),
            ("[ab", "b", true),
            ("x[", "x", false),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("a\\", "a\\", true),
            ("\\", "\\", true),
            ("\\a", "a", true),
            ("[\\]]", "]", true),
            ("[\\-]", "-", true),
            ("[a\\-z]", "b", false),
            ("[a\\-z]", "-", true),
            ("[\\", "\\", true),
            ("*[0-9]", "abc5", true),
            ("*[0-9]", "abc", false),
            ("h?llo", "hello", true),
            ("h*llo", "heeeello", true),
            ("h[ae]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("a*", "b", false),
            ("*?*", "x", true),
            ("*x", "ab", false),
            ("a?c", "a\u{00}c", true),
            ("*\r\n*", "a\r\nb", true),
            ("a*a*a*a*a*a*a*a*a*a*a*b", String(repeating: "a", count: 50), false),
            ("*a*", "bab", true),
            ("***a", "ba", true),
            ("a**", "a", true),
            ("a*?", "a", false),
            ("a*?", "ab", true),
            ("[A-Z]", "a", false),
            ("[^]", "a", true),
            ("[^]]", "a", false),
            ("[^]]", "]", false),
        ]
        for row in table {
            XCTAssertEqual(matches(row.pattern, row.string), row.matches, "\(row.pattern) ~ \(row.string)")
        }
    }

    func testStarDoesNotMatchTheEmptyString() {
        XCTAssertFalse(matches("*", ""), "as in Redis; KEYS and SCAN special-case a lone *")
    }

    /// As Redis on x86-64: range bounds are signed chars, so 0xFF is -1 and 0x80 is -128.
    func testHighBytesCompareAsSignedChars() {
        XCTAssertTrue(matches([UInt8(ascii: "["), 0x80, UInt8(ascii: "-"), 0xFF, UInt8(ascii: "]")], [0x90]))
        // [a-\xff] is the range -1...97 swapped: it holds '1' but not 'b'.
        XCTAssertFalse(matches([UInt8(ascii: "["), UInt8(ascii: "a"), UInt8(ascii: "-"), 0xFF, UInt8(ascii: "]")], [0x62]))
        XCTAssertTrue(matches([UInt8(ascii: "["), UInt8(ascii: "a"), UInt8(ascii: "-"), 0xFF, UInt8(ascii: "]")], [0x31]))
        // [\x01-\x80] is -128...1: it holds 0x80 and 0x01, not '1'.
        XCTAssertFalse(matches([UInt8(ascii: "["), 0x01, UInt8(ascii: "-"), 0x80, UInt8(ascii: "]")], [0x31]))
        XCTAssertTrue(matches([UInt8(ascii: "["), 0x01, UInt8(ascii: "-"), 0x80, UInt8(ascii: "]")], [0x80]))
        XCTAssertTrue(matches([0xC3, UInt8(ascii: "?")], [0xC3, 0xA9]))
    }

    func testCaseInsensitive() {
        XCTAssertTrue(matches("HeLLo", "hello", caseInsensitive: true))
        XCTAssertFalse(matches("HeLLo", "hello"))
        XCTAssertTrue(matches("h[A-Z]llo", "hello", caseInsensitive: true))
        XCTAssertTrue(matches("h[E]llo", "hello", caseInsensitive: true))
        XCTAssertTrue(matches("\\H*", "hello", caseInsensitive: true))
        // Redis compares an escaped byte inside a class exactly, even when ignoring case.
        XCTAssertFalse(matches("h[\\E]llo", "hello", caseInsensitive: true))
        XCTAssertFalse(matches("[@]", "`", caseInsensitive: true), "only letters fold")
    }

    func testPathologicalPatternsStayFast() {
        let string = [UInt8](repeating: UInt8(ascii: "a"), count: 10_000)
        let pattern = Array(repeating: bytes("a*"), count: 2_000).flatMap { $0 } + bytes("b")
        let start = ContinuousClock.now
        XCTAssertFalse(matches(pattern, string))
        XCTAssertTrue(matches(Array(repeating: bytes("*a"), count: 5_000).flatMap { $0 }, string))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
    }

    /// The iterative matcher against a direct recursive transcription of the same rules
    /// (exponential, so only for short inputs) over an alphabet dense in special bytes.
    func testAgreesWithRecursiveReference() {
        var random = SeededRandom(seed: 2024)
        let alphabet = bytes("ab*?[]^-\\")
        for round in 0..<20_000 {
            let pattern = (0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            let string = (0..<Int.random(in: 0...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            let expected = string.isEmpty ? pattern.isEmpty : referenceMatch(pattern[...], string[...])
            XCTAssertEqual(matches(pattern, string), expected,
                           "round \(round): \(String(decoding: pattern, as: UTF8.self)) ~ \(String(decoding: string, as: UTF8.self))")
        }
    }

    /// Glob semantics by plain recursion: try every split at each star. Shares no code with
    /// the matcher under test.
    private func referenceMatch(_ pattern: ArraySlice<UInt8>, _ string: ArraySlice<UInt8>) -> Bool {
        guard let first = pattern.first else { return string.isEmpty }
        if first == UInt8(ascii: "*") {
            let rest = pattern.dropFirst()
            return (0...string.count).contains { referenceMatch(rest, string.dropFirst($0)) }
        }
        guard let byte = string.first else { return false }
        let (matched, length) = referenceElement(pattern, byte)
        return matched && referenceMatch(pattern.dropFirst(length), string.dropFirst())
    }

    /// Whether the non-star element at the start of `pattern` matches `byte`, and its length.
    private func referenceElement(_ pattern: ArraySlice<UInt8>, _ byte: UInt8) -> (Bool, Int) {
        let p = Array(pattern)
        switch p[0] {
        case UInt8(ascii: "?"):
            return (true, 1)
        case UInt8(ascii: "\\") where p.count >= 2:
            return (p[1] == byte, 2)
        case UInt8(ascii: "["):
            var i = 1
            let negated = i < p.count && p[i] == UInt8(ascii: "^")
            if negated { i += 1 }
            var matched = false
            while i < p.count && p[i] != UInt8(ascii: "]") {
                if p[i] == UInt8(ascii: "\\") && i + 1 < p.count {
                    matched = matched || p[i + 1] == byte
                    i += 2
                } else if i + 2 < p.count && p[i + 1] == UInt8(ascii: "-") {
                    let (low, high) = (min(p[i], p[i + 2]), max(p[i], p[i + 2]))
                    matched = matched || (low...high).contains(byte)
                    i += 3
                } else {
                    matched = matched || p[i] == byte
                    i += 1
                }
            }
            // A closing ] is part of the element; an unterminated class runs to the end.
            return (matched != negated, min(i + 1, p.count))
        default:
            return (p[0] == byte, 1)
        }
    }
}
