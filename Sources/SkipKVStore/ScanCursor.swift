import SkipKVKeys
import SkipKVSystem

/// SCAN cursors. Clients treat a cursor as an unsigned 64-bit decimal number (`redis-cli
/// --scan` parses it with `strtoull`), yet resuming in key order needs the last key returned,
/// which can be any length. So:
///
///  - a key of at most 7 bytes is packed into the cursor itself: bits 56..59 hold the length
///    plus one, bits 0..55 the bytes, first byte highest (so the cursor is never 0);
///  - a longer key is parked in `ScanCursorTable`; the cursor has bit 63 set, the first three
///    key bytes in bits 32..55 and a 32-bit ticket for the table in bits 0..31.
///
/// A parked key is eventually overwritten by later SCAN calls. A cursor whose ticket is gone
/// resumes from its three-byte prefix instead, which may repeat keys (SCAN allows that) but
/// never skips one. Cursor 0 starts an iteration and marks its end; any other value a client
/// makes up decodes to some valid position, so no cursor is ever rejected once it parses.
public enum ScanPosition: Equatable, Sendable {
    /// Start from the lowest key.
    case start
    /// Continue with the keys above `key`.
    case after([UInt8])
    /// Continue with the keys at or above `key` (may repeat keys already returned).
    case from([UInt8])

    /// The lower bound a scan from this position starts at.
    var lowerBound: RangeBound {
        switch self {
        case .start: return .unbounded
        case .after(let key): return .exclusive(key)
        case .from(let key): return .inclusive(key)
        }
    }
}

/// Where long resume keys wait for the next SCAN call (see `ScanPosition`).
///
/// Concurrency contract: thread-safe; a lock guards the ring, and SCAN is not a hot path.
final class ScanCursorTable: Sendable {
    private struct Slot {
        var ticket: UInt32 = 0
        var key: [UInt8] = []
    }

    private struct Ring {
        var slots: [Slot]
        var nextTicket: UInt32 = 1
    }

    /// Each parked key survives this many later parks, far more SCAN calls than a client
    /// makes between two steps of one iteration.
    static let capacity = 4096

    private let ring = Locked(Ring(slots: Array(repeating: Slot(), count: ScanCursorTable.capacity)))

    /// The cursor that resumes after `key`.
    func cursor(after key: UnsafeRawBufferPointer) -> UInt64 {
        if key.count <= 7 {
            var packed = UInt64(key.count + 1) << 56
            for (index, byte) in key.enumerated() { packed |= UInt64(byte) << (48 - 8 * UInt64(index)) }
            return packed
        }
        let ticket = ring.withLock { ring -> UInt32 in
            let ticket = ring.nextTicket
            // Ticket 0 never appears, so an all-zero low half cannot match an empty slot.
            ring.nextTicket = ticket == UInt32.max ? 1 : ticket + 1
            ring.slots[Int(ticket) % Self.capacity] = Slot(ticket: ticket, key: Array(key))
            return ticket
        }
        let prefix = UInt64(key[0]) << 16 | UInt64(key[1]) << 8 | UInt64(key[2])
        return 1 << 63 | prefix << 32 | UInt64(ticket)
    }

    /// Where a client's cursor resumes.
    func position(of cursor: UInt64) -> ScanPosition {
        if cursor == 0 { return .start }
        if cursor >> 63 == 1 {
            let ticket = UInt32(truncatingIfNeeded: cursor)
            if let key = ring.withLock({ ring -> [UInt8]? in
                let slot = ring.slots[Int(ticket) % Self.capacity]
                return slot.ticket == ticket && ticket != 0 ? slot.key : nil
            }) {
                return .after(key)
            }
            let prefix = cursor >> 32
            return .from([UInt8(truncatingIfNeeded: prefix >> 16), UInt8(truncatingIfNeeded: prefix >> 8), UInt8(truncatingIfNeeded: prefix)])
        }
        let lengthPlusOne = Int(cursor >> 56)
        guard lengthPlusOne >= 1 && lengthPlusOne <= 8 else { return .start }
        let key = (0..<(lengthPlusOne - 1)).map { UInt8(truncatingIfNeeded: cursor >> (48 - 8 * UInt64($0))) }
        return .after(key)
    }
}
