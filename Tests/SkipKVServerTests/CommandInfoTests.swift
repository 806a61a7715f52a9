import SkipKVTestSupport
import XCTest

/// skipkv-server's COMMAND INFO, as sent, against redis-server 7's for every command and
/// subcommand both have, in RESP2 and RESP3.
final class CommandInfoTests: ServerTestCase {
    /// Fields of the 10-element entry that are not compared, and why.
    private static let uncompared: [Int: String] = [
        7: "tips: SkipKV sends none (request/response policies describe Redis Cluster)",
        9: "subcommands: Redis has more (CLIENT PAUSE, CONFIG REWRITE, …); each one both have is compared on its own",
    ]

    func testCommandInfoAgreesWithRedis() throws {
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        let redisClient = try RESPClient(port: redis.port)
        for version in ["2", "3"] {
            _ = try client.call("HELLO", version)
            _ = try redisClient.call("HELLO", version)
            let names = try XCTUnwrap(client.call("COMMAND", "LIST").elements)
            var compared = 0
            for case .bulk(let bytes) in names {
                let name = String(decoding: bytes, as: UTF8.self)
                let theirs = try XCTUnwrap(redisClient.call("COMMAND", "INFO", name).elements?.first)
                guard let expected = theirs.elements else { continue }  // a command Redis does not have
                let ours = try XCTUnwrap(client.call("COMMAND", "INFO", name).elements?.first?.elements, name)
                XCTAssertEqual(ours.count, expected.count, name)
                for field in 0..<min(ours.count, expected.count) where Self.uncompared[field] == nil {
                    XCTAssertEqual(ours[field], expected[field], "RESP\(version) \(name) field \(field)")
                }
                compared += 1
            }
            XCTAssertGreaterThan(compared, 55, "RESP\(version)")
        }
    }
}
