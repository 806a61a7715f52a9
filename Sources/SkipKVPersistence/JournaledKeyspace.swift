import SkipKVIndex
import SkipKVKeys
import SkipKVStore
import SkipKVDiskFormat
import SkipKVSystem

/// The keyspace's write path: every change to stored data goes through here, applies to the
/// keyspace, tells the key's watchers (WATCH, WATCHRANGE), and appends the record that
/// replays it to the log (when the log is on) and to the change capture of a running
/// snapshot (when one runs), holding the key's stripe from before the change until after
/// the appends. Records carry the resulting state (a read-modify-write logs the SET of its
/// result), so replaying them is idempotent.
///
/// Single-key writes (`put`, `remove`, `update`…) take their key's stripe. Writes to several
/// keys go through a `KeyspaceTransaction` (`begin`, `commit`; JournaledKeyspace+Transactions
/// .swift), which holds the stripes of every key involved for its whole length and appends
/// one batch record at its end; readers see it entirely or not at all (`consistentRead`).
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
/// - `watches` is guarded by the stripes (`WatchRegistry`).
/// - Per key, records reach the log and the capture in the order the writes took effect:
///   both happen under the key's stripe (`KeyStripeLocks`).
/// Lock order: key stripe(s) → index node locks → log state / capture mutex.
public final class JournaledKeyspace: @unchecked Sendable {
    public let keyspace: Keyspace
    @usableFromInline let stripes = KeyStripeLocks()
    @usableFromInline let watches = WatchRegistry()
    /// Keys changed since start, for `save` rules and INFO.
    @usableFromInline let changeCounter = StripedCounter()
    // Both are read on every write; their own protocols (above) order the accesses, so the
    // runtime's dynamic exclusivity check (a swift_beginAccess per read) is turned off.
    @exclusivity(unchecked) @usableFromInline var logReference: Unmanaged<LogWriter>?
    @exclusivity(unchecked) @usableFromInline var capture: ChangeCapture?
    /// `capture` again, for `captureBytes`: INFO may run inside EXEC, which holds stripes, so
    /// it must not take one to look.
    private let reportedCapture = Locked<ChangeCapture?>(nil)

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

    /// Whether records are being made at all (the log is on or a snapshot captures).
    @usableFromInline
    var isJournaling: Bool { logReference != nil || capture != nil }

    @inlinable
    @discardableResult
    public func put(
        _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition = .always,
        deadline change: DeadlineChange = .clear, lsn: inout UInt64
    ) -> PutOutcome {
        let hash = keyspace.keyHash(key)
        stripes.lock(hash)
        var target = RecordTarget(lsn: lsn)
        let outcome = applyPut(key, value, condition: condition, deadline: change, hash: hash, &target)
        stripes.unlock(hash)
        lsn = target.lsn
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
        var target = RecordTarget(lsn: lsn)
        let removal = applyRemove(key, hash: hash, &target)
        stripes.unlock(hash)
        lsn = target.lsn
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
        var target = RecordTarget(lsn: lsn)
        let (result, changed) = applyUpdate(key, hash: hash, &target, body)
        stripes.unlock(hash)
        lsn = target.lsn
        if changed { changeCounter.add(1, stripe: hash) }
        return result
    }

