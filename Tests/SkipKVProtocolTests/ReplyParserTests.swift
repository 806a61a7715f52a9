import XCTest
@testable import SkipKVProtocol
import SkipKVTestSupport

final class ReplyParserTests: XCTestCase {
    /// What a client's read loop gets from a stream delivered in `chunks`: keeps unconsumed
    /// bytes contiguous, appends each chunk, and parses until the parser needs more.
    private func parseReplies(_ chunks: [[UInt8]]) -> (replies: [RESPReply], error: ReplyProtocolError?, leftover: [UInt8]) {
        var parser = ReplyParser()
        var pending: [UInt8] = []
        var replies: [RESPReply] = []
        chunkLoop: for chunk in chunks {
            pending += chunk
            while true {
                switch pending.withUnsafeBytes({ parser.parse($0) }) {
                case .reply(let reply, let consumed):
                    replies.append(reply)
                    pending.removeFirst(consumed)
                case .incomplete(let consumed, _):
                    pending.removeFirst(consumed)
                    continue chunkLoop
                case .error(let error):
                    return (replies, error, pending)
                }
            }
        }
        return (replies, nil, pending)
    }

    private func assertParses(_ wire: String, _ expected: [RESPReply], file: StaticString = #filePath, line: UInt = #line) {
        let bytes = Array(wire.utf8)
        let whole = parseReplies([bytes])
        XCTAssertNil(whole.error, file: file, line: line)
        XCTAssertEqual(whole.replies, expected, file: file, line: line)
        XCTAssertEqual(whole.leftover, [], file: file, line: line)
        // Split in two at every byte, and delivered one byte at a time.
        for cut in 0...bytes.count {
            let split = parseReplies([Array(bytes[..<cut]), Array(bytes[cut...])])
            XCTAssertEqual(split.replies, expected, "cut at \(cut)", file: file, line: line)
        }
        XCTAssertEqual(parseReplies(bytes.map { [$0] }).replies, expected, "byte by byte", file: file, line: line)
    }

    private func bulk(_ text: String) -> RESPReply { .bulkString(Array(text.utf8)) }
    private func simple(_ text: String) -> RESPReply { .simpleString(Array(text.utf8)) }

    func testRESP2Types() {
        assertParses("+OK\r\n", [simple("OK")])
        assertParses("+\r\n", [simple("")])
        assertParses("-ERR unknown command 'x'\r\n", [.error(Array("ERR unknown command 'x'".utf8))])
        assertParses(":0\r\n:-42\r\n:9223372036854775807\r\n", [.integer(0), .integer(-42), .integer(.max)])
        assertParses("$5\r\nhello\r\n$0\r\n\r\n", [bulk("hello"), bulk("")])
        assertParses("$-1\r\n*-1\r\n", [.null, .null])
        assertParses("*0\r\n", [.array([])])
        assertParses("*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+x\r\n", [.array([.integer(1), .array([bulk("a"), .null]), simple("x")])])
    }

    func testBulkStringsAreBinarySafe() {
        let payload: [UInt8] = [0, 13, 10, 255, 36, 13, 10]
        let wire = Array("$7\r\n".utf8) + payload + Array("\r\n".utf8)
        XCTAssertEqual(parseReplies([wire]).replies, [.bulkString(payload)])
    }

