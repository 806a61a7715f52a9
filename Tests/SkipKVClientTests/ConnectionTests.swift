import Foundation
import SkipKVClient
import SkipKVProtocol
import XCTest

/// The client library against real servers.
final class ConnectionTests: XCTestCase {
    func testBinarySafeRoundTrip() throws {
        for kind in try TestServer.kinds() {
            let server = try TestServer(kind)
            let connection = try Connection.open(server.endpoint)
            let key: [UInt8] = [0, 13, 10, 255, 32]
            let value = (0...255).map { UInt8($0) } + Array(repeating: 0, count: 70_000)
            XCTAssertEqual(try connection.execute([Array("SET".utf8), key, value]), .simpleString(Array("OK".utf8)), "\(kind)")
            XCTAssertEqual(try connection.execute([Array("GET".utf8), key]), .bulkString(value))
            XCTAssertEqual(try connection.execute(["GET", "missing"]), .null)
            XCTAssertEqual(try connection.execute(["INCRBY", "n", "-3"]), .integer(-3))
            XCTAssertTrue(try connection.execute(["NOSUCHCOMMAND"]).isError)
            XCTAssertEqual(try connection.execute(["PING"]), .simpleString(Array("PONG".utf8)), "usable after an error")
        }
    }

    /// 32 MiB each way through one pipeline of big SETs and GETs, far beyond what socket
    /// buffers hold: commands keep being written while replies stream back, so neither side
    /// ever waits on a full buffer (the server stops reading from a client that does not
    /// read its replies).
    func testPipelineInterleavesWritingAndReading() throws {
        for kind in try TestServer.kinds() {
            let server = try TestServer(kind)
            let connection = try Connection.open(server.endpoint)
            let value = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
            let commands = 1024
            var sent = 0
            var received = 0
            var bytesReceived = 0
            try connection.pipeline(
                produce: {
                    for _ in 0..<16 where sent < commands {
                        if sent % 2 == 0 {
                            connection.enqueue([Array("SET".utf8), Array("big\(sent % 8)".utf8), value])
                        } else {
                            connection.enqueue([Array("GET".utf8), Array("big\((sent - 1) % 8)".utf8)])
                        }
                        sent += 1
                    }
                    return sent < commands
                },
                onReply: { reply in
                    if received % 2 == 1 { bytesReceived += reply.stringBytes?.count ?? 0 }
                    received += 1
                }
            )
            XCTAssertEqual(received, commands, "\(kind)")
            XCTAssertEqual(bytesReceived, commands / 2 * value.count, "every GET saw its SET")
            XCTAssertEqual(connection.pendingReplies, 0)
        }
    }

    func testClientReconnectsAndHandshakes() throws {
        let server = try TestServer(.redis, extraArguments: ["--requirepass", "pw"])
        let client = Client(settings: ConnectionSettings(endpoint: server.endpoint, password: "pw", protocolVersion: .resp3))
        XCTAssertEqual(try client.execute([Array("SET".utf8), Array("a".utf8), Array("1".utf8)]), .simpleString(Array("OK".utf8)))
        // RESP3 is on: a map comes back as one.
        XCTAssertEqual(try client.execute([Array("HGETALL".utf8), Array("none".utf8)]), .map([]))
        // Kill every connection; the next command notices and reconnects, AUTH and HELLO included.
        _ = try client.execute([Array("CLIENT".utf8), Array("KILL".utf8), Array("TYPE".utf8), Array("normal".utf8)])
        XCTAssertEqual(try client.execute([Array("GET".utf8), Array("a".utf8)]), .bulkString(Array("1".utf8)))
        XCTAssertEqual(try client.execute([Array("HGETALL".utf8), Array("none".utf8)]), .map([]))

        let wrong = Client(settings: ConnectionSettings(endpoint: server.endpoint, password: "nope"))
        XCTAssertThrowsError(try wrong.connect()) { error in
            guard case ClientError.handshakeFailed(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.hasPrefix("AUTH failed: WRONGPASS"), message)
        }
        let socket = try XCTUnwrap(server.unixSocket)
        let local = Client(settings: ConnectionSettings(endpoint: .unix(path: socket), password: "pw"))
        XCTAssertEqual(try local.execute([Array("GET".utf8), Array("a".utf8)]), .bulkString(Array("1".utf8)))
    }

    func testFailuresAreReported() throws {
        let port = try TestServer.freePort()
        XCTAssertThrowsError(try Connection.open(.tcp(host: "127.0.0.1", port: port))) { error in
            XCTAssertEqual(error as? ClientError, .connectFailed(.tcp(host: "127.0.0.1", port: port), reason: "Connection refused"))
        }
        XCTAssertThrowsError(try Connection.open(.unix(path: "/nonexistent/skipkv.sock"))) { error in
            XCTAssertEqual((error as? ClientError)?.message, "Could not connect to /nonexistent/skipkv.sock: No such file or directory")
        }
        // A server that goes away under an open connection.
        let server = try TestServer(try TestServer.kinds()[0])
        let client = Client(settings: ConnectionSettings(endpoint: server.endpoint))
        XCTAssertNoThrow(try client.execute([Array("PING".utf8)]))
        server.stop()
        XCTAssertThrowsError(try client.execute([Array("PING".utf8)]))
        XCTAssertNil(client.connection, "dropped, so the next command reconnects")
    }
}
