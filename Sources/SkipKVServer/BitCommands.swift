import SkipKVPersistence
import SkipKVIndex
import SkipKVProtocol

/// SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO: strings as bit arrays,
/// with Redis 7's replies, errors and argument order (a missing key answers before the
/// range arguments are parsed, as Redis does). Writes are one `update` of the key, logged as
/// the SET of the result; the bit-level work is `BitString`'s.
enum BitCommands {
    static let offsetError = "ERR bit offset is not an integer or out of range"
    static let typeError = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."

    /// A bit offset: a strict non-negative integer whose byte lies below proto-max-bulk-len.
    /// With `fieldWidth` (BITFIELD), `#n` means n fields of that width; the product wraps
    /// around 64 bits as Redis's does.
    private static func bitOffset(_ c: CommandContext, _ index: Int, fieldWidth: Int? = nil) -> Int? {
        var text = c.argument(index)
        var multiplier = 1
        if let fieldWidth, let first = text.first, first == UInt8(ascii: "#") {
            text = UnsafeRawBufferPointer(rebasing: text.dropFirst())
            multiplier = fieldWidth
        }
        guard let parsed = StrictInteger.parse(text) else {
            c.error(offsetError)
            return nil
        }
        let offset = parsed &* Int64(multiplier)
        guard offset >= 0, offset >> 3 < c.connection.pointee.parser.limits.maxBulkLength else {
            c.error(offsetError)
            return nil
        }
        return Int(offset)
    }

    static func setbit(_ c: CommandContext) {
        guard let offset = bitOffset(c, 2) else { return }
        guard let bit = StrictInteger.parse(c.argument(3)), bit & ~1 == 0 else {
            c.error("ERR bit is not an integer or out of range")
            return
        }
        let byte = offset >> 3
        let mask = UInt8(0x80 >> (offset & 7))
        let old = c.keyspace.update(c.argument(1)) { current -> (UpdateAction, Int) in
            let old = byte < (current?.count ?? 0) && current![byte] & mask != 0 ? 1 : 0
            if old == bit && byte < (current?.count ?? 0) { return (.keep, old) }
            var bytes = BitString.paddedCopy(current, length: byte + 1)
            if bit == 1 { bytes[byte] |= mask } else { bytes[byte] &= ~mask }
            return (.store(bytes), old)
        }
        c.reply.pointee.writeInteger(old)
    }

    static func getbit(_ c: CommandContext) {
        guard let offset = bitOffset(c, 2) else { return }
        let bit = c.keyspace.withValue(forKey: c.argument(1)) { value in
            offset >> 3 < value.count && value[offset >> 3] & UInt8(0x80 >> (offset & 7)) != 0 ? 1 : 0
        } ?? 0
        c.reply.pointee.writeInteger(bit)
    }

    /// BITCOUNT's and BITPOS's optional range, in bytes or bits.
    private struct BitRange {
        var start: Int64
        var end: Int64
        var inBits = false

        /// The range as inclusive bit positions inside a value of `length` bytes, negative
        /// indexes counted from the end and both ends clamped, as Redis does; nil when empty.
        func bits(length: Int) -> (first: Int, last: Int)? {
            let total = Int64(inBits ? length << 3 : length)
            var start = start < 0 ? max(total + start, 0) : start
            var end = end < 0 ? max(total + end, 0) : end
            end = min(end, total - 1)
            guard start <= end else { return nil }
            if !inBits {
                start <<= 3
                end = end << 3 + 7
            }
            return (Int(start), Int(end))
        }
    }

    private enum ParsedRange {
        case range(BitRange)
        case empty
        case error(String)
    }

    /// `BYTE` or `BIT` at argument `index`.
    private static func unit(_ c: CommandContext, _ index: Int) -> Bool? {
        if c.argument(index, is: "BIT") { return true }
        if c.argument(index, is: "BYTE") { return false }
        return nil
    }

    /// BITCOUNT key [start end [BYTE|BIT]]. An absent key counts 0 whatever the range says.
    static func bitcount(_ c: CommandContext) {
        let parsed = countRange(c)
        let count = c.keyspace.withValue(forKey: c.argument(1)) { value -> Int? in
            switch parsed {
            case .error: return nil
            case .empty: return 0
            case .range(let range):
                guard let (first, last) = range.bits(length: value.count) else { return 0 }
                return BitString.countOnes(value, from: first, through: last)
            }
        }
        reply(c, count, parsed, absentKey: 0)
    }

    /// BITCOUNT's range, checked in Redis's order: the integers, then (unless both are
    /// negative and out of order, which counts 0) the unit.
    private static func countRange(_ c: CommandContext) -> ParsedRange {
        if c.count == 2 { return .range(BitRange(start: 0, end: -1)) }
        guard c.count == 4 || c.count == 5 else { return .error(ErrorText.syntax) }
        guard let start = StrictInteger.parse(c.argument(2)), let end = StrictInteger.parse(c.argument(3)) else {
            return .error(ErrorText.notInteger)
        }
        if start < 0 && end < 0 && start > end { return .empty }
        guard c.count == 5 else { return .range(BitRange(start: start, end: end)) }
        guard let inBits = unit(c, 4) else { return .error(ErrorText.syntax) }
        return .range(BitRange(start: start, end: end, inBits: inBits))
    }

