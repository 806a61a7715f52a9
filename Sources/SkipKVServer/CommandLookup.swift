/// A command name of at most 16 bytes, lowercased into two machine words so that names
/// compare and hash without allocating. A zero byte packs like padding, so the length is
/// kept as well.
struct PackedName: Equatable {
    let low: UInt64
    let high: UInt64
    let length: Int

    init(_ name: String) {
        var name = name
        self = name.withUTF8 { PackedName(UnsafeRawBufferPointer($0))! }
    }

    /// Nil beyond 16 bytes (no command name is that long).
    @inline(__always)
    init?(_ name: UnsafeRawBufferPointer) {
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
        self.low = low
        self.high = high
        self.length = name.count
    }
}

/// Finds a top-level command's row in `CommandTable` by its name given as raw bytes,
/// case-insensitively, without allocating: the packed name is hashed and looked up in a
/// small open-addressing table.
///
/// Concurrency contract: built once with `CommandTable.shared`, immutable after; read by
/// every loop thread. A struct over a pointer, so a lookup touches no reference count (the
/// table is never freed).
struct CommandLookup: @unchecked Sendable {
    private struct Slot {
        var name: PackedName
        /// The command's row, or -1 for an empty slot.
        var row: Int
    }

    private static let slotBits = 8
    private static let slotCount = 1 << slotBits
    private let slots: UnsafeMutablePointer<Slot>

    /// `names[i]` is row i.
    init(names: [String]) {
        precondition(names.count < Self.slotCount / 2, "grow CommandLookup.slotBits")
        slots = .allocate(capacity: Self.slotCount)
        let empty = PackedName(UnsafeRawBufferPointer(start: nil, count: 0))!
        slots.initialize(repeating: Slot(name: empty, row: -1), count: Self.slotCount)
        for (row, name) in names.enumerated() {
            let packed = PackedName(name)
            var index = Self.slot(packed)
            while slots[index].row >= 0 { index = (index + 1) & (Self.slotCount - 1) }
            slots[index] = Slot(name: packed, row: row)
        }
    }

    @inline(__always)
    func find(_ name: UnsafeRawBufferPointer) -> Int? {
        guard let packed = PackedName(name) else { return nil }
        var index = Self.slot(packed)
        while true {
            let slot = slots[index]
            if slot.row < 0 { return nil }
            if slot.name == packed { return slot.row }
            index = (index + 1) & (Self.slotCount - 1)
        }
    }

    @inline(__always)
    private static func slot(_ name: PackedName) -> Int {
        Int(truncatingIfNeeded: ((name.low ^ (name.high &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD) >> UInt64(64 - slotBits))
    }
}
