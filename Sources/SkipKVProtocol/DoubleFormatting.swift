/// Text for a double the way Redis 7.2+ replies with one (`d2string`): `nan`, `inf`,
/// `-inf`, `0` / `-0`, integral values of magnitude up to 2^62 as plain integers, and
/// anything else as the shortest round-trip digits laid out like Redis's `fpconv_dtoa`:
/// plain digits for moderately large integers (`9223372036854776000`), positional decimals
/// down to 1e-6 (`0.000015`), and otherwise `1.5e-7` / `1e+300` style, without the
/// exponent padding of `%g`. (Redis 7.0 and older printed `%.17g`, e.g. `0.10000000000000001`.)
///
/// The digits come from Swift's `description`, which is shortest-and-closest; Redis's Grisu2
/// is shortest in all but rare cases, so a handful of doubles may print with different (but
/// equally round-tripping) digits.
@usableFromInline
enum DoubleFormatting {
    /// Room for any output: at most 17 significant digits plus sign and either a point and
    /// up to 6 leading zeros, up to 7 trailing zeros, or a point and a 5-byte exponent.
    @usableFromInline
    static let maximumLength = 32

    /// Writes the text for `value` at `target`, which must have `maximumLength` bytes of
    /// room; returns the number of bytes written.
    @usableFromInline
    static func write(_ value: Double, to target: UnsafeMutableRawPointer) -> Int {
        if value.isNaN { return copy("nan", to: target) }
        if value.isInfinite { return copy(value < 0 ? "-inf" : "inf", to: target) }
        if value == 0 { return copy(value.sign == .minus ? "-0" : "0", to: target) }
        // Redis prints through `long long` when that is exact; within ±2^62 the conversion
        // cannot overflow.
        if value.magnitude <= Double(Int64.max / 2) && value.rounded(.towardZero) == value {
            return DecimalFormatting.write(Int64(value), to: target)
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumLength) { digits in
            let (count, exponent) = shortestDigits(value.magnitude, into: digits.baseAddress!)
            var length = 0
            if value < 0 {
                target.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
                length = 1
            }
            return length + layOut(UnsafePointer(digits.baseAddress!), count: count, exponent: exponent, to: target + length)
        }
    }

    /// The significant decimal digits of a positive finite `value` (no leading or trailing
    /// zeros) and the power of ten they are scaled by: value = digits × 10^exponent.
    private static func shortestDigits(_ value: Double, into digits: UnsafeMutablePointer<UInt8>) -> (count: Int, exponent: Int) {
        var text = value.description
        return text.withUTF8 { utf8 in
            var count = 0
            var integerDigits: Int? = nil
            var index = 0
            while index < utf8.count && utf8[index] != UInt8(ascii: "e") {
                let byte = utf8[index]
                if byte == UInt8(ascii: ".") {
                    integerDigits = count
                } else if count > 0 || byte != UInt8(ascii: "0") {
                    digits[count] = byte
                    count += 1
                } else if integerDigits != nil {
                    // A leading zero after the point still shifts the digits that follow.
                    integerDigits! -= 1
                }
                index += 1
            }
            // Shortest digits never end in a zero, except integers, which are already handled.
            var exponent = (integerDigits ?? count) - count
            if index < utf8.count {
                // "e+18" / "e-07": sign, then zero-padded digits.
                let negative = utf8[index + 1] == UInt8(ascii: "-")
                var magnitude = 0
                for byte in utf8[(index + 2)...] {
                    magnitude = magnitude * 10 + Int(byte &- UInt8(ascii: "0"))
                }
                exponent += negative ? -magnitude : magnitude
            }
            return (count, exponent)
        }
    }

    /// Redis's layout (fpconv `emit_digits`) of `digits` × 10^`exponent`.
    private static func layOut(_ digits: UnsafePointer<UInt8>, count: Int, exponent: Int, to target: UnsafeMutableRawPointer) -> Int {
        let scientificExponent = exponent + count - 1
        let exponentMagnitude = abs(scientificExponent)
        if exponent >= 0 && exponentMagnitude < count + 7 {
            target.copyMemory(from: digits, byteCount: count)
            (target + count).initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "0"), count: exponent)
            return count + exponent
        }
        if exponent < 0 && (exponent > -7 || exponentMagnitude < 4) {
            let integerDigits = count + exponent
            if integerDigits <= 0 {
                target.storeBytes(of: UInt8(ascii: "0"), as: UInt8.self)
                target.storeBytes(of: UInt8(ascii: "."), toByteOffset: 1, as: UInt8.self)
                (target + 2).initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "0"), count: -integerDigits)
                (target + 2 - integerDigits).copyMemory(from: digits, byteCount: count)
                return 2 - integerDigits + count
            }
            target.copyMemory(from: digits, byteCount: integerDigits)
            target.storeBytes(of: UInt8(ascii: "."), toByteOffset: integerDigits, as: UInt8.self)
            (target + integerDigits + 1).copyMemory(from: digits + integerDigits, byteCount: count - integerDigits)
            return count + 1
        }
        var length = 0
        target.storeBytes(of: digits[0], as: UInt8.self)
        length = 1
        if count > 1 {
            target.storeBytes(of: UInt8(ascii: "."), toByteOffset: 1, as: UInt8.self)
            (target + 2).copyMemory(from: digits + 1, byteCount: count - 1)
            length = count + 1
        }
        target.storeBytes(of: UInt8(ascii: "e"), toByteOffset: length, as: UInt8.self)
        target.storeBytes(of: scientificExponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"), toByteOffset: length + 1, as: UInt8.self)
        return length + 2 + DecimalFormatting.write(Int64(exponentMagnitude), to: target + length + 2)
    }

    private static func copy(_ text: StaticString, to target: UnsafeMutableRawPointer) -> Int {
        // withUTF8Buffer because a one-character literal may be stored as a scalar, which
        // has no `utf8Start`.
        text.withUTF8Buffer { utf8 in
            target.copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            return utf8.count
        }
    }
}