    /// Removes an expired key (the active cycle, lazy expiry) if its deadline is still
    /// `deadline` and before `now`, logging the removal as a delete so that a replayed log
    /// reaches the same keyspace (`Keyspace.expire`). True when it removed the key.
    ///
    /// Readers see the removal as they see a transaction (it marks the key's stripe busy):
    /// a reader whose command instant is before the deadline finds the key live, and one
    /// that met the removal reads again at a later instant. Otherwise an MGET or RANGE of
    /// keys sharing one deadline could find some of them removed and the rest live.
    public func expire(_ key: UnsafeRawBufferPointer, deadline: Int64, now: Int64, lsn: inout UInt64) -> Bool {
        let hash = keyspace.keyHash(key)
        let stripe = stripes.stripe(hash)
        let marked = StripeSet(bits: 1 << UInt64(stripe))
        stripes.lock(hash)
        stripes.beginExclusive(marked)
        var target = RecordTarget(lsn: lsn)
        let removed = keyspace.expire(key, deadline: deadline, now: now)
        stripes.endExclusive(marked)
        if removed {
            journalDelete(key, &target)
            if watches.isWatched(stripe: stripe) {
                watches.touch(key, hash: hash, stripe: stripe, exists: false, removedDeadline: deadline)
            }
        }
        stripes.unlock(hash)
        lsn = target.lsn
        if removed { changeCounter.add(1, stripe: hash) }
        return removed
    }

    /// RANGEDEL: removes every key in `range` at once, as one transaction over every stripe.
    @discardableResult
    public func removeAll(in range: KeyRange, lsn: inout UInt64) -> Int {
        var transaction = begin(.all)
        let removed = transaction.removeAll(in: range)
        commit(&transaction, lsn: &lsn)
        return removed
    }

    /// FLUSHALL: removes every key at once, as one transaction over every stripe.
    @discardableResult
    public func removeAll(lsn: inout UInt64) -> Int {
        var transaction = begin(.all)
        let removed = transaction.removeAll()
        commit(&transaction, lsn: &lsn)
        return removed
    }

    // MARK: Applying (holding the key's stripe)

    @inlinable
    func applyPut(
        _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition,
        deadline change: DeadlineChange, hash: UInt64, _ target: inout RecordTarget
    ) -> PutOutcome {
        let (outcome, deadline) = keyspace.put(key, value, condition: condition, deadline: change)
        if outcome != .skipped {
            journalSet(key, value, deadline: deadline, &target)
            let stripe = stripes.stripe(hash)
            if watches.isWatched(stripe: stripe) { watches.touch(key, hash: hash, stripe: stripe, exists: true) }
        }
        return outcome
    }

    @inlinable
    func applyRemove(_ key: UnsafeRawBufferPointer, hash: UInt64, _ target: inout RecordTarget) -> Removal {
        let stripe = stripes.stripe(hash)
        if watches.isWatched(stripe: stripe) { return applyWatchedRemove(key, hash: hash, stripe: stripe, &target) }
        let removal = keyspace.removeEntry(key)
        if removal != .absent { journalDelete(key, &target) }
        return removal
    }

    /// `applyRemove` of a key in a watched stripe: range watchers need the deadline of what
    /// was removed.
    @usableFromInline
    func applyWatchedRemove(_ key: UnsafeRawBufferPointer, hash: UInt64, stripe: Int, _ target: inout RecordTarget) -> Removal {
        let deadline = watches.hasRangeWatches ? keyspace.storedDeadline(ofKey: key) ?? 0 : 0
        let removal = keyspace.removeEntry(key)
        if removal != .absent {
            journalDelete(key, &target)
            watches.touch(key, hash: hash, stripe: stripe, exists: false, removedDeadline: deadline)
        }
        return removal
    }

    /// Applies `body`'s choice; returns its result and whether the key changed.
    @inlinable
    func applyUpdate<R>(
        _ key: UnsafeRawBufferPointer, hash: UInt64, _ target: inout RecordTarget,
        _ body: (UnsafeRawBufferPointer?, Int64) -> (UpdateAction, R)
    ) -> (R, Bool) {
        var applied = UpdateAction.keep
        var existed = false
        var previousDeadline: Int64 = 0
        let (result, deadline) = keyspace.updateWithDeadline(key) { current, deadline in
            let (action, result) = body(current, deadline)
            applied = action
            existed = current != nil
            previousDeadline = deadline
            return (action, result)
        }
        var changed = true
        var exists = true
        switch applied {
        case .keep:
            changed = false
        case .remove:
            changed = existed
            exists = false
            if existed { journalDelete(key, &target) }
        case .store(let bytes), .storeWithDeadline(let bytes, _):
            bytes.withUnsafeBytes { journalSet(key, $0, deadline: deadline, &target) }
        case .setDeadline:
            changed = existed
            exists = existed
            if existed { journalExpire(key, deadline: deadline, &target) }
        }
        if changed {
            let stripe = stripes.stripe(hash)
            if watches.isWatched(stripe: stripe) {
                watches.touch(key, hash: hash, stripe: stripe, exists: exists, removedDeadline: previousDeadline)
            }
        }
        return (result, changed)
    }

