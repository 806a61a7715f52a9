import Glibc

/// Buffered writes to a file descriptor, so streaming modes issue one write per batch of
/// lines rather than one per line. Interactive and one-shot modes flush after each reply.
final class OutputWriter {
    // skipkv-cli runs on one thread, so the shared writers need no locking.
    nonisolated(unsafe) static let standardOutput = OutputWriter(descriptor: STDOUT_FILENO)
    nonisolated(unsafe) static let standardError = OutputWriter(descriptor: STDERR_FILENO)

    let descriptor: Int32
    private var buffer: [UInt8] = []

    private init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(Self.flushThreshold)
    }

    private static let flushThreshold = 64 * 1024

    var isTerminal: Bool { isatty(descriptor) == 1 }

    func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushThreshold { flush() }
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.flushThreshold { flush() }
    }

    /// Writes a line and flushes: for messages that must appear at once.
    func line(_ text: String) {
        write(text + "\n")
        flush()
    }

    func flush() {
        var offset = 0
        buffer.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    // The reader went away (EPIPE with SIGPIPE ignored) or the disk is full:
                    // nothing more can be shown, and nothing else to do about it.
                    break
                }
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
