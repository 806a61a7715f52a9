import SkipKVPersistence

/// Why a directive's value was rejected, worded like Redis's CONFIG SET errors.
public struct ConfigValueError: Error, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Parsers for directive values, with Redis's rules.
enum ConfigValue {
    static func integer(_ text: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), !text.hasPrefix("+") else {
            throw ConfigValueError("argument couldn't be parsed into an integer")
        }
        guard range.contains(value) else {
            throw ConfigValueError("argument must be between \(range.lowerBound) and \(range.upperBound) inclusive")
        }
        return value
    }

    /// A byte count with Redis's units: `k`/`m`/`g` are powers of 1000, `kb`/`mb`/`gb`
    /// powers of 1024, case-insensitive.
    static func memory(_ text: String, in range: ClosedRange<Int>) throws -> Int {
        let lower = text.lowercased()
        let units: [(suffix: String, factor: Int)] = [
            ("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024 * 1024 * 1024),
            ("k", 1000), ("m", 1000 * 1000), ("g", 1000 * 1000 * 1000), ("b", 1),
        ]
        var digits = Substring(lower)
        var factor = 1
        if let unit = units.first(where: { lower.hasSuffix($0.suffix) }) {
            digits = digits.dropLast(unit.suffix.count)
            factor = unit.factor
        }
        guard let number = Int(digits), number >= 0, !digits.hasPrefix("+") else {
            throw ConfigValueError("argument must be a memory value")
        }
        let (value, overflow) = number.multipliedReportingOverflow(by: factor)
        guard !overflow, range.contains(value) else {
            throw ConfigValueError("argument must be between \(range.lowerBound) and \(range.upperBound) inclusive")
        }
        return value
    }

    static func boolean(_ text: String) throws -> Bool {
        switch text.lowercased() {
        case "yes": return true
        case "no": return false
        default: throw ConfigValueError("argument must be 'yes' or 'no'")
        }
    }

    static func octal(_ text: String) throws -> Int {
        guard let value = Int(text, radix: 8), value >= 0, value <= 0o777 else {
            throw ConfigValueError("argument must be an octal file mode between 0 and 777")
        }
        return value
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ text: String, of _: T.Type) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text.lowercased()) else {
            let names = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigValueError("argument(s) must be one of the following: \(names)")
        }
        return value
    }

    static func nonEmpty(_ text: String) throws -> String {
        guard !text.isEmpty else { throw ConfigValueError("argument must not be empty") }
        return text
    }

    /// A plain file name: data files live in `dir`, so no slashes.
    static func fileName(_ text: String) throws -> String {
        guard !text.isEmpty, !text.contains("/"), text != ".", text != ".." else {
            throw ConfigValueError("argument must be a file name without '/'")
        }
        return text
    }

    /// `client-output-buffer-limit`: one size (SkipKV's own form), or Redis's groups of
    /// `class hard soft seconds` (with Redis's error texts). Of Redis's form only the `normal`
    /// class's hard limit applies: SkipKV has no replica or pub/sub clients, and it pauses a
    /// client at the limit rather than disconnecting it, so a soft limit has nothing to do.
    /// Nil when no group names the normal class.
    static func outputBufferLimit(_ values: [String]) throws -> Int? {
        let words = values.flatMap { $0.split(separator: " ").map(String.init) }
        if words.count == 1 { return try memory(words[0], in: 0...Int.max) }
        guard !words.isEmpty, words.count % 4 == 0 else {
            throw ConfigValueError("Wrong number of arguments in buffer limit configuration.")
        }
        var limit: Int?
        for group in stride(from: 0, to: words.count, by: 4) {
            let kind = words[group].lowercased()
            guard ["normal", "replica", "slave", "pubsub"].contains(kind) else {
                throw ConfigValueError("Invalid client class specified in buffer limit configuration.")
            }
            guard let hard = try? memory(words[group + 1], in: 0...Int.max), (try? memory(words[group + 2], in: 0...Int.max)) != nil,
                  let seconds = Int(words[group + 3]), seconds >= 0 else {
                throw ConfigValueError("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
            }
            if kind == "normal" { limit = hard }
        }
        return limit
    }

    /// `shutdown-on-sigint` / `shutdown-on-sigterm`: Redis's flags, shown as Redis shows them
    /// (`default` alone, else the flags in this order).
    static let shutdownFlags = ["save", "nosave", "now", "force"]

    static func shutdownFlags(_ values: [String]) throws -> String {
        let words = values.flatMap { $0.split(separator: " ").map { $0.lowercased() } }
        guard !words.isEmpty, words.allSatisfy({ $0 == "default" || shutdownFlags.contains($0) }) else {
            throw ConfigValueError("argument(s) must be one of the following: default, \(shutdownFlags.joined(separator: ", "))")
        }
        guard !(words.contains("save") && words.contains("nosave")) else {
            throw ConfigValueError("shutdown options SAVE and NOSAVE can't be used simultaneously")
        }
        let flags = shutdownFlags.filter(words.contains)
        return flags.isEmpty ? "default" : flags.joined(separator: " ")
    }

    /// `save` values: pairs of seconds and changes; `""` (alone or as a word) clears.
    static func saveRules(_ values: [String]) throws -> [SaveRule] {
        let words = values.flatMap { $0.split(separator: " ").map(String.init) }
        guard words.count % 2 == 0 else { throw ConfigValueError("Invalid save parameters") }
        return try stride(from: 0, to: words.count, by: 2).map { index in
            guard let seconds = Int(words[index]), let changes = Int(words[index + 1]), seconds > 0, changes >= 0 else {
                throw ConfigValueError("Invalid save parameters")
            }
            return SaveRule(seconds: seconds, changes: changes)
        }
    }
}
