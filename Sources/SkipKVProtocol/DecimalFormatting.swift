/// Decimal integer output without String: count the digits, then write two digits per step
/// from a static pair table, back to front, into exactly that many bytes. Lengths and integer
/// replies are on every response path.
@usableFromInline
enum DecimalFormatting {
    /// Number of bytes `write(_:to:)` produces for `value`, sign included.
    @inlinable
    static func length(of value: Int64) -> Int {
        digitCount(value.magnitude) + (value < 0 ? 1 : 0)
    }

    /// Writes `value` in decimal at `target`; returns the number of bytes written, which is
    /// `length(of: value)`.
    @inlinable
    @discardableResult
    static func write(_ value: Int64, to target: UnsafeMutableRawPointer) -> Int {
        // The magnitude of Int64.min does not fit in Int64, so work in UInt64.
        var magnitude = value.magnitude
        let length = length(of: value)
        if value < 0 { target.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self) }
        var position = length
        let pairs = digitPairs
        while magnitude >= 100 {
            let pair = Int(magnitude % 100) &* 2
            magnitude /= 100
            position -= 2
            target.storeBytes(of: pairs[pair], toByteOffset: position, as: UInt8.self)
            target.storeBytes(of: pairs[pair + 1], toByteOffset: position + 1, as: UInt8.self)
        }
        if magnitude >= 10 {
            let pair = Int(magnitude) &* 2
            target.storeBytes(of: pairs[pair], toByteOffset: position - 2, as: UInt8.self)
            target.storeBytes(of: pairs[pair + 1], toByteOffset: position - 1, as: UInt8.self)
        } else {
            let digit = UInt8(truncatingIfNeeded: magnitude) &+ UInt8(ascii: "0")
            target.storeBytes(of: digit, toByteOffset: position - 1, as: UInt8.self)
        }
        return length
    }

    /// "00", "01", ... "99" back to back. A StaticString lives in read-only data, so reading
    /// it needs neither a lazy-global check nor reference counting.
    @inlinable
    static var digitPairs: UnsafePointer<UInt8> {
        let table: StaticString = """
            00010203040506070809101112131415161718192021222324252627282930313233343536373839\
            40414243444546474849505152535455565758596061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899
            """
        return table.utf8Start
    }

    /// Number of decimal digits in `value` (1 for zero).
    @inlinable
    static func digitCount(_ value: UInt64) -> Int {
        var digits = 1
        var rest = value
        while rest >= 10_000 {
            rest /= 10_000
            digits += 4
        }
        if rest >= 1000 { return digits + 3 }
        if rest >= 100 { return digits + 2 }
        if rest >= 10 { return digits + 1 }
        return digits
    }
}

extension ByteQueue {
    @inlinable
    public mutating func appendDecimal(_ value: Int64) {
        let length = DecimalFormatting.length(of: value)
        DecimalFormatting.write(value, to: reserveWritable(length))
        writerIndex += length
    }
}
