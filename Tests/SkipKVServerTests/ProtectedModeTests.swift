import Foundation
import XCTest
import SkipKVTestSupport

/// `protected-mode` (default yes), as Redis 7: while no password is set, a TCP client whose
/// address is not exactly 127.0.0.1 or ::1 gets Redis's `-DENIED …` explanation and is
/// closed; a password (then AUTH) or `protected-mode no` lets it in.
final class ProtectedModeTests: XCTestCase {
    private static let deniedStart = "-DENIED Redis is running in protected mode because protected mode is enabled and no "
        + "password is set for the default user. In this mode connections are only accepted from the loopback interface."

    /// Connects from `source` (an IPv4 address of this machine) to 127.0.0.1:`port`, sends
    /// `request` and half-closes when there is one, and returns everything read until the
    /// server closes.
    private func exchange(from source: String, port: Int, send request: String?) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        for (address, port) in [(source, 0), ("127.0.0.1", port)] {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            sin.sin_addr.s_addr = inet_addr(address)
            let result = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    port == 0 ? bind(fd, pointer, socklen_t(MemoryLayout<sockaddr_in>.size))
                        : connect(fd, pointer, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard result == 0 else { throw RESPClient.Failure.connect(errno) }
        }
        if let request {
            _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            shutdown(fd, Int32(SHUT_WR))
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 { throw RESPClient.Failure.timeout }
            if n == 0 { break }
            received += chunk[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// 127.0.0.2 is a loopback address but not 127.0.0.1, which is what Redis compares with:
    /// refused with exactly redis-server's reply (compared when it is installed).
    func testOtherAddressesAreDeniedAsByRedisUntilAPasswordOrProtectedModeNo() throws {
        let server = try ServerProcess()
        let denied = try exchange(from: "127.0.0.2", port: server.port, send: "PING\r\n")
        XCTAssertTrue(denied.hasPrefix(Self.deniedStart) && denied.hasSuffix("\r\n"), denied)
        if let redis = try? RedisServerProcess() {
            XCTAssertEqual(denied, try exchange(from: "127.0.0.2", port: redis.port, send: nil))
            redis.stop()
        }
        XCTAssertEqual(try exchange(from: "127.0.0.1", port: server.port, send: "PING\r\n"), "+PONG\r\n")
        let client = try server.client()
        guard let stats = try client.call("INFO", "stats").text else { return XCTFail("INFO") }
        XCTAssertTrue(stats.contains("rejected_connections:1\r\n"), stats)

        XCTAssertEqual(try client.call("CONFIG", "SET", "requirepass", "s3cret"), .simple("OK"))
        XCTAssertEqual(try exchange(from: "127.0.0.2", port: server.port, send: "PING\r\n"), "-NOAUTH Authentication required.\r\n")
        XCTAssertEqual(try client.call("CONFIG", "SET", "requirepass", "", "protected-mode", "no"), .simple("OK"))
        XCTAssertEqual(try exchange(from: "127.0.0.2", port: server.port, send: "PING\r\n"), "+PONG\r\n")
        XCTAssertEqual(server.stop(), 0)
    }

    /// A client on another network: a network namespace joined to this one by a veth pair,
    /// so the server sees a real non-loopback address. Needs root (CI runs as root).
    func testClientOnAnotherNetworkIsDenied() throws {
        guard getuid() == 0 else { throw XCTSkip("creating a network namespace and a veth pair needs root") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/nc") || FileManager.default.isExecutableFile(atPath: "/bin/nc") else {
            throw XCTSkip("nc (netcat-openbsd) is not installed")
        }
        // Names and a /30 subnet of 198.18.0.0/15 (reserved for tests) unique to this process.
        let pid = Int(getpid())
        let namespace = "skipkv-\(pid)", hostLink = "skh\(pid % 10_000_000)", peerLink = "skn\(pid % 10_000_000)"
        let base = "198.18.\((pid / 64) % 256).", offset = (pid % 64) * 4
        let hostAddress = base + String(offset + 1), peerAddress = base + String(offset + 2)
        let setup = [
            ["ip", "netns", "add", namespace],
            ["ip", "link", "add", hostLink, "type", "veth", "peer", "name", peerLink],
            ["ip", "link", "set", peerLink, "netns", namespace],
            ["ip", "addr", "add", hostAddress + "/30", "dev", hostLink],
            ["ip", "link", "set", hostLink, "up"],
            ["ip", "netns", "exec", namespace, "ip", "addr", "add", peerAddress + "/30", "dev", peerLink],
            ["ip", "netns", "exec", namespace, "ip", "link", "set", peerLink, "up"],
        ]
        defer {
            _ = try? run(["ip", "link", "del", hostLink])
            _ = try? run(["ip", "netns", "del", namespace])
        }
        for command in setup {
            let result = try run(command)
            guard result.status == 0 else { throw XCTSkip("\(command.joined(separator: " ")) failed: \(result.output)") }
        }
        let server = try ServerProcess(["--bind", "127.0.0.1", hostAddress])
        let port = String(server.port)
        func fromOtherNetwork(_ request: String?) throws -> String {
            let flags = request == nil ? ["-d"] : ["-N"]
            return try run(["ip", "netns", "exec", namespace, "nc"] + flags + ["-w", "5", hostAddress, port], input: request).output
        }
        let denied = try fromOtherNetwork(nil)
        XCTAssertTrue(denied.hasPrefix(Self.deniedStart) && denied.hasSuffix("\r\n"), denied)
        let client = try server.client()
        XCTAssertEqual(try client.call("CONFIG", "SET", "requirepass", "s3cret"), .simple("OK"))
        XCTAssertEqual(try fromOtherNetwork("PING\r\n"), "-NOAUTH Authentication required.\r\n")
        XCTAssertEqual(try fromOtherNetwork("AUTH s3cret\r\nPING\r\n"), "+OK\r\n+PONG\r\n")
        XCTAssertEqual(try client.call("CONFIG", "SET", "requirepass", "", "protected-mode", "no"), .simple("OK"))
        XCTAssertEqual(try fromOtherNetwork("PING\r\n"), "+PONG\r\n")
        XCTAssertEqual(server.stop(), 0)
    }

    /// The Docker image's command (ENTRYPOINT and CMD) serves clients that are not on the
    /// loopback address, as every client of a container is: run with the repository's config
    /// file, an ephemeral port and 127.0.0.1 in place of the image's paths, port and 0.0.0.0.
    func testDockerImageCommandServesClientsFromOtherAddresses() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dockerfile = try String(contentsOf: repository.appendingPathComponent("Dockerfile"), encoding: .utf8)
        var command: [String] = []
        for instruction in ["ENTRYPOINT ", "CMD "] {
            let line = try XCTUnwrap(dockerfile.split(separator: "\n").last { $0.hasPrefix(instruction) })
            command += try JSONDecoder().decode([String].self, from: Data(line.dropFirst(instruction.count).utf8))
        }
        XCTAssertEqual(command.first, "skipkv-server")
        let replacements = ["/etc/skipkv/skipkv.conf": repository.appendingPathComponent("config/skipkv.conf").path,
                            "7379": "0", "0.0.0.0": "127.0.0.1"]
        let arguments = command.dropFirst().map { replacements[$0] ?? $0 }
        let server = try ServerProcess(arguments + ["--save", "", "--appendonly", "no"], testDefaults: false)
        XCTAssertEqual(try exchange(from: "127.0.0.2", port: server.port, send: "PING\r\n"), "+PONG\r\n")
        XCTAssertEqual(server.stop(), 0)
    }

    /// Runs a command found on the PATH, feeding it `input`; returns its status and output.
    private func run(_ command: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        let output = Pipe()
        let stdin = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
