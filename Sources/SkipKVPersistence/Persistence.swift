#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import SkipKVDiskFormat
import SkipKVIndex
import SkipKVSystem
import SkipKVStore

/// Durability for one keyspace: recovery at start-up, the log (through `JournaledKeyspace`
/// and `LogWriter`), fork-less snapshots (SAVE, BGSAVE, BGREWRITEAOF, the `save` rules and
/// the automatic log rewrite), and a shutdown that restarts to the exact state.
///
/// A snapshot is a scan of the live keyspace followed by the changes made during the scan
/// (`ChangeCapture`), so it loads to the state at the instant the scan ended, with or without
/// the log. Paired with the log from the rotation that precedes it, it restores every later
/// write too: replaying records that carry resulting state over any mixture of older and
/// newer values ends in the newest one (docs/ARCHITECTURE.md, "Durability", has both
/// arguments). Older segments are removed only once the new snapshot and its directory entry
/// are fsynced.
///
/// Concurrency contract: any thread may call anything here. `settings` and `status` are
/// locked values; `log` is written once by `recover` before `loading` turns false (a
/// release store; readers load `loading` with acquire ordering or run after `recover`
/// returned) and never changes afterwards. At most one snapshot runs at a time
/// (`status.inProgress`).
public final class Persistence: @unchecked Sendable {
    public let journal: JournaledKeyspace
    private let settingsValue: Locked<PersistenceSettings>
    private let logger: Logger
    private let onDurable: @Sendable () -> Void
    private let onFatal: @Sendable () -> Void
    public private(set) var log: LogWriter?
    /// True until `recover` has loaded the data; clients get `-LOADING` meanwhile.
    public let loading = Atomic<Bool>(true)
    /// Writes are refused: the log cannot be written, or the last snapshot failed and the
    /// settings say to stop. Refreshed by `tick` and after every snapshot.
    public let refusingWrites = Atomic<Bool>(false)
    private let status: Locked<SnapshotStatus>

    /// `onDurable` runs on the log writer thread whenever more records became durable;
    /// `onFatal` when the log cannot be written under `always` (the process exits; tests
    /// replace it, and the log then writes nothing more).
    public init(
        keyspace: Keyspace, settings: PersistenceSettings, logger: Logger, onDurable: @escaping @Sendable () -> Void,
        onFatal: @escaping @Sendable () -> Void = { exit(1) }
    ) {
        journal = JournaledKeyspace(keyspace)
        settingsValue = Locked(settings)
        self.logger = logger
        self.onDurable = onDurable
        self.onFatal = onFatal
        status = Locked(SnapshotStatus(lastSaveTime: unixMilliseconds() / 1000))
    }

    public var settings: PersistenceSettings { settingsValue.withLock { $0 } }

    /// Applies settings changed at run time (CONFIG SET): fsync policy, save rules, rewrite
    /// thresholds, stop-writes. The rest is fixed at start-up.
    public func update(_ new: PersistenceSettings) {
        let old = settingsValue.withLock { settings -> PersistenceSettings in
            defer { settings = new }
            return settings
        }
        if old.fsync != new.fsync { log?.fsyncPolicy = new.fsync }
        refreshWriteRefusal()
    }

    // MARK: Start-up

    /// Loads the snapshot and replays the log, starts a new log segment, and ends the
    /// loading phase. Throws what stops start-up.
    @discardableResult
    public func recover() throws -> RecoveryReport {
        let settings = self.settings
        let started = monotonicMilliseconds()
        let report = try Recovery.run(settings, into: journal.keyspace, logger: logger)
        if settings.appendOnly {
            let writer = try LogWriter(
                directory: settings.directory, baseName: settings.logBaseName, sequence: report.nextSequence,
                existingBytes: report.replayedLogBytes, policy: settings.fsync, reserveBytes: settings.logReserveBytes,
                logger: logger, onDurable: onDurable, onHealthChange: { [unowned self] in refreshWriteRefusal() },
                onFatal: onFatal)
            log = writer
            journal.attach(writer)
            refreshWriteRefusal()
        }
        status.withLock { status in
            if let createdAt = report.snapshotCreatedAt { status.lastSaveTime = createdAt / 1000 }
            status.snapshotBytes = report.snapshotBytes
            status.sequenceWithoutLog = report.nextSequence
        }
        let seconds = Double(monotonicMilliseconds() - started) / 1000
        logger.notice(
            "DB loaded from disk: \(journal.keyspace.count) keys loaded (\(report.snapshotKeys) from the snapshot, \(report.logRecords) log records in \(report.segmentsReplayed) segments) in \(formatSeconds(seconds)) seconds")
        if report.repaired {
            logger.notice("Taking a snapshot to replace the repaired files")
            do { try save() } catch { logger.warning("Snapshot after repair failed: \(error)") }
        }
        loading.store(false, ordering: .releasing)
        return report
    }

    // MARK: Snapshots

    /// SAVE: takes a snapshot on the calling thread. Throws `snapshotInProgress` when one
    /// is running.
    public func save() throws {
        let previous = try status.withLock { status -> JoinableThread? in
            try claim(&status)
            defer { status.thread = nil }
            return status.thread
        }
        previous?.join()
        try runSnapshot()
    }

