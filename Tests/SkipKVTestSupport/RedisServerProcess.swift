import Foundation
import XCTest

/// A redis-server child process on a free port of 127.0.0.1, without persistence, killed when
/// the test is done with it. Tests that need one are skipped when redis-server is not installed.
public final class RedisServerProcess: @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let output: Pipe
    private let collected: Log

    public static var binaryPath: String? {
        let path = ProcessInfo.processInfo.environment["REDIS_SERVER_BINARY"] ?? "/usr/bin/redis-server"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Starts redis-server and waits until it accepts connections. A port found free can be
    /// taken by someone else before redis binds it, so a failed start is retried on another.
    public init() throws {
        guard let binary = Self.binaryPath else { throw XCTSkip("redis-server is not installed") }
        var lastLog = ""
        for _ in 1...3 {
            let candidate = try Self.freePort()
            let process = Process()
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "--port", String(candidate), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "no",
            ]
            process.standardOutput = output
            process.standardError = output
            let log = Log()
            output.fileHandleForReading.readabilityHandler = { handle in log.append(handle.availableData) }
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && !log.isReady && Date() < deadline { usleep(10_000) }
            if process.isRunning && log.isReady {
                port = candidate
                self.process = process
                self.output = output
                collected = log
                return
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            output.fileHandleForReading.readabilityHandler = nil
            lastLog = log.text
        }
        throw StartFailure(log: lastLog)
    }

    struct StartFailure: Error, CustomStringConvertible {
        let log: String
        var description: String { "redis-server did not start:\n\(log)" }
    }

    /// Output collected from the pipe by its reader thread.
    private final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var collected = ""
        var text: String { lock.withLock { collected } }
        var isReady: Bool { text.contains("Ready to accept connections") }
        func append(_ data: Data) { lock.withLock { collected += String(decoding: data, as: UTF8.self) } }
    }

    public var log: String { collected.text }

    /// A port the kernel reports free on 127.0.0.1 (bound to port 0, then released).
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic -> Int32 in
                guard bind(descriptor, generic, length) == 0 else { return -1 }
                return getsockname(descriptor, generic, &length)
            }
        }
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Kills the server and waits for it to exit.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        output.fileHandleForReading.readabilityHandler = nil
    }

    deinit {
        stop()
    }
}
