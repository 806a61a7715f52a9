/// The log segment layout. A segment starts with a 32-byte header:
///
///     0  magic "SKVLOG01"        8  version u32 = 2      12 reserved u32 = 0
///     16 sequence u64            24 CRC32C of 0..<24     28 reserved, zero
///
/// then records, each a 12-byte record header and a body:
///
///     0  body length L u32       4  CRC32C of bytes 0..<4     8  CRC32C of the body
///     12 body: kind u8, then per kind (see `LogRecordKind`)
///
/// All integers little-endian. The length has its own checksum so a reader can tell a
/// damaged length (corruption) from a record cut short by a crash (a torn tail).
///
/// Version 2 added the record kinds that carry key deadlines (`setExpiring`, `expire`);
/// version 1 segments, written before those kinds existed, are read as before. A version 1
/// reader refuses a version 2 segment at its header, not at the first record it cannot decode.
public enum LogFormat {
    /// Bytes before the first record.
    @inlinable public static var headerSize: Int { 32 }
    /// Bytes before each record's body.
    @inlinable public static var recordHeaderSize: Int { 12 }
    /// The largest body a reader accepts (1 GiB + 64 KiB, above any value the server takes);
    /// a larger length is treated as corruption rather than as a record to wait for.
    @inlinable public static var maxRecordBytes: Int { (1 << 30) + (64 << 10) }
    /// The format version this module writes; it reads this one and every earlier one.
    public static let version: UInt32 = 2
    static let readableVersions: ClosedRange<UInt32> = 1...version
    static let magic: [UInt8] = Array("SKVLOG01".utf8)
    static let checksumOffset = 24

    /// The 32-byte header of segment `sequence`, to be written first in a new segment file.
    public static func segmentHeader(sequence: UInt64) -> [UInt8] {
        FileHeader.encode(size: headerSize, magic: magic, version: version, checksumOffset: checksumOffset) {
            LittleEndian.store64(sequence, $0 + 16)
        }
    }

    /// Why the first `headerSize` bytes of `bytes` are not a segment header, or nil. The
    /// trailing reserved bytes are outside the checksum, so they are checked to be zero.
    static func headerProblem(_ bytes: UnsafeRawBufferPointer) -> String? {
        if let problem = FileHeader.problem(bytes, magic: magic, versions: readableVersions, checksumOffset: checksumOffset) {
            return problem
        }
        return LittleEndian.load32(bytes.baseAddress! + 28) == 0 ? nil : "nonzero reserved header bytes"
    }
}
