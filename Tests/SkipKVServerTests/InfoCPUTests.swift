import Foundation
import SkipKVTestSupport
import XCTest

/// INFO's cpu section against redis-server 7's: the same fields in the same order and format,
/// and its place among the default sections.
final class InfoCPUTests: ServerTestCase {
    private func lines(_ reply: RESP) -> [String] {
        let bytes: [UInt8]
        switch reply {
        case .bulk(let text), .verbatim(_, let text): bytes = text
        default: return []
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\r\n").map(String.init)
    }

    private func fieldNames(_ lines: [String]) -> [String] {
        lines.map { $0.split(separator: ":", maxSplits: 1).first.map(String.init) ?? $0 }
    }

    func testCPUSectionHasRedisFieldsAndFormat() throws {
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        let theirs = lines(try RESPClient(port: redis.port).call("INFO", "cpu"))
        let ours = lines(try client.call("INFO", "cpu"))
        XCTAssertEqual(fieldNames(ours), fieldNames(theirs))
        for line in ours.dropFirst() {
            let value = String(line.split(separator: ":")[1])
            XCTAssertNotNil(value.range(of: #"^[0-9]+\.[0-9]{6}$"#, options: .regularExpression), line)
        }
        // Time spent shows up: the process has at least run its start-up.
        let total = ours.dropFirst().prefix(2).compactMap { Double($0.split(separator: ":")[1]) }.reduce(0, +)
        XCTAssertGreaterThan(total, 0)
    }

    /// `# CPU` comes after `# Stats` and before `# Keyspace` in INFO, INFO default and INFO all,
    /// as in Redis.
    func testCPUSectionIsInTheDefaultSet() throws {
        try assertReply(["SET", "k", "v"], .simple("OK"))
        for arguments in [["INFO"], ["INFO", "default"], ["INFO", "all"]] {
            let headers = lines(try client.call(arguments)).filter { $0.hasPrefix("# ") }
            let stats = try XCTUnwrap(headers.firstIndex(of: "# Stats"), "\(arguments)")
            let cpu = try XCTUnwrap(headers.firstIndex(of: "# CPU"), "\(arguments)")
            let keyspace = try XCTUnwrap(headers.firstIndex(of: "# Keyspace"), "\(arguments)")
            XCTAssertTrue(stats < cpu && cpu < keyspace, "\(arguments): \(headers)")
        }
    }
}
