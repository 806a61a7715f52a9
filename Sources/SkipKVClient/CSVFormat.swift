import SkipKVProtocol

/// redis-cli's `--csv` format (its `cliFormatReplyCSV`): strings quoted as by `sdscatrepr`,
/// nulls as `NULL`, errors as `ERROR,"message"`, and every aggregate, maps included,
/// flattened into one comma-separated line.
enum CSVFormat {
    static func append(_ reply: RESPReply, to out: inout [UInt8]) {
        switch reply {
        case .error(let message):
            out.append(text: "ERROR,")
            ByteQuoting.appendQuoted(message, to: &out)
        case .simpleString(let bytes), .bulkString(let bytes):
            ByteQuoting.appendQuoted(bytes, to: &out)
        case .verbatimString(_, let text):
            ByteQuoting.appendQuoted(text, to: &out)
        case .integer(let value):
            out.append(text: String(value))
        case .double(let text), .bigNumber(let text):
            out.append(contentsOf: text)
        case .null:
            out.append(text: "NULL")
        case .boolean(let value):
            out.append(text: value ? "true" : "false")
        case .array(let elements), .set(let elements), .push(let elements):
            appendJoined(elements, to: &out)
        case .map(let pairs):
            appendJoined(pairs.flatMap { [$0.key, $0.value] }, to: &out)
        }
    }

    private static func appendJoined(_ elements: [RESPReply], to out: inout [UInt8]) {
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            append(element, to: &out)
        }
    }
}