    /// BITPOS key bit [start [end [BYTE|BIT]]]. An absent key is an endless run of zeros.
    /// Looking for a clear bit without an explicit end treats the value as zero-padded (the
    /// answer can be the first bit past it); with an explicit end, a range without one is -1.
    static func bitpos(_ c: CommandContext) {
        guard let bit = c.integer(2) else { return }
        guard bit == 0 || bit == 1 else {
            c.error("ERR The bit argument must be 1 or 0.")
            return
        }
        let parsed = positionRange(c)
        let endGiven = c.count >= 5
        let position = c.keyspace.withValue(forKey: c.argument(1)) { value -> Int? in
            guard case .range(let range) = parsed else { return nil }
            guard let (first, last) = range.bits(length: value.count) else { return -1 }
            if let found = BitString.firstBit(Int(bit), in: value, from: first, through: last) { return found }
            return bit == 0 && !endGiven ? last + 1 : -1
        }
        reply(c, position, parsed, absentKey: bit == 1 ? -1 : 0)
    }

    /// BITPOS's range, checked in Redis's order: start, the unit, then end.
    private static func positionRange(_ c: CommandContext) -> ParsedRange {
        if c.count == 3 { return .range(BitRange(start: 0, end: -1)) }
        guard c.count <= 6 else { return .error(ErrorText.syntax) }
        guard let start = StrictInteger.parse(c.argument(3)) else { return .error(ErrorText.notInteger) }
        guard let inBits = c.count == 6 ? unit(c, 5) : false else { return .error(ErrorText.syntax) }
        guard c.count >= 5 else { return .range(BitRange(start: start, end: Int64.max, inBits: inBits)) }
        guard let end = StrictInteger.parse(c.argument(4)) else { return .error(ErrorText.notInteger) }
        return .range(BitRange(start: start, end: end, inBits: inBits))
    }

    /// BITCOUNT's and BITPOS's reply: `absentKey` for a missing key (Redis answers before it
    /// looks at the range), else the range's error or the result.
    private static func reply(_ c: CommandContext, _ result: Int??, _ parsed: ParsedRange, absentKey: Int) {
        switch result {
        case .none: c.reply.pointee.writeInteger(absentKey)
        case .some(.some(let value)): c.reply.pointee.writeInteger(value)
        case .some(.none): if case .error(let message) = parsed { c.error(message) }
        }
    }

    private enum Operation { case and, or, xor, not }

    /// BITOP AND|OR|XOR|NOT destkey key…: absent keys are empty strings and shorter ones are
    /// zero-padded; the result's length is the longest source's, and an empty result deletes
    /// destkey. Sources are folded into the result one at a time (one copy, no array per
    /// source). Each source is read atomically, the set of them is not: a write to a source
    /// on another loop may land between two reads (docs/ARCHITECTURE.md, Known limitations).
    static func bitop(_ c: CommandContext) {
        let operation: Operation
        if c.argument(1, is: "AND") { operation = .and }
        else if c.argument(1, is: "OR") { operation = .or }
        else if c.argument(1, is: "XOR") { operation = .xor }
        else if c.argument(1, is: "NOT") { operation = .not }
        else {
            c.error(ErrorText.syntax)
            return
        }
        guard operation != .not || c.count == 4 else {
            c.error("ERR BITOP NOT must be called with a single source key.")
            return
        }
        // One transaction over the destination and the sources: no write lands between
        // reading them and storing the result, and no reader sees the result half made.
        let keys = (2..<c.count).map { c.argument($0) }
        let length = c.keyspace.withKeys(keys) { write -> Int in
            var result: [UInt8] = []
            for index in 3..<c.count {
                let found: Void? = c.keyspace.withValue(forKey: c.argument(index)) { source in
                    fold(source, into: &result, operation, first: index == 3)
                }
                if found == nil { fold(UnsafeRawBufferPointer(start: nil, count: 0), into: &result, operation, first: index == 3) }
            }
            if result.isEmpty {
                write.remove(c.argument(2))
            } else {
                result.withUnsafeBytes { write.put(c.argument(2), $0, deadline: 0) }
            }
            return result.count
        }
        c.reply.pointee.writeInteger(length)
    }

