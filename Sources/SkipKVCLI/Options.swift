import SkipKVClient
import SkipKVProtocol

/// What the command line asked for. Flags follow redis-cli's spelling (`-h` is the host;
/// help is `--help`), and the first argument that is not an option starts the command, so
/// `skipkv-cli INCRBY counter -5` needs no `--`.
struct Options {
    enum Mode: Equatable {
        /// Run the command given after the options (`repeatCount` times).
        case command([[UInt8]])
        /// No command: read commands at a prompt.
        case interactive
        /// `--pipe`: mass insertion from stdin.
        case pipe
        /// `--scan`: every key, with SCAN.
        case scan(pattern: [UInt8]?, count: Int?)
        /// `--range MIN MAX`: every entry between two bounds, page by page.
        case range(RangeScan)
        case help
        case version
    }

    struct RangeScan: Equatable {
        var min: [UInt8]
        var max: [UInt8]
        var reverse = false
        var pageSize = 1000
        var keysOnly = false
    }

    var host = "127.0.0.1"
    var port = 7379
    var socketPath: String?
    var user: String?
    var password: String?
    /// Whether to warn that a password on the command line may leak (redis-cli does).
    var warnAboutPassword = true
    var protocolVersion = RESPVersion.resp2
    /// nil: redis-cli's rule, the standard format on a terminal and raw output otherwise.
    var outputMode: OutputMode?
    /// -1 repeats forever.
    var repeatCount = 1
    /// Seconds between repetitions, SCAN calls or RANGE pages.
    var interval = 0.0
    var connectTimeout: Double?
    var mode = Mode.interactive

    var endpoint: Endpoint {
        if let socketPath { return .unix(path: socketPath) }
        return .tcp(host: host, port: port)
    }

    var settings: ConnectionSettings {
        ConnectionSettings(endpoint: endpoint, user: user, password: password,
                           protocolVersion: protocolVersion, connectTimeout: connectTimeout)
    }
}

/// A command line that cannot be run, with the message to print.
struct UsageError: Error {
    var message: String
}

extension Options {
    /// Parses the arguments after the program name. They are bytes, not Strings, because
    /// command arguments may be any bytes.
    static func parse(_ arguments: [[UInt8]], environment: (String) -> String?) throws(UsageError) -> Options {
        var options = Options()
        var pipe = false
        var scan = false
        var pattern: [UInt8]?
        var scanCount: Int?
        var range: RangeScan?
        var reverse = false
        var pageSize: Int?
        var keysOnly = false
        var index = 0

        /// The value of the option at `index`, which must follow it.
        func value() throws(UsageError) -> [UInt8] {
            guard index + 1 < arguments.count else { throw unrecognized(arguments[index]) }
            index += 1
            return arguments[index]
        }
        func text() throws(UsageError) -> String {
            String(decoding: try value(), as: UTF8.self)
        }
        func integer(_ what: String, minimum: Int) throws(UsageError) -> Int {
            let raw = try text()
            guard let parsed = Int(raw), parsed >= minimum else {
                throw UsageError(message: "Invalid \(what): '\(raw)'")
            }
            return parsed
        }
        func seconds(_ what: String) throws(UsageError) -> Double {
            let raw = try text()
            guard let parsed = Double(raw), parsed >= 0, parsed.isFinite else {
                throw UsageError(message: "Invalid \(what): '\(raw)'")
            }
            return parsed
        }

        while index < arguments.count {
            let argument = String(decoding: arguments[index], as: UTF8.self)
            guard argument.hasPrefix("-") && argument.count > 1 else { break }
            switch argument {
            case "-h": options.host = try text()
            case "-p": options.port = try integer("port", minimum: 0)
            case "-s": options.socketPath = try text()
            case "-a", "--pass": options.password = try text()
            case "--user": options.user = try text()
            case "--no-auth-warning": options.warnAboutPassword = false
            case "-2": options.protocolVersion = .resp2
            case "-3": options.protocolVersion = .resp3
            case "--raw": options.outputMode = .raw
            case "--no-raw": options.outputMode = .standard
            case "--csv": options.outputMode = .csv
            case "--json": options.outputMode = .json
            case "-r", "--repeat": options.repeatCount = try integer("repeat count", minimum: -1)
            case "-i", "--interval": options.interval = try seconds("interval")
            case "-t", "--timeout": options.connectTimeout = try seconds("timeout")
            case "--pipe": pipe = true
            case "--scan": scan = true
            case "--pattern": pattern = try value()
            case "--count": scanCount = try integer("count", minimum: 1)
            case "--range":
                let min = try value()
                range = RangeScan(min: min, max: try value())
            case "--rev": reverse = true
            case "--count-per-page": pageSize = try integer("count per page", minimum: 1)
            case "--novalues": keysOnly = true
            case "--help": options.mode = .help
            case "-v", "--version": options.mode = .version
            default: throw unrecognized(arguments[index])
            }
            index += 1
        }
        // Only a password given with -a warns, whatever the mode.
        if options.password == nil { options.warnAboutPassword = false }
        if options.mode == .help || options.mode == .version { return options }

        if options.password == nil, let fromEnvironment = environment("SKIPKV_CLI_AUTH"), !fromEnvironment.isEmpty {
            // Like REDISCLI_AUTH: kept out of the process list, so no warning.
            options.password = fromEnvironment
            options.warnAboutPassword = false
        }

        let command = Array(arguments[index...])
        let modes = [pipe, scan, range != nil].filter { $0 }.count
        guard modes <= 1 else { throw UsageError(message: "--pipe, --scan and --range cannot be combined") }
        guard modes == 0 || command.isEmpty else {
            throw UsageError(message: "--pipe, --scan and --range take no command")
        }
        if (pattern != nil || scanCount != nil) && !scan {
            throw UsageError(message: "--pattern and --count need --scan")
        }
        if (reverse || pageSize != nil || keysOnly) && range == nil {
            throw UsageError(message: "--rev, --count-per-page and --novalues need --range")
        }
        if pipe {
            options.mode = .pipe
        } else if scan {
            options.mode = .scan(pattern: pattern, count: scanCount)
        } else if var range {
            range.reverse = reverse
            range.pageSize = pageSize ?? range.pageSize
            range.keysOnly = keysOnly
            options.mode = .range(range)
        } else if !command.isEmpty {
            options.mode = .command(command)
        }
        return options
    }

