/// What a committed snapshot holds, for logging and INFO.
public struct SnapshotSummary: Sendable, Equatable {
    /// Entries appended.
    public let keys: Int
    /// Change records made during the scan and stored after the entries.
    public let changes: Int
    /// The file's size in bytes.
    public let bytes: Int
}
