/// Decimal 64-bit integer parsing with the strictness of Redis's `string2ll`: an optional
/// `-` then digits, nothing else. No spaces, no `+`, no leading zeros (so `-0` and `007` are
/// rejected), and out-of-range values fail instead of saturating. Used for every numeric
/// argument and for the protocol's own length headers.
public enum StrictInteger {
    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard let base = bytes.baseAddress else { return nil }
        return parse(base, count: bytes.count)
    }

    @inlinable
    public static func parse(_ start: UnsafeRawPointer, count: Int) -> Int64? {
        guard count > 0 else { return nil }
        let first = start.load(as: UInt8.self)
        if count == 1 && first == UInt8(ascii: "0") { return 0 }
        let negative = first == UInt8(ascii: "-")
        var index = negative ? 1 : 0
        guard index < count else { return nil }
        let lead = start.load(fromByteOffset: index, as: UInt8.self) &- UInt8(ascii: "0")
        guard lead >= 1 && lead <= 9 else { return nil }
        var magnitude = UInt64(lead)
        index += 1
        while index < count {
            let digit = start.load(fromByteOffset: index, as: UInt8.self) &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            let (times10, overflowMultiply) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflowMultiply && !overflowAdd else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            // -(Int64.min) is not representable, so compare the magnitude before negating.
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return Int64(truncatingIfNeeded: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
