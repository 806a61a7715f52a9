import SkipKVDiskFormat
import SkipKVIndex
import SkipKVKeys
import SkipKVStore

/// Writes to several keys made as one: a MULTI/EXEC transaction, or a command that changes
/// several keys (MSET, MSETNX, DEL of several keys, RENAME, COPY, BITOP, RANGEDEL, FLUSHALL).
/// `JournaledKeyspace.begin` takes the stripes of every key it may touch (every stripe for a
/// range or the whole keyspace), in ascending order, and marks them busy for readers;
/// `commit` appends everything it changed as ONE batch record (which recovery applies whole
/// or, when a crash tore it, not at all), then releases them. In between:
/// - no other write to those keys runs (their stripes are held), so the transaction's reads
///   see no other client's writes;
/// - no reader on any loop sees its changes before it commits: readers validate against the
///   stripes' versions (`JournaledKeyspace.consistentRead`);
/// - watchers of the keys it writes are told at once, as for single-key writes.
///
/// Only keys in the held stripes may be read or changed through it (checked in debug builds).
///
/// Concurrency contract: used by the one thread that began it, which must commit it; it
/// holds stripe mutexes meanwhile, so that thread must not take a stripe any other way
/// (every single-key write of a transaction goes through it).
public struct KeyspaceTransaction {
    @usableFromInline unowned(unsafe) let journaled: JournaledKeyspace
    public let held: StripeSet
    /// Whether it may write, and so marks its stripes busy for readers. A transaction begun
    /// read-only (EXEC of read-only commands) excludes writers and is invisible to readers.
    public let writes: Bool
    @usableFromInline var target: RecordTarget
    /// Keys changed so far.
    @usableFromInline var changed = 0

    init(_ journaled: JournaledKeyspace, held: StripeSet, writes: Bool) {
        self.journaled = journaled
        self.held = held
        self.writes = writes
        target = RecordTarget(batchingInto: journaled.isJournaling ? LogBatchBuilder() : nil)
    }

    @usableFromInline
    var keyspace: Keyspace { journaled.keyspace }

    /// The key's hash, after checking (debug builds) that its stripe is held.
    @inlinable
    func heldHash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let hash = journaled.keyspace.keyHash(key)
        assert(held.contains(stripe: journaled.stripes.stripe(hash)), "a transaction touched a key outside its stripes")
        return hash
    }

    /// `heldHash` for a write, which also needs a transaction begun to write.
    @inlinable
    func writableHash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        assert(writes, "a read-only transaction wrote")
        return heldHash(key)
    }

    /// Whether `key`'s stripe is held (debug assertions of reads through the transaction).
    func holds(_ key: UnsafeRawBufferPointer) -> Bool {
        held.contains(stripe: journaled.stripe(of: key))
    }

    /// A copy of the key's value and its expiry deadline (0: none), or nil when it is absent.
    public func entry(_ key: UnsafeRawBufferPointer) -> (value: [UInt8], deadline: Int64)? {
        assert(holds(key), "a transaction read a key outside its stripes")
        return keyspace.withEntry(forKey: key) { (Array($0), $1) }
    }

    public func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        assert(holds(key), "a transaction read a key outside its stripes")
        return keyspace.contains(key)
    }

    /// `JournaledKeyspace.put` inside the transaction.
    @discardableResult
    public mutating func put(
        _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition = .always,
        deadline change: DeadlineChange = .clear
    ) -> PutOutcome {
        let outcome = journaled.applyPut(key, value, condition: condition, deadline: change, hash: writableHash(key), &target)
        if outcome != .skipped { changed += 1 }
        return outcome
    }

    /// Stores `value` under `key` with `deadline` (0: none; a plain SET clears the key's).
    public mutating func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, deadline: Int64) {
        put(key, value, condition: .always, deadline: .set(deadline))
    }

    /// Removes `key`; true when it was present (an expired key is removed too, logged, and
    /// reported absent).
    @discardableResult
    public mutating func remove(_ key: UnsafeRawBufferPointer) -> Bool {
        let removal = journaled.applyRemove(key, hash: writableHash(key), &target)
        if removal == .removed { changed += 1 }
        return removal == .removed
    }

    /// `JournaledKeyspace.updateWithDeadline` inside the transaction.
    public mutating func updateWithDeadline<R>(
        _ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?, Int64) -> (UpdateAction, R)
    ) -> R {
        let (result, didChange) = journaled.applyUpdate(key, hash: writableHash(key), &target, body)
        if didChange { changed += 1 }
        return result
    }

    /// RANGEDEL inside the transaction (every stripe must be held).
    public mutating func removeAll(in range: KeyRange) -> Int {
        removeAll(range, record: { LogRecordEncoder.rangeDeleteRecord(range) })
    }

    /// FLUSHALL inside the transaction (every stripe must be held).
    public mutating func removeAll() -> Int {
        removeAll(nil, record: LogRecordEncoder.flushAllRecord)
    }

    /// Removes every key in `range` (every key when nil), telling the watchers of those that
    /// existed (expired ones included, as Redis's `touchAllWatchedKeysInDb`).
    private mutating func removeAll(_ range: KeyRange?, record: () -> [UInt8]) -> Int {
        precondition(held == .all && writes, "RANGEDEL and FLUSHALL need every stripe")
        let watches = journaled.watches
        var touched: [(key: [UInt8], deadline: Int64)] = []
        for key in watches.watchedKeys(in: range) {
            if let deadline = key.withUnsafeBytes({ keyspace.storedDeadline(ofKey: $0) }) { touched.append((key, deadline)) }
        }
        // Range watchers whose part of the range holds keys (a live one, or one that expired
        // after the WATCHRANGE: an older stale key's removal is no change).
        let touchedRanges = watches.rangeWatches.filter { watch in
            let common = range.map { $0.intersection(watch.range) } ?? watch.range
            return !common.isEmpty && keyspace.hasKey(in: common, liveSince: watch.since)
        }
        let removed = range.map { keyspace.removeAll(in: $0) } ?? keyspace.removeAll()
        if removed > 0 {
            target.batch?.appendRecord(record())
            changed += removed
        }
        for (key, deadline) in touched {
            let hash = keyspace.keyHash(key.withUnsafeBytes { $0 })
            key.withUnsafeBytes {
                watches.touch($0, hash: hash, stripe: journaled.stripes.stripe(hash), exists: false, removedDeadline: deadline)
            }
        }
        for watch in touchedRanges { watch.watcher.markDirty() }
        return removed
    }
}

