/// What log segment and snapshot headers share: an 8-byte magic, a u32 format version right
/// after it, and a CRC32C of every byte before the checksum field, stored at `checksumOffset`.
enum FileHeader {
    /// A `size`-byte header: magic and version, the fields `fill` stores (given the header's
    /// start), zeros elsewhere, and the checksum.
    static func encode(
        size: Int, magic: [UInt8], version: UInt32, checksumOffset: Int, _ fill: (UnsafeMutableRawPointer) -> Void
    ) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            let header = UnsafeMutableRawBufferPointer(buffer)
            header.initializeMemory(as: UInt8.self, repeating: 0)
            header.copyBytes(from: magic)
            LittleEndian.store32(version, header.baseAddress! + 8)
            fill(header.baseAddress!)
            seal(header, checksumOffset: checksumOffset)
            initialized = size
        }
    }

    /// Stores the checksum of the bytes before `checksumOffset` at `checksumOffset`.
    static func seal(_ header: UnsafeMutableRawBufferPointer, checksumOffset: Int) {
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[..<checksumOffset]))
        LittleEndian.store32(crc, header.baseAddress! + checksumOffset)
    }

    /// Why `header` (at least `checksumOffset + 4` bytes) is unusable, or nil when it is sound.
    static func problem(
        _ header: UnsafeRawBufferPointer, magic: [UInt8], versions: ClosedRange<UInt32>, checksumOffset: Int
    ) -> String? {
        guard header.starts(with: magic) else { return "bad magic" }
        let found = LittleEndian.load32(header.baseAddress! + 8)
        guard versions.contains(found) else { return "unsupported version \(found)" }
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[..<checksumOffset]))
        guard crc == LittleEndian.load32(header.baseAddress! + checksumOffset) else { return "header checksum mismatch" }
        return nil
    }
}
