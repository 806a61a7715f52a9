import Foundation
import XCTest

/// skipkv-cli run one command at a time against real servers: output in every mode, exit
/// statuses, connection options. Runs against redis-server and, when available,
/// skipkv-server.
final class OneShotTests: XCTestCase {
    /// Commands both servers support, with replies of every RESP2 shape they produce.
    private static let script = """
        FLUSHALL
        SET k v
        GET k
        GET missing
        SET "bin key" "a\\x00b\\r\\nc\\xff"
        GET "bin key"
        MGET k missing "bin key"
        INCR n
        INCRBY n 41
        INCR k
        APPEND k 123
        STRLEN k
        EXISTS k missing n
        TYPE k
        DEL n missing
        SETNX k other
        GETSET k new
        GETDEL k
        DBSIZE
        PING
        PING "hello world"
        ECHO ""
        KEYS bin*
        NOSUCHCOMMAND x
        GET
        """

    /// The whole script through skipkv-cli and redis-cli, in each mode and protocol: the
    /// same server answers both, so the outputs must match byte for byte.
    func testOutputMatchesRedisCLIOnEachServer() throws {
        guard let redisCLI = TestBinaries.redisCLI else { throw XCTSkip("redis-cli is not installed") }
        for kind in try TestServer.kinds() {
            let server = try TestServer(kind)
            for mode in ["--no-raw", "--raw", "--csv", "--json"] {
                for protocolFlag in ["-2", "-3"] {
                    let arguments = server.portArguments + [protocolFlag, mode]
                    let expected = try runProcess(redisCLI, arguments, input: [(0, Array(Self.script.utf8))])
                    let actual = try runCLI(arguments, input: Array(Self.script.utf8))
                    XCTAssertEqual(actual.out, expected.out, "\(kind) \(mode) \(protocolFlag)")
                    XCTAssertEqual(actual.stdout, expected.stdout, "\(kind) \(mode) \(protocolFlag) bytes")
                    XCTAssertEqual(actual.status, 0)
                }
            }
        }
    }

    func testExitStatuses() throws {
        for kind in try TestServer.kinds() {
            let server = try TestServer(kind)
            let ok = try runCLI(server.portArguments + ["SET", "counter", "x"])
            XCTAssertEqual(ok.status, 0, "\(kind)")
            XCTAssertEqual(ok.out, "OK\n")
            let errorReply = try runCLI(server.portArguments + ["INCR", "counter"])
            XCTAssertEqual(errorReply.status, 1, "\(kind): an error reply")
            XCTAssertEqual(errorReply.out, "ERR value is not an integer or out of range\n\n")
            let unknown = try runCLI(server.portArguments + ["--no-raw", "NOSUCHCOMMAND"])
            XCTAssertEqual(unknown.status, 1)
            XCTAssertTrue(unknown.out.hasPrefix("(error) ERR unknown command"), unknown.out)
        }
        let refused = try runCLI(["-p", String(try TestServer.freePort()), "PING"])
        XCTAssertEqual(refused.status, 2, "no server")
        XCTAssertTrue(refused.err.hasPrefix("Could not connect to 127.0.0.1:"), refused.err)
        XCTAssertTrue(refused.err.hasSuffix(": Connection refused\n"), refused.err)
        let unresolvable = try runCLI(["-h", "no-such-host.invalid", "PING"])
        XCTAssertEqual(unresolvable.status, 2)
    }

