#if canImport(Glibc)
import Glibc
#endif
import SkipKVProtocol

/// Builds a `ServerConfig` from the defaults, then a config file, then command-line flags
/// (each later source overriding the earlier), rejecting unknown directives and bad values
/// with a message that names the directive and where it came from.
///
/// File syntax is Redis's: one directive per line, `name value...`, words split like an
/// inline command (double or single quotes, `\xHH` escapes), `#` starts a comment line. On
/// the command line every directive is a flag: `--name value...`, the values running until
/// the next argument that starts with `--`.
public enum ConfigLoader {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `arguments` excludes the program name.
    public static func load(arguments: [String]) throws -> ServerConfig {
        let flags = try splitFlags(arguments)
        var config = ServerConfig()
        if let path = flags.first(where: { $0.name == "config" })?.values.first {
            try apply(file: path, to: &config)
        }
        for flag in flags where flag.name != "config" {
            do {
                // `--repair` alone means `--repair yes`.
                try apply(flag.name, flag.name == "repair" && flag.values.isEmpty ? ["yes"] : flag.values, to: &config)
            } catch let error as ConfigValueError {
                throw Failure(description: "--\(flag.name): \(error)")
            }
        }
        return config
    }

    /// Applies one directive; the error text names the directive.
    static func apply(_ name: String, _ values: [String], to config: inout ServerConfig) throws {
        guard let directive = ConfigDirective.named(name) else {
            throw ConfigValueError("unknown directive '\(name)'")
        }
        guard values.count == 1 || (directive.takesList && !values.isEmpty) else {
            throw ConfigValueError("wrong number of arguments for '\(directive.name)'")
        }
        do {
            try directive.apply(values, &config)
        } catch let error as ConfigValueError {
            throw ConfigValueError("bad value for '\(directive.name)' ('\(values.joined(separator: " "))'): \(error)")
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

    private static func apply(file path: String, to config: inout ServerConfig) throws {
        guard let text = readFile(path) else {
            throw Failure(description: "cannot read config file '\(path)': \(String(cString: strerror(errno)))")
        }
        var lineNumber = 0
        // As in redis.conf, several `save` lines add up (the first replaces the default).
        var saveWords: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                guard let words = splitWords(String(trimmed)) else {
                    throw ConfigValueError("unbalanced quotes")
                }
                if words.isEmpty { continue }
                var values = Array(words.dropFirst())
                if words[0].lowercased() == "save" {
                    saveWords += values
                    values = saveWords
                }
                try apply(words[0].lowercased(), values, to: &config)
            } catch let error as ConfigValueError {
                throw Failure(description: "config file '\(path)', line \(lineNumber): \(error)")
            }
        }
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
