import SkipKVKeys

/// Condition for `put`: plain upsert, SET NX (only if absent) or SET XX (only if present).
public enum PutCondition: Sendable {
    case always
    case ifAbsent
    case ifPresent
}

/// What `put` did.
public enum PutOutcome: Sendable, Equatable {
    case inserted
    case replaced
    /// The condition did not hold; nothing changed.
    case skipped
}

/// What `BSkipList.removeEntry` found.
public enum Removal: Sendable, Equatable {
    case absent
    /// A live key was removed.
    case removed
    /// An expired key, not yet reclaimed, was removed (for commands it was already absent).
    case expired
}

/// What a read-modify-write decides after seeing the current value.
public enum UpdateAction: Sendable, Equatable {
    case keep
    case remove
    /// Stores the bytes; the key keeps its expiry deadline (INCR, APPEND, SETRANGE).
    case store([UInt8])
    /// Stores the bytes with this expiry deadline in Unix milliseconds, 0 for none (SET … GET,
    /// GETSET). Only `BSkipList` keeps deadlines.
    case storeWithDeadline([UInt8], Int64)
    /// Keeps the value and sets its deadline, 0 for none (EXPIRE, PERSIST, GETEX); nothing
    /// happens to an absent key. Only `BSkipList` keeps deadlines.
    case setDeadline(Int64)
}

/// What a write does to the key's expiry deadline.
public enum DeadlineChange: Sendable, Equatable {
    /// The key keeps the deadline it has (SET … KEEPTTL); a new key gets none.
    case keep
    /// The key gets this deadline in Unix milliseconds; 0 for none (a plain SET).
    case set(Int64)

    public static var clear: DeadlineChange { .set(0) }
}

/// The API shared by the B-skiplist and the classic skiplist baseline.
///
/// Keys and values are binary-safe byte strings (the empty key is allowed). Every single-key
/// operation is linearizable. Range operations are not snapshots: they return keys in order,
/// each at most once, include every key present for the whole call and no key absent for the
/// whole call.
///
/// Closures passed to `withValue`, `update` and `forEach` run while the index holds a node
/// lock: they must be short and must not call back into the same index.
public protocol OrderedKeyValueIndex: AnyObject, Sendable {
    /// Calls `body` with the value of `key` and returns its result, or nil when absent.
    func withValue<R>(forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R?

    /// Inserts or overwrites `key`, subject to `condition`.
    @discardableResult
    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition) -> PutOutcome

    /// Removes `key`; true when it was present.
    @discardableResult
    func remove(_ key: UnsafeRawBufferPointer) -> Bool

    /// Atomic read-modify-write of one key: `body` sees the current value (nil when absent)
    /// under the key's lock and decides what to store.
    func update<R>(_ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) -> (UpdateAction, R)) -> R

    /// Visits the keys of `range` in ascending order (descending when `reverse`), skipping the
    /// first `offset` of them and stopping after `limit` visits (a negative limit means none)
    /// or when `body` returns false. Returns how many entries `body` saw.
    @discardableResult
    func forEach(
        in range: KeyRange, reverse: Bool, offset: Int, limit: Int,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool
    ) -> Int

    /// Number of keys in `range`.
    func count(in range: KeyRange) -> Int

    /// Removes every key in `range`; returns how many were removed.
    @discardableResult
    func removeAll(in range: KeyRange) -> Int

    /// Total number of keys.
    var count: Int { get }

    /// Bytes of memory held for nodes, keys and values.
    var bytesInUse: Int { get }

    /// Verifies the structure's invariants. Call only while no other thread uses the index.
    func checkInvariants() throws
}

/// A broken structural invariant found by `checkInvariants`.
public struct InvariantViolation: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

// Array conveniences, for tests, tools and cold paths.
extension OrderedKeyValueIndex {
    public func get(_ key: [UInt8]) -> [UInt8]? {
        key.withUnsafeBytes { k in withValue(forKey: k) { Array($0) } }
    }

    @discardableResult
    public func put(_ key: [UInt8], _ value: [UInt8], condition: PutCondition = .always) -> PutOutcome {
        key.withUnsafeBytes { k in value.withUnsafeBytes { v in put(k, v, condition: condition) } }
    }

    @discardableResult
    public func remove(_ key: [UInt8]) -> Bool {
        key.withUnsafeBytes { remove($0) }
    }

    public func update<R>(_ key: [UInt8], _ body: (UnsafeRawBufferPointer?) -> (UpdateAction, R)) -> R {
        key.withUnsafeBytes { update($0, body) }
    }

    /// Copies out the entries `forEach` would visit.
    public func entries(
        in range: KeyRange = .all, reverse: Bool = false, offset: Int = 0, limit: Int = -1
    ) -> [(key: [UInt8], value: [UInt8])] {
        var out: [(key: [UInt8], value: [UInt8])] = []
        forEach(in: range, reverse: reverse, offset: offset, limit: limit) { k, v in
            out.append((Array(k), Array(v)))
            return true
        }
        return out
    }
}