    func testUsageErrorsHelpAndVersion() throws {
        for arguments in [["--bogus"], ["-p"], ["-p", "notaport", "PING"], ["--pipe", "SET", "a", "b"],
                          ["--scan", "--range", "-", "+"], ["--rev"], ["--range", "-"], ["--count-per-page", "0"]] {
            let result = try runCLI(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertFalse(result.err.isEmpty, "\(arguments)")
            XCTAssertEqual(result.out, "", "\(arguments)")
        }
        XCTAssertEqual(try runCLI(["--bogus"]).err,
                       "Unrecognized option or bad number of args for: '--bogus'\nTry 'skipkv-cli --help' for more information.\n")
        let help = try runCLI(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.hasPrefix("Usage: skipkv-cli [OPTIONS] [cmd [arg [arg ...]]]\n"))
        XCTAssertTrue(help.out.contains("--range <min> <max>"))
        let version = try runCLI(["-v"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.out.hasPrefix("skipkv-cli "))
    }

    /// Arguments go to the server as given: binary bytes, leading dashes after the command.
    func testArgumentsArePassedVerbatim() throws {
        for kind in try TestServer.kinds() {
            let server = try TestServer(kind)
            XCTAssertEqual(try runCLI(server.portArguments + ["SET", "-key", "-1"]).status, 0)
            XCTAssertEqual(try runCLI(server.portArguments + ["--no-raw", "GET", "-key"]).out, "\"-1\"\n", "\(kind)")
            XCTAssertEqual(try runCLI(server.portArguments + ["INCRBY", "-key", "-5"]).out, "-6\n")
            XCTAssertEqual(try runCLI(server.portArguments + ["SET", "spaced", "a b\tc"]).status, 0)
            XCTAssertEqual(try runCLI(server.portArguments + ["--no-raw", "GET", "spaced"]).out, "\"a b\\tc\"\n")
        }
    }

    func testRepeatAndInterval() throws {
        for kind in try TestServer.kinds() {
            let server = try TestServer(kind)
            let started = Date()
            let result = try runCLI(server.portArguments + ["-r", "3", "-i", "0.1", "--no-raw", "INCR", "repeated"])
            XCTAssertEqual(result.out, "(integer) 1\n(integer) 2\n(integer) 3\n", "\(kind)")
            XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.2)
            // One error among the repetitions is enough for status 1.
            _ = try runCLI(server.portArguments + ["SET", "text", "x"])
            XCTAssertEqual(try runCLI(server.portArguments + ["-r", "2", "INCR", "text"]).status, 1)
        }
    }

    func testRangeRepliesArePairs() throws {
        let server = try TestServer(.skipkv)
        for (key, value) in [("a", "1"), ("b", "two words"), ("c", "3")] {
            XCTAssertEqual(try runCLI(server.portArguments + ["SET", key, value]).status, 0)
        }
        XCTAssertEqual(try runCLI(server.portArguments + ["--no-raw", "RANGE", "-", "+"]).out,
                       "1) \"a\" => \"1\"\n2) \"b\" => \"two words\"\n3) \"c\" => \"3\"\n")
        XCTAssertEqual(try runCLI(server.portArguments + ["RANGE", "[b", "+"]).out, "b two words\nc 3\n")
        XCTAssertEqual(try runCLI(server.portArguments + ["--csv", "RANGE", "-", "+", "REV", "LIMIT", "0", "2"]).out,
                       "\"c\",\"3\"\n\"b\",\"two words\"\n")
        XCTAssertEqual(try runCLI(server.portArguments + ["--json", "RANGE", "-", "(c"]).out, "{\"a\":\"1\",\"b\":\"two words\"}\n")
        XCTAssertEqual(try runCLI(server.portArguments + ["--no-raw", "RANGE", "-", "+", "NOVALUES"]).out, "1) \"a\"\n2) \"b\"\n3) \"c\"\n")
        XCTAssertEqual(try runCLI(server.portArguments + ["--no-raw", "-3", "RANGE", "(c", "+"]).out, "(empty array)\n")
        let invalid = try runCLI(server.portArguments + ["--no-raw", "RANGE", "a", "b"])
        XCTAssertEqual(invalid.out, "(error) ERR min or max not valid string range item\n")
        XCTAssertEqual(invalid.status, 1)
    }

    /// Unix socket, password (with and without the warning), ACL user, RESP3 handshake.
    func testConnectionOptionsOnRedis() throws {
        let server = try TestServer(.redis, extraArguments: ["--requirepass", "s3cret"])
        let socket = try XCTUnwrap(server.unixSocket)
        let withWarning = try runCLI(["-s", socket, "-a", "s3cret", "PING"])
        XCTAssertEqual(withWarning.out, "PONG\n")
        XCTAssertEqual(withWarning.status, 0)
        XCTAssertTrue(withWarning.err.hasPrefix("Warning: Using a password"), withWarning.err)
        let quiet = try runCLI(server.portArguments + ["--user", "default", "--pass", "s3cret", "--no-auth-warning", "-3", "--no-raw", "HELLO", "3"])
        XCTAssertEqual(quiet.err, "")
        XCTAssertTrue(quiet.out.hasPrefix("1# \"server\" => \"redis\"\n"), quiet.out)
        let fromEnvironment = try runCLI(server.portArguments + ["PING"], environment: ["SKIPKV_CLI_AUTH": "s3cret"])
        XCTAssertEqual(fromEnvironment.out, "PONG\n")
        XCTAssertEqual(fromEnvironment.err, "")
        let wrong = try runCLI(server.portArguments + ["-a", "wrong", "--no-auth-warning", "PING"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertTrue(wrong.err.hasPrefix("AUTH failed: WRONGPASS"), wrong.err)
        let none = try runCLI(server.portArguments + ["PING"], environment: ["SKIPKV_CLI_AUTH": ""])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.out.hasPrefix("NOAUTH"), none.out)
    }
}
