import Foundation
import SkipKVTestSupport
import XCTest

/// SLOWLOG against redis-server 7: with `slowlog-log-slower-than 0` both log every command,
/// so the same commands give entries of the same shape, arguments cut the same way.
final class SlowlogTests: ServerTestCase {
    /// Sets up a server to log everything and runs `commands`; returns SLOWLOG GET -1's
    /// entries without the fields that differ by nature (id, time, duration, address).
    private func entries(_ client: RESPClient, after commands: [[String]]) throws -> [RESP] {
        XCTAssertEqual(try client.call("CONFIG", "SET", "slowlog-log-slower-than", "0"), .simple("OK"))
        XCTAssertEqual(try client.call("SLOWLOG", "RESET"), .simple("OK"))
        for command in commands { _ = try client.call(command) }
        let all = try XCTUnwrap(client.call("SLOWLOG", "GET", "-1").elements)
        return all.compactMap { entry in
            guard let fields = entry.elements, fields.count == 6 else { return .error("malformed entry \(entry)") }
            return .array([fields[3], fields[5]])
        }
    }

    private static let commands: [[String]] = [
        ["SET", "k", String(repeating: "v", count: 200)],
        ["CLIENT", "SETNAME", "slow-test"],
        ["GET", "k"],
        ["MSET"] + (0..<40).flatMap { ["k\($0)", "v"] },
        ["SLOWLOG", "LEN"],
    ]

    func testEntriesAgreeWithRedis() throws {
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        let theirs = try entries(RESPClient(port: redis.port), after: Self.commands)
        let ours = try entries(client, after: Self.commands)
        XCTAssertEqual(ours, theirs)
        _ = try client.call("CONFIG", "SET", "slowlog-log-slower-than", "10000")
    }

    func testFieldsLenResetAndMaxLen() throws {
        try assertReply(["CONFIG", "SET", "slowlog-log-slower-than", "0"], .simple("OK"))
        defer { _ = try? client.call("CONFIG", "SET", "slowlog-log-slower-than", "10000") }
        try assertReply(["SLOWLOG", "RESET"], .simple("OK"))
        _ = try client.call("PING")
        let entry = try XCTUnwrap(client.call("SLOWLOG", "GET").elements?.first?.elements)
        guard case .integer(let timestamp) = entry[1], case .integer(let duration) = entry[2], case .bulk(let address) = entry[4] else {
            return XCTFail("entry \(entry)")
        }
        XCTAssertLessThan(abs(Double(timestamp) - Date().timeIntervalSince1970), 60)
        XCTAssertGreaterThanOrEqual(duration, 0)
        XCTAssertTrue(String(decoding: address, as: UTF8.self).hasPrefix("127.0.0.1:"))
        XCTAssertEqual(entry[3], .bulks(["PING"]))
        guard case .integer(let length) = try client.call("SLOWLOG", "LEN") else { return XCTFail("LEN") }
        XCTAssertGreaterThanOrEqual(length, 2)
        try assertReply(["CONFIG", "SET", "slowlog-max-len", "3"], .simple("OK"))
        defer { _ = try? client.call("CONFIG", "SET", "slowlog-max-len", "128") }
        for _ in 0..<5 { _ = try client.call("PING") }
        try assertReply(["SLOWLOG", "LEN"], .integer(3))
        try assertReply(["SLOWLOG", "GET", "-2"], .error("ERR count should be greater than or equal to -1"))
        try assertReply(["SLOWLOG", "GET", "x"], .error("ERR count should be greater than or equal to -1"))
        try assertReply(["CONFIG", "SET", "slowlog-log-slower-than", "-1"], .simple("OK"))
        try assertReply(["SLOWLOG", "RESET"], .simple("OK"))
        _ = try client.call("PING")
        try assertReply(["SLOWLOG", "LEN"], .integer(0))
    }
}