    /// BGSAVE / BGREWRITEAOF / rules: takes a snapshot on a new thread. Throws
    /// `snapshotInProgress` when one is running.
    public func startBackgroundSave() throws {
        let previous = try status.withLock { status -> JoinableThread? in
            try claim(&status)
            defer { status.thread = JoinableThread { [self] in try? runSnapshot() } }
            return status.thread
        }
        previous?.join()
    }

    /// BGSAVE SCHEDULE / BGREWRITEAOF while a snapshot runs: another one starts right after.
    public func scheduleBackgroundSave() {
        status.withLock { $0.scheduled = true }
    }

    private func claim(_ status: inout SnapshotStatus) throws {
        if status.inProgress { throw PersistenceError.snapshotInProgress }
        status.inProgress = true
        status.scheduled = false
        status.startedAt = monotonicMilliseconds()
    }

    /// Writes the snapshot and records the outcome; the caller claimed `inProgress`.
    private func runSnapshot() throws {
        let settings = self.settings
        let changesAtStart = journal.changes
        do {
            let bytes = try writeSnapshot(settings)
            status.withLock { status in
                status.lastSucceeded = true
                status.lastSaveTime = unixMilliseconds() / 1000
                status.changesAtLastSave = changesAtStart
                status.snapshotBytes = bytes
                finish(&status)
            }
            refreshWriteRefusal()
        } catch {
            logger.warning("Snapshot failed: \(error)")
            status.withLock { status in
                status.lastSucceeded = false
                finish(&status)
            }
            refreshWriteRefusal()
            throw error
        }
    }

    private func finish(_ status: inout SnapshotStatus) {
        status.inProgress = false
        status.completed += 1
        status.lastDurationSeconds = Int((monotonicMilliseconds() - status.startedAt) / 1000)
    }

