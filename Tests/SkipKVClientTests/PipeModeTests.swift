import Foundation
import XCTest

/// `--pipe` mass insertion against real servers.
final class PipeModeTests: XCTestCase {
    /// `count` SETs, alternating RESP and inline forms, with binary values in the RESP ones
    /// and quoted values in the inline ones; every 1000th command is an INCR on a string
    /// key, which fails.
    private func mixedInput(count: Int) -> (input: [UInt8], errors: Int) {
        var input: [UInt8] = []
        var errors = 0
        for index in 0..<count {
            if index % 1000 == 999 {
                input += Array("INCR key:0\r\n".utf8)
                errors += 1
            } else if index % 2 == 0 {
                let value: [UInt8] = Array("v\(index)".utf8) + [0, 13, 10, 255]
                let key = Array("key:\(index)".utf8)
                input += Array("*3\r\n$3\r\nSET\r\n$\(key.count)\r\n".utf8) + key + Array("\r\n$\(value.count)\r\n".utf8) + value + Array("\r\n".utf8)
            } else {
                input += Array("SET key:\(index) \"v \(index)\"\n".utf8)
            }
        }
        return (input, errors)
    }

    func testMixedInputIsStreamedAndCounted() throws {
        for kind in try TestServer.kinds() {
            let server = try TestServer(kind)
            let (input, errors) = mixedInput(count: 20_000)
            let result = try runCLI(server.portArguments + ["--pipe"], input: input)
            XCTAssertEqual(result.out, """
                All data transferred. Waiting for the last reply...
                Last reply received from server.
                errors: \(errors), replies: 20000

                """, "\(kind)")
            XCTAssertEqual(result.status, 1, "error replies came back")
            XCTAssertEqual(result.err, String(repeating: "ERR value is not an integer or out of range\n", count: errors))
            XCTAssertEqual(try runCLI(server.portArguments + ["DBSIZE"]).out, "\(20_000 - errors)\n")
            XCTAssertEqual(try runCLI(server.portArguments + ["--no-raw", "GET", "key:2"]).out, "\"v2\\x00\\r\\n\\xff\"\n")
            XCTAssertEqual(try runCLI(server.portArguments + ["GET", "key:3"]).out, "v 3\n")
        }
    }

    /// Same input through redis-cli --pipe: the same report.
    func testReportMatchesRedisCLI() throws {
        guard let redisCLI = TestBinaries.redisCLI else { throw XCTSkip("redis-cli is not installed") }
        let server = try TestServer(.redis)
        let input = Array((0..<5000).map { "SET k\($0) v\($0)\r\n" }.joined().utf8) + Array("LPUSH k1 x\r\n".utf8)
        let expected = try runProcess(redisCLI, server.portArguments + ["--pipe"], input: [(0, input)])
        let actual = try runCLI(server.portArguments + ["--pipe"], input: input)
        XCTAssertEqual(actual.out, expected.out)
        XCTAssertEqual(actual.err, expected.err)
        XCTAssertEqual(actual.status, expected.status)
    }

    func testCleanInputExitsZeroAndLastLineNeedsNoNewline() throws {
        let server = try TestServer(try TestServer.kinds()[0])
        let result = try runCLI(server.portArguments + ["--pipe"], input: Array("SET a 1\nINCR a".utf8))
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.out.hasSuffix("errors: 0, replies: 2\n"), result.out)
        XCTAssertEqual(try runCLI(server.portArguments + ["GET", "a"]).out, "2\n")
    }

    /// Input that keeps coming for more than a second gets a progress line on stderr.
    func testProgressLineOnLongTransfers() throws {
        let server = try TestServer(try TestServer.kinds()[0])
        let half = Array((0..<2000).map { "SET p\($0) x\n" }.joined().utf8)
        let result = try runProcess(TestBinaries.cli, server.portArguments + ["--pipe"], input: [(0, half), (1.3, half), (0.1, half)])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.out.hasSuffix("errors: 0, replies: 6000\n"), result.out)
        XCTAssertTrue(result.err.contains("sent: "), "no progress line in \(result.err.debugDescription)")
        XCTAssertTrue(result.err.contains(" replies/s"))
    }

    func testMalformedInputIsRejected() throws {
        let server = try TestServer(try TestServer.kinds()[0])
        let result = try runCLI(server.portArguments + ["--pipe"], input: Array("SET a 1\r\n*2\r\n$3\r\nGET\r\n:5\r\n".utf8))
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.err.contains("invalid input: Protocol error: expected '$', got ':' (after 1 commands)"), result.err)
        // What was valid before the bad command still ran.
        XCTAssertEqual(try runCLI(server.portArguments + ["GET", "a"]).out, "1\n")
        let truncated = try runCLI(server.portArguments + ["--pipe"], input: Array("*2\r\n$3\r\nGET\r\n$1\r\n".utf8))
        XCTAssertEqual(truncated.status, 2)
        XCTAssertTrue(truncated.err.contains("ends in the middle of a command"), truncated.err)
    }
}
