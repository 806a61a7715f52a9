import CLibEdit
import Glibc

/// Where interactive mode gets its lines: libedit with editing and persistent history on a
/// terminal, plain reads otherwise (so `skipkv-cli < script.txt` runs a script, printing no
/// prompts, as redis-cli does).
protocol LineReader {
    /// The next line without its terminator, or nil at end of input.
    func readLine(prompt: String) -> [UInt8]?
    /// Records a line worth recalling; the history file is rewritten at once so no line
    /// is lost if the session is killed.
    func remember(_ line: [UInt8])
}

/// Line editing through libedit's readline interface.
final class EditLineReader: LineReader {
    private let historyFile: String?

    /// Loads the history from `historyFile` (nil: no history file).
    init(historyFile: String?) {
        self.historyFile = historyFile
        using_history()
        // The number of entries the history file is trimmed to.
        stifle_history(1000)
        if let historyFile { _ = read_history(historyFile) }
    }

    /// Ctrl-C abandons the line being typed and shows a fresh prompt, as in redis-cli;
    /// while a command runs it keeps its default effect (ending skipkv-cli).
    func readLine(prompt: String) -> [UInt8]? {
        // A handler that does nothing, installed without SA_RESTART: the signal interrupts
        // libedit's read, and readline returns nil with errno EINTR instead of the process
        // dying. errno is cleared first because readline leaves it alone at a real end of
        // input.
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = { _ in }
        var previous = sigaction()
        sigaction(SIGINT, &ignore, &previous)
        defer { sigaction(SIGINT, &previous, nil) }
        errno = 0
        guard let line = readline(prompt) else {
            guard errno == EINTR else { return nil }
            OutputWriter.standardOutput.line("")
            return []
        }
        defer { free(line) }
        return Array(UnsafeRawBufferPointer(start: line, count: strlen(line)))
    }

    func remember(_ line: [UInt8]) {
        add_history(String(decoding: line, as: UTF8.self))
        if let historyFile { _ = write_history(historyFile) }
    }
}

/// Lines from a non-terminal stdin.
final class PlainLineReader: LineReader {
    private let input = fdopen(STDIN_FILENO, "r")

    func readLine(prompt: String) -> [UInt8]? {
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        let length = getline(&line, &capacity, input)
        guard length >= 0, let line else { return nil }
        var bytes = Array(UnsafeRawBufferPointer(start: line, count: length))
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes
    }

    func remember(_ line: [UInt8]) {}
}
