/// What `SnapshotReader.read` found. Damage is data, not an error: recovery decides whether
/// the keys delivered before it are enough (a repair) or the snapshot must be refused.
public struct SnapshotReadResult: Sendable, Equatable {
    /// The snapshot file.
    public let path: String
    /// The header; nil when it is missing or damaged (then no keys are delivered).
    public let header: SnapshotHeader?
    /// Entries delivered to the callback: those of every whole block before the damage.
    public let keys: Int
    /// Change records delivered (version 2 on): those of every whole change block before the
    /// damage.
    public let changes: Int
    /// The file's size when it was read.
    public let fileSize: Int
    /// The first damage, nil when the snapshot is complete.
    public let damage: SnapshotDamage?

    /// The damage as an error naming the file and offset, for callers that treat it as fatal.
    public var damageError: DiskError? {
        damage.map { .damaged(path: path, offset: $0.offset, reason: $0.reason) }
    }
}

/// Where and why a snapshot stops being readable: the start of the header (0), of the first
/// bad or incomplete block, of the end marker or of the trailer.
public struct SnapshotDamage: Sendable, Equatable {
    /// The byte offset where reading stopped.
    public let offset: Int
    /// A short phrase: "block checksum mismatch", "incomplete block", "missing trailer", ...
    public let reason: String
}
