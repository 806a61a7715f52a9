import Atomics
import SkipKVKeys

/// One client's WATCH state: the keys and key ranges it watches, and whether any of them was
/// changed since (then its next EXEC fails). Created by the first WATCH or WATCHRANGE of a
/// connection and kept for its life.
///
/// Concurrency contract: `keys` and `ranges` belong to the client's event loop thread (the
/// only one that registers and unregisters them). `dirty` is set by any thread writing a
/// watched key, while it holds that key's stripe, and read by the owner's EXEC while it
/// holds the stripes of every watched key (every stripe when it watches a range): the
/// mutexes order the two, the atomic only keeps concurrent setters from racing.
public final class Watcher: @unchecked Sendable {
    /// A watched key, as its owner keeps it (the registry holds the entries writers see).
    struct WatchedKey {
        let key: [UInt8]
        let hash: UInt64
    }

    /// A watched range and the expiry clock's time when WATCHRANGE ran: a key in it whose
    /// deadline falls at or after that time and before EXEC expired in between.
    struct WatchedRange {
        let range: KeyRange
        let since: Int64
    }

    let dirtyFlag = ManagedAtomic<Bool>(false)
    var keys: [WatchedKey] = []
    var ranges: [WatchedRange] = []

    public init() {}

    /// Whether a watched key or range was changed since it was watched.
    public var isDirty: Bool { dirtyFlag.load(ordering: .relaxed) }

    /// Whether anything is watched.
    public var isWatching: Bool { !keys.isEmpty || !ranges.isEmpty }

    /// The number of watched keys and ranges (CLIENT LIST's `watch=`).
    public var watchCount: Int { keys.count + ranges.count }

    func markDirty() { dirtyFlag.store(true, ordering: .relaxed) }
}
