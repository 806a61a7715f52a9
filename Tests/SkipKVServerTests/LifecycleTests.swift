import Foundation
import XCTest

/// Starting and stopping the binary: configuration errors, flags over file, SIGTERM/SIGINT
/// and SHUTDOWN, daemonizing with a pid file, maxclients, idle timeout, the Unix socket.
final class LifecycleTests: XCTestCase {
    private func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "skipkv-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)"
    }

    func testConfigurationErrorsNameTheDirective() throws {
        let unknown = try runServerToExit(["--no-such-directive", "1"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.output.contains("unknown directive 'no-such-directive'"), unknown.output)
        let bad = try runServerToExit(["--port", "http"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("'port'"), bad.output)
        let file = temporaryPath("bad.conf")
        try "# comment\nport 7000\n\nmaxclients lots\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        let fromFile = try runServerToExit(["--config", file])
        XCTAssertNotEqual(fromFile.status, 0)
        XCTAssertTrue(fromFile.output.contains("line 4") && fromFile.output.contains("'maxclients'"), fromFile.output)
        let missing = try runServerToExit(["--config", "/nonexistent/skipkv.conf"])
        XCTAssertNotEqual(missing.status, 0)
        let busy = try ServerProcess()
        let clash = try runServerToExit(["--bind", "127.0.0.1", "--port", String(busy.port)])
        XCTAssertNotEqual(clash.status, 0, clash.output)
        XCTAssertEqual(busy.stop(), 0)
    }

    /// The documented config file is valid and starts a server (with flags overriding it).
    func testShippedConfigFileIsValid() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let server = try ServerProcess(["--config", repository.appendingPathComponent("config/skipkv.conf").path, "--port", "0"])
        let client = try server.client()
        XCTAssertEqual(try client.call("CONFIG", "GET", "shards"), .bulks(["shards", "7"]))
        XCTAssertEqual(try client.call("CONFIG", "GET", "client-output-buffer-limit"), .bulks(["client-output-buffer-limit", "16777216"]))
        XCTAssertEqual(server.stop(), 0)
    }

    func testFlagsOverrideTheConfigFile() throws {
        let file = temporaryPath("good.conf")
        try "maxclients 77\ntimeout 9\nrequirepass \"from file\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        let server = try ServerProcess(["--config", file, "--timeout", "0"])
        let client = try server.client()
        XCTAssertEqual(try client.call("AUTH", "from file"), .simple("OK"))
        XCTAssertEqual(try client.call("CONFIG", "GET", "maxclients"), .bulks(["maxclients", "77"]))
        XCTAssertEqual(try client.call("CONFIG", "GET", "timeout"), .bulks(["timeout", "0"]))
        XCTAssertEqual(server.stop(), 0)
    }

    /// SIGTERM while a client is owed a large reply: the reply is delivered in full and the
    /// server exits 0.
    func testSigtermFlushesPendingRepliesAndExitsZero() throws {
        for signal in [SIGTERM, SIGINT] {
            let server = try ServerProcess()
            let client = try server.client()
            let value = String(repeating: "z", count: 8 * 1024 * 1024)
            XCTAssertEqual(try client.call("SET", "big", value), .simple("OK"))
            try client.send((0..<4).flatMap { _ in RESPClient.encode(["GET", "big"]) })
            usleep(200_000)
            kill(server.process.processIdentifier, signal)
            for _ in 0..<4 {
                guard case .bulk(let bytes) = try client.read() else { return XCTFail("reply lost at shutdown") }
                XCTAssertEqual(bytes.count, value.utf8.count)
            }
            XCTAssertTrue(client.isClosedByServer())
            XCTAssertEqual(server.waitForExit(timeout: 20), 0, server.log)
            XCTAssertTrue(server.log.contains("bye bye"), server.log)
        }
    }

    func testShutdownCommand() throws {
        let server = try ServerProcess()
        let client = try server.client()
        try assertNoReply(client, ["SHUTDOWN", "BOGUS"], "ERR syntax error")
        // Requests pipelined behind SHUTDOWN are not run: no reply before the close.
        try client.send(RESPClient.encode(["SHUTDOWN", "NOSAVE"]) + RESPClient.encode(["PING"]))
        XCTAssertTrue(client.isClosedByServer())
        XCTAssertEqual(server.waitForExit(timeout: 20), 0)
    }

    func testSighupIsIgnored() throws {
        let server = try ServerProcess()
        kill(server.process.processIdentifier, SIGHUP)
        usleep(200_000)
        XCTAssertEqual(try server.client().call("PING"), .simple("PONG"))
    }

    private func assertNoReply(_ client: RESPClient, _ command: [String], _ error: String) throws {
        XCTAssertEqual(try client.call(command), .error(error))
    }

    func testDaemonizeWritesPidFileAndLog() throws {
        let pidFile = temporaryPath("skipkv.pid")
        let logFile = temporaryPath("skipkv.log")
        let socket = temporaryPath("skipkv.sock")
        defer { unlink(logFile) }
        let result = try runServerToExit(["--daemonize", "yes", "--pidfile", pidFile, "--logfile", logFile,
                                          "--bind", "127.0.0.1", "--port", "0", "--unixsocket", socket, "--unixsocketperm", "700"])
        XCTAssertEqual(result.status, 0, result.output)
        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8)
        let pid = pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines))!
        XCTAssertEqual(kill(pid, 0), 0, "daemon should be running")
        // Talk to it over the Unix socket.
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in socket.utf8.enumerated() { raw[i] = b } }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(connected, 0)
        var attributes = stat()
        stat(socket, &attributes)
        XCTAssertEqual(attributes.st_mode & 0o777, 0o700)
        _ = "PING\r\n".withCString { write(fd, $0, 6) }
        var reply = [UInt8](repeating: 0, count: 16)
        let n = read(fd, &reply, reply.count)
        XCTAssertEqual(String(decoding: reply[0..<max(0, n)], as: UTF8.self), "+PONG\r\n")
        close(fd)
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while kill(pid, 0) == 0 && Date() < deadline { usleep(20_000) }
        XCTAssertNotEqual(kill(pid, 0), 0, "daemon should have exited")
        XCTAssertFalse(FileManager.default.fileExists(atPath: pidFile), "pid file removed on exit")
        let log = try String(contentsOfFile: logFile, encoding: .utf8)
        XCTAssertTrue(log.contains("Ready to accept connections") && log.contains("bye bye"), log)
    }

    func testDaemonizeReportsStartupFailure() throws {
        let busy = try ServerProcess()
        let result = try runServerToExit(["--daemonize", "yes", "--bind", "127.0.0.1", "--port", String(busy.port)])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("could not listen"), result.output)
        XCTAssertEqual(busy.stop(), 0)
    }

    func testMaxclients() throws {
        let server = try ServerProcess(["--maxclients", "3"])
        let clients = try (0..<3).map { _ in try server.client() }
        for client in clients { XCTAssertEqual(try client.call("PING"), .simple("PONG")) }
        let refused = try server.client()
        XCTAssertEqual(String(decoding: try refused.readUntilClosed(), as: UTF8.self), "-ERR max number of clients reached\r\n")
        XCTAssertEqual(try clients[0].call("PING"), .simple("PONG"))
        XCTAssertEqual(server.stop(), 0)
    }

    func testIdleTimeoutClosesClients() throws {
        let server = try ServerProcess(["--timeout", "1"])
        let idle = try server.client()
        XCTAssertEqual(try idle.call("PING"), .simple("PONG"))
        let start = Date()
        XCTAssertTrue(idle.isClosedByServer())
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(try server.client().call("PING"), .simple("PONG"))
        XCTAssertEqual(server.stop(), 0)
    }
}
