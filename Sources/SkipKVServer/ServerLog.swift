#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization

/// Where log lines go and which are kept: a file descriptor (standard output, or the
/// `logfile`) and the `loglevel`, which CONFIG SET can change while running.
///
/// Concurrency contract: shared by every thread. The level is an atomic; each line goes out
/// in one `write`, so lines from different threads never interleave.
public final class LogOutput: Sendable {
    private let descriptor: Int32
    private let levelRank: Atomic<Int>

    public init(descriptor: Int32, level: LogVerbosity) {
        self.descriptor = descriptor
        self.levelRank = Atomic(level.rank)
    }

    /// Opens `path` for appending (Redis's behaviour), or uses standard output when empty.
    public static func open(path: String, level: LogVerbosity) throws -> LogOutput {
        if path.isEmpty { return LogOutput(descriptor: STDOUT_FILENO, level: level) }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ConfigLoader.Failure(description: "cannot open log file '\(path)': \(String(cString: strerror(errno)))")
        }
        return LogOutput(descriptor: fd, level: level)
    }

    var level: LogVerbosity {
        get { LogVerbosity.allCases.first { $0.rank == levelRank.load(ordering: .relaxed) } ?? .notice }
    }

    func setLevel(_ level: LogVerbosity) {
        levelRank.store(level.rank, ordering: .relaxed)
    }

    /// A swift-log handler writing here.
    public func handler(label: String) -> LogHandler {
        ServerLogHandler(output: self)
    }

    /// `pid:M 21 Nov 2026 21:52:15.117 * message`, Redis's layout; the marker is `.` for
    /// debug, `-` verbose, `*` notice, `#` warning.
    fileprivate func write(_ level: Logger.Level, _ message: String) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var broken = tm()
        localtime_r(&seconds, &broken)
        var stamp = [CChar](repeating: 0, count: 64)
        let length = strftime(&stamp, stamp.count, "%d %b %Y %H:%M:%S", &broken)
        let time = String(decoding: stamp[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let millis = now.tv_nsec / 1_000_000
        let marker: String
        switch level {
        case .trace, .debug: marker = "."
        case .info: marker = "-"
        case .notice: marker = "*"
        case .warning, .error, .critical: marker = "#"
        }
        let pad = millis < 10 ? "00" : (millis < 100 ? "0" : "")
        var line = "\(getpid()):M \(time).\(pad)\(millis) \(marker) \(message)\n"
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }

    static func loggerLevel(_ verbosity: LogVerbosity) -> Logger.Level {
        switch verbosity {
        case .debug: return .debug
        case .verbose: return .info
        case .notice: return .notice
        case .warning: return .warning
        }
    }
}

/// The swift-log handler for `LogOutput`. Its level is always the output's current level,
/// so CONFIG SET loglevel applies to every logger at once.
struct ServerLogHandler: LogHandler {
    let output: LogOutput
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    var logLevel: Logger.Level {
        get { LogOutput.loggerLevel(output.level) }
        // The level belongs to the shared output (the `loglevel` directive), not to one logger.
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        output.write(event.level, event.message.description)
    }
}