extension JournaledKeyspace {
    /// Starts a transaction holding `stripes` (see `KeyspaceTransaction`). One that will not
    /// write (`writes: false`) leaves the stripes' versions alone: it keeps writers out but
    /// readers on other loops do not wait for it.
    public func begin(_ held: StripeSet, writes: Bool = true) -> KeyspaceTransaction {
        stripes.lock(held)
        if writes { stripes.beginExclusive(held) }
        return KeyspaceTransaction(self, held: held, writes: writes)
    }

    /// Logs what `transaction` changed as one record, makes it visible to readers and
    /// releases its stripes. `lsn` receives the record's LSN (unchanged when nothing changed).
    public func commit(_ transaction: inout KeyspaceTransaction, lsn: inout UInt64) {
        let changed = transaction.changed
        if changed > 0, let batch = transaction.target.batch, batch.count > 0 { journal(batch.record(), lsn: &lsn) }
        transaction.target.batch = nil
        if transaction.writes { stripes.endExclusive(transaction.held) }
        stripes.unlock(transaction.held)
        if changed > 0 { changeCounter.add(changed, stripe: UInt64(transaction.held.bits.trailingZeroBitCount)) }
    }

    /// The stripes of `keys`.
    public func stripes(of keys: [UnsafeRawBufferPointer]) -> StripeSet {
        var set = StripeSet()
        for key in keys { set.insert(stripe: stripes.stripe(keyspace.keyHash(key))) }
        return set
    }

    /// The stripe of one key.
    @inlinable
    public func stripe(of key: UnsafeRawBufferPointer) -> Int {
        stripes.stripe(keyspace.keyHash(key))
    }

    /// Runs `body` as a transaction over `keys` (RENAME, COPY, MSETNX…); `body` may touch only
    /// these keys.
    public func withKeys<R>(
        _ keys: [UnsafeRawBufferPointer], lsn: inout UInt64, _ body: (inout KeyspaceTransaction) -> R
    ) -> R {
        var transaction = begin(stripes(of: keys))
        let result = body(&transaction)
        commit(&transaction, lsn: &lsn)
        return result
    }

    /// Two keys (RENAME, COPY): `withKeys([first, second], …)`.
    public func withKeys<R>(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, lsn: inout UInt64,
        _ body: (inout KeyspaceTransaction) -> R
    ) -> R {
        withKeys([first, second], lsn: &lsn, body)
    }

    /// MSETNX: stores every pair only if none of the keys exists, atomically, as one log
    /// record. A later pair for the same key wins, as in Redis. Returns whether the pairs
    /// were stored.
    public func putAllIfAbsent(
        keys: [UnsafeRawBufferPointer], values: [UnsafeRawBufferPointer], lsn: inout UInt64
    ) -> Bool {
        withKeys(keys, lsn: &lsn) { $0.putAllIfAbsent(keys: keys, values: values) }
    }
}

extension KeyspaceTransaction {
    /// MSETNX's body: every pair only if none of the keys exists.
    public mutating func putAllIfAbsent(keys: [UnsafeRawBufferPointer], values: [UnsafeRawBufferPointer]) -> Bool {
        guard !keys.contains(where: { contains($0) }) else { return false }
        for index in keys.indices { put(keys[index], values[index], deadline: 0) }
        return true
    }
}