    private static func unrecognized(_ argument: [UInt8]) -> UsageError {
        // redis-cli's wording.
        UsageError(message: "Unrecognized option or bad number of args for: '\(String(decoding: argument, as: UTF8.self))'")
    }

    static let usage = """
        Usage: skipkv-cli [OPTIONS] [cmd [arg [arg ...]]]
          -h <hostname>      Server hostname (default: 127.0.0.1).
          -p <port>          Server port (default: 7379).
          -s <socket>        Server socket (overrides hostname and port).
          -a <password>      Password to use when connecting to the server.
                             You can also use the SKIPKV_CLI_AUTH environment
                             variable to pass this password more safely.
          --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
          --pass <password>  Alias of -a for consistency with the new --user option.
          --no-auth-warning  Don't show warning message when using password on command
                             line interface.
          -2                 Start session in RESP2 protocol mode.
          -3                 Start session in RESP3 protocol mode.
          -t <timeout>       Connection timeout in seconds (decimals allowed).
          -r <repeat>        Execute specified command N times (-1: forever).
          -i <interval>      When -r is used, waits <interval> seconds per command.
                             Also waits between SCAN calls and RANGE pages.
          --raw              Use raw formatting for replies (default when STDOUT is
                             not a tty).
          --no-raw           Force formatted output even when STDOUT is not a tty.
          --csv              Output in CSV format.
          --json             Output in JSON format.
          --pipe             Transfer raw RESP or inline commands from stdin to the
                             server, then report how many replies and errors came back.
          --scan             List all keys using the SCAN command.
          --pattern <pat>    Keys pattern when using the --scan option.
          --count <count>    Count option when using --scan (SCAN ... COUNT).
          --range <min> <max>
                             List every entry between two RANGE bounds ([key, (key,
                             - or +), one page at a time, in key order.
          --rev              With --range: descending key order.
          --count-per-page <n>
                             With --range: entries fetched per RANGE call (default: 1000).
          --novalues         With --range: keys only.
          --help             Output this help and exit.
          -v, --version      Output version and exit.

        Exit status: 0 on success, 1 when the server replied with an error, 2 on a
        connection or usage error.

        Examples:
          skipkv-cli SET key value
          skipkv-cli --raw GET key
          skipkv-cli --range '[user:' '(user;' --count-per-page 500
          cat commands.txt | skipkv-cli --pipe

        When no command is given, skipkv-cli starts in interactive mode.
        Type "help" in interactive mode for information on available commands.

        """
}

extension Options {
    /// A connection to the configured server, or nil after reporting why there is none.
    func connectOrReport(to errors: OutputWriter) -> Connection? {
        do {
            return try Client(settings: settings).connect()
        } catch {
            errors.line(error.report)
            return nil
        }
    }
}
