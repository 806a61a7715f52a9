/// What a committed snapshot holds, for logging and INFO.
public struct SnapshotSummary: Sendable, Equatable {
    /// Entries appended.
    public let keys: Int
    /// The file's size in bytes.
    public let bytes: Int
}
