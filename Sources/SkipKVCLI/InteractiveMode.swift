import Glibc
import SkipKVClient
import SkipKVProtocol
import SkipKVSystem

/// The read-eval-print loop: a `host:port> ` prompt, redis-cli's quoting rules, `help`,
/// `quit`, a leading repeat count, and a connection that is re-established whenever it was
/// lost.
struct InteractiveMode {
    let options: Options
    let renderer: ReplyRenderer
    let reader: LineReader
    private let output = OutputWriter.standardOutput
    private let errors = OutputWriter.standardError

    init(options: Options, renderer: ReplyRenderer, reader: LineReader) {
        self.options = options
        self.renderer = renderer
        self.reader = reader
    }

    func run() -> Int32 {
        var client = Client(settings: options.settings)
        var help: CommandHelp? = nil
        // A server that is down now may be up by the first command, which retries.
        connect(client)
        while let line = reader.readLine(prompt: prompt(client)) {
            guard let words = InlineArguments.split(line) else {
                output.line("Invalid argument(s)")
                continue
            }
            guard let name = words.first.map({ String(decoding: $0, as: UTF8.self).lowercased() }) else { continue }
            if !Self.isSensitive(words) { reader.remember(line) }
            switch name {
            case "quit", "exit":
                return 0
            case "help", "?":
                if help == nil { help = loadHelp(client) }
                if let help {
                    let topics = words.dropFirst().map { String(decoding: $0, as: UTF8.self) }
                    output.write(help.text(for: topics, colors: output.isTerminal))
                    output.flush()
                }
            case "clear":
                output.write("\u{1B}[H\u{1B}[2J")
                output.flush()
            case "connect" where words.count == 3:
                var settings = options.settings
                settings.endpoint = .tcp(host: String(decoding: words[1], as: UTF8.self),
                                         port: Int(String(decoding: words[2], as: UTF8.self)) ?? 0)
                client = Client(settings: settings)
                help = nil
                connect(client)
            default:
                run(words, on: client)
            }
        }
        return 0
    }

    /// Runs a typed command, repeated when the line starts with a count (`3 INCR x`).
    private func run(_ words: [[UInt8]], on client: Client) {
        var command = words
        var repeatCount = 1
        if words.count > 1, let count = Int(String(decoding: words[0], as: UTF8.self)) {
            guard count > 0 else {
                output.line("Invalid repeat count.")
                return
            }
            repeatCount = count
            command.removeFirst()
        }
        let started = monotonicSeconds()
        for _ in 0..<repeatCount {
            do {
                let reply = try client.execute(command)
                output.write(renderer.render(reply, to: command))
                output.flush()
            } catch {
                report(error)
                return
            }
        }
        // redis-cli shows how long a slow command took.
        let elapsed = monotonicSeconds() - started
        if elapsed >= 0.5 && renderer.mode == .standard {
            output.line("(" + Self.twoDecimals(elapsed) + "s)")
        }
    }

    private func connect(_ client: Client) {
        do {
            try client.connect()
        } catch {
            report(error)
        }
    }

    private func loadHelp(_ client: Client) -> CommandHelp? {
        do {
            let docs = try client.execute([Array("COMMAND".utf8), Array("DOCS".utf8)])
            if case .error = docs {
                output.write(renderer.render(docs))
                output.flush()
                return nil
            }
            return CommandHelp(docs: docs)
        } catch {
            report(error)
            return nil
        }
    }

    private func report(_ error: Error) {
        errors.line(error.report)
    }

    /// `127.0.0.1:7379> `, or redis-cli's `not connected> ` after a failure.
    private func prompt(_ client: Client) -> String {
        guard client.connection != nil else { return "not connected> " }
        switch client.settings.endpoint {
        case .tcp: return "\(client.settings.endpoint)> "
        case .unix(let path): return "skipkv \(path)> "
        }
    }

    /// Lines that carry a password stay out of the history file, as in redis-cli.
    static func isSensitive(_ words: [[UInt8]]) -> Bool {
        let upper = words.map { String(decoding: $0, as: UTF8.self).uppercased() }
        switch upper.first {
        case "AUTH": return true
        case "HELLO", "MIGRATE": return upper.contains("AUTH") || upper.contains("AUTH2")
        case "ACL": return upper.count > 1 && upper[1] == "SETUSER"
        case "CONFIG":
            return upper.count > 2 && upper[1] == "SET"
                && ["REQUIREPASS", "MASTERAUTH", "MASTERUSER"].contains(upper[2])
        default: return false
        }
    }

    /// `value` with two decimals, as redis-cli's `%.2f`.
    private static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
