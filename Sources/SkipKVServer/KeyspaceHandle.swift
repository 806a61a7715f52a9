import SkipKVIndex
import SkipKVStore

/// The keyspace as command handlers reach it: every call goes through an unmanaged
/// reference, so running a command never retains the shared `Keyspace`. A retain writes the
/// object's reference count, one cache line that every loop thread would then write on
/// every command.
///
/// Concurrency contract: a value type holding only an unmanaged reference; valid while the
/// `ServerState` that owns the keyspace lives, which is the whole server run. The keyspace
/// itself is thread-safe.
struct KeyspaceHandle {
    let reference: Unmanaged<Keyspace>

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
    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition = .always) -> PutOutcome {
        reference._withUnsafeGuaranteedRef { $0.put(key, value, condition: condition) }
    }

    @inline(__always)
    @discardableResult
    func remove(_ key: UnsafeRawBufferPointer) -> Bool {
        reference._withUnsafeGuaranteedRef { $0.remove(key) }
    }

    @inline(__always)
    func update<R>(_ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) -> (UpdateAction, R)) -> R {
        reference._withUnsafeGuaranteedRef { $0.update(key, body) }
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
        reference._withUnsafeGuaranteedRef { $0.removeAll(in: range) }
    }

    @discardableResult
    func removeAll() -> Int {
        reference._withUnsafeGuaranteedRef { $0.removeAll() }
    }
}
