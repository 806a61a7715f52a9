import Foundation
import XCTest

/// skipkv-cli and redis-cli are shown the same replies (every RESP2 and RESP3 type, nested
/// every way, binary payloads) by a fake server, in every output mode; their output must be
/// byte for byte the same. Skipped when redis-cli is not installed.
final class RedisCLIComparisonTests: XCTestCase {
    /// Reply wire forms. Big numbers, blob errors, attributes and `,nan` are left out:
    /// redis-cli 7.0 (Debian's) rejects them.
    private static let cases: [[UInt8]] = {
        func b(_ text: String) -> [UInt8] { Array(text.utf8) }
        var cases: [[UInt8]] = [
            b("+OK\r\n"), b("+\r\n"), b(":0\r\n"), b(":-9223372036854775808\r\n"), b(":9223372036854775807\r\n"),
            b("$0\r\n\r\n"), b("$5\r\nhello\r\n"), b("$-1\r\n"), b("*-1\r\n"), b("_\r\n"),
            b("$8\r\nhe\"l") + [0x01, 0xC3, 0xA9] + b("\\\r\n"),
            b("$6\r\n") + [0x09, 0x0A, 0x0D, 0x08, 0x07, 0x00] + b("\r\n"),
            b("$4\r\n") + [0x0C, 0x0B, 0x1B, 0x7F] + b("\r\n"),
            b("$5\r\n") + [0x80, 0xFF, 0x20, 0x27, 0x2F] + b("\r\n"),
            b("-ERR bad \"thing\"\r\n"), b("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
            b(",3.14\r\n"), b(",-inf\r\n"), b(",inf\r\n"), b(",1e+300\r\n"), b(",-0\r\n"),
            b("#t\r\n"), b("#f\r\n"),
            b("=15\r\ntxt:hello\nworld\r\n"), b("=8\r\nmkd:# hi\r\n"),
            b("*0\r\n"), b("%0\r\n"), b("~0\r\n"),
            b("*2\r\n$1\r\na\r\n*2\r\n:1\r\n*1\r\n$1\r\nb\r\n"),
            b("*3\r\n$0\r\n\r\n$-1\r\n:-5\r\n"),
            b("*3\r\n-ERR x\r\n_\r\n*-1\r\n"),
            b("*2\r\n=15\r\ntxt:hello\nworld\r\n,-inf\r\n"),
            b("%2\r\n+a\r\n:1\r\n$1\r\nb\r\n*2\r\n:1\r\n:2\r\n"),
            b("%2\r\n:1\r\n#t\r\n,1.5\r\n_\r\n"),
            b("%3\r\n*2\r\n:1\r\n$1\r\na\r\n:1\r\n_\r\n:2\r\n-ERR k\r\n:3\r\n"),
            b("*2\r\n%2\r\n+a\r\n:1\r\n$1\r\nb\r\n%1\r\n:1\r\n:2\r\n:5\r\n"),
            b("%1\r\n*2\r\n:1\r\n:2\r\n*0\r\n"),
            b("%1\r\n$1\r\nk\r\n*1\r\n*2\r\n:1\r\n:2\r\n"),
            b("%2\r\n$1\r\nk\r\n%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n~1\r\n#f\r\n$1\r\nz\r\n*1\r\n:9\r\n"),
            b("~2\r\n*2\r\n:1\r\n:2\r\n~1\r\n#f\r\n"),
            b("~3\r\n+a\r\n%1\r\n+k\r\n+v\r\n*0\r\n"),
            b("*2\r\n*2\r\n*2\r\n:1\r\n:2\r\n:3\r\n*1\r\n%0\r\n"),
        ]
        let ten = (1...10).map { ":\($0)\r\n" }.joined()
        cases.append(b("*11\r\n" + ten + "*12\r\n" + ten + "*1\r\n*1\r\n$0\r\n\r\n:12\r\n"))
        cases.append(b("*101\r\n" + (0..<100).map { "$\(String($0).count)\r\n\($0)\r\n" }.joined() + "*2\r\n:1\r\n*1\r\n:2\r\n"))
        cases.append(b("%11\r\n" + (0..<11).map { "+k\($0)\r\n*2\r\n:\($0)\r\n:0\r\n" }.joined()))
        return cases
    }()

    private static let modes = ["--no-raw", "--raw", "--csv", "--json"]

    /// One session per tool and mode: the replies are requested line by line on stdin, each
    /// preceded by a marker reply, and the outputs compared case by case.
    func testEveryReplyTypeInEveryModeMatchesRedisCLI() throws {
        guard let redisCLI = TestBinaries.redisCLI else { throw XCTSkip("redis-cli is not installed") }
        let server = try FakeReplyServer()
        var script = ""
        for (index, wire) in Self.cases.enumerated() {
            script += FakeReplyServer.command(for: Array("+=== case \(index)\r\n".utf8)).joined(separator: " ") + "\n"
            script += FakeReplyServer.command(for: wire).joined(separator: " ") + "\n"
        }
        for protocolFlag in ["-2", "-3"] {
            for mode in Self.modes {
                let arguments = ["-p", String(server.port), protocolFlag, mode]
                let expected = try runProcess(redisCLI, arguments, input: [(0, Array(script.utf8))])
                let actual = try runCLI(arguments, input: Array(script.utf8))
                XCTAssertEqual(actual.status, 0, "\(mode) \(protocolFlag): \(actual.err)")
                XCTAssertEqual(actual.err, expected.err, "\(mode) \(protocolFlag) stderr")
                let expectedCases = Self.splitCases(expected.stdout), actualCases = Self.splitCases(actual.stdout)
                XCTAssertEqual(actualCases.count, Self.cases.count, "\(mode) \(protocolFlag)")
                for (index, (mine, theirs)) in zip(actualCases, expectedCases).enumerated() where mine != theirs {
                    XCTFail("""
                        case \(index) \(String(decoding: Self.cases[index], as: UTF8.self).debugDescription) \(mode) \(protocolFlag):
                        skipkv-cli: \(String(decoding: mine, as: UTF8.self).debugDescription)
                        redis-cli:  \(String(decoding: theirs, as: UTF8.self).debugDescription)
                        """)
                }
            }
        }
    }

    /// One-shot invocations print the same too, and exit 0 except for error replies, which
    /// make skipkv-cli exit 1 (redis-cli 7.0 exits 0).
    func testOneShotOutputMatchesRedisCLI() throws {
        guard let redisCLI = TestBinaries.redisCLI else { throw XCTSkip("redis-cli is not installed") }
        let server = try FakeReplyServer()
        let samples = [0, 10, 14, 21, 28, 33, 36, 42].map { Self.cases[$0] }
        for wire in samples {
            for mode in Self.modes {
                let arguments = ["-p", String(server.port), mode] + FakeReplyServer.command(for: wire)
                let expected = try runProcess(redisCLI, arguments)
                let actual = try runCLI(arguments)
                XCTAssertEqual(actual.out, expected.out, "\(String(decoding: wire, as: UTF8.self).debugDescription) \(mode)")
                XCTAssertEqual(actual.stdout, expected.stdout)
                XCTAssertEqual(actual.status, wire.first == UInt8(ascii: "-") ? 1 : 0)
            }
        }
    }

    /// The output of each case, split at the marker replies.
    private static func splitCases(_ output: [UInt8]) -> [[UInt8]] {
        let text = String(decoding: output, as: UTF8.self)
        var cases: [[UInt8]] = []
        for segment in text.components(separatedBy: "=== case ").dropFirst() {
            // Drop the rest of the marker's own line ("0\n", or "0\"\n" when quoted).
            guard let newline = segment.firstIndex(of: "\n") else { continue }
            cases.append(Array(segment[segment.index(after: newline)...].utf8))
        }
        return cases
    }
}
