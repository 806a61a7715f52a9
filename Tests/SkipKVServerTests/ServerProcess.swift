import Foundation
import XCTest

/// A skipkv-server child process on an ephemeral port of 127.0.0.1, for integration tests.
///
/// The binary is `SKIPKV_SERVER_BINARY` when set, else the `skipkv-server` built next to the
/// test bundle (the test target depends on the executable, so `swift test` builds it). The
/// server is started with `--port 0` and announces the port it got in its log, which goes to
/// a pipe read here.
///
/// Concurrency: the log and port are written by the pipe's reader thread under `logLock`.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    private var announced = 0
    var port: Int { logLock.withLock { announced } }
    private let output = Pipe()
    private var logText = ""
    private let logLock = NSLock()

    static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["SKIPKV_SERVER_BINARY"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("skipkv-server").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return Bundle(for: ServerProcess.self).bundleURL.deletingLastPathComponent().appendingPathComponent("skipkv-server").path
    }

    /// The server's data directory: its own, so no test sees another's files.
    let dataDirectory: String

    /// The flags every test server gets unless `testDefaults` is false.
    private static func testDefaults(dataDirectory: String) -> [String] {
        ["--bind", "127.0.0.1", "--port", "0", "--io-threads", "2", "--shards", "7", "--save", "", "--dir", dataDirectory]
    }

    /// Starts the server and waits until it listens. Its arguments: `configFile` first
    /// (redis-server style) when given, then the test defaults unless `testDefaults` is false
    /// (the server then runs in its data directory, and `arguments` must pick a free port),
    /// then `arguments`.
    init(_ arguments: [String] = [], configFile: String? = nil, testDefaults: Bool = true,
         file: StaticString = #filePath, line: UInt = #line) throws {
        dataDirectory = NSTemporaryDirectory() + "skipkv-test-data-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: Self.binaryPath)
        process.arguments = (configFile.map { [$0] } ?? []) + (testDefaults ? Self.testDefaults(dataDirectory: dataDirectory) : []) + arguments
        if !testDefaults { process.currentDirectoryURL = URL(fileURLWithPath: dataDirectory) }
        process.standardOutput = output
        process.standardError = output
        let ready = DispatchSemaphore(value: 0)
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.logLock.withLock { self.logText += String(decoding: data, as: UTF8.self) }
            if self.port == 0, let port = self.announcedPort() {
                self.logLock.withLock { self.announced = port }
                ready.signal()
            }
        }
        try process.run()
        guard ready.wait(timeout: .now() + 20) == .success else {
            process.terminate()
            XCTFail("server did not start; log:\n\(log)", file: file, line: line)
            throw ServerError.notStarted
        }
    }

    enum ServerError: Error {
        case notStarted
    }

    var log: String { logLock.withLock { logText } }

    private func announcedPort() -> Int? {
        let text = log
        guard let range = text.range(of: "Ready to accept connections tcp on 127.0.0.1:") else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// A new client connection.
    func client() throws -> RESPClient {
        try RESPClient(port: port)
    }

    /// Sends SIGTERM and waits for the exit status (nil if it did not exit in time).
    @discardableResult
    func stop(timeout: TimeInterval = 20) -> Int32? {
        if process.isRunning { process.terminate() }
        return waitForExit(timeout: timeout)
    }

    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        // What the server wrote last may still be on its way through the pipe to the handler:
        // let the log settle (50 ms without growing, at most 2 s) before dropping the handler.
        var length = -1
        var quiet = 0
        for _ in 0..<200 where quiet < 5 {
            let now = log.utf8.count
            quiet = now == length ? quiet + 1 : 0
            length = now
            usleep(10_000)
        }
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}

/// Runs the server binary to completion with `arguments` (startup failures, daemonizing),
/// after `configFile` when given (redis-server style); returns the exit status and everything
/// it printed. Output goes through a temporary file
/// rather than a pipe: a daemon keeps the inherited descriptors of its parent, and a pipe
/// would then never reach end-of-file. posix_spawn and waitpid are used directly so the exit
/// is observed even when the child leaves a grandchild behind.
func runServerToExit(_ arguments: [String], configFile: String? = nil, timeout: TimeInterval = 20) throws -> (status: Int32, output: String) {
    let outputPath = NSTemporaryDirectory() + "skipkv-test-output-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    defer { unlink(outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // No snapshot rules: a test server must not leave a snapshot wherever it runs.
    let argv = ([ServerProcess.binaryPath] + (configFile.map { [$0] } ?? []) + ["--save", ""] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, ServerProcess.binaryPath, &actions, nil, argv, environ)
    guard spawned == 0 else { throw RESPClient.Failure.connect(spawned) }
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() > deadline {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            break
        }
        usleep(10_000)
    }
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    // WEXITSTATUS, spelled out: the macro is not imported.
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exitStatus, output)
}