    /// Rotates the log, scans every key into a new snapshot file, makes it durable, then
    /// removes the segments it makes redundant. Returns the snapshot's size.
    private func writeSnapshot(_ settings: PersistenceSettings) throws -> Int {
        let started = monotonicMilliseconds()
        let sequence = try log?.rotate() ?? status.withLock { $0.sequenceWithoutLog }
        let writer = try SnapshotWriter(
            directory: settings.directory, fileName: settings.snapshotFileName, logSequence: sequence,
            createdAt: unixMilliseconds())
        // Every change from before the scan's first key to after its last is captured, so
        // the file loads to the keyspace as it was when the capture stopped.
        let capture = journal.startCapture()
        let summary: SnapshotSummary
        do {
            var scan = SnapshotScan()
            do {
                try scan.run(journal.keyspace, into: writer)
            } catch {
                journal.stopCapture()
                throw error
            }
            journal.stopCapture()
            try capture.withRecords { try writer.appendChanges($0, count: $1) }
            summary = try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
        var removed = 0
        for segment in try LogSegmentName.list(directory: settings.directory, base: settings.logBaseName)
        where segment.sequence < sequence {
            removed += fileSize(segment.path)
            try DurableFile.remove(segment.path)
        }
        log?.logBytes.subtract(removed, ordering: .relaxed)
        let seconds = Double(monotonicMilliseconds() - started) / 1000
        logger.notice(
            "Snapshot saved: \(summary.keys) keys and \(summary.changes) changes made while saving, \(summary.bytes) bytes in \(formatSeconds(seconds)) seconds")
        return summary.bytes
    }

    /// Runs the `save` rules and the automatic log rewrite; call periodically (the server
    /// does every 100 ms).
    public func tick() {
        guard !loading.load(ordering: .acquiring) else { return }
        refreshWriteRefusal()
        let settings = self.settings
        let now = unixMilliseconds() / 1000
        let changes = journal.changes
        let due = status.withLock { status -> String? in
            guard !status.inProgress else { return nil }
            if status.scheduled { return "Starting the scheduled snapshot" }
            // As Redis: after a failure, retry only every 5 seconds.
            if !status.lastSucceeded && monotonicMilliseconds() - status.startedAt < 5000 { return nil }
            let changed = changes - status.changesAtLastSave
            for rule in settings.saveRules
            where changed >= rule.changes && changed > 0 && now >= status.lastSaveTime + UInt64(rule.seconds) {
                return "\(rule.changes) changes in \(rule.seconds) seconds. Saving..."
            }
            if let log, settings.autoRewritePercentage > 0 {
                let bytes = log.logBytes.load(ordering: .relaxed)
                if bytes >= settings.autoRewriteMinSize && bytes * 100 >= status.snapshotBytes * settings.autoRewritePercentage {
                    return "Starting automatic log rewrite: the log holds \(bytes) bytes, the snapshot \(status.snapshotBytes)"
                }
            }
            return nil
        }
        guard let due else { return }
        logger.notice("\(due)")
        try? startBackgroundSave()
    }

    // MARK: Writes and shutdown

    /// Why writes are refused (a Redis-style error text); meaningful while `refusingWrites`.
    public var writeRefusal: String {
        if let log, log.failing.load(ordering: .relaxed) || log.spaceLow.load(ordering: .relaxed) {
            // Redis's text for a failed AOF write.
            let code = log.lastErrorCode.load(ordering: .relaxed)
            return "MISCONF Errors writing to the AOF file: \(String(cString: strerror(code == 0 ? EIO : code)))"
        }
        return "MISCONF SkipKV is configured to save snapshots, but it's currently unable to persist to disk. "
            + "Commands that may modify the data set are disabled, because this instance is configured to report errors "
            + "during writes if snapshotting fails (stop-writes-on-bgsave-error option). Please check the SkipKV logs for "
            + "details about the snapshot error."
    }

    private func refreshWriteRefusal() {
        let settings = self.settings
        let snapshotFailed = status.withLock { !$0.lastSucceeded }
        let logFailing = log.map { $0.failing.load(ordering: .relaxed) || $0.spaceLow.load(ordering: .relaxed) } ?? false
        let blocks = logFailing || (snapshotFailed && settings.stopWritesOnSnapshotError && !settings.saveRules.isEmpty)
        refusingWrites.store(blocks, ordering: .relaxed)
    }

    /// Leaves files that restart to exactly the current state: waits for a running snapshot,
    /// takes one when `snapshot` (SHUTDOWN SAVE, or save rules without NOSAVE), then writes
    /// and fsyncs the rest of the log. Call after every writer stopped. Nothing is written
    /// when the data was never fully loaded.
    public func shutdown(snapshot: Bool) throws {
        guard !loading.load(ordering: .acquiring) else { return }
        status.withLock { status -> JoinableThread? in
            defer { status.thread = nil }
            return status.thread
        }?.join()
        defer { log?.stop() }
        if snapshot {
            logger.notice("Saving the final snapshot before exiting")
            try save()
        }
    }

    // MARK: INFO

    /// Unix seconds of the last successful snapshot (of start-up when none), as LASTSAVE.
    public var lastSaveTime: UInt64 { status.withLock { $0.lastSaveTime } }

    /// The `# Persistence` fields of INFO, in Redis's names.
    public var infoFields: [(String, String)] {
        let settings = self.settings
        let status = self.status.withLock { $0 }
        let now = monotonicMilliseconds()
        let running = status.inProgress ? Int((now - status.startedAt) / 1000) : -1
        let logOn = log != nil
        let logStatus = log.map { $0.failing.load(ordering: .relaxed) || $0.spaceLow.load(ordering: .relaxed) ? "err" : "ok" } ?? "ok"
        var fields: [(String, String)] = [
            ("loading", loading.load(ordering: .relaxed) ? "1" : "0"),
            ("async_loading", "0"),
            ("rdb_changes_since_last_save", String(max(0, journal.changes - status.changesAtLastSave))),
            ("rdb_bgsave_in_progress", status.inProgress ? "1" : "0"),
            ("rdb_last_save_time", String(status.lastSaveTime)),
            ("rdb_last_bgsave_status", status.lastSucceeded ? "ok" : "err"),
            ("rdb_last_bgsave_time_sec", String(status.lastDurationSeconds)),
            ("rdb_current_bgsave_time_sec", String(running)),
            ("rdb_saves", String(status.completed)),
            ("rdb_last_snapshot_size", String(status.snapshotBytes)),
            ("aof_enabled", logOn ? "1" : "0"),
            ("aof_rewrite_in_progress", logOn && status.inProgress ? "1" : "0"),
            ("aof_rewrite_scheduled", logOn && status.scheduled ? "1" : "0"),
            ("aof_last_rewrite_time_sec", logOn ? String(status.lastDurationSeconds) : "-1"),
            ("aof_current_rewrite_time_sec", logOn ? String(running) : "-1"),
            ("aof_last_bgrewrite_status", status.lastSucceeded ? "ok" : "err"),
            ("aof_rewrites", logOn ? String(status.completed) : "0"),
            ("aof_last_write_status", logStatus),
        ]
        if let log {
            fields += [
                ("aof_current_size", String(status.snapshotBytes + log.logBytes.load(ordering: .relaxed))),
                ("aof_base_size", String(status.snapshotBytes)),
                ("aof_log_size", String(log.logBytes.load(ordering: .relaxed))),
                ("aof_fsync_policy", settings.fsync.rawValue),
                ("aof_pending_fsync", String(log.pendingFsyncBytes)),
                ("aof_delayed_fsync", "0"),
            ]
        }
        return fields
    }
}

/// Size of a file in bytes, 0 when it cannot be read.
func fileSize(_ path: String) -> Int {
    var information = stat()
    return stat(path, &information) == 0 ? Int(information.st_size) : 0
}

func fileExists(_ path: String) -> Bool {
    var information = stat()
    return stat(path, &information) == 0
}

func formatSeconds(_ seconds: Double) -> String {
    let milliseconds = Int((seconds * 1000).rounded())
    let fraction = String(milliseconds % 1000)
    return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
}
