/// One GET, SET or INCRBY of a BITFIELD command, parsed before any of them runs (a bad
/// argument anywhere refuses the whole command), with the OVERFLOW policy in force at its
/// position. Overflow is decided as Redis 7's bitops.c decides it, in wrapping 64-bit
/// arithmetic, quirks included: a signed SET far below the type's minimum (such as
/// `OVERFLOW SAT SET i53 0 -9223372036854775808`) counts as an overflow upwards, and
/// saturates to the maximum, because Redis's headroom `max - value` wraps around.
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

    /// Runs the operation on `value` (long enough for the field): the reply, or nil when
    /// OVERFLOW FAIL refused the write (nothing written).
    func apply(_ value: UnsafeMutableRawBufferPointer) -> Int64? {
        let old = read(UnsafeRawBufferPointer(value))
        guard kind != .get else { return old }
        // SET checks its value with an increment of 0; an unsigned field takes the value's
        // unsigned 64-bit pattern.
        let (base, increment) = kind == .incrby ? (old, operand) : (operand, 0)
        let (direction, wrapped) = signed
            ? Self.signedOverflow(base, increment, width: width)
            : Self.unsignedOverflow(UInt64(bitPattern: base), increment, width: width)
        var stored = base &+ increment
        if direction != 0 {
            switch overflow {
            case .fail: return nil
            case .wrap: stored = wrapped
            case .sat:
                let maximum = signed ? Int64(bitPattern: BitString.mask(width: width - 1)) : Int64(bitPattern: BitString.mask(width: width))
                stored = direction > 0 ? maximum : (signed ? ~maximum : 0)
            }
        }
        BitString.setField(value, at: offset, width: width, to: UInt64(bitPattern: stored))
        return kind == .set ? old : stored
    }

    /// Redis's checkSignedBitfieldOverflow: +1 above the maximum, -1 below the minimum, 0
    /// in range; and the sum wrapped into the type.
    private static func signedOverflow(_ value: Int64, _ increment: Int64, width: Int) -> (Int, Int64) {
        let maximum = width == 64 ? Int64.max : Int64(bitPattern: BitString.mask(width: width - 1))
        let minimum = -maximum - 1
        let maxIncrement = Int64(bitPattern: UInt64(bitPattern: maximum) &- UInt64(bitPattern: value))
        let minIncrement = minimum &- value
        var sum = UInt64(bitPattern: value) &+ UInt64(bitPattern: increment)
        if width < 64 {
            let high = ~BitString.mask(width: width)
            sum = sum & (1 << UInt64(width - 1)) != 0 ? sum | high : sum & ~high
        }
        let wrapped = Int64(bitPattern: sum)
        if value > maximum || (width != 64 && increment > maxIncrement) || (value >= 0 && increment > 0 && increment > maxIncrement) {
            return (1, wrapped)
        }
        if value < minimum || (width != 64 && increment < minIncrement) || (value < 0 && increment < 0 && increment < minIncrement) {
            return (-1, wrapped)
        }
        return (0, wrapped)
    }

    /// Redis's checkUnsignedBitfieldOverflow, as `signedOverflow`.
    private static func unsignedOverflow(_ value: UInt64, _ increment: Int64, width: Int) -> (Int, Int64) {
        let maximum = BitString.mask(width: width)
        let maxIncrement = Int64(bitPattern: maximum &- value)
        let minIncrement = Int64(bitPattern: 0 &- value)
        let wrapped = Int64(bitPattern: (value &+ UInt64(bitPattern: increment)) & maximum)
        if value > maximum || (increment > 0 && increment > maxIncrement) { return (1, wrapped) }
        if increment < 0 && increment < minIncrement { return (-1, wrapped) }
        return (0, wrapped)
    }
}
