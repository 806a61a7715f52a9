/// What `LogSegmentReader.read` found in a segment. Damage is data, not an error: recovery
/// decides whether to cut a torn tail (`validEnd`) or to stop on corruption.
public struct LogSegmentScan: Sendable, Equatable {
    /// The segment file.
    public let path: String
    /// The sequence number from the header; nil when the header is unusable.
    public let sequence: UInt64?
    /// Records delivered to the callback.
    public let records: Int
    /// The offset just past the last good record (the header end when there is none, 0 when
    /// the header is unusable): where appending may resume after truncating.
    public let validEnd: Int
    /// The file's size when it was read.
    public let fileSize: Int
    /// The first damage, nil when the segment is whole.
    public let damage: LogDamage?

    /// The damage as an error naming the file and offset, for callers that treat it as fatal.
    public var damageError: DiskError? {
        damage.map { .damaged(path: path, offset: $0.offset, reason: $0.reason) }
    }
}

/// Where and why a segment stops being readable.
public struct LogDamage: Sendable, Equatable {
    /// The start of the record (or 0 for the header) that is damaged.
    public let offset: Int
    /// A short phrase: "checksum mismatch", "incomplete record", "bad length check", ...
    public let reason: String
    /// True when the damage looks like a write cut short by a crash (an incomplete or
    /// zero-filled tail, or a bad checksum on the very last record): data that was never
    /// acknowledged as durable, safe to truncate. False means bytes changed after writing.
    public let isTornTail: Bool
}
