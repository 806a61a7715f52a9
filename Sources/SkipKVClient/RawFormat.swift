import SkipKVProtocol

/// redis-cli's `--raw` format (its `cliFormatReplyRaw`): payloads unquoted, aggregate
/// elements on separate lines, map entries as `key value`, nulls as nothing. The caller
/// adds the newline that ends each top-level reply.
enum RawFormat {
    static func append(_ reply: RESPReply, to out: inout [UInt8]) {
        switch reply {
        case .null:
            break
        case .error(let message):
            // Errors carry their own newline, so a top-level error ends in a blank line, as
            // in redis-cli.
            out.append(contentsOf: message)
            out.append(UInt8(ascii: "\n"))
        case .simpleString(let bytes), .bulkString(let bytes), .double(let bytes), .bigNumber(let bytes):
            out.append(contentsOf: bytes)
        case .verbatimString(_, let text):
            out.append(contentsOf: text)
        case .boolean(let value):
            out.append(text: value ? "(true)" : "(false)")
        case .integer(let value):
            out.append(text: String(value))
        case .array(let elements), .set(let elements), .push(let elements):
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: "\n")) }
                append(element, to: &out)
            }
        case .map(let pairs):
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out.append(UInt8(ascii: "\n")) }
                append(pair.key, to: &out)
                out.append(UInt8(ascii: " "))
                append(pair.value, to: &out)
            }
        }
    }
}
