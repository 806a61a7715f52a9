import SkipKVClient
import SkipKVProtocol
import XCTest

/// Renderer output for every reply type in every mode, against what redis-cli 7.0.15 prints
/// for the same bytes (recorded with the fake server of `RedisCLIComparisonTests`, which
/// re-checks them live whenever redis-cli is installed).
final class ReplyRendererTests: XCTestCase {
    /// A reply from its wire form.
    private func reply(_ wire: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> RESPReply {
        var parser = ReplyParser()
        guard case .reply(let reply, let consumed) = wire.withUnsafeBytes({ parser.parse($0) }), consumed == wire.count else {
            XCTFail("not one reply", file: file, line: line)
            return .null
        }
        return reply
    }

    private func assertRenders(
        _ wire: [UInt8], standard: [UInt8], raw: [UInt8], csv: [UInt8], json: [UInt8],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let parsed = reply(wire, file: file, line: line)
        for (mode, expected) in [(OutputMode.standard, standard), (.raw, raw), (.csv, csv), (.json, json)] {
            let rendered = ReplyRenderer(mode: mode).render(parsed)
            XCTAssertEqual(String(decoding: rendered, as: UTF8.self), String(decoding: expected, as: UTF8.self), "\(mode)", file: file, line: line)
            XCTAssertEqual(rendered, expected, "\(mode) bytes", file: file, line: line)
        }
    }

    private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testScalars() {
        assertRenders(b("+OK\r\n"), standard: b("OK\n"), raw: b("OK\n"), csv: b("\"OK\"\n"), json: b("\"OK\"\n"))
        assertRenders(b(":3\r\n"), standard: b("(integer) 3\n"), raw: b("3\n"), csv: b("3\n"), json: b("3\n"))
        assertRenders(b("$-1\r\n"), standard: b("(nil)\n"), raw: b("\n"), csv: b("NULL\n"), json: b("null\n"))
        assertRenders(b("_\r\n"), standard: b("(nil)\n"), raw: b("\n"), csv: b("NULL\n"), json: b("null\n"))
        assertRenders(b(",3.14\r\n"), standard: b("(double) 3.14\n"), raw: b("3.14\n"), csv: b("3.14\n"), json: b("3.14\n"))
        assertRenders(b("#t\r\n"), standard: b("(true)\n"), raw: b("(true)\n"), csv: b("true\n"), json: b("true\n"))
        assertRenders(b("#f\r\n"), standard: b("(false)\n"), raw: b("(false)\n"), csv: b("false\n"), json: b("false\n"))
        assertRenders(b("=15\r\ntxt:hello\nworld\r\n"), standard: b("hello\nworld\n"), raw: b("hello\nworld\n"),
                      csv: b(#""hello\nworld""# + "\n"), json: b(#""hello\nworld""# + "\n"))
        // redis-cli 7.0 cannot show big numbers at all; this is the style of its other types.
        assertRenders(b("(12345678901234567890\r\n"), standard: b("(big number) 12345678901234567890\n"),
                      raw: b("12345678901234567890\n"), csv: b("12345678901234567890\n"), json: b("12345678901234567890\n"))
    }

    func testErrors() {
        assertRenders(b("-ERR bad \"thing\"\r\n"), standard: b("(error) ERR bad \"thing\"\n"), raw: b("ERR bad \"thing\"\n\n"),
                      csv: b(#"ERROR,"ERR bad \"thing\"""# + "\n"), json: b(#"error:"ERR bad \"thing\"""# + "\n"))
    }

    func testBinaryStrings() {
        // "he"l<01>é\ : quoting of quotes, backslashes, control and non-ASCII bytes.
        let payload: [UInt8] = b("he\"l") + [0x01, 0xC3, 0xA9] + b("\\")
        assertRenders(b("$8\r\n") + payload + b("\r\n"),
                      standard: b(#""he\"l\x01\xc3\xa9\\""# + "\n"), raw: payload + b("\n"),
                      csv: b(#""he\"l\x01\xc3\xa9\\""# + "\n"),
                      json: b(#""he\"l\u0001"#) + [0xC3, 0xA9] + b(#"\\""# + "\n"))
        let controls: [UInt8] = [0x09, 0x0A, 0x0D, 0x08, 0x07, 0x00]
        assertRenders(b("$6\r\n") + controls + b("\r\n"),
                      standard: b(#""\t\n\r\b\a\x00""# + "\n"), raw: controls + b("\n"),
                      csv: b(#""\t\n\r\b\a\x00""# + "\n"), json: b(#""\t\n\r\b\u0007\u0000""# + "\n"))
        // Errors and status lines are printed as they are in the standard format.
        let error: [UInt8] = b("ERR a") + [0x01] + b("b") + [0xC3, 0x7F]
        let status: [UInt8] = b("st") + [0x01, 0x7F]
        assertRenders(b("*2\r\n-") + error + b("\r\n+") + status + b("\r\n"),
                      standard: b("1) (error) ") + error + b("\n2) ") + status + b("\n"),
                      raw: error + b("\n\n") + status + b("\n"),
                      csv: b(#"ERROR,"ERR a\x01b\xc3\x7f","st\x01\x7f""# + "\n"),
                      json: b(#"[error:"ERR a\u0001b"#) + [0xC3, 0x7F] + b(#"","st\u0001"#) + [0x7F] + b("\"]\n"))
    }

    func testArrays() {
        assertRenders(b("*0\r\n"), standard: b("(empty array)\n"), raw: b("\n"), csv: b("\n"), json: b("[]\n"))
        assertRenders(b("*2\r\n$1\r\na\r\n*2\r\n:1\r\n*1\r\n$1\r\nb\r\n"),
                      standard: b("1) \"a\"\n2) 1) (integer) 1\n   2) 1) \"b\"\n"), raw: b("a\n1\nb\n"),
                      csv: b("\"a\",1,\"b\"\n"), json: b("[\"a\",[1,[\"b\"]]]\n"))
        assertRenders(b("*3\r\n$0\r\n\r\n$-1\r\n:-5\r\n"),
                      standard: b("1) \"\"\n2) (nil)\n3) (integer) -5\n"), raw: b("\n\n-5\n"),
                      csv: b("\"\",NULL,-5\n"), json: b("[\"\",null,-5]\n"))
    }

    func testIndexWidthAndNestedIndentation() {
        let inner = (1...10).map { ":\($0)\r\n" }.joined() + "*1\r\n*1\r\n$0\r\n\r\n:12\r\n"
        let wire = "*11\r\n" + (1...10).map { ":\($0)\r\n" }.joined() + "*12\r\n" + inner
        let expected = (1...9).map { " \($0)) (integer) \($0)\n" }.joined() + "10) (integer) 10\n"
            + "11)  1) (integer) 1\n" + (2...9).map { "     \($0)) (integer) \($0)\n" }.joined()
            + "    10) (integer) 10\n    11) 1) 1) \"\"\n    12) (integer) 12\n"
        XCTAssertEqual(String(decoding: ReplyRenderer(mode: .standard).render(reply(b(wire))), as: UTF8.self), expected)
    }

    func testMapsAndSets() {
        assertRenders(b("%0\r\n"), standard: b("(empty hash)\n"), raw: b("\n"), csv: b("\n"), json: b("{}\n"))
        assertRenders(b("~0\r\n"), standard: b("(empty set)\n"), raw: b("\n"), csv: b("\n"), json: b("[]\n"))
        assertRenders(b("~2\r\n+a\r\n+b\r\n"), standard: b("1~ a\n2~ b\n"), raw: b("a\nb\n"),
                      csv: b("\"a\",\"b\"\n"), json: b("[\"a\",\"b\"]\n"))
        // A multi-line map value starts on its own line.
        assertRenders(b("%2\r\n+a\r\n:1\r\n$1\r\nb\r\n*2\r\n:1\r\n:2\r\n"),
                      standard: b("1# a => (integer) 1\n2# \"b\" => \n   1) (integer) 1\n   2) (integer) 2\n"),
                      raw: b("a 1\nb 1\n2\n"), csv: b("\"a\",1,\"b\",1,2\n"), json: b("{\"a\":1,\"b\":[1,2]}\n"))
        assertRenders(b("%2\r\n:1\r\n#t\r\n,1.5\r\n_\r\n"),
                      standard: b("1# (integer) 1 => (true)\n2# (double) 1.5 => (nil)\n"),
                      raw: b("1 (true)\n1.5 \n"), csv: b("1,true,1.5,NULL\n"), json: b("{\"1\":true,\"1.5\":null}\n"))
        // Keys that are not strings: JSON wraps them in quotes, unescaped, as redis-cli does.
        assertRenders(b("%3\r\n*2\r\n:1\r\n$1\r\na\r\n:1\r\n_\r\n:2\r\n-ERR k\r\n:3\r\n"),
                      standard: b("1# 1) (integer) 1\n   2) \"a\" => (integer) 1\n2# (nil) => (integer) 2\n3# (error) ERR k => (integer) 3\n"),
                      raw: b("1\na 1\n 2\nERR k\n 3\n"), csv: b("1,\"a\",1,NULL,2,ERROR,\"ERR k\",3\n"),
                      json: b("{\"[1,\"a\"]\":1,\"null\":2,error:\"ERR k\":3}\n"))
    }

    func testNestedMapsAndSetsInStandardFormat() {
        let standard = ReplyRenderer(mode: .standard)
        XCTAssertEqual(String(decoding: standard.render(reply(b("*2\r\n%2\r\n+a\r\n:1\r\n$1\r\nb\r\n%1\r\n:1\r\n:2\r\n:5\r\n"))), as: UTF8.self),
                       "1) 1# a => (integer) 1\n   2# \"b\" => 1# (integer) 1 => (integer) 2\n2) (integer) 5\n")
        XCTAssertEqual(String(decoding: standard.render(reply(b("%1\r\n*2\r\n:1\r\n:2\r\n*0\r\n"))), as: UTF8.self),
                       "1# 1) (integer) 1\n   2) (integer) 2 => (empty array)\n")
        XCTAssertEqual(String(decoding: standard.render(reply(b("~2\r\n*2\r\n:1\r\n:2\r\n~1\r\n#f\r\n"))), as: UTF8.self),
                       "1~ 1) (integer) 1\n   2) (integer) 2\n2~ 1~ (false)\n")
        XCTAssertEqual(String(decoding: standard.render(reply(b(">2\r\n+a\r\n:1\r\n"))), as: UTF8.self), "1) a\n2) (integer) 1\n")
        XCTAssertEqual(String(decoding: standard.render(reply(b(">0\r\n"))), as: UTF8.self), "(empty push)\n")
    }

    // MARK: RANGE replies (SkipKV only; no redis-cli counterpart)

    private let rangeReply = RESPReply.array([
        .bulkString(Array("k1".utf8)), .bulkString(Array("v 1".utf8)),
        .bulkString(Array("k\"2".utf8)), .bulkString([0x00, 0xFF]),
    ])

    private func rendered(_ mode: OutputMode, _ command: String, _ reply: RESPReply) -> String {
        let words = command.split(separator: " ").map { Array($0.utf8) }
        return String(decoding: ReplyRenderer(mode: mode).render(reply, to: words), as: UTF8.self)
    }

    func testRangeRepliesAreShownAsPairs() {
        XCTAssertEqual(rendered(.standard, "RANGE - +", rangeReply), "1) \"k1\" => \"v 1\"\n2) \"k\\\"2\" => \"\\x00\\xff\"\n")
        XCTAssertEqual(rendered(.standard, "range [a (z LIMIT 0 10", rangeReply), "1) \"k1\" => \"v 1\"\n2) \"k\\\"2\" => \"\\x00\\xff\"\n")
        XCTAssertEqual(ReplyRenderer(mode: .raw).render(rangeReply, to: [Array("RANGE".utf8), [45], [43]]),
                       Array("k1 v 1\nk\"2 ".utf8) + [0x00, 0xFF, 0x0A])
        XCTAssertEqual(rendered(.csv, "RANGE - +", rangeReply), "\"k1\",\"v 1\"\n\"k\\\"2\",\"\\x00\\xff\"\n")
        XCTAssertEqual(ReplyRenderer(mode: .json).render(rangeReply, to: [Array("RANGE".utf8), [45], [43]]),
                       Array("{\"k1\":\"v 1\",\"k\\\"2\":\"\\u0000".utf8) + [0xFF] + Array("\"}\n".utf8))
        // Ten or more entries: numbers right-aligned like redis-cli's.
        let twelve = RESPReply.array((1...12).flatMap { [RESPReply.bulkString(Array("k\($0)".utf8)), .bulkString(Array("v".utf8))] })
        XCTAssertTrue(rendered(.standard, "RANGE - +", twelve).hasPrefix(" 1) \"k1\" => \"v\"\n 2) "))
        XCTAssertTrue(rendered(.standard, "RANGE - +", twelve).hasSuffix("\n12) \"k12\" => \"v\"\n"))
    }

    func testOtherRangeRepliesRenderAsUsual() {
        let keys = RESPReply.array([.bulkString(Array("k1".utf8)), .bulkString(Array("k2".utf8))])
        XCTAssertEqual(rendered(.standard, "RANGE - + NOVALUES", keys), "1) \"k1\"\n2) \"k2\"\n")
        XCTAssertEqual(rendered(.standard, "RANGE - + REV LIMIT 0 5 novalues", keys), "1) \"k1\"\n2) \"k2\"\n")
        XCTAssertEqual(rendered(.standard, "RANGE - +", .array([])), "(empty array)\n")
        XCTAssertEqual(rendered(.standard, "RANGE a b", .error(Array("ERR min or max not valid string range item".utf8))),
                       "(error) ERR min or max not valid string range item\n")
        XCTAssertEqual(rendered(.standard, "RANGECOUNT - +", .integer(2)), "(integer) 2\n")
        XCTAssertEqual(rendered(.standard, "LRANGE l 0 -1", keys), "1) \"k1\"\n2) \"k2\"\n")
    }

    func testRangeEntryLines() {
        func line(_ mode: OutputMode, _ key: String, _ value: String?) -> String {
            var out: [UInt8] = []
            RangeEntryFormat(mode: mode).appendLine(key: Array(key.utf8), value: value.map { Array($0.utf8) }, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        XCTAssertEqual(line(.standard, "k\n", "v"), "\"k\\n\" => \"v\"\n")
        XCTAssertEqual(line(.raw, "k", "v w"), "k v w\n")
        XCTAssertEqual(line(.csv, "k", "v,w"), "\"k\",\"v,w\"\n")
        XCTAssertEqual(line(.json, "k", "v\"w"), "{\"k\":\"v\\\"w\"}\n")
        XCTAssertEqual(line(.standard, "k", nil), "\"k\"\n")
        XCTAssertEqual(line(.raw, "k", nil), "k\n")
        XCTAssertEqual(line(.csv, "k", nil), "\"k\"\n")
        XCTAssertEqual(line(.json, "k", nil), "\"k\"\n")
    }

    func testRangePageCommands() {
        XCTAssertEqual(RangeCommand.page(min: Array("(k9".utf8), max: Array("+".utf8), reverse: false, count: 100, keysOnly: false)
            .map { String(decoding: $0, as: UTF8.self) }, ["RANGE", "(k9", "+", "LIMIT", "0", "100"])
        XCTAssertEqual(RangeCommand.page(min: Array("-".utf8), max: Array("(k9".utf8), reverse: true, count: 5, keysOnly: true)
            .map { String(decoding: $0, as: UTF8.self) }, ["RANGE", "-", "(k9", "REV", "LIMIT", "0", "5", "NOVALUES"])
        XCTAssertEqual(RangeCommand.bound(after: [0, 1]), [UInt8(ascii: "("), 0, 1])
    }
}
