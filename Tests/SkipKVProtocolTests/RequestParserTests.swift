import XCTest
@testable import SkipKVProtocol
import SkipKVTestSupport

final class RequestParserTests: XCTestCase {
    // MARK: Well-formed requests

    func testMultibulkCommand() {
        let result = parseStream("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n")
        XCTAssertEqual(result, ParsedStream(commands: [words("SET", "k", "value")]))
    }

    func testPipelinedCommandsReportTheirOwnLengths() {
        let first = "*1\r\n$4\r\nPING\r\n"
        let second = "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"
        var parser = RequestParser()
        var arguments = CommandArguments()
        Array((first + second).utf8).withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .command(consumed: first.utf8.count))
            XCTAssertEqual(Array(arguments.argument(0, in: buffer)), bytes("PING"))
            let rest = UnsafeRawBufferPointer(rebasing: buffer[first.utf8.count...])
            XCTAssertEqual(parser.parse(rest, into: &arguments), .command(consumed: second.utf8.count))
            XCTAssertEqual(arguments.count, 2)
            XCTAssertEqual(Array(arguments.argument(1, in: rest)), bytes("hi"))
            let end = UnsafeRawBufferPointer(rebasing: buffer[buffer.count...])
            XCTAssertEqual(parser.parse(end, into: &arguments), .incomplete(consumed: 0, bytesNeeded: 1))
        }
    }

    func testBinarySafeArguments() {
        let value: [UInt8] = [0, 13, 10, 0x2A, 0x24, 255, 13, 10, 0]
        let result = parseStream(encodeMultibulk([bytes("SET"), [0, 10], value, []]))
        XCTAssertEqual(result, ParsedStream(commands: [[bytes("SET"), [0, 10], value, []]]))
    }

    func testBulkArgumentsAreSlicesOfTheBuffer() {
        var parser = RequestParser()
        var arguments = CommandArguments()
        bytes("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n").withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .command(consumed: buffer.count))
            XCTAssertEqual(arguments.argument(1, in: buffer).baseAddress, buffer.baseAddress! + 17)
        }
    }

    func testEmptyMultibulkRequestsAreSkipped() {
        let result = parseStream("*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n")
        XCTAssertEqual(result, ParsedStream(commands: [words("PING")]))
    }

    func testSkippedRequestsAreReportedConsumedWhileWaiting() {
        var parser = RequestParser()
        var arguments = CommandArguments()
        bytes("*0\r\n\r\n*2\r\n$4\r\nECHO\r\n$2\r\nh").withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .incomplete(consumed: 6, bytesNeeded: 3))
        }
        // The server drops the 6 bytes; the parser, and the argument it already has, follow.
        bytes("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n").withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .command(consumed: buffer.count))
            XCTAssertEqual(Array(arguments.argument(0, in: buffer)), bytes("ECHO"))
            XCTAssertEqual(Array(arguments.argument(1, in: buffer)), bytes("hi"))
        }
    }

    func testEmptyInput() {
        var parser = RequestParser()
        var arguments = CommandArguments()
        XCTAssertEqual(parser.parse(UnsafeRawBufferPointer(start: nil, count: 0), into: &arguments),
                       .incomplete(consumed: 0, bytesNeeded: 1))
    }

    // MARK: Incomplete requests

    func testBytesNeededIsExactForBulkData() {
        var parser = RequestParser()
        var arguments = CommandArguments()
        bytes("*2\r\n$3\r\nGET\r\n$10\r\nabc").withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .incomplete(consumed: 0, bytesNeeded: 9))
        }
        bytes("*2\r\n$3\r\nGET\r\n$10\r\nabcdefghij\r").withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .incomplete(consumed: 0, bytesNeeded: 1))
        }
    }

    func testHugeAnnouncedBulkAllocatesNothingUpFront() {
        var parser = RequestParser()
        var arguments = CommandArguments()
        let capacityBefore = arguments.sliceCapacity
        bytes("*1048576\r\n$536870912\r\nabc").withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .incomplete(consumed: 0, bytesNeeded: 536_870_912 + 2 - 3))
        }
        XCTAssertEqual(arguments.sliceCapacity, capacityBefore)
        XCTAssertEqual(arguments.scratchCapacity, 64)
    }

    func testLinesWaitForTheirEnd() {
        for partial in ["*", "*12", "*1\r", "*1\r\n$", "*1\r\n$3", "*1\r\n$3\r", "GET k", "GET k\r"] {
            var parser = RequestParser()
            var arguments = CommandArguments()
            bytes(partial).withUnsafeBytes { buffer in
                XCTAssertEqual(parser.parse(buffer, into: &arguments), .incomplete(consumed: 0, bytesNeeded: 1), partial)
            }
        }
    }

    // MARK: Framing errors

    func testInvalidMultibulkLength() {
        for header in ["*x", "*+1", "*01", "*1x", "* 1", "*", "*-0", "*99999999999999999999", "*1048577"] {
            XCTAssertEqual(parseStream(header + "\r\n").error, .invalidMultibulkLength, header)
        }
        XCTAssertEqual(parseStream("*1\rX").error, .invalidMultibulkLength)
    }

    func testMultibulkCountLimitIsConfigurable() {
        let limits = ParserLimits(maxArguments: 2)
        XCTAssertEqual(parseStream("*2\r\n$1\r\na\r\n$1\r\nb\r\n", limits: limits).commands, [words("a", "b")])
        XCTAssertEqual(parseStream("*3\r\n", limits: limits).error, .invalidMultibulkLength)
    }

    func testInvalidBulkLength() {
        for header in ["$x", "$-1", "$+1", "$01", "$1 ", "$", "$-0", "$536870913"] {
            XCTAssertEqual(parseStream("*1\r\n" + header + "\r\n").error, .invalidBulkLength, header)
        }
        XCTAssertEqual(parseStream("*1\r\n$1\rX").error, .invalidBulkLength)
    }

    func testBulkLengthLimitIsConfigurable() {
        let limits = ParserLimits(maxBulkLength: 3)
        XCTAssertEqual(parseStream("*1\r\n$3\r\nabc\r\n", limits: limits).commands, [words("abc")])
        XCTAssertEqual(parseStream("*1\r\n$4\r\n", limits: limits).error, .invalidBulkLength)
    }

    /// Before authenticating, a client may send at most 10 arguments of at most 16 KiB each
    /// (Redis's limits); the general limits still come first.
    func testUnauthenticatedLimits() {
        var limits = ParserLimits()
        limits.authenticationPending = true
        let ten = "*10\r\n" + String(repeating: "$1\r\na\r\n", count: 10)
        XCTAssertEqual(parseStream(ten, limits: limits).commands.count, 1)
        XCTAssertEqual(parseStream("*11\r\n", limits: limits).error, .unauthenticatedMultibulkLength)
        XCTAssertEqual(parseStream("*2000000\r\n", limits: limits).error, .invalidMultibulkLength)
        let largest = String(repeating: "x", count: 16384)
        XCTAssertEqual(parseStream("*1\r\n$16384\r\n" + largest + "\r\n", limits: limits).commands, [words(largest)])
        XCTAssertEqual(parseStream("*1\r\n$16385\r\n", limits: limits).error, .unauthenticatedBulkLength)
        XCTAssertEqual(parseStream("*1\r\n$536870913\r\n", limits: limits).error, .invalidBulkLength)
        limits.authenticationPending = false
        XCTAssertEqual(parseStream("*11\r\n" + String(repeating: "$5\r\n" + "abcde" + "\r\n", count: 11), limits: limits).commands.count, 1)
        XCTAssertEqual(parseStream("*1\r\n$16385\r\n" + largest + "y\r\n", limits: limits).commands.count, 1)
    }

    func testNonBulkElement() {
        XCTAssertEqual(parseStream("*2\r\n$3\r\nGET\r\n:1\r\n").error, .expectedBulk(got: UInt8(ascii: ":")))
        XCTAssertEqual(parseStream("*1\r\nX").error, .expectedBulk(got: UInt8(ascii: "X")), "reported before the line ends")
        XCTAssertEqual(ProtocolError.expectedBulk(got: UInt8(ascii: "X")).message, "Protocol error: expected '$', got 'X'")
        XCTAssertEqual(ProtocolError.expectedBulk(got: 13).message, "Protocol error: expected '$', got ' '")
        XCTAssertEqual(ProtocolError.expectedBulk(got: 0).message, "Protocol error: expected '$', got '\\x00'")
    }

    func testBulkNotFollowedByCRLF() {
        for body in ["$3\r\nabcXY", "$3\r\nabc\rX", "$3\r\nabc\n\r", "$0\r\nab"] {
            XCTAssertEqual(parseStream("*1\r\n" + body).error, .unterminatedBulk, body)
        }
    }

    func testTooBigCountLines() {
        let limits = ParserLimits(maxInlineLength: 8)
        XCTAssertEqual(parseStream("*000000000", limits: limits).error, .tooBigMultibulkCount)
        XCTAssertEqual(parseStream("*00000000\r\n", limits: limits).error, .tooBigMultibulkCount)
        XCTAssertEqual(parseStream("*0000000\r\n", limits: limits).error, .invalidMultibulkLength)
        XCTAssertEqual(parseStream("*1\r\n$00000000", limits: limits).error, .tooBigBulkCount)
        XCTAssertEqual(parseStream("*1\r\n$00000000\r\n", limits: limits).error, .tooBigBulkCount)
        XCTAssertEqual(parseStream("*1\r\n$0000000\r\n", limits: limits).error, .invalidBulkLength)
    }

    func testTooBigInlineRequest() {
        let limits = ParserLimits(maxInlineLength: 8)
        XCTAssertEqual(parseStream("GET 1234\n", limits: limits).commands, [words("GET", "1234")])
        XCTAssertEqual(parseStream("GET 123\r\n", limits: limits).commands, [words("GET", "123")])
        XCTAssertEqual(parseStream("GET 12345", limits: limits).error, .tooBigInlineRequest)
        XCTAssertEqual(parseStream("GET 12345\n", limits: limits).error, .tooBigInlineRequest)
        // The limit counts the bytes before the line feed, a CR included.
        XCTAssertEqual(parseStream("GET 1234\r\n", limits: limits).error, .tooBigInlineRequest)
        XCTAssertEqual(ParserLimits().maxInlineLength, 64 * 1024)
        let longLine = bytes("GET ") + [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
        XCTAssertEqual(parseStream(longLine).error, .tooBigInlineRequest)
    }

    func testUnbalancedQuotes() {
        XCTAssertEqual(parseStream("SET k \"abc\r\n").error, .unbalancedQuotes)
        XCTAssertEqual(ProtocolError.unbalancedQuotes.message, "Protocol error: unbalanced quotes in request")
    }

    func testCommandsBeforeAnErrorAreStillReturned() {
        let result = parseStream("PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$-1\r\n")
        XCTAssertEqual(result.commands, [words("PING"), words("PING")])
        XCTAssertEqual(result.error, .invalidBulkLength)
    }

    func testErrorMessages() {
        XCTAssertEqual(ProtocolError.tooBigInlineRequest.message, "Protocol error: too big inline request")
        XCTAssertEqual(ProtocolError.tooBigMultibulkCount.message, "Protocol error: too big mbulk count string")
        XCTAssertEqual(ProtocolError.invalidMultibulkLength.message, "Protocol error: invalid multibulk length")
        XCTAssertEqual(ProtocolError.tooBigBulkCount.message, "Protocol error: too big bulk count string")
        XCTAssertEqual(ProtocolError.invalidBulkLength.message, "Protocol error: invalid bulk length")
        XCTAssertEqual(ProtocolError.unterminatedBulk.message, "Protocol error: expected CRLF after bulk data")
    }

    func testParserIsReusableAfterAnError() {
        var parser = RequestParser()
        var arguments = CommandArguments()
        bytes("*1\r\n$x\r\n").withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .error(.invalidBulkLength))
        }
        bytes("PING\r\n").withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .command(consumed: 6))
        }
    }

    // MARK: Inline requests

    func testInlineCommands() {
        XCTAssertEqual(parseStream("PING\r\n").commands, [words("PING")])
        XCTAssertEqual(parseStream("SET k v\n").commands, [words("SET", "k", "v")])
        XCTAssertEqual(parseStream("  GET   k  \r\n").commands, [words("GET", "k")])
        XCTAssertEqual(parseStream("\r\n\n   \r\n\t\nPING\r\n").commands, [words("PING")], "blank lines are skipped")
        // Only one CR before the LF belongs to the terminator; another is a separator.
        XCTAssertEqual(parseStream("GET k\r\r\n").commands, [words("GET", "k")])
    }

    func testInlineUnquotedWordsAreSlicesOfTheBuffer() {
        var parser = RequestParser()
        var arguments = CommandArguments()
        bytes("SET key \"quoted\" 'single'\r\n").withUnsafeBytes { buffer in
            XCTAssertEqual(parser.parse(buffer, into: &arguments), .command(consumed: buffer.count))
            XCTAssertEqual(arguments.argument(1, in: buffer).baseAddress, buffer.baseAddress! + 4)
            XCTAssertEqual(arguments.argument(2, in: buffer).baseAddress, buffer.baseAddress! + 9)
            XCTAssertEqual(arguments.argument(3, in: buffer).baseAddress, buffer.baseAddress! + 18)
        }
    }

    func testLineStartingWithStarIsMultibulk() {
        XCTAssertEqual(parseStream("*PING\r\n").error, .invalidMultibulkLength)
        XCTAssertEqual(parseStream(" *1\r\n").commands, [words("*1")])
    }
}
