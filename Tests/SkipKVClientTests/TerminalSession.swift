import Foundation
import Glibc

/// A program run on a pseudo-terminal, driven like a person at a keyboard: `send` types,
/// `expect` waits for output. The program runs in its own session with the terminal as its
/// controlling terminal, so it takes skipkv-cli's interactive path (libedit, prompt,
/// colors) and Ctrl-C reaches it as SIGINT, as in a real terminal.
final class TerminalSession {
    private let master: Int32
    /// The terminal's device, for reading its mode.
    private let slavePath: String
    private let pid: pid_t
    private var exitStatus: Int32?
    /// Output read from the terminal and not yet matched by `expect`.
    private var unread: [UInt8] = []

    init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        var master: Int32 = -1, slave: Int32 = -1
        var size = winsize(ws_row: 50, ws_col: 200, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0, let name = ttyname(slave) else {
            throw TerminalError.noPseudoTerminal
        }
        let slavePath = String(cString: name)
        close(slave)
        self.master = master
        self.slavePath = slavePath

        // posix_spawn rather than Process: only it can start a new session (setsid) and
        // then open the terminal in the child, which makes it the controlling terminal.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID, a GNU extension the Glibc module does not export.
        posix_spawnattr_setflags(&attributes, 0x80)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, master)

        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw TerminalError.spawnFailed(status) }
        self.pid = pid
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    /// Types `text`.
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Types a line and presses return.
    func sendLine(_ text: String) {
        send(text + "\r")
    }

    /// Waits until the program has put the terminal into line-editing mode (canonical input
    /// off), that is, libedit is ready for keys. Keys typed earlier reach the terminal's own
    /// line discipline instead: an end-of-file there turns into a NUL byte when libedit
    /// switches modes, and an interrupt may arrive before libedit reads. People do not type
    /// within microseconds of a prompt; tests do, so they wait before control keys.
    func waitForLineEditor(timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        let terminal = open(slavePath, O_RDWR | O_NOCTTY)
        guard terminal >= 0 else { throw TerminalError.noPseudoTerminal }
        defer { close(terminal) }
        var mode = termios()
        while tcgetattr(terminal, &mode) == 0 && mode.c_lflag & tcflag_t(ICANON) != 0 {
            guard Date() < deadline else { throw TerminalError.timeout(expected: "line editing", got: "") }
            usleep(1000)
        }
    }

    /// Waits until the output contains `text`; returns what came before it (the match itself
    /// is consumed too).
    @discardableResult
    func expect(_ text: String, timeout: Double = 10) throws -> String {
        let needle = Array(text.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let range = Self.find(needle, in: unread) {
                let before = String(decoding: unread[..<range.lowerBound], as: UTF8.self)
                unread.removeFirst(range.upperBound)
                return before
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, readMore(milliseconds: Int32(remaining * 1000)) else {
                throw TerminalError.timeout(expected: text, got: String(decoding: unread, as: UTF8.self))
            }
        }
    }

    /// Waits for the program to exit and returns its exit status.
    func waitForExit(timeout: Double = 10) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while exitStatus == nil {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                // WEXITSTATUS, or 128 + the signal for a program killed by one.
                exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                break
            }
            guard Date() < deadline else { throw TerminalError.timeout(expected: "exit", got: "") }
            // Keep draining so the program never blocks writing to the terminal.
            _ = readMore(milliseconds: 20)
        }
        return exitStatus!
    }

    private func readMore(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = read(master, &chunk, chunk.count)
        guard count > 0 else { return false }
        unread += chunk[0..<count]
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start..<(start + needle.count) }
        }
        return nil
    }
}

enum TerminalError: Error {
    case noPseudoTerminal
    case spawnFailed(Int32)
    case timeout(expected: String, got: String)
}
