/// One GET, SET or INCRBY of a BITFIELD command, parsed before any of them runs (a bad
/// argument anywhere refuses the whole command), with the OVERFLOW policy in force at its
/// position. Overflow is decided on the exact sum in 128 bits, which is what Redis's
/// wrap/saturate arithmetic amounts to.
struct BitfieldOperation {
    enum Kind { case get, set, incrby }
    enum Overflow { case wrap, sat, fail }

    let kind: Kind
    let signed: Bool
    /// 1...64 signed, 1...63 unsigned (so every field fits Redis's signed 64-bit replies).
    let width: Int
    let offset: Int
    /// SET's value or INCRBY's increment.
    let operand: Int64
    let overflow: Overflow

    /// The highest bit a SET or INCRBY writes.
    var lastBit: Int { offset + width - 1 }

    /// The field as a reply: sign-extended when signed.
    func read(_ value: UnsafeRawBufferPointer) -> Int64 {
        let bits = BitString.field(value, at: offset, width: width)
        guard signed else { return Int64(bitPattern: bits) }
        let unused = UInt64(64 - width)
        return Int64(bitPattern: bits << unused) >> unused
    }

    /// Runs a SET or INCRBY on `value` (long enough for the field): the reply, or nil when
    /// OVERFLOW FAIL refused the write (nothing written).
    func apply(_ value: UnsafeMutableRawBufferPointer) -> Int64? {
        let old = read(UnsafeRawBufferPointer(value))
        let exact: Int128
        switch kind {
        case .get: return old
        case .incrby: exact = Int128(old) + Int128(operand)
        // An unsigned field takes SET's value as Redis does, as the unsigned 64-bit pattern.
        case .set: exact = signed ? Int128(operand) : Int128(UInt64(bitPattern: operand))
        }
        let range = signed
            ? -(Int128(1) << (width - 1))...((Int128(1) << (width - 1)) - 1)
            : Int128(0)...((Int128(1) << width) - 1)
        var stored = exact
        if !range.contains(exact) {
            switch overflow {
            case .fail: return nil
            case .sat: stored = exact < range.lowerBound ? range.lowerBound : range.upperBound
            case .wrap:
                // The low `width` bits, read back as the field's type.
                let bits = UInt64(truncatingIfNeeded: exact) & BitString.mask(width: width)
                let unused = UInt64(64 - width)
                stored = signed ? Int128(Int64(bitPattern: bits << unused) >> unused) : Int128(bits)
            }
        }
        BitString.setField(value, at: offset, width: width, to: UInt64(truncatingIfNeeded: stored))
        return kind == .set ? old : Int64(stored)
    }
}
