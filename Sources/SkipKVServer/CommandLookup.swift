/// Finds the `CommandID` for a command name given as raw bytes, case-insensitively, without
/// allocating: the name (at most 16 bytes) is lowercased into two machine words, hashed, and
/// looked up in a small open-addressing table.
///
/// Concurrency contract: one table for the process, built on first use and immutable after;
/// read by every loop thread. A struct over a pointer, so a lookup touches no reference
/// count (the table is never freed).
struct CommandLookup: @unchecked Sendable {
    private struct Slot {
        var low: UInt64
        var high: UInt64
        var length: Int
        /// `CommandID.rawValue`, or -1 for an empty slot.
        var command: Int
    }

    static let shared = CommandLookup()

    private static let slotBits = 7
    private static let slotCount = 1 << slotBits
    private let slots: UnsafeMutablePointer<Slot>

    private init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(low: 0, high: 0, length: 0, command: -1), count: Self.slotCount)
        for command in CommandID.allCases {
            var name = command.name
            let (low, high) = name.withUTF8 { Self.pack(UnsafeRawBufferPointer($0))! }
            var index = Self.slot(low, high)
            while slots[index].command >= 0 { index = (index + 1) & (Self.slotCount - 1) }
            slots[index] = Slot(low: low, high: high, length: command.name.utf8.count, command: command.rawValue)
        }
    }

    @inline(__always)
    func find(_ name: UnsafeRawBufferPointer) -> CommandID? {
        guard let (low, high) = Self.pack(name) else { return nil }
        var index = Self.slot(low, high)
        while true {
            let slot = slots[index]
            if slot.command < 0 { return nil }
            if slot.low == low && slot.high == high && slot.length == name.count {
                return CommandID(rawValue: slot.command)
            }
            index = (index + 1) & (Self.slotCount - 1)
        }
    }

    /// The lowercased name as two little-endian words, zero padded; nil beyond 16 bytes
    /// (no command name is that long). A zero byte in a name packs like padding, so the
    /// length is compared as well.
    @inline(__always)
    private static func pack(_ name: UnsafeRawBufferPointer) -> (UInt64, UInt64)? {
        guard name.count <= 16 else { return nil }
        var low: UInt64 = 0
        var high: UInt64 = 0
        for i in 0..<name.count {
            var byte = name[i]
            if byte &- UInt8(ascii: "A") < 26 { byte |= 0x20 }
            if i < 8 {
                low |= UInt64(byte) << (8 * UInt64(i))
            } else {
                high |= UInt64(byte) << (8 * UInt64(i - 8))
            }
        }
        return (low, high)
    }

    @inline(__always)
    private static func slot(_ low: UInt64, _ high: UInt64) -> Int {
        Int(truncatingIfNeeded: ((low ^ (high &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD) >> UInt64(64 - slotBits))
    }
}
