import SkipKVIndex
import SkipKVKeys
import SkipKVStore
import SkipKVDiskFormat

/// The keyspace's write path: every change to stored data goes through here, applies to the
/// keyspace, and appends the record that replays it to the log (when the log is on) and to
/// the change capture of a running snapshot (when one runs), holding the key's stripe from
/// before the change until after the appends. Records carry the resulting state (a
/// read-modify-write logs the SET of its result), so replaying them is idempotent.
///
/// `lsn` parameters receive the LSN of the record a call appended to the log (unchanged when
/// it appended none): a reply that acknowledges the write may go out once
/// `LogWriter.isAcknowledgeable(lsn)`.
///
/// Concurrency contract: every method may be called from any thread.
/// - `logReference` is set once, before the server lets clients write (the server's loading
///   flag publishes it with a release store), and never changes afterwards.
/// - `capture` is guarded by the stripes as a whole: it is replaced only while every stripe
///   is held (`startCapture`, `stopCapture`) and read only while one is. So a write either
///   completes before a capture starts (and the snapshot's scan, which starts later, sees
///   it) or is recorded in it, and the capture's end is one instant for every key.
/// - Per key, records reach the log and the capture in the order the writes took effect:
///   both happen under the key's stripe (`KeyStripeLocks`). RANGEDEL and FLUSHALL hold every
///   stripe, so they are atomic with respect to other writes and their single record is
///   ordered against every key they touched. Multi-key commands (RENAME, COPY, MSETNX) hold
///   their keys' stripes and append one batch record (JournaledKeyspace+MultiKey.swift).
/// Lock order: key stripe(s) → index node locks → log state / capture mutex.
public final class JournaledKeyspace: @unchecked Sendable {
    public let keyspace: Keyspace
    @usableFromInline let stripes = KeyStripeLocks()
    /// Keys changed since start, for `save` rules and INFO.
    @usableFromInline let changeCounter = StripedCounter()
    // Both are read on every write; their own protocols (above) order the accesses, so the
    // runtime's dynamic exclusivity check (a swift_beginAccess per read) is turned off.
    @exclusivity(unchecked) @usableFromInline var logReference: Unmanaged<LogWriter>?
    @exclusivity(unchecked) @usableFromInline var capture: ChangeCapture?

    public init(_ keyspace: Keyspace) {
        self.keyspace = keyspace
    }

    /// Attaches the log; from now on every write is logged.
    func attach(_ log: LogWriter) {
        logReference = Unmanaged.passRetained(log)
    }

    deinit { logReference?.release() }

    /// Keys changed since the process started.
    public var changes: Int { changeCounter.value }

    @inlinable
    @discardableResult
    public func put(
        _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition = .always,
        lsn: inout UInt64
    ) -> PutOutcome {
        let hash = keyspace.keyHash(key)
        stripes.lock(hash)
        let outcome = keyspace.put(key, value, condition: condition)
        if outcome != .skipped { journalSet(key, value, lsn: &lsn) }
        stripes.unlock(hash)
        if outcome != .skipped { changeCounter.add(1, stripe: hash) }
        return outcome
    }

    @inlinable
    @discardableResult
    public func remove(_ key: UnsafeRawBufferPointer, lsn: inout UInt64) -> Bool {
        let hash = keyspace.keyHash(key)
        stripes.lock(hash)
        let removed = keyspace.remove(key)
        if removed { journalDelete(key, lsn: &lsn) }
        stripes.unlock(hash)
        if removed { changeCounter.add(1, stripe: hash) }
        return removed
    }

    /// Atomic read-modify-write (see `Keyspace.update`); logs what `body` chose to do.
    @inlinable
    public func update<R>(
        _ key: UnsafeRawBufferPointer, lsn: inout UInt64, _ body: (UnsafeRawBufferPointer?) -> (UpdateAction, R)
    ) -> R {
        let hash = keyspace.keyHash(key)
        stripes.lock(hash)
        var applied = UpdateAction.keep
        var existed = false
        let result = keyspace.update(key) { current in
            let (action, result) = body(current)
            applied = action
            existed = current != nil
            return (action, result)
        }
        switch applied {
        case .keep:
            break
        case .remove:
            if existed { journalDelete(key, lsn: &lsn) }
        case .store(let bytes):
            bytes.withUnsafeBytes { journalSet(key, $0, lsn: &lsn) }
        }
        stripes.unlock(hash)
        if applied != .keep && (existed || applied != .remove) { changeCounter.add(1, stripe: hash) }
        return result
    }

    /// RANGEDEL: removes every key in `range` atomically with respect to other writes.
    @discardableResult
    public func removeAll(in range: KeyRange, lsn: inout UInt64) -> Int {
        removeAtomically(lsn: &lsn, record: { LogRecordEncoder.rangeDeleteRecord(range) }) { $0.removeAll(in: range) }
    }

    /// FLUSHALL: removes every key atomically with respect to other writes.
    @discardableResult
    public func removeAll(lsn: inout UInt64) -> Int {
        removeAtomically(lsn: &lsn, record: LogRecordEncoder.flushAllRecord) { $0.removeAll() }
    }

    private func removeAtomically(lsn: inout UInt64, record: () -> [UInt8], _ remove: (Keyspace) -> Int) -> Int {
        stripes.lockAll()
        let removed = remove(keyspace)
        if removed > 0 && (logReference != nil || capture != nil) { journal(record(), lsn: &lsn) }
        stripes.unlockAll()
        changeCounter.add(removed, stripe: 0)
        return removed
    }

    // MARK: Journaling (holding the key's stripe)

    @inlinable
    func journalSet(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, lsn: inout UInt64) {
        if let log = logReference { lsn = log._withUnsafeGuaranteedRef { $0.appendSet(key: key, value: value) } }
        if let capture { capture.recordSet(key: key, value: value) }
    }

    @inlinable
    func journalDelete(_ key: UnsafeRawBufferPointer, lsn: inout UInt64) {
        if let log = logReference { lsn = log._withUnsafeGuaranteedRef { $0.appendDelete(key: key) } }
        if let capture { capture.recordDelete(key: key) }
    }

    /// An already encoded record (RANGEDEL, FLUSHALL, a multi-key batch), holding the
    /// stripes of every key it touches.
    func journal(_ record: [UInt8], lsn: inout UInt64) {
        if let log = logReference { lsn = log._withUnsafeGuaranteedRef { $0.append(record: record) } }
        capture?.record(record)
    }

    // MARK: Snapshots

    /// Starts recording every change, from an instant at which no write is half done.
    func startCapture() -> ChangeCapture {
        let started = ChangeCapture()
        stripes.lockAll()
        precondition(capture == nil, "two snapshots capture changes at once")
        capture = started
        stripes.unlockAll()
        return started
    }

    /// Stops recording: the capture then holds every change up to this instant.
    func stopCapture() {
        stripes.lockAll()
        capture = nil
        stripes.unlockAll()
    }

    /// Bytes held by a running snapshot's change capture (0 when none runs).
    public var captureBytes: Int {
        stripes.lock(0)
        defer { stripes.unlock(0) }
        return capture?.byteCount ?? 0
    }
}
