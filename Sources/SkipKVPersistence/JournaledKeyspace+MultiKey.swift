import SkipKVDiskFormat
import SkipKVStore

/// The write path of commands that change several keys at once (RENAME, RENAMENX, COPY,
/// MSETNX): the keys' stripes are held while the command reads, applies and logs, so no
/// other write to those keys interleaves, two such commands over the same keys on different
/// event loops serialize (a key is never lost or duplicated, an MSETNX is all or nothing),
/// and the changes reach the log and a running snapshot's capture as ONE batch record
/// (`LogRecordKind.batch`), which recovery applies whole or, when a crash tore it, not at all.
///
/// Readers do not take stripes: a GET or EXISTS on another loop may see the middle state
/// (during a RENAME, both keys or, after the destination's put and before the source's
/// removal, the value under both names; some of an MSETNX's keys before the rest).
/// docs/ARCHITECTURE.md, "Known limitations".
///
/// Lock order: the keys' distinct stripes, ascending (released descending) → index node
/// locks → log / capture. `lockAll` takes them in the same order and single-key writes take
/// one, so no two threads can each hold a stripe the other waits for.
extension JournaledKeyspace {
    /// Runs `body` holding the stripes of every key in `keys`; the changes `body` makes
    /// through the `MultiKeyWrite` are applied at once and logged together afterwards,
    /// before the stripes are released. `body` may touch only these keys.
    public func withKeys<R>(
        _ keys: [UnsafeRawBufferPointer], lsn: inout UInt64, _ body: (inout MultiKeyWrite) -> R
    ) -> R {
        var held = keys.map { stripes.stripe(keyspace.keyHash($0)) }
        held.sort()
        var distinct = 0
        for stripe in held where distinct == 0 || held[distinct - 1] != stripe {
            held[distinct] = stripe
            distinct += 1
        }
        for stripe in held[0..<distinct] { stripes.lockStripe(stripe) }
        var write = MultiKeyWrite(keyspace: keyspace, journaled: logReference != nil || capture != nil)
        let result = body(&write)
        let changed = write.changed
        if changed > 0, let batch = write.batch { journal(batch.record(), lsn: &lsn) }
        for stripe in held[0..<distinct].reversed() { stripes.unlockStripe(stripe) }
        if changed > 0 { changeCounter.add(changed, stripe: UInt64(held[0])) }
        return result
    }

    /// Two keys (RENAME, COPY): `withKeys([first, second], …)`.
    public func withKeys<R>(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, lsn: inout UInt64,
        _ body: (inout MultiKeyWrite) -> R
    ) -> R {
        withKeys([first, second], lsn: &lsn, body)
    }

    /// MSETNX: stores every pair only if none of the keys exists, atomically with respect
    /// to every other write and as one log record. A later pair for the same key wins, as in
    /// Redis. Returns whether the pairs were stored.
    public func putAllIfAbsent(
        keys: [UnsafeRawBufferPointer], values: [UnsafeRawBufferPointer], lsn: inout UInt64
    ) -> Bool {
        withKeys(keys, lsn: &lsn) { write in
            guard !keys.contains(where: { write.contains($0) }) else { return false }
            for index in keys.indices { write.put(keys[index], values[index]) }
            return true
        }
    }
}

/// The changes of one multi-key command, made while `JournaledKeyspace.withKeys` holds the
/// stripes of the keys involved: only those keys may be read or changed through it.
public struct MultiKeyWrite {
    let keyspace: Keyspace
    /// The batch record being built; nil when nothing is logged or captured.
    var batch: LogBatchBuilder?
    /// Keys changed so far.
    var changed = 0

    init(keyspace: Keyspace, journaled: Bool) {
        self.keyspace = keyspace
        batch = journaled ? LogBatchBuilder() : nil
    }

    /// A copy of the key's value and its expiry deadline (0: none), or nil when it is absent.
    public func entry(_ key: UnsafeRawBufferPointer) -> (value: [UInt8], deadline: Int64)? {
        keyspace.withEntry(forKey: key) { (Array($0), $1) }
    }

    public func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        keyspace.contains(key)
    }

    /// Stores `value` under `key` with `deadline` (0: none; a plain SET clears the key's).
    public mutating func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, deadline: Int64 = 0) {
        keyspace.put(key, value, condition: .always, deadline: .set(deadline))
        if deadline == 0 {
            batch?.appendSet(key: key, value: value)
        } else {
            batch?.appendSetExpiring(key: key, value: value, deadline: deadline)
        }
        changed += 1
    }

    /// Removes `key`; true when it was present (an expired key is removed too, logged, and
    /// reported absent).
    @discardableResult
    public mutating func remove(_ key: UnsafeRawBufferPointer) -> Bool {
        let removal = keyspace.removeEntry(key)
        if removal == .absent { return false }
        batch?.appendDelete(key: key)
        changed += 1
        return removal == .removed
    }
}
