/// The two ways replies quote binary strings.
enum ByteQuoting {
    /// Redis's `sdscatrepr`: double quotes; `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b`; other
    /// bytes outside printable ASCII as `\xhh`. Used by the standard and CSV formats.
    static func appendQuoted(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case UInt8(ascii: "\n"): appendEscape(UInt8(ascii: "n"), to: &out)
            case UInt8(ascii: "\r"): appendEscape(UInt8(ascii: "r"), to: &out)
            case UInt8(ascii: "\t"): appendEscape(UInt8(ascii: "t"), to: &out)
            case 0x07: appendEscape(UInt8(ascii: "a"), to: &out)
            case 0x08: appendEscape(UInt8(ascii: "b"), to: &out)
            case 0x20...0x7E: out.append(byte)
            default:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), hexDigit(byte >> 4), hexDigit(byte & 0xF)])
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// redis-cli's JSON string escaping: `\\`, `\"`, `\n`, `\f`, `\r`, `\t`, `\b`, other
    /// control bytes as `\u00hh`; every other byte, including bytes >= 0x80, as is (so
    /// UTF-8 text stays readable, and invalid UTF-8 stays invalid, as with redis-cli).
    static func appendJSONString(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case UInt8(ascii: "\n"): appendEscape(UInt8(ascii: "n"), to: &out)
            case 0x0C: appendEscape(UInt8(ascii: "f"), to: &out)
            case UInt8(ascii: "\r"): appendEscape(UInt8(ascii: "r"), to: &out)
            case UInt8(ascii: "\t"): appendEscape(UInt8(ascii: "t"), to: &out)
            case 0x08: appendEscape(UInt8(ascii: "b"), to: &out)
            case 0x00...0x1F:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xF))
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ letter: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(letter)
    }

    /// Lower-case, as both of Redis's escapers print.
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}

extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of `text`.
    mutating func append(text: String) {
        append(contentsOf: text.utf8)
    }
}
