import SkipKVClient
import SkipKVProtocol

/// `help` at the prompt, built from the server's own command table (`COMMAND DOCS`), so it
/// describes exactly the commands the connected server has, subcommands included.
struct CommandHelp {
    /// One command or subcommand.
    struct Entry {
        /// `["CLIENT", "KILL"]`: what `help` arguments are matched against.
        var words: [String]
        /// The argument syntax, as in `key value [NX|XX] [GET]`.
        var syntax: String
        var summary: String
        var since: String
        var group: String
    }

    let entries: [Entry]

    /// Builds the help from a `COMMAND DOCS` reply (a map in RESP3, a flat array in RESP2).
    init(docs: RESPReply) {
        var entries: [Entry] = []
        for (name, doc) in Self.pairs(docs) {
            Self.collect(name: name, doc: doc, into: &entries)
        }
        self.entries = entries.sorted { $0.words.joined(separator: " ") < $1.words.joined(separator: " ") }
    }

    /// What `help <arguments>` prints: the text for no arguments, the commands of a group
    /// for `@group`, or every command whose name starts with the given words. `colors`
    /// adds redis-cli's terminal highlighting.
    func text(for arguments: [String], colors: Bool) -> String {
        guard let first = arguments.first else { return Self.overview }
        let bold = colors ? "\u{1B}[1m" : "", grey = colors ? "\u{1B}[90m" : ""
        let yellow = colors ? "\u{1B}[33m" : "", reset = colors ? "\u{1B}[0m" : ""
        var out = ""
        func describe(_ entry: Entry, withGroup: Bool) {
            out += "\n  \(bold)\(entry.words.joined(separator: " "))\(reset) \(grey)\(entry.syntax)\(reset)\n"
            out += "  \(yellow)summary:\(reset) \(entry.summary)\n"
            out += "  \(yellow)since:\(reset) \(entry.since)\n"
            if withGroup { out += "  \(yellow)group:\(reset) \(entry.group)\n" }
        }
        if first.hasPrefix("@") {
            let group = first.dropFirst().lowercased()
            for entry in entries where entry.group.lowercased() == group { describe(entry, withGroup: false) }
        } else {
            let wanted = arguments.map { $0.uppercased() }
            for entry in entries where entry.words.count >= wanted.count && Array(entry.words.prefix(wanted.count)) == wanted {
                describe(entry, withGroup: true)
            }
        }
        return out + "\n"
    }

    static let overview = """
        skipkv-cli \(CLIVersion.current)
        To get help about commands type:
              "help @<group>" to get a list of commands in <group>
              "help <command>" for help on <command>
              "quit" to exit

        Lines are split like redis-cli's: "double quotes" with \\n, \\t, \\xHH escapes,
        'single quotes', and a leading count repeats a command ("3 INCR counter").

        """

    // MARK: Reading COMMAND DOCS

    private static func collect(name: RESPReply, doc: RESPReply, into entries: inout [Entry]) {
        guard let nameText = text(name) else { return }
        var fields: [String: RESPReply] = [:]
        for (key, value) in pairs(doc) {
            if let key = text(key) { fields[key] = value }
        }
        let arguments = fields["arguments"].map(list) ?? []
        entries.append(Entry(
            // Subcommands are named `container|sub`.
            words: nameText.uppercased().split(separator: "|").map(String.init),
            syntax: arguments.compactMap(syntax).joined(separator: " "),
            summary: fields["summary"].flatMap(text) ?? "",
            since: fields["since"].flatMap(text) ?? "",
            group: fields["group"].flatMap(text) ?? ""
        ))
        if let subcommands = fields["subcommands"] {
            for (subName, subDoc) in pairs(subcommands) { collect(name: subName, doc: subDoc, into: &entries) }
        }
    }

    /// The syntax of one argument the way Redis's documentation writes it: `TOKEN value`,
    /// `a|b` for one-of, `value [value ...]` for multiple, brackets when optional.
    private static func syntax(_ argument: RESPReply) -> String? {
        var fields: [String: RESPReply] = [:]
        for (key, value) in pairs(argument) {
            if let key = text(key) { fields[key] = value }
        }
        let type = fields["type"].flatMap(text) ?? ""
        let token = fields["token"].flatMap(text)
        let flags = Set((fields["flags"].map(list) ?? []).compactMap(text))
        let children = (fields["arguments"].map(list) ?? []).compactMap(syntax)
        var value: String
        switch type {
        case "pure-token": value = token ?? ""
        case "oneof": value = children.joined(separator: "|")
        case "block": value = children.joined(separator: " ")
        default: value = fields["name"].flatMap(text) ?? ""
        }
        let tokenPrefix = type != "pure-token" ? token.map { $0 + " " } ?? "" : ""
        var result = tokenPrefix + value
        if flags.contains("multiple") {
            result += flags.contains("multiple_token") ? " [\(tokenPrefix)\(value) ...]" : " [\(value) ...]"
        }
        return flags.contains("optional") ? "[\(result)]" : result
    }

    /// The entries of a map, or of a RESP2 flat array of alternating keys and values.
    private static func pairs(_ reply: RESPReply) -> [(RESPReply, RESPReply)] {
        switch reply {
        case .map(let pairs):
            return pairs.map { ($0.key, $0.value) }
        case .array(let elements) where elements.count % 2 == 0:
            return stride(from: 0, to: elements.count, by: 2).map { (elements[$0], elements[$0 + 1]) }
        default:
            return []
        }
    }

    private static func list(_ reply: RESPReply) -> [RESPReply] {
        switch reply {
        case .array(let elements), .set(let elements): return elements
        default: return []
        }
    }

    private static func text(_ reply: RESPReply) -> String? {
        reply.stringBytes.map { String(decoding: $0, as: UTF8.self) }
    }
}
