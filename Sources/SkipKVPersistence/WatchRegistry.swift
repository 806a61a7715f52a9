import SkipKVKeys

/// Which clients watch which keys and key ranges, as writers consult it: for every write,
/// under the written key's stripe, the watchers of that key (and of any range holding it) are
/// marked dirty (Redis's `touchWatchedKey`).
///
/// Concurrency contract: guarded by `KeyStripeLocks`, not by a lock of its own.
/// - `keyWatches[s]`, the entries of keys in stripe `s`, and `marks[s]` are read and changed
///   only by a thread holding stripe `s`'s mutex. A writer holds it anyway, so a stripe
///   nobody watches costs a write one load (`marks[s]` is 0).
/// - `rangeWatches` is changed only while every stripe is held and read while one is (as
///   `JournaledKeyspace.capture`): a write either completes before a WATCHRANGE registers
///   (and the watcher does not care) or sees the range.
@usableFromInline
final class WatchRegistry: @unchecked Sendable {
    /// One client watching one key. `expiredAtWatch`: the key had expired (not yet removed)
    /// when it was watched; its removal is then no change (Redis's `wk->expired`).
    @usableFromInline
    struct KeyWatch {
        let key: [UInt8]
        let hash: UInt64
        let watcher: Watcher
        var expiredAtWatch: Bool
    }

    @usableFromInline
    struct RangeWatch {
        let range: KeyRange
        let since: Int64
        let watcher: Watcher
    }

    @usableFromInline let keyWatches: UnsafeMutablePointer<[KeyWatch]>
    /// Per stripe: its key watches plus every range watch. What a write tests first, one
    /// load; guarded as `keyWatches[s]` (range watches change every stripe's, holding all).
    @usableFromInline let marks: UnsafeMutablePointer<Int>
    // Read on every write to a watched stripe; the stripes order every access (above), so the
    // runtime's exclusivity check (a swift_beginAccess per read) is off.
    @exclusivity(unchecked) @usableFromInline var rangeWatches: [RangeWatch] = []

    init() {
        keyWatches = .allocate(capacity: KeyStripeLocks.count)
        keyWatches.initialize(repeating: [], count: KeyStripeLocks.count)
        marks = .allocate(capacity: KeyStripeLocks.count)
        marks.initialize(repeating: 0, count: KeyStripeLocks.count)
    }

    deinit {
        keyWatches.deinitialize(count: KeyStripeLocks.count)
        keyWatches.deallocate()
        marks.deallocate()
    }

    /// Whether a write under `stripe` has anything to tell watchers.
    @inlinable
    func isWatched(stripe: Int) -> Bool {
        marks[stripe] != 0
    }

    /// A write to `key` (hash `hash`, stripe `stripe`, held) happened; `exists` is whether the
    /// key is present after it, and `removedDeadline` the deadline of the entry a removal took
    /// away (0: none), which decides whether that was a change for a range watcher.
    @usableFromInline
    func touch(_ key: UnsafeRawBufferPointer, hash: UInt64, stripe: Int, exists: Bool, removedDeadline: Int64 = 0) {
        assert(marks[stripe] == keyWatches[stripe].count + rangeWatches.count, "watch marks out of step")
        if !keyWatches[stripe].isEmpty {
            for index in keyWatches[stripe].indices where keyWatches[stripe][index].hash == hash {
                guard keyWatches[stripe][index].key.elementsEqual(key) else { continue }
                if keyWatches[stripe][index].expiredAtWatch && !exists {
                    // An expired key is now gone: logically no change. From now on the key
                    // counts as absent, so creating it is one.
                    keyWatches[stripe][index].expiredAtWatch = false
                    continue
                }
                keyWatches[stripe][index].watcher.markDirty()
            }
        }
        for watch in rangeWatches where watch.range.contains(key) {
            // Removing a key that had expired before the WATCHRANGE is no change.
            if !exists && removedDeadline != 0 && removedDeadline < watch.since { continue }
            watch.watcher.markDirty()
        }
    }

    /// Whether range watches exist (a removal then needs the removed entry's deadline).
    var hasRangeWatches: Bool { !rangeWatches.isEmpty }

    // MARK: Registration (by the owning loop, holding the stripes named)

    /// Adds `watcher`'s watch of `key`, holding its stripe.
    func add(_ key: [UInt8], hash: UInt64, stripe: Int, watcher: Watcher, expired: Bool) {
        keyWatches[stripe].append(KeyWatch(key: key, hash: hash, watcher: watcher, expiredAtWatch: expired))
        marks[stripe] += 1
    }

    /// The watch of `key` by `watcher`, holding its stripe.
    func watch(of key: [UInt8], stripe: Int, by watcher: Watcher) -> KeyWatch? {
        keyWatches[stripe].first { $0.watcher === watcher && $0.key == key }
    }

    /// Removes `watcher`'s watches in `stripe`, holding it.
    func removeKeys(of watcher: Watcher, stripe: Int) {
        let before = keyWatches[stripe].count
        keyWatches[stripe].removeAll { $0.watcher === watcher }
        marks[stripe] -= before - keyWatches[stripe].count
    }

    /// Holding every stripe.
    func addRange(_ range: KeyRange, since: Int64, watcher: Watcher) {
        rangeWatches.append(RangeWatch(range: range, since: since, watcher: watcher))
        for stripe in 0..<KeyStripeLocks.count { marks[stripe] += 1 }
    }

    /// Holding every stripe.
    func removeRanges(of watcher: Watcher) {
        let before = rangeWatches.count
        rangeWatches.removeAll { $0.watcher === watcher }
        for stripe in 0..<KeyStripeLocks.count { marks[stripe] -= before - rangeWatches.count }
    }

    /// The watched keys in `range` (every one when nil), each once however many clients
    /// watch it: what FLUSHALL and RANGEDEL, holding every stripe, must touch. (Touching a
    /// key twice would break the watches of a key that had expired before WATCH: the first
    /// touch makes it absent, the second would count as a change.)
    func watchedKeys(in range: KeyRange?) -> [[UInt8]] {
        var keys = Set<[UInt8]>()
        for stripe in 0..<KeyStripeLocks.count {
            for watch in keyWatches[stripe] where range?.contains(watch.key) ?? true { keys.insert(watch.key) }
        }
        return Array(keys)
    }
}
