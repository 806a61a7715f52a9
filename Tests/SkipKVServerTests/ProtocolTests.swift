import XCTest

/// Wire-level behaviour: pipelining, inline commands, requests split at every byte, and
/// reply order.
final class ProtocolTests: ServerTestCase {
    /// 10,000 commands in one write; every reply comes back, in request order.
    func testPipelineOfTenThousandCommands() throws {
        var requests: [UInt8] = []
        var expected: [RESP] = []
        for i in 0..<10_000 {
            switch i % 4 {
            case 0:
                requests += RESPClient.encode(["SET", "p:\(i)", "value-\(i)"])
                expected.append(.simple("OK"))
            case 1:
                requests += RESPClient.encode(["GET", "p:\(i - 1)"])
                expected.append(.bulk("value-\(i - 1)"))
            case 2:
                requests += RESPClient.encode(["INCR", "counter"])
                expected.append(.integer(Int64(i / 4 + 1)))
            default:
                requests += RESPClient.encode(["EXISTS", "p:\(i - 3)", "p:missing"])
                expected.append(.integer(1))
            }
        }
        try client.send(requests)
        for (index, reply) in expected.enumerated() {
            XCTAssertEqual(try client.read(), reply, "reply \(index)")
        }
        try assertReply(["DBSIZE"], .integer(2501))
    }

    func testInlineCommands() throws {
        try client.send("SET k \"a b\"\r\nGET k\r\nSET e \"\\x41\\n\\t\"\r\nGET e\nSET s 'it\\'s'\r\nGET s\r\n\r\n  PING  \r\nECHO \"\"\r\n")
        XCTAssertEqual(try client.read(), .simple("OK"))
        XCTAssertEqual(try client.read(), .bulk("a b"))
        XCTAssertEqual(try client.read(), .simple("OK"))
        XCTAssertEqual(try client.read(), .bulk("A\n\t"))
        XCTAssertEqual(try client.read(), .simple("OK"))
        XCTAssertEqual(try client.read(), .bulk("it's"))
        XCTAssertEqual(try client.read(), .simple("PONG"))
        XCTAssertEqual(try client.read(), .bulk(""))
    }

    /// The same requests delivered one byte per segment give the same replies.
    func testRequestsSplitAtEveryByte() throws {
        var nodelay: Int32 = 1
        setsockopt(client.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &nodelay, socklen_t(MemoryLayout<Int32>.size))
        let bytes = RESPClient.encode(["SET", "split", "x\r\ny"]) + Array("GET split\r\n".utf8)
            + RESPClient.encode(["APPEND", "split", "z"]) + RESPClient.encode(["PING"])
        for byte in bytes {
            try client.send([byte])
            usleep(300)
        }
        XCTAssertEqual(try client.read(), .simple("OK"))
        XCTAssertEqual(try client.read(), .bulk("x\r\ny"))
        XCTAssertEqual(try client.read(), .integer(5))
        XCTAssertEqual(try client.read(), .simple("PONG"))
    }

    /// Empty requests (`*0`, blank lines) are skipped, as in Redis.
    func testEmptyRequestsAreIgnored() throws {
        try client.send("*0\r\n\r\n*-1\r\nPING\r\n")
        XCTAssertEqual(try client.read(), .simple("PONG"))
    }

    /// Replies to a client that does not read pile up only to the output-buffer limit;
    /// then the server stops reading from it, and resumes as the client drains, losing
    /// nothing. Meanwhile other clients are served.
    func testOutputBufferLimitPausesReading() throws {
        try assertReply(["CONFIG", "SET", "client-output-buffer-limit", "1mb"], .simple("OK"))
        defer { _ = try? client.call("CONFIG", "SET", "client-output-buffer-limit", "16mb") }
        let value = String(repeating: "v", count: 100 * 1024)
        try assertReply(["SET", "big", value], .simple("OK"))
        let rssBefore = try residentBytes()
        let greedy = try server.client()
        let requests = (0..<400).flatMap { _ in RESPClient.encode(["GET", "big"]) }
        // 10 KB of requests fit the socket buffers at once; 40 MB of replies are owed for
        // them, and the server must not buffer them all.
        try greedy.send(requests)
        usleep(300_000)
        try assertServerHealthy()
        XCTAssertLessThan(try residentBytes() - rssBefore, 20 * 1024 * 1024, "40 MB of replies must not all be buffered")
        for i in 0..<400 {
            guard case .bulk(let bytes) = try greedy.read(), bytes.count == value.utf8.count else { return XCTFail("reply \(i)") }
        }
    }

    private func residentBytes() throws -> Int {
        let memory = try client.call("INFO", "memory").text!
        return memory.split(separator: "\r\n").first { $0.hasPrefix("used_memory_rss:") }.map { Int($0.split(separator: ":")[1])! }!
    }
}
