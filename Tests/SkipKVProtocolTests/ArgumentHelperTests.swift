import XCTest
@testable import SkipKVProtocol
import SkipKVTestSupport

final class ArgumentHelperTests: XCTestCase {
    // MARK: Keyword

    private func keyword(_ argument: String, _ keyword: StaticString) -> Bool {
        bytes(argument).withUnsafeBytes { Keyword.matches($0, keyword) }
    }

    func testKeywordMatching() {
        XCTAssertTrue(keyword("ex", "EX"))
        XCTAssertTrue(keyword("Ex", "EX"))
        XCTAssertTrue(keyword("WithScores", "WITHSCORES"))
        XCTAssertTrue(keyword("x", "X"), "one-character keywords")
        XCTAssertFalse(keyword("EXX", "EX"))
        XCTAssertFalse(keyword("E", "EX"))
        XCTAssertFalse(keyword("", "EX"))
        XCTAssertTrue(keyword("", ""))
        // Only letters fold: '@' and '`' differ by the case bit but are not a case pair.
        XCTAssertFalse(keyword("`", "@"))
        XCTAssertFalse(keyword("[", "{"))
        XCTAssertFalse([UInt8]([0xC5]).withUnsafeBytes { Keyword.matches($0, "E") })
    }

    // MARK: StrictInteger

    private func integer(_ text: String) -> Int64? {
        bytes(text).withUnsafeBytes { StrictInteger.parse($0) }
    }

    func testStrictIntegerAcceptsCanonicalDecimal() {
        XCTAssertEqual(integer("0"), 0)
        XCTAssertEqual(integer("7"), 7)
        XCTAssertEqual(integer("-7"), -7)
        XCTAssertEqual(integer("1234567890"), 1_234_567_890)
        XCTAssertEqual(integer("9223372036854775807"), .max)
        XCTAssertEqual(integer("-9223372036854775808"), .min)
    }

    func testStrictIntegerRejectsWhatString2llRejects() {
        let invalid = [
            "", "-", "+1", " 1", "1 ", "01", "-01", "00", "-0", "1.0", "1e3", "0x10", "abc", "1a", "--1",
            "9223372036854775808", "-9223372036854775809", "18446744073709551616",
            "99999999999999999999999", "\u{0}1",
        ]
        for text in invalid {
            XCTAssertNil(integer(text), "\(text)")
        }
        XCTAssertNil(StrictInteger.parse(UnsafeRawBufferPointer(start: nil, count: 0)))
    }

    func testStrictIntegerRoundTripsRandomValues() {
        var random = SeededRandom(seed: 99)
        for _ in 0..<10_000 {
            let value = Int64.random(in: .min ... .max, using: &random) >> Int64.random(in: 0...63, using: &random)
            XCTAssertEqual(integer(String(value)), value)
        }
    }

    // MARK: StrictDouble

    private func double(_ text: String) -> Double? {
        bytes(text).withUnsafeBytes { StrictDouble.parse($0) }
    }

    func testStrictDouble() {
        XCTAssertEqual(double("1.5"), 1.5)
        XCTAssertEqual(double("-0.25"), -0.25)
        XCTAssertEqual(double("10"), 10)
        XCTAssertEqual(double("1e3"), 1000)
        XCTAssertEqual(double("+2"), 2)
        XCTAssertEqual(double(".5"), 0.5)
        XCTAssertEqual(double("inf"), .infinity)
        XCTAssertEqual(double("-inf"), -.infinity)
        XCTAssertEqual(double("4.9e-324"), .leastNonzeroMagnitude, "subnormals are fine")
        for invalid in ["", " 1", "1 ", "abc", "1.5x", "nan", "1e999", "-1e999", "1e-999", "1\u{0}2"] {
            XCTAssertNil(double(invalid), invalid)
        }
    }

    func testStrictDoubleReadsOnlyTheSlice() {
        let text = bytes("12345")
        let value = text.withUnsafeBytes { StrictDouble.parse(UnsafeRawBufferPointer(rebasing: $0[0..<2])) }
        XCTAssertEqual(value, 12)
    }

    // MARK: LexRangeBound

    private func bound(_ text: String) -> String? {
        bytes(text).withUnsafeBytes { argument in
            switch LexRangeBound.parse(argument) {
            case .inclusive(let key): return "[" + String(decoding: key, as: UTF8.self)
            case .exclusive(let key): return "(" + String(decoding: key, as: UTF8.self)
            case .lowest: return "lowest"
            case .highest: return "highest"
            case nil: return nil
            }
        }
    }

    func testLexRangeBound() {
        XCTAssertEqual(bound("[abc"), "[abc")
        XCTAssertEqual(bound("(abc"), "(abc")
        XCTAssertEqual(bound("["), "[")
        XCTAssertEqual(bound("("), "(")
        XCTAssertEqual(bound("[[x"), "[[x")
        XCTAssertEqual(bound("-"), "lowest")
        XCTAssertEqual(bound("+"), "highest")
        for invalid in ["", "abc", "-a", "+a", "--", "]a", " [a"] {
            XCTAssertNil(bound(invalid), invalid)
        }
        XCTAssertEqual(LexRangeBound.invalidMessage, "ERR min or max not valid string range item")
    }

    func testLexRangeBoundKeyIsASliceOfTheArgument() {
        bytes("[key").withUnsafeBytes { argument in
            guard case .inclusive(let key) = LexRangeBound.parse(argument) else { return XCTFail() }
            XCTAssertEqual(key.baseAddress, argument.baseAddress! + 1)
            XCTAssertEqual(key.count, 3)
        }
    }
}
