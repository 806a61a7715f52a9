import XCTest
@testable import SkipKVProtocol
import SkipKVTestSupport

/// Inline splitting, checked against redis-server 7.0.15: each line below was sent as
/// `RPUSH t <line>` and the list read back with LRANGE (or the error noted).
final class InlineCommandTests: XCTestCase {
    private func split(_ line: [UInt8]) -> ParsedStream {
        parseStream(line + bytes("\r\n"))
    }

    func testQuotingAndEscapesMatchRedis() {
        let table: [(line: String, arguments: [[UInt8]])] = [
            (#"SET k "a b""#, words("SET", "k", "a b")),
            (#""\x41""#, words("A")),
            (#""\x4A\x4a""#, words("JJ")),
            (#""\x4""#, words("x4")),
            (#""\x4g""#, words("x4g")),
            (#""\x""#, words("x")),
            (#""\X41""#, words("X41")),
            (#""\xff\x00z""#, [[0xFF, 0x00, UInt8(ascii: "z")]]),
            (#""\n\r\t\b\a\\\"\q""#, [[10, 13, 9, 8, 7, UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "q")]]),
            (#"'a\'b'"#, words("a'b")),
            (#"'a\nb'"#, words(#"a\nb"#)),
            (#"'a"b'"#, words("a\"b")),
            (#""a'b""#, words("a'b")),
            (#"a"b c""#, words("ab c")),
            (#"a'b c'"#, words("ab c")),
            (#""""#, words("")),
            (#"''"#, words("")),
            (#""a b" "c""#, words("a b", "c")),
            (#"\x41"#, words(#"\x41"#)),
            (#"a\b\\c"#, words(#"a\b\\c"#)),
            ("\"a\"\tb", words("a", "b")),
            ("\"c\"\u{0B}d e\u{0B}f", words("c", "d", "e\u{0B}f")),
            ("\u{0B}\u{0C}g", words("g")),
            ("a \t  b\t\tc", words("a", "b", "c")),
        ]
        for (line, expected) in table {
            XCTAssertEqual(split(bytes(line)), ParsedStream(commands: [expected]), line)
        }
    }

    func testUnbalancedQuotesMatchRedis() {
        let lines = [
            #""a"b"#, #"'a'b"#, #""abc"#, #"'abc"#, #""abc\""#, #""a\"#, #"ab"cd"ef"#,
            #"'\\'"#, #"'it''s'"#, #"""#, #"a""#, #""x"'y'"#,
        ]
        for line in lines {
            XCTAssertEqual(split(bytes(line)), ParsedStream(error: .unbalancedQuotes), line)
        }
    }

    func testNulIsOrdinaryData() {
        XCTAssertEqual(split([UInt8(ascii: "a"), 0, UInt8(ascii: "b"), UInt8(ascii: " "), 0]),
                       ParsedStream(commands: [[[UInt8(ascii: "a"), 0, UInt8(ascii: "b")], [0]]]))
        XCTAssertEqual(split(bytes("\"a") + [0] + bytes("\"")), ParsedStream(commands: [[[UInt8(ascii: "a"), 0]]]))
    }

    func testRewrittenWordsUseScratchAndOthersStaySlices() {
        var parser = RequestParser()
        var arguments = CommandArguments()
        bytes(#"plain "esc\x41ped" mid"dle" "quoted""#+"\r\n").withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .command(consumed: buffer.count))
            let range = UnsafeRawPointer(buffer.baseAddress!)..<(buffer.baseAddress! + buffer.count)
            let expected: [(String, Bool)] = [("plain", true), ("escAped", false), ("middle", false), ("quoted", true)]
            XCTAssertEqual(arguments.count, expected.count)
            for (index, (text, inBuffer)) in expected.enumerated() {
                let argument = arguments.argument(index, in: buffer)
                XCTAssertEqual(Array(argument), bytes(text))
                XCTAssertEqual(range.contains(argument.baseAddress!), inBuffer, text)
            }
        }
    }

    func testScratchIsReusedAcrossCommands() {
        var parser = RequestParser()
        var arguments = CommandArguments()
        let line = bytes(#""\x41\x42" "\x43""#+"\r\n")
        for _ in 0..<3 {
            line.withUnsafeBytes { buffer in
                XCTAssertEqual(parser.parse(buffer, into: &arguments), .command(consumed: buffer.count))
                XCTAssertEqual(Array(arguments.argument(0, in: buffer)), bytes("AB"))
                XCTAssertEqual(Array(arguments.argument(1, in: buffer)), bytes("C"))
            }
        }
        XCTAssertEqual(arguments.scratchCount, 3)
    }

    func testLongEscapedWordGrowsScratch() {
        let word = String(repeating: #"\x61"#, count: 1000)
        let result = split(bytes("SET k \"" + word + "\""))
        XCTAssertEqual(result.commands, [words("SET", "k", String(repeating: "a", count: 1000))])
    }
}
