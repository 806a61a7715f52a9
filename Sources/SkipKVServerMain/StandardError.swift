#if canImport(Glibc)
import Glibc
#endif

/// Prints `skipkv-server: <message>` on standard error and exits with status 1. Writes the
/// descriptor directly: the C `stderr` global is not concurrency-safe in Swift 6.
func fail(_ message: String) -> Never {
    var line = "skipkv-server: \(message)\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(1)
}
