import SkipKVProtocol

/// redis-cli's `--json` format (its `cliFormatReplyJson`): strings as JSON strings, nulls
/// as `null`, arrays and sets as arrays, maps as objects. Like redis-cli, an error is
/// written `error:"message"`, which is not JSON, so that it cannot be mistaken for a string
/// value.
enum JSONFormat {
    static func append(_ reply: RESPReply, to out: inout [UInt8]) {
        switch reply {
        case .error(let message):
            out.append(text: "error:")
            ByteQuoting.appendJSONString(message, to: &out)
        case .simpleString(let bytes), .bulkString(let bytes):
            ByteQuoting.appendJSONString(bytes, to: &out)
        case .verbatimString(_, let text):
            ByteQuoting.appendJSONString(text, to: &out)
        case .integer(let value):
            out.append(text: String(value))
        case .double(let text), .bigNumber(let text):
            out.append(contentsOf: text)
        case .null:
            out.append(text: "null")
        case .boolean(let value):
            out.append(text: value ? "true" : "false")
        case .array(let elements), .set(let elements), .push(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .map(let pairs):
            out.append(UInt8(ascii: "{"))
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendKey(pair.key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(pair.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// JSON object keys must be strings, and RESP3 map keys need not be: string-like keys
    /// are written as usual, anything else in its JSON form wrapped in quotes (unescaped,
    /// exactly as redis-cli does).
    private static func appendKey(_ key: RESPReply, to out: inout [UInt8]) {
        switch key {
        case .simpleString, .bulkString, .verbatimString, .error:
            append(key, to: &out)
        default:
            var text: [UInt8] = []
            append(key, to: &text)
            if text.first == UInt8(ascii: "\"") {
                out.append(contentsOf: text)
            } else {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: text)
                out.append(UInt8(ascii: "\""))
            }
        }
    }
}
