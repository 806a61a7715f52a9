import Logging
import SkipKVDiskFormat
import SkipKVIndex
import SkipKVStore

/// What start-up loaded, and where the log continues.
public struct RecoveryReport: Sendable {
    public var snapshotKeys = 0
    /// Changes made during the snapshot's scan, applied after its entries.
    public var snapshotChanges = 0
    public var logRecords = 0
    public var segmentsReplayed = 0
    /// Keys loaded whose deadline had passed by the end of recovery, then removed.
    public var expiredKeys = 0
    /// Whether damage was skipped under `repair`; a fresh snapshot then replaces the damaged
    /// files.
    public var repaired = false
    /// The sequence the next log segment gets.
    var nextSequence: UInt64 = 1
    /// Size of the segments replayed: they stay until the next snapshot.
    var replayedLogBytes = 0
    var snapshotBytes = 0
    /// When the loaded snapshot was taken (Unix milliseconds).
    var snapshotCreatedAt: UInt64?
}

/// Start-up: loads the snapshot, then replays every log segment written since it started,
/// in order. Replaying from any point at or before the snapshot's start is correct because
/// records carry resulting state (see docs/ARCHITECTURE.md, "Durability").
///
/// Damage: a torn final record of the last segment (a crash mid-append) is cut off with a
/// warning when `loadTruncated`; any other damage stops start-up with the file and offset,
/// unless `repair`, which keeps what precedes the damage, sets the rest aside in a
/// `.damaged` file and says how much was dropped.
///
/// Concurrency contract: runs on one thread while nothing else writes to the keyspace.
enum Recovery {
    static func run(_ settings: PersistenceSettings, into keyspace: Keyspace, logger: Logger) throws -> RecoveryReport {
        let directory = settings.directory
        guard DurableFile.directoryExists(directory) else {
            throw PersistenceError.startup("Can't use the data directory '\(directory)': it does not exist")
        }
        if settings.writesFiles {
            do {
                try DurableFile.checkWritable(directory: directory)
            } catch {
                throw PersistenceError.startup("Can't write to the data directory '\(directory)': \(error)")
            }
        }
        var report = RecoveryReport()
        var replayFrom: UInt64 = 0
        // Records replay as they happened, when their keys were live; what has expired since
        // goes once the replay is done.
        keyspace.clock.suspendExpiry()
        if fileExists(settings.snapshotPath) {
            replayFrom = try loadSnapshot(settings, into: keyspace, report: &report, logger: logger)
        }
        let segments = try LogSegmentName.list(directory: directory, base: settings.logBaseName)
        // Segments older than the snapshot are obsolete; a crash interrupted their removal.
        for segment in segments where segment.sequence < replayFrom { try? DurableFile.remove(segment.path) }
        let live = segments.filter { $0.sequence >= replayFrom }
        let lastKept = try replay(live, settings, into: keyspace, report: &report, logger: logger)
        // A killed process leaves its last segment's disk reserve allocated past the end.
        for segment in live { releaseReserve(segment.path) }
        // A header-less last segment was removed: its number is free again.
        report.nextSequence = max(lastKept.map { $0 + 1 } ?? 1, replayFrom, 1)
        keyspace.clock.resumeExpiry()
        report.expiredKeys = keyspace.removeExpired(now: keyspace.clock.now())
        return report
    }

    /// Loads the snapshot; returns the first log segment to replay after it (0: all).
    private static func loadSnapshot(
        _ settings: PersistenceSettings, into keyspace: Keyspace, report: inout RecoveryReport, logger: Logger
    ) throws -> UInt64 {
        let path = settings.snapshotPath
        let result = try SnapshotReader.read(path: path, { key, value, deadline in
            keyspace.put(key, value, condition: .always, deadline: .set(deadline))
        }, change: { apply($0, to: keyspace) })
        report.snapshotKeys = result.keys
        report.snapshotChanges = result.changes
        report.snapshotBytes = result.fileSize
        report.snapshotCreatedAt = result.header?.createdAt
        if let damage = result.damage {
            guard settings.repair else {
                throw PersistenceError.startup(
                    "Bad snapshot \(path) at offset \(damage.offset): \(damage.reason). Start with --repair to load the "
                        + "\(result.keys) keys before the damage and the log after the snapshot, dropping the rest")
            }
            logger.warning(
                "Repair: snapshot \(path) is damaged at offset \(damage.offset) (\(damage.reason)): kept the \(result.keys) keys before it, dropped \(result.fileSize - damage.offset) bytes")
            report.repaired = true
        }
        return result.header?.logSequence ?? 0
    }

