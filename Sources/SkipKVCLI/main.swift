import Glibc
import SkipKVClient
import SkipKVProtocol

/// skipkv-cli: redis-cli's interface for SkipKV (and any RESP server), plus `--range`.
/// See `Options.usage` for the command line.

/// The raw bytes of every argument: Swift's `CommandLine.arguments` would repair invalid
/// UTF-8, and command arguments may be binary.
let rawArguments: [[UInt8]] = (1..<Int(CommandLine.argc)).map { index in
    let argument = CommandLine.unsafeArgv[index]!
    return Array(UnsafeRawBufferPointer(start: argument, count: strlen(argument)))
}

let options: Options
do {
    options = try Options.parse(rawArguments) { name in getenv(name).map { String(cString: $0) } }
} catch {
    OutputWriter.standardError.line(error.message)
    OutputWriter.standardError.line("Try 'skipkv-cli --help' for more information.")
    exit(ExitStatus.failure)
}

if options.warnAboutPassword {
    OutputWriter.standardError.line(
        "Warning: Using a password with '-a' or '--pass' option on the command line interface may not be safe.")
}

// redis-cli's rule: formatted for a person at a terminal, raw for a program reading a pipe.
let outputMode = options.outputMode ?? (OutputWriter.standardOutput.isTerminal ? .standard : .raw)
let status: Int32
switch options.mode {
case .help:
    OutputWriter.standardOutput.write(Options.usage)
    OutputWriter.standardOutput.flush()
    status = ExitStatus.success
case .version:
    OutputWriter.standardOutput.line("skipkv-cli \(CLIVersion.current)")
    status = ExitStatus.success
case .command(let command):
    status = OneShotMode(options: options, command: command, renderer: ReplyRenderer(mode: outputMode)).run()
case .pipe:
    status = PipeMode(options: options).run()
case .scan(let pattern, let count):
    status = ScanMode(options: options, pattern: pattern, count: count, mode: outputMode).run()
case .range(let scan):
    status = RangeMode(options: options, scan: scan, mode: outputMode).run()
case .interactive:
    // A lost connection must surface as an error to reconnect from, not kill the session.
    signal(SIGPIPE, SIG_IGN)
    let reader: LineReader
    if isatty(STDIN_FILENO) == 1 {
        let historyFile = getenv("SKIPKV_CLI_HISTFILE").map { String(cString: $0) }
            ?? getenv("HOME").map { String(cString: $0) + "/.skipkv_cli_history" }
        reader = EditLineReader(historyFile: historyFile)
    } else {
        reader = PlainLineReader()
    }
    status = InteractiveMode(options: options, renderer: ReplyRenderer(mode: outputMode), reader: reader).run()
}
exit(status)
