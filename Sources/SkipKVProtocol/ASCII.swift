/// Byte classification shared by the parsers and matchers. Locale-independent on purpose:
/// Redis runs in the C locale, where only ASCII letters have case.
@usableFromInline
enum ASCII {
    /// C `isspace` in the C locale: space, \t, \n, \v, \f, \r.
    @inlinable
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// Maps `A`...`Z` to `a`...`z` and leaves every other byte alone.
    @inlinable
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// The value of a hexadecimal digit, or nil.
    @inlinable
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte &- 0x30
        case 0x41...0x46: return byte &- 0x41 &+ 10
        case 0x61...0x66: return byte &- 0x61 &+ 10
        default: return nil
        }
    }
}
