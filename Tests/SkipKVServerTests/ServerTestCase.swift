import SkipKVTestSupport
import XCTest

/// Base class: one server for the whole test class (started on first use, stopped with
/// SIGTERM after the last test, which must exit with status 0), a fresh client per test,
/// and a FLUSHALL between tests.
class ServerTestCase: XCTestCase {
    /// Extra server flags for a subclass.
    class var serverArguments: [String] { [] }

    /// XCTest runs test classes one after another on one thread.
    nonisolated(unsafe) private static var servers: [ObjectIdentifier: ServerProcess] = [:]

    var server: ServerProcess {
        get throws {
            let key = ObjectIdentifier(type(of: self))
            if let server = Self.servers[key] { return server }
            let server = try ServerProcess(type(of: self).serverArguments)
            Self.servers[key] = server
            return server
        }
    }

    var client: RESPClient!

    override func setUpWithError() throws {
        continueAfterFailure = false
        client = try server.client()
        if type(of: self).flushBetweenTests {
            XCTAssertEqual(try client.call("FLUSHALL"), .simple("OK"))
        }
    }

    /// Subclasses that test authentication cannot FLUSHALL before authenticating.
    class var flushBetweenTests: Bool { true }

    override func tearDown() {
        client = nil
        super.tearDown()
    }

    override class func tearDown() {
        if let server = servers.removeValue(forKey: ObjectIdentifier(self)) {
            let status = server.stop()
            XCTAssertEqual(status, 0, "server exit status; log:\n\(server.log)")
            // Run against a --sanitize=thread build (SKIPKV_SERVER_BINARY), the server must
            // not have reported anything.
            XCTAssertFalse(server.log.contains("WARNING: ThreadSanitizer"), server.log)
        }
        super.tearDown()
    }

    /// Runs each script (a list of commands) from an empty keyspace against this server and a
    /// fresh redis-server 7, in RESP2 and then RESP3, and asserts every reply is the same.
    func assertScriptsAgreeWithRedis(_ scripts: [[[String]]], file: StaticString = #filePath, line: UInt = #line) throws {
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        let theirs = try RESPClient(port: redis.port)
        for version in ["2", "3"] {
            _ = try client.call("HELLO", version)
            _ = try theirs.call("HELLO", version)
            for script in scripts {
                XCTAssertEqual(try client.call("FLUSHALL"), .simple("OK"), file: file, line: line)
                XCTAssertEqual(try theirs.call("FLUSHALL"), .simple("OK"), file: file, line: line)
                for command in script {
                    XCTAssertEqual(try client.call(command), try theirs.call(command), "RESP\(version) \(command)", file: file, line: line)
                }
            }
        }
    }

    /// Asserts that `arguments` get `expected`.
    func assertReply(_ arguments: [String], _ expected: RESP, on client: RESPClient? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let reply = try (client ?? self.client).call(arguments)
        XCTAssertEqual(reply, expected, "\(arguments)", file: file, line: line)
    }

    /// A quick check that the server still answers correctly on a fresh connection.
    func assertServerHealthy(file: StaticString = #filePath, line: UInt = #line) throws {
        let other = try server.client()
        let key = "health-\(UInt64.random(in: 0...UInt64.max))"
        XCTAssertEqual(try other.call("SET", key, "ok"), .simple("OK"), file: file, line: line)
        XCTAssertEqual(try other.call("GET", key), .bulk("ok"), file: file, line: line)
        XCTAssertEqual(try other.call("DEL", key), .integer(1), file: file, line: line)
        XCTAssertEqual(try other.call("PING"), .simple("PONG"), file: file, line: line)
    }
}

/// A counter and stop flag shared between a test and the threads it starts.
final class SharedState: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var failures = 0

    var isStopped: Bool { lock.withLock { stopped } }
    var failureCount: Int { lock.withLock { failures } }
    func stop() { lock.withLock { stopped = true } }
    func fail() { lock.withLock { failures += 1 } }
}
