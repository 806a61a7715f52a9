import SkipKVSystem

/// The snapshot bookkeeping INFO shows and the `save` rules consult.
///
/// Concurrency contract: a value guarded by `Persistence.status`.
struct SnapshotStatus {
    var inProgress = false
    /// Another snapshot was asked for while one ran; `tick` starts it.
    var scheduled = false
    /// The background snapshot thread, joined before the next one or at shutdown.
    var thread: JoinableThread?
    /// Unix seconds of the last successful snapshot (of start-up when none).
    var lastSaveTime: UInt64
    var lastSucceeded = true
    var lastDurationSeconds = -1
    /// Monotonic milliseconds when the running (or last) snapshot started.
    var startedAt: UInt64 = 0
    var completed = 0
    /// `JournaledKeyspace.changes` when the last successful snapshot started.
    var changesAtLastSave = 0
    /// Size of the snapshot file, the base the log's growth is compared with.
    var snapshotBytes = 0
    /// With the log off: the sequence a later log would start at, recorded in snapshots so
    /// that stale segments are never replayed over them.
    var sequenceWithoutLog: UInt64 = 1
}