    /// Replays `segments` in order; returns the sequence of the last one left in place.
    private static func replay(
        _ segments: [(sequence: UInt64, path: String)], _ settings: PersistenceSettings, into keyspace: Keyspace,
        report: inout RecoveryReport, logger: Logger
    ) throws -> UInt64? {
        var lastKept: UInt64? = nil
        for (index, segment) in segments.enumerated() {
            if index > 0 && segment.sequence != segments[index - 1].sequence + 1 {
                let missing = LogSegmentName.fileName(base: settings.logBaseName, sequence: segments[index - 1].sequence + 1)
                guard settings.repair else {
                    throw PersistenceError.startup(
                        "Log segment \(missing) is missing before \(segment.path) (offset 0). Start with --repair to load the log up to the gap and drop the rest")
                }
                let setAside = segments[index...].map { setAsideWhole($0.path) }
                logger.warning("Repair: log segment \(missing) is missing: dropped \(setAside.reduce(0, +)) bytes in \(setAside.count) later segment(s), renamed to *.damaged")
                report.repaired = true
                return lastKept
            }
            let scan = try LogSegmentReader.read(path: segment.path) { apply($0, to: keyspace) }
            report.logRecords += scan.records
            report.segmentsReplayed += 1
            guard let damage = scan.damage else {
                report.replayedLogBytes += scan.fileSize
                lastKept = segment.sequence
                continue
            }
            let isLast = index == segments.count - 1
            let dropped = scan.fileSize - scan.validEnd
            if damage.isTornTail && isLast && settings.loadTruncated {
                logger.warning(
                    "Log \(segment.path) ends with an incomplete record at offset \(damage.offset) (\(damage.reason), \(dropped) bytes): truncated")
                try cut(segment.path, at: scan.validEnd, keepingDropped: false)
                report.replayedLogBytes += scan.validEnd
                if scan.validEnd >= LogFormat.headerSize { lastKept = segment.sequence }
                continue
            }
            guard settings.repair else {
                throw PersistenceError.startup(
                    "Bad log record in \(segment.path) at offset \(damage.offset): \(damage.reason). Start with --repair to keep the "
                        + "\(scan.records) records before it and drop the rest")
            }
            try cut(segment.path, at: scan.validEnd, keepingDropped: true)
            let later = segments[(index + 1)...].map { setAsideWhole($0.path) }
            let laterNote = later.isEmpty ? "" : " and \(later.reduce(0, +)) bytes in \(later.count) later segment(s), renamed to *.damaged"
            logger.warning(
                "Repair: log \(segment.path) is damaged at offset \(damage.offset) (\(damage.reason)): kept the \(scan.records) records before it, dropped \(dropped) bytes (saved in \(segment.path).damaged)\(laterNote)")
            report.replayedLogBytes += scan.validEnd
            report.repaired = true
            return scan.validEnd >= LogFormat.headerSize ? segment.sequence : lastKept
        }
        return lastKept
    }

    @inline(__always)
    private static func apply(_ entry: LogEntry, to keyspace: Keyspace) {
        switch entry {
        case .set(let key, let value): keyspace.put(key, value)
        case .delete(let key): keyspace.remove(key)
        case .rangeDelete(let range): keyspace.removeAll(in: range)
        case .flushAll: keyspace.removeAll()
        case .batch(let batch): batch.forEach { apply($0, to: keyspace) }
        case .setExpiring(let key, let value, let deadline): keyspace.put(key, value, condition: .always, deadline: .set(deadline))
        case .expire(let key, let deadline):
            _ = keyspace.updateWithDeadline(key) { current, _ in (current == nil ? .keep : .setDeadline(deadline), ()) }
        }
    }

    /// Cuts a segment back to `offset` (removing it when not even its header survives),
    /// first copying the cut bytes to `<path>.damaged` when asked.
    private static func cut(_ path: String, at offset: Int, keepingDropped: Bool) throws {
        if keepingDropped {
            let mapped = try MappedFile.open(path)
            let aside = try DurableFile.create(path + ".damaged")
            defer { aside.close() }
            try mapped.withBytes { try aside.write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            try aside.sync()
        }
        if offset < LogFormat.headerSize {
            try DurableFile.remove(path)
        } else {
            let file = try DurableFile.openForAppend(path)
            defer { file.close() }
            try file.truncate(to: offset)
            try file.sync()
        }
        try DurableFile.syncDirectory(directoryOf(path))
    }

    /// Gives back the blocks preallocated past the end of `path` (see `LogWriter`'s reserve).
    /// Best effort: a file that is gone or cannot be opened keeps nothing worth freeing.
    private static func releaseReserve(_ path: String) {
        guard let file = try? DurableFile.openForAppend(path) else { return }
        defer { file.close() }
        if let size = try? file.size() { file.releasePreallocation(beyond: size, length: 1 << 30) }
    }

    /// Renames a whole segment to `<path>.damaged`; returns its size.
    private static func setAsideWhole(_ path: String) -> Int {
        let size = fileSize(path)
        try? DurableFile.rename(path, to: path + ".damaged")
        return size
    }

    static func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
