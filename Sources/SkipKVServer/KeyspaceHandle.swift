import SkipKVIndex
import SkipKVKeys
import SkipKVStore
import SkipKVPersistence

/// The keyspace as command handlers reach it: every call goes through an unmanaged
/// reference, so running a command never retains the shared `Keyspace`. A retain writes the
/// object's reference count, one cache line that every loop thread would then write on
/// every command.
///
/// Writes go through the journaled write path, which logs them; the LSN of the last record a
/// write appended lands in `lastLSN`, the loop's cell, from which the executor moves it to
/// the connection whose reply must wait for it. While EXEC runs a transaction on the loop
/// (`transaction` holds it), every write goes through that transaction instead: its stripes
/// are already held, and its records are logged together when EXEC commits it.
///
/// Concurrency contract: a value type holding only unmanaged references; valid while the
/// `ServerState` that owns the keyspace lives, which is the whole server run. The keyspace
/// itself is thread-safe; `lastLSN` and `transaction` belong to the loop thread the handle
/// was made for.
struct KeyspaceHandle {
    let reference: Unmanaged<Keyspace>
    let journal: Unmanaged<JournaledKeyspace>
    let lastLSN: UnsafeMutablePointer<UInt64>
    let transaction: UnsafeMutablePointer<KeyspaceTransaction?>

    @inline(__always)
    func withValue<R>(forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        reference._withUnsafeGuaranteedRef { $0.withValue(forKey: key, body) }
    }

    @inline(__always)
    func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        reference._withUnsafeGuaranteedRef { $0.contains(key) }
    }

    @inline(__always)
    @discardableResult
    func put(
        _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition = .always,
        deadline: DeadlineChange = .clear
    ) -> PutOutcome {
        if transaction.pointee != nil { return transaction.pointee!.put(key, value, condition: condition, deadline: deadline) }
        return journal._withUnsafeGuaranteedRef {
            $0.put(key, value, condition: condition, deadline: deadline, lsn: &lastLSN.pointee)
        }
    }

    /// `key`'s expiry deadline (0: none), nil when absent or expired; not an access.
    func deadline(ofKey key: UnsafeRawBufferPointer) -> Int64? {
        reference._withUnsafeGuaranteedRef { $0.deadline(ofKey: key) }
    }

    /// Read-modify-write whose body also sees the key's deadline (`JournaledKeyspace`).
    func updateWithDeadline<R>(_ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?, Int64) -> (UpdateAction, R)) -> R {
        if transaction.pointee != nil { return transaction.pointee!.updateWithDeadline(key, body) }
        return journal._withUnsafeGuaranteedRef { $0.updateWithDeadline(key, lsn: &lastLSN.pointee, body) }
    }

    /// The expiry clock's time, Unix milliseconds: what a command's relative TTLs start from.
    var now: Int64 {
        reference._withUnsafeGuaranteedRef { $0.clock.now() }
    }

    @inline(__always)
    @discardableResult
    func remove(_ key: UnsafeRawBufferPointer) -> Bool {
        if transaction.pointee != nil { return transaction.pointee!.remove(key) }
        return journal._withUnsafeGuaranteedRef { $0.remove(key, lsn: &lastLSN.pointee) }
    }

    @inline(__always)
    func update<R>(_ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) -> (UpdateAction, R)) -> R {
        if transaction.pointee != nil { return transaction.pointee!.updateWithDeadline(key) { current, _ in body(current) } }
        return journal._withUnsafeGuaranteedRef { $0.update(key, lsn: &lastLSN.pointee, body) }
    }

    /// A change to several keys, applied and logged as one (`JournaledKeyspace.withKeys`;
    /// inside EXEC, part of its transaction).
    func withKeys<R>(_ keys: [UnsafeRawBufferPointer], _ body: (inout KeyspaceTransaction) -> R) -> R {
        if transaction.pointee != nil { return body(&transaction.pointee!) }
        return journal._withUnsafeGuaranteedRef { $0.withKeys(keys, lsn: &lastLSN.pointee, body) }
    }

    @discardableResult
    func forEach(
        in range: KeyRange, reverse: Bool = false, offset: Int = 0, limit: Int = -1, includeValues: Bool = true,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool
    ) -> Int {
        reference._withUnsafeGuaranteedRef {
            $0.forEach(in: range, reverse: reverse, offset: offset, limit: limit, includeValues: includeValues, body)
        }
    }

    func scan(cursor: UInt64, count: Int, within range: KeyRange, _ body: (UnsafeRawBufferPointer) -> Void) -> UInt64 {
        reference._withUnsafeGuaranteedRef { $0.scan(cursor: cursor, count: count, within: range, body) }
    }

    func count(in range: KeyRange) -> Int {
        reference._withUnsafeGuaranteedRef { $0.count(in: range) }
    }

    var count: Int {
        reference._withUnsafeGuaranteedRef { $0.count }
    }

    @discardableResult
    func removeAll(in range: KeyRange) -> Int {
        if transaction.pointee != nil { return transaction.pointee!.removeAll(in: range) }
        return journal._withUnsafeGuaranteedRef { $0.removeAll(in: range, lsn: &lastLSN.pointee) }
    }

    @discardableResult
    func removeAll() -> Int {
        if transaction.pointee != nil { return transaction.pointee!.removeAll() }
        return journal._withUnsafeGuaranteedRef { $0.removeAll(lsn: &lastLSN.pointee) }
    }
}
