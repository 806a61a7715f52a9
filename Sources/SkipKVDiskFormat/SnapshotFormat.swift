/// The snapshot file layout. A 64-byte header:
///
///     0  magic "SKVSNAP1"     8  version u32 = 3     12 flags u32 = 0
///     16 createdAt u64 (Unix ms)     24 keyCount u64     32 logSequence u64
///     40 changeCount u64 (version 2 on; zero in version 1)
///     48 zero padding         60 CRC32C of 0..<60
///
/// then blocks of about `blockTargetBytes` payload, each a 16-byte block header
///
///     0  entryCount u32       4  payloadLength u32
///     8  CRC32C of the payload        12 CRC32C of block-header bytes 0..<12
///
/// and a payload of entries in key order, closed by an end marker (a block header with
/// entryCount 0 and payloadLength 0). An entry (`SnapshotEntry`) is, in version 3,
///
///     LEB128 key length, key, LEB128 (value length << 1 | hasDeadline), value,
///     deadline i64 (Unix ms, > 0; present only when hasDeadline)
///
/// and in versions 1 and 2, which have no deadlines, LEB128 key length, key, LEB128 value
/// length, value.
///
/// Version 2 on, the changes made while the entries were scanned follow: blocks whose
/// payload is `entryCount` log records (`LogFormat`'s framing, each with its own checksums,
/// any `LogRecordKind`, so deadlines too), in the order they happened, and a second end
/// marker. Loading the entries and then applying the changes gives the keyspace as it was at
/// one instant, the end of the scan, although the scan itself ran concurrently with writes
/// (docs/ARCHITECTURE.md, "Durability"). Version 1 files (no change section) and version 2
/// files (no deadlines) are still read.
///
/// A 16-byte trailer ("SKVEND01", keyCount u64) closes the file, which must end right after
/// it. Integers are little-endian. Blocks checksum independently so a reader can keep every
/// block before a damaged one.
public enum SnapshotFormat {
    /// Bytes before the first block.
    public static let headerSize = 64
    /// Bytes before each block's payload (and the size of the end marker).
    public static let blockHeaderSize = 16
    /// Bytes of the trailer that closes the file.
    public static let trailerSize = 16
    /// The payload size at which the writer starts a new block; a single larger entry gets a
    /// block of its own.
    public static let blockTargetBytes = 64 * 1024
    /// The format version this module writes; it reads this one and every earlier one.
    public static let version: UInt32 = 3
    static let readableVersions: ClosedRange<UInt32> = 1...version
    /// The first version with a change section after the entries.
    static let firstVersionWithChanges: UInt32 = 2
    /// The first version whose entries may carry a deadline.
    static let firstVersionWithDeadlines: UInt32 = 3
    static let magic: [UInt8] = Array("SKVSNAP1".utf8)
    static let trailerMagic: [UInt8] = Array("SKVEND01".utf8)
    static let checksumOffset = 60

    /// A complete header with these fields.
    static func header(createdAt: UInt64, keyCount: UInt64, logSequence: UInt64, changeCount: UInt64) -> [UInt8] {
        FileHeader.encode(size: headerSize, magic: magic, version: version, checksumOffset: checksumOffset) {
            LittleEndian.store64(createdAt, $0 + 16)
            LittleEndian.store64(keyCount, $0 + 24)
            LittleEndian.store64(logSequence, $0 + 32)
            LittleEndian.store64(changeCount, $0 + 40)
        }
    }

    /// Why `bytes` (a whole file) does not start with a usable header, or nil when it does.
    static func headerProblem(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= headerSize else { return bytes.isEmpty ? "empty file" : "incomplete header" }
        return FileHeader.problem(bytes, magic: magic, versions: readableVersions, checksumOffset: checksumOffset)
    }

    /// The header at the start of `bytes`, which `headerProblem` accepted.
    static func decodeHeader(_ bytes: UnsafeRawBufferPointer) -> SnapshotHeader {
        let base = bytes.baseAddress!
        let version = LittleEndian.load32(base + 8)
        return SnapshotHeader(
            version: version, createdAt: LittleEndian.load64(base + 16),
            keyCount: LittleEndian.load64(base + 24), logSequence: LittleEndian.load64(base + 32),
            changeCount: version >= firstVersionWithChanges ? LittleEndian.load64(base + 40) : 0)
    }

    /// Writes a block header at `to`; an end marker is the one with no entries and no payload.
    static func writeBlockHeader(to: UnsafeMutableRawPointer, entryCount: Int, payloadCount: Int, payloadCRC: UInt32) {
        LittleEndian.store32(UInt32(entryCount), to)
        LittleEndian.store32(UInt32(payloadCount), to + 4)
        LittleEndian.store32(payloadCRC, to + 8)
        LittleEndian.store32(CRC32C.checksum(UnsafeRawBufferPointer(start: to, count: 12)), to + 12)
    }

    /// Writes the trailer at `to`.
    static func writeTrailer(to: UnsafeMutableRawPointer, keyCount: UInt64) {
        trailerMagic.withUnsafeBytes { to.copyMemory(from: $0.baseAddress!, byteCount: 8) }
        LittleEndian.store64(keyCount, to + 8)
    }
}