    /// Combines `source` into `result`, a word at a time; the shorter one is zero-padded.
    private static func fold(_ source: UnsafeRawBufferPointer, into result: inout [UInt8], _ operation: Operation, first: Bool) {
        if first {
            result = Array(source)
            if operation == .not {
                result.withUnsafeMutableBytes { target in
                    var index = 0
                    while index + 8 <= target.count {
                        target.storeBytes(of: ~target.loadUnaligned(fromByteOffset: index, as: UInt64.self), toByteOffset: index, as: UInt64.self)
                        index += 8
                    }
                    while index < target.count {
                        target[index] = ~target[index]
                        index += 1
                    }
                }
            }
            return
        }
        let common = min(result.count, source.count)
        if operation == .and {
            // Past the shorter of the two, AND with zeros is zeros.
            if source.count > result.count { result.append(contentsOf: repeatElement(0, count: source.count - result.count)) }
            for index in common..<result.count { result[index] = 0 }
        } else if source.count > result.count {
            // Past the result's end, OR and XOR with zeros copy the source.
            result.append(contentsOf: UnsafeRawBufferPointer(rebasing: source[common...]))
        }
        result.withUnsafeMutableBytes { target in
            var index = 0
            while index + 8 <= common {
                let a = target.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let b = source.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                target.storeBytes(of: operation == .and ? a & b : operation == .or ? a | b : a ^ b, toByteOffset: index, as: UInt64.self)
                index += 8
            }
            while index < common {
                let a = target[index]
                let b = source[index]
                target[index] = operation == .and ? a & b : operation == .or ? a | b : a ^ b
                index += 1
            }
        }
    }

    static func bitfield(_ c: CommandContext) { bitfield(c, readOnly: false) }

    static func bitfieldRO(_ c: CommandContext) { bitfield(c, readOnly: true) }

    /// BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
    /// [OVERFLOW WRAP|SAT|FAIL]…: every operation is parsed first, then all of them run in
    /// one `update` of the key (growing it with zeros to the highest bit written, even when
    /// OVERFLOW FAIL then refuses every write, as Redis does). Only GETs: a plain read.
    private static func bitfield(_ c: CommandContext, readOnly: Bool) {
        guard let operations = parseBitfield(c) else { return }
        let writes = operations.contains { $0.kind != .get }
        guard writes else {
            let found: Void? = c.keyspace.withValue(forKey: c.argument(1)) { value in
                c.reply.pointee.writeArrayHeader(count: operations.count)
                for operation in operations { c.reply.pointee.writeInteger(operation.read(value)) }
            }
            if found == nil {
                c.reply.pointee.writeArrayHeader(count: operations.count)
                for _ in operations { c.reply.pointee.writeInteger(0) }
            }
            return
        }
        guard !readOnly else {
            c.error("ERR BITFIELD_RO only supports the GET subcommand")
            return
        }
        let lastBit = operations.reduce(0) { $1.kind == .get ? $0 : max($0, $1.lastBit) }
        c.keyspace.update(c.argument(1)) { current -> (UpdateAction, Void) in
            var bytes = BitString.paddedCopy(current, length: lastBit >> 3 + 1)
            c.reply.pointee.writeArrayHeader(count: operations.count)
            bytes.withUnsafeMutableBytes { value in
                for operation in operations {
                    if let reply = operation.apply(value) { c.reply.pointee.writeInteger(reply) } else { c.reply.pointee.writeNull() }
                }
            }
            return (.store(bytes), ())
        }
    }

    /// The operations of a BITFIELD command, or nil after replying with the first error.
    private static func parseBitfield(_ c: CommandContext) -> [BitfieldOperation]? {
        var operations: [BitfieldOperation] = []
        var overflow = BitfieldOperation.Overflow.wrap
        var index = 2
        while index < c.count {
            let remaining = c.count - index - 1
            let kind: BitfieldOperation.Kind
            if c.argument(index, is: "GET") && remaining >= 2 {
                kind = .get
            } else if c.argument(index, is: "SET") && remaining >= 3 {
                kind = .set
            } else if c.argument(index, is: "INCRBY") && remaining >= 3 {
                kind = .incrby
            } else if c.argument(index, is: "OVERFLOW") && remaining >= 1 {
                if c.argument(index + 1, is: "WRAP") { overflow = .wrap }
                else if c.argument(index + 1, is: "SAT") { overflow = .sat }
                else if c.argument(index + 1, is: "FAIL") { overflow = .fail }
                else {
                    c.error("ERR Invalid OVERFLOW type specified")
                    return nil
                }
                index += 2
                continue
            } else {
                c.error(ErrorText.syntax)
                return nil
            }
            guard let (signed, width) = fieldType(c.argument(index + 1)) else {
                c.error(typeError)
                return nil
            }
            guard let offset = bitOffset(c, index + 2, fieldWidth: width) else { return nil }
            var operand: Int64 = 0
            if kind != .get {
                guard let value = c.integer(index + 3) else { return nil }
                operand = value
            }
            operations.append(BitfieldOperation(
                kind: kind, signed: signed, width: width, offset: offset, operand: operand, overflow: overflow))
            index += kind == .get ? 3 : 4
        }
        return operations
    }

    /// `i1`…`i64` or `u1`…`u63` (lowercase, as Redis requires).
    private static func fieldType(_ text: UnsafeRawBufferPointer) -> (signed: Bool, width: Int)? {
        guard let first = text.first, first == UInt8(ascii: "i") || first == UInt8(ascii: "u"),
              let width = StrictInteger.parse(UnsafeRawBufferPointer(rebasing: text.dropFirst())) else { return nil }
        let signed = first == UInt8(ascii: "i")
        guard width >= 1 && width <= (signed ? 64 : 63) else { return nil }
        return (signed, Int(width))
    }
}
