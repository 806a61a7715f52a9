import Foundation
import Glibc
import SkipKVClient
import XCTest

/// A server process on an ephemeral loopback port, stopped when released.
final class TestServer {
    enum Kind: String, CaseIterable {
        case redis = "redis-server"
        case skipkv = "skipkv-server"

        var binary: String? {
            switch self {
            case .redis: return TestBinaries.redisServer
            case .skipkv: return TestBinaries.skipkvServer
            }
        }
    }

    let kind: Kind
    let port: Int
    /// The Unix socket redis-server also listens on (skipkv-server: nil).
    let unixSocket: String?
    private let process: Process

    /// Starts `kind` on `port` (default: a free one) and waits until it answers PING.
    init(_ kind: Kind, port: Int? = nil, extraArguments: [String] = []) throws {
        guard let binary = kind.binary else { throw XCTSkip("\(kind.rawValue) is not available") }
        self.kind = kind
        self.port = try port ?? Self.freePort()
        var arguments = ["--port", String(self.port), "--bind", "127.0.0.1", "--save", ""]
        switch kind {
        case .redis:
            let socket = NSTemporaryDirectory() + "skipkv-cli-test-\(getpid())-\(self.port).sock"
            unixSocket = socket
            arguments += ["--appendonly", "no", "--unixsocket", socket, "--unixsocketperm", "700"]
        case .skipkv:
            unixSocket = nil
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilReady()
    }

    deinit {
        stop()
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    var endpoint: Endpoint { .tcp(host: "127.0.0.1", port: port) }

    /// `-p <port>` for skipkv-cli and redis-cli.
    var portArguments: [String] { ["-p", String(port)] }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            // requirepass servers answer NOAUTH, which still means "up".
            if let connection = try? Connection.open(endpoint), (try? connection.execute(["PING"])) != nil { return }
            guard process.isRunning else { throw TestServerError.exited(kind.rawValue) }
            usleep(20_000)
        }
        throw TestServerError.notReady(kind.rawValue)
    }

    /// A port nothing listens on right now (bound and released by the kernel's choice).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress -> Bool in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw TestServerError.noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Every server kind installed here, for tests that run against each; skips the test
    /// when there is none.
    static func kinds() throws -> [Kind] {
        let available = Kind.allCases.filter { $0.binary != nil }
        guard !available.isEmpty else { throw XCTSkip("neither redis-server nor skipkv-server is available") }
        return available
    }
}

enum TestServerError: Error {
    case exited(String)
    case notReady(String)
    case noFreePort
}
