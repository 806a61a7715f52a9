#if canImport(Glibc)
import Glibc
#endif

/// The `pidfile`: written at startup (after daemonizing, so it holds the daemon's pid) and
/// removed on a clean exit.
struct PidFile {
    let path: String

    func write() -> Bool {
        guard let file = fopen(path, "w") else { return false }
        defer { fclose(file) }
        return fputs("\(getpid())\n", file) >= 0
    }

    func remove() {
        unlink(path)
    }
}