    // MARK: Journaling (holding the key's stripe)

    /// A SET of the key's resulting state: its value and deadline (0: none).
    @inlinable
    func journalSet(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, deadline: Int64, _ target: inout RecordTarget) {
        if target.batching {
            if deadline == 0 {
                target.batch?.appendSet(key: key, value: value)
            } else {
                target.batch?.appendSetExpiring(key: key, value: value, deadline: deadline)
            }
            return
        }
        if deadline != 0 {
            journalSetExpiring(key, value, deadline: deadline, lsn: &target.lsn)
            return
        }
        if let log = logReference { target.lsn = log._withUnsafeGuaranteedRef { $0.appendSet(key: key, value: value) } }
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
    func journalExpire(_ key: UnsafeRawBufferPointer, deadline: Int64, _ target: inout RecordTarget) {
        if target.batching {
            target.batch?.appendExpire(key: key, deadline: deadline)
            return
        }
        if let log = logReference { target.lsn = log._withUnsafeGuaranteedRef { $0.appendExpire(key: key, deadline: deadline) } }
        if let capture { capture.recordExpire(key: key, deadline: deadline) }
    }

    @inlinable
    func journalDelete(_ key: UnsafeRawBufferPointer, _ target: inout RecordTarget) {
        if target.batching {
            target.batch?.appendDelete(key: key)
            return
        }
        if let log = logReference { target.lsn = log._withUnsafeGuaranteedRef { $0.appendDelete(key: key) } }
        if let capture { capture.recordDelete(key: key) }
    }

    /// An already encoded record (a transaction's batch), holding the stripes of every key
    /// it touches.
    func journal(_ record: [UInt8], lsn: inout UInt64) {
        if let log = logReference { lsn = log._withUnsafeGuaranteedRef { $0.append(record: record) } }
        capture?.record(record)
    }

    // MARK: Snapshots

    /// Starts recording every change, from an instant at which no write is half done.
    func startCapture() -> ChangeCapture {
        let started = ChangeCapture()
        stripes.lock(.all)
        precondition(capture == nil, "two snapshots capture changes at once")
        capture = started
        stripes.unlock(.all)
        reportedCapture.withLock { $0 = started }
        return started
    }

    /// Stops recording: the capture then holds every change up to this instant.
    func stopCapture() {
        stripes.lock(.all)
        capture = nil
        stripes.unlock(.all)
        reportedCapture.withLock { $0 = nil }
    }

    /// Bytes held by a running snapshot's change capture (0 when none runs).
    public var captureBytes: Int {
        reportedCapture.withLock { $0?.byteCount ?? 0 }
    }
}

/// Where the records of writes made under held stripes go: straight to the log and the
/// capture (a single-key write; `lsn` receives the last record's LSN), or into the batch of
/// the transaction holding the stripes (`batching`; `batch` is nil when nothing is being
/// journaled).
@usableFromInline
struct RecordTarget {
    @usableFromInline let batching: Bool
    @usableFromInline var batch: LogBatchBuilder?
    @usableFromInline var lsn: UInt64

    @inlinable
    init(lsn: UInt64) {
        batching = false
        batch = nil
        self.lsn = lsn
    }

    init(batchingInto batch: LogBatchBuilder?) {
        batching = true
        self.batch = batch
        lsn = 0
    }
}