    func testRESP3Types() {
        assertParses("_\r\n", [.null])
        assertParses(",3.14\r\n,-inf\r\n,nan\r\n,1e+300\r\n", [.double(Array("3.14".utf8)), .double(Array("-inf".utf8)),
                                                             .double(Array("nan".utf8)), .double(Array("1e+300".utf8))])
        assertParses("#t\r\n#f\r\n", [.boolean(true), .boolean(false)])
        assertParses("(3492890328409238509324850943850943825024385\r\n", [.bigNumber(Array("3492890328409238509324850943850943825024385".utf8))])
        assertParses("!22\r\nSYNTAX invalid\r\nsyntax\r\n", [.error(Array("SYNTAX invalid\r\nsyntax".utf8))])
        assertParses("=15\r\ntxt:Some string\r\n", [.verbatimString(format: Array("txt".utf8), text: Array("Some string".utf8))])
        assertParses("%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n*1\r\n#f\r\n", [.map([
            RESPReply.Pair(key: simple("first"), value: .integer(1)),
            RESPReply.Pair(key: bulk("second"), value: .array([.boolean(false)])),
        ])])
        assertParses("%0\r\n~0\r\n", [.map([]), .set([])])
        assertParses("~2\r\n+a\r\n:1\r\n", [.set([simple("a"), .integer(1)])])
        assertParses(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", [.push([bulk("message"), bulk("ch"), bulk("hi")])])
    }

    func testAttributesAreDropped() {
        // Top level: the attribute precedes the reply it annotates.
        assertParses("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n",
                     [.array([.integer(2_039_123), .integer(9_543_892)])])
        // Nested, and empty.
        assertParses("*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n|0\r\n:5\r\n", [.array([bulk("v"), .integer(5)])])
    }

    func testDeepNesting() {
        let depth = 200
        let wire = String(repeating: "*1\r\n", count: depth) + ":7\r\n"
        var expected = RESPReply.integer(7)
        for _ in 0..<depth { expected = .array([expected]) }
        XCTAssertEqual(parseReplies([Array(wire.utf8)]).replies, [expected])
    }

    /// A large aggregate arriving in many reads is absorbed element by element: what is left
    /// unconsumed between reads is never more than one unfinished element.
    func testLargeArrayIsConsumedIncrementally() {
        let count = 10_000
        var wire = Array("*\(count)\r\n".utf8)
        for index in 0..<count { wire += Array("$\(String(index).utf8.count)\r\n\(index)\r\n".utf8) }
        var parser = ReplyParser()
        var pending: [UInt8] = []
        var result: RESPReply?
        var largestPending = 0
        var offset = 0
        while offset < wire.count {
            let end = min(offset + 100, wire.count)
            pending += wire[offset..<end]
            offset = end
            loop: while true {
                switch pending.withUnsafeBytes({ parser.parse($0) }) {
                case .reply(let reply, let consumed):
                    result = reply
                    pending.removeFirst(consumed)
                case .incomplete(let consumed, _):
                    pending.removeFirst(consumed)
                    break loop
                case .error(let error):
                    return XCTFail("\(error)")
                }
            }
            largestPending = max(largestPending, pending.count)
        }
        XCTAssertEqual(result, .array((0..<count).map { bulk(String($0)) }))
        XCTAssertLessThan(largestPending, 20)
    }

    func testBytesNeededForBulkData() {
        var parser = ReplyParser()
        let partial = Array("$10\r\nabc".utf8)
        XCTAssertEqual(partial.withUnsafeBytes { parser.parse($0) }, .incomplete(consumed: 0, bytesNeeded: 9))
        var lineParser = ReplyParser()
        XCTAssertEqual(Array("+OK".utf8).withUnsafeBytes { lineParser.parse($0) }, .incomplete(consumed: 0, bytesNeeded: 1))
    }

    func testMalformedStreams() {
        let cases: [(String, ReplyProtocolError)] = [
            ("?x\r\n", .unexpectedTypeByte(UInt8(ascii: "?"))),
            ("+OK\n", .missingLineTerminator),
            ("\r\n", .missingLineTerminator),
            ("$3\r\nabcd\r\n", .missingLineTerminator),
            ("$x\r\n", .invalidLength),
            ("$-2\r\n", .invalidLength),
            ("*-2\r\n", .invalidLength),
            ("%-1\r\n", .invalidLength),
            ("!-1\r\n", .invalidLength),
            ("$?\r\n", .invalidLength),
            (":12a\r\n", .invalidInteger),
            ("#x\r\n", .invalidScalar(type: UInt8(ascii: "#"))),
            ("_x\r\n", .invalidScalar(type: UInt8(ascii: "_"))),
            (",1.2.3\r\n", .invalidScalar(type: UInt8(ascii: ","))),
            ("(12x\r\n", .invalidScalar(type: UInt8(ascii: "("))),
            ("=2\r\nab\r\n", .invalidVerbatimString),
            ("*2\r\n:1\r\n@\r\n", .unexpectedTypeByte(UInt8(ascii: "@"))),
        ]
        for (wire, expected) in cases {
            XCTAssertEqual(parseReplies([Array(wire.utf8)]).error, expected, wire)
        }
        XCTAssertEqual(ReplyProtocolError.unexpectedTypeByte(UInt8(ascii: "!")).message, "Protocol error, got \"!\" as reply type byte")
    }

    /// Random reply trees written by `ReplyWriter` in both protocol versions parse back to
    /// what the writer means in that version, however the stream is cut.
    func testWriterOutputParsesBack() {
        var random = SeededRandom(seed: 0x5EED)
        for round in 0..<300 {
            let version: RESPVersion = round % 2 == 0 ? .resp2 : .resp3
            var writer = ReplyWriter(version: version, initialCapacity: 16)
            let expected = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                writeRandomReply(&writer, depth: 0, &random)
            }
            let stream = Array(writer.output.readableBytes)
            var cuts: [Int] = (0..<Int.random(in: 0...6, using: &random)).map { _ in Int.random(in: 0...stream.count, using: &random) }
            cuts.sort()
            var chunks: [[UInt8]] = []
            var start = 0
            for cut in cuts + [stream.count] {
                chunks.append(Array(stream[start..<cut]))
                start = cut
            }
            let parsed = parseReplies(chunks)
            XCTAssertNil(parsed.error, "round \(round)")
            XCTAssertEqual(parsed.replies, expected, "round \(round)")
        }
    }

