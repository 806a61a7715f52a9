import SkipKVProtocol

/// redis-cli's terminal format (its `cliFormatReplyTTY`), reproduced byte for byte:
///
///     1) "a"
///     2) 1) (integer) 1
///        2) (nil)
///
/// Elements are numbered from 1, right-aligned to the widest number; a nested aggregate
/// starts on its parent's line and its later lines are indented past the parent's number.
/// Sets number with `~`, maps with `#` and print `key => value`.
enum StandardFormat {
    static func append(_ reply: RESPReply, prefix: [UInt8], to out: inout [UInt8]) {
        switch reply {
        case .error(let message):
            out.append(text: "(error) ")
            out.append(contentsOf: message)
            out.append(UInt8(ascii: "\n"))
        case .simpleString(let text):
            out.append(contentsOf: text)
            out.append(UInt8(ascii: "\n"))
        case .integer(let value):
            out.append(text: "(integer) \(value)\n")
        case .double(let text):
            out.append(text: "(double) ")
            out.append(contentsOf: text)
            out.append(UInt8(ascii: "\n"))
        case .bigNumber(let digits):
            // redis-cli 7.0 exits with "Unknown reply type" here; this follows its style.
            out.append(text: "(big number) ")
            out.append(contentsOf: digits)
            out.append(UInt8(ascii: "\n"))
        case .bulkString(let bytes):
            ByteQuoting.appendQuoted(bytes, to: &out)
            out.append(UInt8(ascii: "\n"))
        case .verbatimString(_, let text):
            // Verbatim strings are meant to be shown as they are (INFO, LATENCY DOCTOR).
            out.append(contentsOf: text)
            out.append(UInt8(ascii: "\n"))
        case .null:
            out.append(text: "(nil)\n")
        case .boolean(let value):
            out.append(text: value ? "(true)\n" : "(false)\n")
        case .array(let elements):
            appendList(elements, marker: UInt8(ascii: ")"), empty: "(empty array)\n", prefix: prefix, to: &out)
        case .set(let elements):
            appendList(elements, marker: UInt8(ascii: "~"), empty: "(empty set)\n", prefix: prefix, to: &out)
        case .push(let elements):
            appendList(elements, marker: UInt8(ascii: ")"), empty: "(empty push)\n", prefix: prefix, to: &out)
        case .map(let pairs):
            appendMap(pairs, prefix: prefix, to: &out)
        }
    }

    private static func appendList(_ elements: [RESPReply], marker: UInt8, empty: String, prefix: [UInt8], to out: inout [UInt8]) {
        guard !elements.isEmpty else {
            out.append(text: empty)
            return
        }
        let width = digitCount(elements.count)
        let childPrefix = prefix + [UInt8](repeating: UInt8(ascii: " "), count: width + 2)
        for (index, element) in elements.enumerated() {
            // The first element continues the line its parent's number started.
            if index > 0 { out.append(contentsOf: prefix) }
            appendNumber(index + 1, width: width, marker: marker, to: &out)
            append(element, prefix: childPrefix, to: &out)
        }
    }

    private static func appendMap(_ pairs: [RESPReply.Pair], prefix: [UInt8], to out: inout [UInt8]) {
        guard !pairs.isEmpty else {
            out.append(text: "(empty hash)\n")
            return
        }
        let width = digitCount(pairs.count)
        let childPrefix = prefix + [UInt8](repeating: UInt8(ascii: " "), count: width + 2)
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(contentsOf: prefix) }
            appendNumber(index + 1, width: width, marker: UInt8(ascii: "#"), to: &out)
            append(pair.key, prefix: childPrefix, to: &out)
            out.removeLast()  // the key's newline: the value follows on the same line
            out.append(text: " => ")
            if isMultiline(pair.value) {
                // A multi-line value starts on its own line so its numbers line up.
                out.append(UInt8(ascii: "\n"))
                out.append(contentsOf: childPrefix)
            }
            append(pair.value, prefix: childPrefix, to: &out)
        }
    }

    /// Whether `append` would print `reply` on more than one line.
    private static func isMultiline(_ reply: RESPReply) -> Bool {
        switch reply {
        case .array(let elements), .set(let elements), .push(let elements):
            guard let first = elements.first else { return false }
            return elements.count > 1 || isMultiline(first)
        case .map(let pairs):
            guard let first = pairs.first else { return false }
            return pairs.count > 1 || isMultiline(first.value)
        default:
            return false
        }
    }

    /// `index` right-aligned in `width` columns, then the marker and a space: ` 9) `.
    static func appendNumber(_ index: Int, width: Int, marker: UInt8, to out: inout [UInt8]) {
        let digits = String(index)
        out.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: max(0, width - digits.utf8.count)))
        out.append(text: digits)
        out.append(marker)
        out.append(UInt8(ascii: " "))
    }

    static func digitCount(_ value: Int) -> Int {
        String(value).utf8.count
    }
}
