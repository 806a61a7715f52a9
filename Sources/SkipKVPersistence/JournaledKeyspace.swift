import SkipKVIndex
import SkipKVStore
import SkipKVDiskFormat

/// The keyspace's write path with the log attached: every change to stored data goes
/// through here, applies to the keyspace, and (when the log is on) appends the record that
/// replays it, holding the key's stripe from before the change until after the append.
/// Records carry the resulting state (a read-modify-write logs the SET of its result), so
/// replaying them is idempotent.
///
/// `lsn` parameters receive the LSN of the record a call appended (unchanged when it
/// appended none): a reply that acknowledges the write may go out once
/// `LogWriter.isAcknowledgeable(lsn)`.
///
/// Concurrency contract: every method may be called from any thread. `log` is set once,
/// before the server lets clients write (the server's loading flag publishes it with a
/// release store), and never changes afterwards. Per key, records reach the log in the
/// order the writes took effect: both happen under the key's stripe (`KeyStripeLocks`).
/// RANGEDEL and FLUSHALL hold every stripe, so they are atomic with respect to other writes
/// and their single record is ordered against every key they touched.
public final class JournaledKeyspace: @unchecked Sendable {
    public let keyspace: Keyspace
    @usableFromInline let stripes = KeyStripeLocks()
    /// Keys changed since start, for `save` rules and INFO.
    @usableFromInline let changeCounter = StripedCounter()
    @usableFromInline var logReference: Unmanaged<LogWriter>?

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
        guard let log = logReference else {
            let outcome = keyspace.put(key, value, condition: condition)
            if outcome != .skipped { changeCounter.add(1, stripe: hash) }
            return outcome
        }
        stripes.lock(hash)
        let outcome = keyspace.put(key, value, condition: condition)
        if outcome != .skipped {
            lsn = log._withUnsafeGuaranteedRef { $0.appendSet(key: key, value: value) }
        }
        stripes.unlock(hash)
        if outcome != .skipped { changeCounter.add(1, stripe: hash) }
        return outcome
    }

    @inlinable
    @discardableResult
    public func remove(_ key: UnsafeRawBufferPointer, lsn: inout UInt64) -> Bool {
        let hash = keyspace.keyHash(key)
        guard let log = logReference else {
            let removed = keyspace.remove(key)
            if removed { changeCounter.add(1, stripe: hash) }
            return removed
        }
        stripes.lock(hash)
        let removed = keyspace.remove(key)
        if removed { lsn = log._withUnsafeGuaranteedRef { $0.appendDelete(key: key) } }
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
        guard let log = logReference else {
            var changed = false
            let result = keyspace.update(key) { current in
                let (action, result) = body(current)
                changed = action != .keep && (current != nil || action != .remove)
                return (action, result)
            }
            if changed { changeCounter.add(1, stripe: hash) }
            return result
        }
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
            if existed { lsn = log._withUnsafeGuaranteedRef { $0.appendDelete(key: key) } }
        case .store(let bytes):
            lsn = bytes.withUnsafeBytes { value in log._withUnsafeGuaranteedRef { $0.appendSet(key: key, value: value) } }
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
        guard let log = logReference else {
            let removed = remove(keyspace)
            changeCounter.add(removed, stripe: 0)
            return removed
        }
        stripes.lockAll()
        let removed = remove(keyspace)
        if removed > 0 { lsn = log._withUnsafeGuaranteedRef { $0.append(record: record()) } }
        stripes.unlockAll()
        changeCounter.add(removed, stripe: 0)
        return removed
    }
}
