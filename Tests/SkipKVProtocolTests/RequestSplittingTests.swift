import XCTest
@testable import SkipKVProtocol
import SkipKVTestSupport

/// A pipelined stream of mixed RESP and inline requests must parse the same however its
/// bytes are split across reads.
final class RequestSplittingTests: XCTestCase {
    /// Requests paired with the arguments they parse to (nil for requests that are skipped).
    private let requests: [(bytes: [UInt8], arguments: [[UInt8]]?)] = [
        (encodeMultibulk(["SET", "key", "value"]), words("SET", "key", "value")),
        (bytes("PING\r\n"), words("PING")),
        (bytes("*0\r\n"), nil),
        (encodeMultibulk([bytes("SET"), [0, 13, 10, 0], bytes("a\r\nb\r\n")]), [bytes("SET"), [0, 13, 10, 0], bytes("a\r\nb\r\n")]),
        (bytes("\r\n"), nil),
        (bytes(#"SET "k 1" 'v\'x' "\x41\n" a"b c""# + "\n"),
         words("SET", "k 1", "v'x", "A\n", "ab c")),
        (bytes("*-1\r\n"), nil),
        (encodeMultibulk([bytes("ECHO"), []]), [bytes("ECHO"), []]),
        (bytes("   \t \r\n"), nil),
        (encodeMultibulk([bytes("MSET"), [UInt8](repeating: 42, count: 300), bytes("x")]),
         [bytes("MSET"), [UInt8](repeating: 42, count: 300), bytes("x")]),
        (bytes("GET key\r\n"), words("GET", "key")),
    ]

    private var stream: [UInt8] { requests.flatMap(\.bytes) }
    private var expected: [[[UInt8]]] { requests.compactMap(\.arguments) }

    func testWholeStream() {
        XCTAssertEqual(parseStream(stream), ParsedStream(commands: expected))
    }

    func testEveryPrefixYieldsExactlyTheCommandsItContains() {
        let stream = self.stream
        for length in 0...stream.count {
            var contained: [[[UInt8]]] = []
            var end = 0
            for request in requests {
                end += request.bytes.count
                if end <= length, let arguments = request.arguments { contained.append(arguments) }
            }
            XCTAssertEqual(parseStream(Array(stream[..<length])).commands, contained, "prefix \(length)")
        }
    }

    func testSplitAtEveryByteBoundary() {
        let stream = self.stream
        let expected = ParsedStream(commands: self.expected)
        for cut in 0...stream.count {
            XCTAssertEqual(parseStream(chunks(stream, cutAt: [cut])), expected, "cut at \(cut)")
        }
    }

    func testOneByteAtATime() {
        let stream = self.stream
        XCTAssertEqual(parseStream(stream.map { [$0] }), ParsedStream(commands: expected))
    }

    func testRandomChunkings() {
        let stream = self.stream
        let expected = ParsedStream(commands: self.expected)
        var random = SeededRandom(seed: 0x5EED)
        for round in 0..<500 {
            let cuts = (0..<Int.random(in: 1...12, using: &random)).map { _ in Int.random(in: 0...stream.count, using: &random) }
            XCTAssertEqual(parseStream(chunks(stream, cutAt: cuts)), expected, "round \(round), cuts \(cuts.sorted())")
        }
    }

    func testStreamEndingInAnErrorFailsTheSameWayAtEveryBoundary() {
        let stream = bytes("PING\r\n") + encodeMultibulk(["GET", "k"]) + bytes("*2\r\n$3\r\nGET\r\n$3\r\nabcXY")
        let expected = ParsedStream(commands: [words("PING"), words("GET", "k")], error: .unterminatedBulk)
        for cut in 0...stream.count {
            XCTAssertEqual(parseStream(chunks(stream, cutAt: [cut])), expected, "cut at \(cut)")
        }
    }

    func testIncompleteTailIsKept() {
        let complete = encodeMultibulk(["GET", "k"])
        let partial = bytes("*2\r\n$3\r\nGET\r\n$5\r\nab")
        for cut in 0...(complete + partial).count {
            let result = parseStream(chunks(complete + partial, cutAt: [cut]))
            XCTAssertEqual(result, ParsedStream(commands: [words("GET", "k")], leftover: partial), "cut at \(cut)")
        }
    }
}
