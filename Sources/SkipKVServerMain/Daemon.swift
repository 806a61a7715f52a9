#if canImport(Glibc)
import Glibc
#endif

/// Running in the background. The parent waits until the child reports whether the server
/// started (it is listening, or it failed), and exits with that status, so
/// `skipkv-server --daemonize yes` fails visibly on, say, a port already in use.
struct Daemon {
    /// Write end of the pipe to the waiting parent.
    private let report: Int32

    /// Forks; returns in the child (detached from the terminal, standard streams on
    /// /dev/null), never in the parent. Must run before any thread starts.
    static func detach() -> Daemon {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            fail("pipe: \(String(cString: strerror(errno)))")
        }
        let pid = fork()
        if pid < 0 {
            fail("fork: \(String(cString: strerror(errno)))")
        }
        if pid > 0 {
            close(fds[1])
            var status: UInt8 = 0
            let n = read(fds[0], &status, 1)
            exit(n == 1 && status == 1 ? 0 : 1)
        }
        close(fds[0])
        setsid()
        let null = open("/dev/null", O_RDWR)
        if null >= 0 {
            dup2(null, STDIN_FILENO)
            dup2(null, STDOUT_FILENO)
            // Standard error stays open until startup is decided, so a failure can be told
            // to the user through the parent's terminal.
            if null > STDERR_FILENO { close(null) }
        }
        return Daemon(report: fds[1])
    }

    /// Tells the parent how startup went; it exits 0 or 1 accordingly. Once it succeeded,
    /// standard error moves to /dev/null too.
    func reportStartup(succeeded: Bool) {
        var status: UInt8 = succeeded ? 1 : 0
        _ = write(report, &status, 1)
        close(report)
        if succeeded {
            let null = open("/dev/null", O_RDWR)
            if null >= 0 {
                dup2(null, STDERR_FILENO)
                close(null)
            }
        }
    }
}