    /// Writes a random reply and returns how it reads back in the writer's version.
    private func writeRandomReply(_ writer: inout ReplyWriter, depth: Int, _ random: inout SeededRandom) -> RESPReply {
        let resp3 = writer.version == .resp3
        let choice = Int.random(in: 0..<(depth < 3 ? 11 : 7), using: &random)
        switch choice {
        case 0:
            writer.writeOK()
            return simple("OK")
        case 1:
            let value = Int64.random(in: .min ... .max, using: &random)
            writer.writeInteger(value)
            return .integer(value)
        case 2:
            let bytes = (0..<Int.random(in: 0...20, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            writer.writeBulkString(bytes)
            return .bulkString(bytes)
        case 3:
            writer.writeNull()
            return .null
        case 4:
            writer.writeError("ERR something")
            return .error(Array("ERR something".utf8))
        case 5:
            let value = Bool.random(using: &random)
            writer.writeBoolean(value)
            return resp3 ? .boolean(value) : .integer(value ? 1 : 0)
        case 6:
            writer.writeDouble(1.5)
            return resp3 ? .double(Array("1.5".utf8)) : bulk("1.5")
        case 7:
            let count = Int.random(in: 0...3, using: &random)
            writer.writeArrayHeader(count: count)
            return .array((0..<count).map { _ in writeRandomReply(&writer, depth: depth + 1, &random) })
        case 8:
            let count = Int.random(in: 0...3, using: &random)
            writer.writeSetHeader(count: count)
            let elements = (0..<count).map { _ in writeRandomReply(&writer, depth: depth + 1, &random) }
            return resp3 ? .set(elements) : .array(elements)
        case 9:
            let count = Int.random(in: 0...3, using: &random)
            writer.writeMapHeader(count: count)
            var pairs: [RESPReply.Pair] = []
            for _ in 0..<count {
                let key = writeRandomReply(&writer, depth: depth + 1, &random)
                pairs.append(RESPReply.Pair(key: key, value: writeRandomReply(&writer, depth: depth + 1, &random)))
            }
            return resp3 ? .map(pairs) : .array(pairs.flatMap { [$0.key, $0.value] })
        default:
            writer.writeVerbatimString("some text")
            return resp3 ? .verbatimString(format: Array("txt".utf8), text: Array("some text".utf8)) : bulk("some text")
        }
    }
}
