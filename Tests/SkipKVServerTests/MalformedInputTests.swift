import XCTest

/// Malformed and hostile input: each framing error gets Redis's `-ERR Protocol error: ...`
/// reply and a closed connection; a client vanishing mid-command, random bytes, and
/// oversized announcements change nothing for other clients or the stored data.
final class MalformedInputTests: ServerTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try assertReply(["SET", "canary", "alive"], .simple("OK"))
    }

    override func tearDownWithError() throws {
        try assertServerHealthy()
        XCTAssertEqual(try server.client().call("GET", "canary"), .bulk("alive"))
    }

    /// Sends `bytes` on a fresh connection; returns everything sent back before the close.
    private func exchange(_ bytes: [UInt8]) throws -> String {
        let victim = try server.client()
        try victim.send(bytes)
        return String(decoding: try victim.readUntilClosed(), as: UTF8.self)
    }

    func testEachFramingErrorRepliesAndCloses() throws {
        let bigDigits = String(repeating: "1", count: 70_000)
        let cases: [(String, [UInt8])] = [
            ("invalid multibulk length", Array("*abc\r\n".utf8)),
            ("invalid multibulk length", Array("*3000000\r\n".utf8)),
            ("invalid multibulk length", Array("*1x\r\n".utf8)),
            ("invalid bulk length", Array("*2\r\n$3\r\nGET\r\n$x\r\n".utf8)),
            ("invalid bulk length", Array("*1\r\n$-1\r\n".utf8)),
            ("invalid bulk length", Array("*1\r\n$600000000\r\n".utf8)),
            ("expected '$', got '+'", Array("*2\r\n+GET\r\n".utf8)),
            ("expected '$', got ':'", Array("*1\r\n:1\r\n".utf8)),
            ("expected CRLF after bulk data", Array("*1\r\n$3\r\nGETabc\r\n".utf8)),
            ("unbalanced quotes in request", Array("SET k \"abc\r\n".utf8)),
            ("unbalanced quotes in request", Array("SET k 'abc\r\n".utf8)),
            ("unbalanced quotes in request", Array("SET k \"a\"b\r\n".utf8)),
            ("too big inline request", Array(repeating: UInt8(ascii: "x"), count: 70_000)),
            ("too big mbulk count string", Array("*\(bigDigits)".utf8)),
            ("too big bulk count string", Array("*1\r\n$\(bigDigits)".utf8)),
        ]
        for (message, bytes) in cases {
            XCTAssertEqual(try exchange(bytes), "-ERR Protocol error: \(message)\r\n", message)
        }
        // Replies to the valid commands before the error still arrive, in order.
        XCTAssertEqual(try exchange(Array("PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n:3\r\n".utf8)),
                       "+PONG\r\n+PONG\r\n-ERR Protocol error: expected '$', got ':'\r\n")
    }

    func testClientDisconnectingMidCommand() throws {
        for cut in [3, 12, 20, 30] {
            let victim = try server.client()
            let request = RESPClient.encode(["SET", "canary", "overwritten-by-a-dead-client"])
            try victim.send(Array(request.prefix(cut)))
            usleep(20_000)
        }
        // A big bulk announced and partly sent, then the client goes away.
        let victim = try server.client()
        try victim.send(Array("*3\r\n$3\r\nSET\r\n$6\r\ncanary\r\n$400000000\r\n".utf8) + [UInt8](repeating: 1, count: 1 << 20))
        usleep(50_000)
    }

    func testHalfCloseStillGetsReplies() throws {
        let victim = try server.client()
        try victim.send("PING\r\nECHO hi\r\n")
        shutdown(victim.fd, Int32(SHUT_WR))
        XCTAssertEqual(String(decoding: try victim.readUntilClosed(), as: UTF8.self), "+PONG\r\n$2\r\nhi\r\n")
    }

    func testRandomBytes() throws {
        var random = SystemRandomNumberGenerator()
        for round in 0..<40 {
            let victim = try server.client()
            var bytes = (0..<Int.random(in: 1...4096, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Some rounds start like a request so the parser gets deeper before failing.
            if round % 3 == 0 { bytes = Array("*3\r\n$3\r\nSET\r\n".utf8) + bytes }
            if round % 3 == 1 { bytes = Array("SET ".utf8) + bytes }
            try victim.send(bytes)
            usleep(2_000)
        }
    }

    /// Announcing the largest bulk and sending only part of it must not make the server
    /// reserve the announced size.
    func testHugeAnnouncedBulkDoesNotAllocate() throws {
        var victims: [RESPClient] = []
        for _ in 0..<8 {
            let victim = try server.client()
            try victim.send(Array("*2\r\n$4\r\nECHO\r\n$536870000\r\n".utf8) + [UInt8](repeating: 7, count: 64 * 1024))
            victims.append(victim)
        }
        usleep(100_000)
        let memory = try client.call("INFO", "memory").text!
        let rss = memory.split(separator: "\r\n").first { $0.hasPrefix("used_memory_rss:") }.map { Int($0.split(separator: ":")[1])! }!
        XCTAssertLessThan(rss, 1024 * 1024 * 1024, "8 announced 512 MB bulks must not be reserved")
    }
}
