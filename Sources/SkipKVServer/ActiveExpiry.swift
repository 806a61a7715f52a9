#if canImport(Glibc)
import Glibc
#endif
import SkipKVIndex
import SkipKVStore
import SkipKVPersistence
import SkipKVSystem

/// The active expiry cycle of one event loop: removes the keys whose deadline has passed,
/// every one of them, by reading each shard's `DeadlineIndex` from its front (the nodes whose
/// earliest deadline has passed, earliest first), where Redis samples keys with a TTL and
/// reclaims expired ones only statistically. Also removes what lazy expiry found.
///
/// It runs on every loop tick (100 ms) for a time budget: `active-expire-effort` 1...10 gives
/// 25 + 2 × (effort − 1) percent of the tick, Redis's slow-cycle budget. When the budget runs
/// out with keys still due, it continues in slices of a tenth of the budget on every loop
/// iteration until caught up (Redis's fast cycle), so a burst of deadlines is reclaimed
/// without stalling the loop's clients for more than a slice. Each removal goes through the
/// journal as a logged delete (`JournaledKeyspace.expire`), under the key's stripe, so it
/// never removes a key that a concurrent write just gave a new deadline.
///
/// Concurrency contract: one per loop, used only on its thread, except `lastRun` (a `Locked`,
/// for INFO on any loop). Loops split the shards (shard s belongs to loop s mod loops), so two
/// loops never walk the same index front. Whether it runs is server-wide (DEBUG
/// SET-ACTIVE-EXPIRE), read relaxed.
final class ActiveExpiry {
    private unowned(unsafe) let keyspace: Keyspace
    private unowned(unsafe) let journal: JournaledKeyspace
    private unowned(unsafe) let stats: LoopStats
    private let shards: [Int]
    /// Keys copied out of the index before removal (no index lock is held while removing).
    private var due: [(key: [UInt8], deadline: Int64)] = []
    private let lastRunStorage = Locked<(expired: Int, nodes: Int)>((0, 0))
    /// Expiry deletes are logged, but no reply waits for their records.
    private var lsn: UInt64 = 0
    /// Whether the last run stopped with keys still due.
    private(set) var isBehind = false

    /// Nodes examined per batch; the clock is checked after each batch.
    static let batch = 64

    init(loop index: Int, loops: Int, keyspace: Keyspace, journal: JournaledKeyspace, stats: LoopStats) {
        self.keyspace = keyspace
        self.journal = journal
        self.stats = stats
        shards = Array(stride(from: index, to: keyspace.shardCount, by: loops))
        due.reserveCapacity(Self.batch)
    }

    /// Microseconds a tick's cycle may run at `effort` (1...10), for a tick of `tickMilliseconds`.
    static func budget(effort: Int, tickMilliseconds: Int) -> Int {
        tickMilliseconds * 1000 * (25 + 2 * (effort - 1)) / 100
    }

    /// Removes due keys for up to `budgetMicroseconds`; sets `isBehind` when it stopped with
    /// nodes still due.
    func run(budgetMicroseconds: Int) {
        // A keyspace without deadlines costs a tick one counter read per shard.
        guard shards.contains(where: { keyspace.nodesWithDeadlines(inShard: $0) > 0 }) else {
            isBehind = false
            return
        }
        let start = Self.monotonicMicroseconds()
        let now = keyspace.clock.now()
        var removed = 0
        var examined = 0
        var found = 0
        var nodesExamined = 0
        var behind = false
        for shard in shards {
            while true {
                due.removeAll(keepingCapacity: true)
                let nodes = keyspace.collectExpired(shard: shard, now: now, nodes: Self.batch, examined: &examined) {
                    due.append((Array($0), $1))
                }
                found += due.count
                nodesExamined += nodes
                removed += remove(due, now: now)
                if nodes < Self.batch { break }
                if Self.monotonicMicroseconds() - start >= budgetMicroseconds {
                    behind = true
                    break
                }
            }
            if behind { break }
        }
        isBehind = behind
        if nodesExamined > 0 { lastRunStorage.withLock { $0 = (found, nodesExamined) } }
        if behind { stats.add(.expireCycleTimeCapReached) }
        if removed > 0 { stats.add(.expiredKeys, UInt64(removed)) }
        stats.add(.expireCycleMicroseconds, UInt64(Self.monotonicMicroseconds() - start))
    }

    /// Lazy expiry: removes these keys, which reads found expired, each if its deadline is
    /// still the one the read saw (another client may have written the key since).
    func removeExpiredReads(_ keys: [(key: [UInt8], deadline: Int64)]) {
        let removed = remove(keys, now: keyspace.clock.now())
        if removed > 0 { stats.add(.expiredKeys, UInt64(removed)) }
    }

    /// Removes each key whose deadline is still the one given and before `now`; returns how
    /// many it removed.
    private func remove(_ keys: [(key: [UInt8], deadline: Int64)], now: Int64) -> Int {
        var removed = 0
        for (key, deadline) in keys where key.withUnsafeBytes({ journal.expire($0, deadline: deadline, now: now, lsn: &lsn) }) {
            removed += 1
        }
        return removed
    }

    /// The expired keys and the nodes the last run that examined any found them in: the
    /// expired keys per due node, from which INFO estimates expired_stale_perc. Read from any
    /// thread.
    var lastRun: (expired: Int, nodes: Int) { lastRunStorage.withLock { $0 } }

    static func monotonicMicroseconds() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return spec.tv_sec * 1_000_000 + spec.tv_nsec / 1000
    }
}
