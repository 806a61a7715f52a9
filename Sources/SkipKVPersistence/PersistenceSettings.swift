/// When the log is flushed to stable storage (Redis's `appendfsync`).
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// Every write is acknowledged only after its record is fsynced; concurrent writers share
    /// each fsync (group commit).
    case always
    /// Records are written at once and fsynced about once a second: a power failure can lose
    /// about the last second of acknowledged writes.
    case everysec
    /// Records are written at once and the OS decides when they reach the disk.
    case no
}

/// One automatic snapshot rule (`save SECONDS CHANGES`): snapshot when at least `changes`
/// keys changed and at least `seconds` passed since the last successful snapshot.
public struct SaveRule: Sendable, Equatable {
    public var seconds: Int
    public var changes: Int

    public init(seconds: Int, changes: Int) {
        self.seconds = seconds
        self.changes = changes
    }
}

/// Everything persistence is configured with; the server maps its directives onto this.
public struct PersistenceSettings: Sendable, Equatable {
    /// Directory holding the snapshot and the log segments; must exist.
    public var directory = "."
    /// Snapshot file name inside `directory`.
    public var snapshotFileName = "skipkv.snap"
    /// Log segments are `<logBaseName>.<sequence>` inside `directory`.
    public var logBaseName = "appendonly.aof"
    /// Whether writes are logged. Fixed for the life of the process.
    public var appendOnly = false
    public var fsync = FsyncPolicy.everysec
    /// Redis's default rules; empty disables automatic snapshots.
    public var saveRules = [
        SaveRule(seconds: 3600, changes: 1), SaveRule(seconds: 300, changes: 100), SaveRule(seconds: 60, changes: 10000),
    ]
    /// A snapshot is taken when the log has grown by this percentage of the last snapshot's
    /// size (0 disables), and is at least `autoRewriteMinSize` bytes.
    public var autoRewritePercentage = 100
    public var autoRewriteMinSize = 64 * 1024 * 1024
    /// Whether a torn final log record is truncated (with a warning) rather than stopping
    /// start-up.
    public var loadTruncated = true
    /// Whether start-up keeps what precedes damage in the snapshot or log (and says what was
    /// dropped) instead of refusing to start.
    public var repair = false
    /// Whether writes are refused while the last snapshot failed, as Redis's
    /// `stop-writes-on-bgsave-error`.
    public var stopWritesOnSnapshotError = true
    /// Disk space kept preallocated past the end of the log, so that a full disk refuses
    /// writes before they run instead of failing their records after (0: no reserve).
    public var logReserveBytes = 16 * 1024 * 1024

    public init() {}

    /// Whether anything is ever written to `directory`.
    public var writesFiles: Bool { appendOnly || !saveRules.isEmpty }

    func path(_ name: String) -> String {
        Self.join(directory, name)
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    var snapshotPath: String { path(snapshotFileName) }
}
