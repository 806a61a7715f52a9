#if canImport(Glibc)
import Glibc
#endif
import SkipKVProtocol

/// Builds a `ServerConfig` from the defaults, then a config file, then command-line flags
/// (each later source overriding the earlier), rejecting unknown directives and bad values
/// with a message that names the directive and where it came from.
///
/// The config file is given with `--config FILE` or, as for redis-server, as the first
/// argument. File syntax is Redis's: one directive per line, `name value...`, words split like
/// an inline command (double or single quotes, `\xHH` escapes), `#` starts a comment line,
/// `include PATH` reads another file (or every file a wildcard pattern matches, in
/// alphabetical order) at that point. On the command line every directive is a flag:
/// `--name value...`, the values running until the next argument that starts with `--`.
///
/// Redis directives that SkipKV does not implement are handled as `RedisDirective` says:
/// accepted with one warning each (returned, for the caller to log once the log is open), or
/// refused.
public enum ConfigLoader {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A configuration and the warnings to log about it.
    public struct Loaded {
        public var config: ServerConfig
        public var warnings: [String]
    }

    /// `arguments` excludes the program name.
    public static func load(arguments: [String]) throws -> Loaded {
        var flagArguments = arguments[...]
        var file: String?
        if let first = flagArguments.first, !first.hasPrefix("--") {
            file = first
            flagArguments = flagArguments.dropFirst()
        }
        let flags = try splitFlags(Array(flagArguments))
        if let flag = flags.first(where: { $0.name == "config" }) {
            if let file { throw Failure(description: "two config files given: '\(file)' and --config '\(flag.values[0])'") }
            file = flag.values[0]
        }
        var loader = Loader()
        if let file {
            do {
                try loader.read(file: file)
            } catch let error as ConfigValueError {
                throw Failure(description: error.description)
            }
        }
        for flag in flags where flag.name != "config" {
            do {
                // `--repair` alone means `--repair yes`.
                try loader.apply(flag.name, flag.name == "repair" && flag.values.isEmpty ? ["yes"] : flag.values, source: "--\(flag.name)")
            } catch let error as ConfigValueError {
                throw Failure(description: "--\(flag.name): \(error)")
            }
        }
        return Loaded(config: loader.config, warnings: loader.warnings)
    }

    /// The state of one load: the configuration so far, the warnings, and what spans lines
    /// and files.
    private struct Loader {
        var config = ServerConfig()
        var warnings: [String] = []
        /// Redis directives already warned about (by canonical name): one warning each.
        private var warned: Set<String> = []
        /// As in redis.conf, the `save` lines of the files (with their includes) add up; the
        /// first replaces the default.
        private var saveWords: [String] = []
        private var includeDepth = 0

        /// Applies one directive; the error text names it.
        mutating func apply(_ name: String, _ values: [String], source: String) throws {
            if let directive = ConfigDirective.named(name) {
                guard values.count == 1 || (directive.takesList && !values.isEmpty) else {
                    throw ConfigValueError("wrong number of arguments for '\(directive.name)'")
                }
                do {
                    try directive.apply(values, &config)
                } catch let error as ConfigValueError {
                    throw ConfigValueError("bad value for '\(directive.name)' ('\(values.joined(separator: " "))'): \(error)")
                }
            } else if name == "include" {
                guard values.count == 1 else { throw ConfigValueError("wrong number of arguments for 'include'") }
                try include(values[0])
            } else if let redis = RedisDirective.named(name) {
                if let warning = try redis.accept(values, as: name, source: source, into: &config), warned.insert(redis.name).inserted {
                    warnings.append(warning)
                }
            } else {
                throw ConfigValueError("unknown directive '\(name)'")
            }
        }

        /// Redis's `include`: a file, or every file a wildcard pattern matches (none is fine).
        private mutating func include(_ pattern: String) throws {
            // Redis does not stop a file that includes itself; SkipKV does.
            guard includeDepth < 16 else { throw ConfigValueError("include nesting deeper than 16 files at '\(pattern)'") }
            includeDepth += 1
            defer { includeDepth -= 1 }
            for path in pattern.contains(where: { "*?[".contains($0) }) ? Self.matches(pattern) : [pattern] {
                try read(file: path)
            }
        }

        mutating func read(file path: String) throws {
            guard let text = Self.readFile(path) else {
                throw ConfigValueError("cannot read config file '\(path)': \(String(cString: strerror(errno)))")
            }
            var lineNumber = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                lineNumber += 1
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                do {
                    guard let words = ConfigLoader.splitWords(String(trimmed)) else {
                        throw ConfigValueError("unbalanced quotes")
                    }
                    if words.isEmpty { continue }
                    let name = words[0].lowercased()
                    var values = Array(words.dropFirst())
                    if name == "save" {
                        saveWords += values
                        values = saveWords
                    }
                    try apply(name, values, source: "config file '\(path)', line \(lineNumber)")
                } catch let error as ConfigValueError {
                    // Errors inside an included file arrive as `Failure`, naming that file.
                    throw Failure(description: "config file '\(path)', line \(lineNumber): \(error)")
                }
            }
        }

        /// The files matching a wildcard pattern, in alphabetical order.
        private static func matches(_ pattern: String) -> [String] {
            var result = glob_t()
            defer { globfree(&result) }
            guard glob(pattern, 0, nil, &result) == 0 else { return [] }
            return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
        }

        private static func readFile(_ path: String) -> String? {
            guard let file = fopen(path, "r") else { return nil }
            defer { fclose(file) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = fread(&chunk, 1, chunk.count, file)
                if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
                if n < chunk.count { break }
            }
            if ferror(file) != 0 { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func splitFlags(_ arguments: [String]) throws -> [(name: String, values: [String])] {
        var flags: [(name: String, values: [String])] = []
        for argument in arguments {
            if argument.hasPrefix("--") && argument.count > 2 {
                flags.append((String(argument.dropFirst(2)).lowercased(), []))
            } else if flags.isEmpty {
                throw Failure(description: "unexpected argument '\(argument)': directives are given as --name value")
            } else {
                flags[flags.count - 1].values.append(argument)
            }
        }
        if let flag = flags.first(where: { $0.name == "config" }), flag.values.count != 1 {
            throw Failure(description: "--config takes exactly one file name")
        }
        return flags
    }

    /// Splits a line into words with the inline-command rules of the protocol parser, which
    /// are Redis's config-file rules too.
    static func splitWords(_ line: String) -> [String]? {
        var parser = RequestParser(limits: ParserLimits(maxInlineLength: Int.max))
        var arguments = CommandArguments()
        let bytes = Array(line.utf8) + [UInt8(ascii: "\n")]
        return bytes.withUnsafeBytes { buffer -> [String]? in
            switch parser.parse(buffer, into: &arguments) {
            case .command:
                return (0..<arguments.count).map { String(decoding: arguments.argument($0, in: buffer), as: UTF8.self) }
            case .incomplete:
                return []
            case .error:
                return nil
            }
        }
    }
}
