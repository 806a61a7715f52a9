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
        deadline change: DeadlineChange = .clear, lsn: inout UInt64
    ) -> PutOutcome {
        let hash = keyspace.keyHash(key)
        stripes.lock(hash)
        let (outcome, deadline) = keyspace.put(key, value, condition: condition, deadline: change)
        if outcome != .skipped { journalSet(key, value, deadline: deadline, lsn: &lsn) }
        stripes.unlock(hash)
        if outcome != .skipped { changeCounter.add(1, stripe: hash) }
        return outcome
    }

    /// Removes `key`; true when it was present. An expired key not yet reclaimed is removed
    /// (and the removal logged) but reported absent, as the key already was for commands.
    @inlinable
    @discardableResult
    public func remove(_ key: UnsafeRawBufferPointer, lsn: inout UInt64) -> Bool {
        let hash = keyspace.keyHash(key)
        stripes.lock(hash)
        let removal = keyspace.removeEntry(key)
        if removal != .absent { journalDelete(key, lsn: &lsn) }
        stripes.unlock(hash)
        if removal == .removed { changeCounter.add(1, stripe: hash) }
        return removal == .removed
    }

    /// Atomic read-modify-write (see `Keyspace.update`); logs what `body` chose to do. `.store`
    /// keeps the key's deadline.
    @inlinable
    public func update<R>(
        _ key: UnsafeRawBufferPointer, lsn: inout UInt64, _ body: (UnsafeRawBufferPointer?) -> (UpdateAction, R)
    ) -> R {
        updateWithDeadline(key, lsn: &lsn) { current, _ in body(current) }
    }

    /// `update` whose body also sees the key's deadline (0: none; nil value: absent).
    @inlinable
    public func updateWithDeadline<R>(
        _ key: UnsafeRawBufferPointer, lsn: inout UInt64, _ body: (UnsafeRawBufferPointer?, Int64) -> (UpdateAction, R)
    ) -> R {
        let hash = keyspace.keyHash(key)
        stripes.lock(hash)
        var applied = UpdateAction.keep
        var existed = false
        let (result, deadline) = keyspace.updateWithDeadline(key) { current, deadline in
            let (action, result) = body(current, deadline)
            applied = action
            existed = current != nil
            return (action, result)
        }
        var changed = true
        switch applied {
        case .keep:
            changed = false
        case .remove:
            changed = existed
            if existed { journalDelete(key, lsn: &lsn) }
        case .store(let bytes), .storeWithDeadline(let bytes, _):
            bytes.withUnsafeBytes { journalSet(key, $0, deadline: deadline, lsn: &lsn) }
        case .setDeadline:
            changed = existed
            if existed { journalExpire(key, deadline: deadline, lsn: &lsn) }
        }
        stripes.unlock(hash)
        if changed { changeCounter.add(1, stripe: hash) }
        return result
    }

    /// Removes an expired key (the active cycle, lazy expiry) if its deadline is still
    /// `deadline` and before `now`, logging the removal as a delete so that a replayed log
    /// reaches the same keyspace (`Keyspace.expire`). True when it removed the key.
    public func expire(_ key: UnsafeRawBufferPointer, deadline: Int64, now: Int64, lsn: inout UInt64) -> Bool {
        let hash = keyspace.keyHash(key)
        stripes.lock(hash)
        let removed = keyspace.expire(key, deadline: deadline, now: now)
        if removed { journalDelete(key, lsn: &lsn) }
        stripes.unlock(hash)
        if removed { changeCounter.add(1, stripe: hash) }
        return removed
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

    /// A SET of the key's resulting state: its value and deadline (0: none).
    @inlinable
    func journalSet(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, deadline: Int64, lsn: inout UInt64) {
        if deadline != 0 {
            journalSetExpiring(key, value, deadline: deadline, lsn: &lsn)
            return
        }
        if let log = logReference { lsn = log._withUnsafeGuaranteedRef { $0.appendSet(key: key, value: value) } }
        if let capture { capture.recordSet(key: key, value: value) }
    }

    @usableFromInline
    func journalSetExpiring(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, deadline: Int64, lsn: inout UInt64) {
        if let log = logReference {
            lsn = log._withUnsafeGuaranteedRef { $0.appendSetExpiring(key: key, value: value, deadline: deadline) }
        }
        if let capture { capture.recordSetExpiring(key: key, value: value, deadline: deadline) }
    }

    /// The key's deadline became `deadline` (0: it no longer expires).
    @usableFromInline
    func journalExpire(_ key: UnsafeRawBufferPointer, deadline: Int64, lsn: inout UInt64) {
        if let log = logReference { lsn = log._withUnsafeGuaranteedRef { $0.appendExpire(key: key, deadline: deadline) } }
        if let capture { capture.recordExpire(key: key, deadline: deadline) }
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
