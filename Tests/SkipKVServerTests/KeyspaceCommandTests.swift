import XCTest

/// KEYS, SCAN, DBSIZE, FLUSHDB, FLUSHALL.
final class KeyspaceCommandTests: ServerTestCase {
    private func fill(_ keys: [String]) throws {
        try client.send(keys.flatMap { RESPClient.encode(["SET", $0, "v"]) })
        for _ in keys { XCTAssertEqual(try client.read(), .simple("OK")) }
    }

    func testKeysInKeyOrderWithGlobs() throws {
        try fill(["user:2", "user:10", "user:1", "admin", "user", "usr:1", "h?llo", "hello", "hallo"])
        try assertReply(["KEYS", "*"], .bulks(["admin", "h?llo", "hallo", "hello", "user", "user:1", "user:10", "user:2", "usr:1"]))
        try assertReply(["KEYS", "user:*"], .bulks(["user:1", "user:10", "user:2"]))
        try assertReply(["KEYS", "user:?"], .bulks(["user:1", "user:2"]))
        try assertReply(["KEYS", "h[ae]llo"], .bulks(["hallo", "hello"]))
        try assertReply(["KEYS", "h\\?llo"], .bulks(["h?llo"]))
        try assertReply(["KEYS", "admin"], .bulks(["admin"]))
        try assertReply(["KEYS", "nothing*"], .array([]))
        try assertReply(["KEYS"], .error("ERR wrong number of arguments for 'keys' command"))
    }

    func testScanWalksEveryKeyInOrder() throws {
        let keys = (0..<500).map { String(format: "key:%04d", $0) } + (0..<100).map { "k\($0)" }
        try fill(keys)
        for count in ["1", "7", "100", "1000"] {
            var cursor = "0"
            var seen: [String] = []
            repeat {
                let reply = try client.call("SCAN", cursor, "COUNT", count)
                guard case .array(let parts) = reply, parts.count == 2, case .bulk(let next) = parts[0],
                      let batch = parts[1].elements else { return XCTFail("bad SCAN reply \(reply)") }
                cursor = String(decoding: next, as: UTF8.self)
                XCTAssertNotNil(UInt64(cursor), "cursor must be an unsigned 64-bit number")
                seen += batch.compactMap(\.text)
            } while cursor != "0"
            XCTAssertEqual(seen, keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "COUNT \(count)")
        }
        var cursor = "0"
        var matched: [String] = []
        repeat {
            let reply = try client.call("scan", cursor, "match", "key:00*", "count", "3")
            cursor = reply.elements![0].text!
            matched += reply.elements![1].elements!.compactMap(\.text)
        } while cursor != "0"
        XCTAssertEqual(matched, (0..<100).map { String(format: "key:%04d", $0) })
        // Only strings exist: TYPE string keeps everything, any other type nothing.
        let typed = try client.call("SCAN", "0", "TYPE", "hash", "COUNT", "1000")
        XCTAssertEqual(typed.elements?[1], .array([]))
        let strings = try client.call("SCAN", "0", "TYPE", "string", "COUNT", "1000")
        XCTAssertEqual(strings.elements?[1].elements?.count, 600)
    }

    func testScanErrors() throws {
        try assertReply(["SCAN", "x"], .error("ERR invalid cursor"))
        try assertReply(["SCAN", "18446744073709551616"], .error("ERR invalid cursor"))
        try assertReply(["SCAN", "0", "COUNT", "0"], .error("ERR syntax error"))
        try assertReply(["SCAN", "0", "COUNT", "x"], .error("ERR value is not an integer or out of range"))
        try assertReply(["SCAN", "0", "MATCH"], .error("ERR syntax error"))
        try assertReply(["SCAN", "0", "FOO", "bar"], .error("ERR syntax error"))
        try assertReply(["SCAN", "0"], .array([.bulk("0"), .array([])]))
    }

    func testDbsizeAndFlush() throws {
        try fill(["a", "b", "c"])
        try assertReply(["DBSIZE"], .integer(3))
        try assertReply(["FLUSHDB"], .simple("OK"))
        try assertReply(["DBSIZE"], .integer(0))
        try fill(["a"])
        try assertReply(["FLUSHALL", "ASYNC"], .simple("OK"))
        try assertReply(["FLUSHALL", "x"], .error("ERR syntax error"))
        try assertReply(["DBSIZE", "x"], .error("ERR wrong number of arguments for 'dbsize' command"))
        try assertReply(["DBSIZE"], .integer(0))
    }
}
