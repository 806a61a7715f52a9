/// The fields of a snapshot's header, as read back.
public struct SnapshotHeader: Sendable, Equatable {
    /// The format version (1, 2 or 3).
    public let version: UInt32
    /// When the snapshot was started, in Unix milliseconds.
    public let createdAt: UInt64
    /// How many keys the snapshot holds.
    public let keyCount: UInt64
    /// The first log segment recovery must replay on top of this snapshot; 0 for none.
    public let logSequence: UInt64
    /// How many change records follow the entries (version 2 on; 0 in version 1).
    public let changeCount: UInt64
}
