import XCTest
@testable import SkipKVProtocol
import SkipKVTestSupport

final class ReplyWriterTests: XCTestCase {
    /// Asserts the RESP2 and RESP3 encodings of the same writer calls.
    private func assertWrites(
        _ resp2: String, _ resp3: String,
        file: StaticString = #filePath, line: UInt = #line,
        _ body: (inout ReplyWriter) -> Void
    ) {
        XCTAssertEqual(written(.resp2, body), resp2, "RESP2", file: file, line: line)
        XCTAssertEqual(written(.resp3, body), resp3, "RESP3", file: file, line: line)
    }

    func testSimpleStrings() {
        assertWrites("+OK\r\n", "+OK\r\n") { $0.writeOK() }
        assertWrites("+PONG\r\n", "+PONG\r\n") { $0.writeSimpleString("PONG") }
        assertWrites("+a  b\r\n", "+a  b\r\n") { $0.writeSimpleString("a\r\nb") }
    }

    func testErrors() {
        assertWrites("-ERR syntax error\r\n", "-ERR syntax error\r\n") { $0.writeError("ERR syntax error") }
        assertWrites("-WRONGTYPE a b\r\n", "-WRONGTYPE a b\r\n") { $0.writeError("WRONGTYPE a\nb") }
        assertWrites("-ERR Protocol error: invalid bulk length\r\n", "-ERR Protocol error: invalid bulk length\r\n") {
            $0.writeError(.invalidBulkLength)
        }
    }

    func testIntegers() {
        let cases: [(Int64, String)] = [
            (0, "0"), (7, "7"), (-7, "-7"), (10, "10"), (99, "99"), (100, "100"), (-100, "-100"),
            (9999, "9999"), (10_000, "10000"), (123_456_789, "123456789"),
            (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"),
        ]
        for (value, text) in cases {
            assertWrites(":\(text)\r\n", ":\(text)\r\n") { $0.writeInteger(value) }
        }
        assertWrites(":42\r\n", ":42\r\n") { $0.writeInteger(42 as Int) }
    }

    func testIntegerFormattingMatchesDescriptionAtEveryMagnitude() {
        var random = SeededRandom(seed: 42)
        var values: [Int64] = []
        var power: Int64 = 1
        for _ in 0..<19 {
            values += [power - 1, power, power + 1, -(power - 1), -power, -(power + 1)]
            power = power.multipliedReportingOverflow(by: 10).partialValue
        }
        values += (0..<1000).map { _ in Int64.random(in: .min ... .max, using: &random) }
        for value in values {
            XCTAssertEqual(written(.resp2) { $0.writeInteger(value) }, ":\(value)\r\n")
        }
    }

    func testBulkStrings() {
        assertWrites("$5\r\nhello\r\n", "$5\r\nhello\r\n") { $0.writeBulkString("hello") }
        assertWrites("$0\r\n\r\n", "$0\r\n\r\n") { $0.writeBulkString("") }
        assertWrites("$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n") { $0.writeBulkString([97, 13, 10, 98]) }
        assertWrites("$2\r\né\r\n", "$2\r\né\r\n") { $0.writeBulkString("é") }
        let binary: [UInt8] = [0, 255, 13]
        let result = binary.withUnsafeBytes { source in
            var writer = ReplyWriter(initialCapacity: 16)
            writer.writeBulkString(source)
            return Array(writer.output.readableBytes)
        }
        XCTAssertEqual(result, bytes("$3\r\n") + binary + bytes("\r\n"))
        let large = [UInt8](repeating: 120, count: 100_000)
        var writer = ReplyWriter(initialCapacity: 16)
        writer.writeBulkString(large)
        XCTAssertEqual(Array(writer.output.readableBytes), bytes("$100000\r\n") + large + bytes("\r\n"))
    }

    func testNulls() {
        assertWrites("$-1\r\n", "_\r\n") { $0.writeNull() }
        assertWrites("*-1\r\n", "_\r\n") { $0.writeNullArray() }
    }

    func testAggregateHeaders() {
        assertWrites("*3\r\n", "*3\r\n") { $0.writeArrayHeader(count: 3) }
        assertWrites("*0\r\n", "*0\r\n") { $0.writeArrayHeader(count: 0) }
        assertWrites("*4\r\n", "%2\r\n") { $0.writeMapHeader(count: 2) }
        assertWrites("*2\r\n", "~2\r\n") { $0.writeSetHeader(count: 2) }
    }

    func testNestedReply() {
        assertWrites("*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n", "%2\r\n$1\r\na\r\n#t\r\n$1\r\nb\r\n_\r\n") { writer in
            writer.writeMapHeader(count: 2)
            writer.writeBulkString("a")
            writer.writeBoolean(true)
            writer.writeBulkString("b")
            writer.writeNull()
        }
    }

    func testDoubles() {
        // Redis 7.2+ layout (d2string / fpconv_dtoa) of the shortest round-trip digits.
        let cases: [(Double, String)] = [
            (1.5, "1.5"), (-0.25, "-0.25"), (3, "3"), (-3, "-3"), (0, "0"), (-0.0, "-0"),
            (0.1, "0.1"), (1.0 / 3, "0.3333333333333333"), (1234.5678, "1234.5678"),
            (0.0001, "0.0001"), (1e-6, "0.000001"), (1.5e-5, "0.000015"), (-1.5e-5, "-0.000015"),
            (1e-7, "1e-7"), (-1.2345e-7, "-1.2345e-7"), (.leastNonzeroMagnitude, "5e-324"),
            (4_611_686_018_427_387_904, "4611686018427387904"),
            (9_223_372_036_854_775_808, "9223372036854776000"),
            (1e19, "1e+19"), (1.5e20, "1.5e+20"), (1e300, "1e+300"),
            (.greatestFiniteMagnitude, "1.7976931348623157e+308"),
            (.infinity, "inf"), (-.infinity, "-inf"), (.nan, "nan"),
        ]
        for (value, text) in cases {
            assertWrites("$\(text.utf8.count)\r\n\(text)\r\n", ",\(text)\r\n") { $0.writeDouble(value) }
        }
    }

    func testBooleans() {
        assertWrites(":1\r\n", "#t\r\n") { $0.writeBoolean(true) }
        assertWrites(":0\r\n", "#f\r\n") { $0.writeBoolean(false) }
    }

    func testVerbatimStrings() {
        assertWrites("$5\r\nhello\r\n", "=9\r\ntxt:hello\r\n") { $0.writeVerbatimString("hello") }
        assertWrites("$2\r\n# \r\n", "=6\r\nmkd:# \r\n") { $0.writeVerbatimString("# ", format: .markdown) }
    }

    func testVersionIsSwitchablePerConnection() {
        var writer = ReplyWriter(initialCapacity: 16)
        writer.writeNull()
        writer.version = .resp3
        writer.writeNull()
        XCTAssertEqual(String(decoding: writer.output.readableBytes, as: UTF8.self), "$-1\r\n_\r\n")
    }
}
