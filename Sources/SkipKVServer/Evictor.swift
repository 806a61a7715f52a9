import SkipKVIndex
import SkipKVStore
import SkipKVPersistence
import SkipKVSystem

/// Keeps used memory under `maxmemory` by evicting keys, on one event loop: before every
/// command while a limit is set (Redis's performEvictions), and in the background while a
/// limit is still exceeded after a pass ran out of time (a lowered limit, a burst).
///
/// A pass measures (`MemoryGauge`, counters only), and while what eviction counts is over the
/// limit, evicts one key at a time and measures again, so it stops as soon as the memory is
/// under; every 16 keys it checks the time budget `maxmemory-eviction-tenacity` gives it and,
/// when that is spent, leaves the rest to the background and lets the command run. A command
/// that needs memory (`CommandFlags.denyoom`) is refused when the pass ends over the
/// limit with nothing left to evict, or with the log buffer alone over it.
///
/// Choosing a victim: LRU and LFU keep Redis's eviction pool (`EvictionPool`), fed each round
/// with `maxmemory-samples` keys from one shard, taken in turn (shards split keys by hash, so
/// each is a uniform sample of the keyspace), by that shard's `EvictionHand` through the
/// index's sampler (a CLOCK hand moving by random gaps, `BSkipList.sampleForEviction`); the
/// round evicts the pool's best candidate. Random eviction takes the key one random gap past
/// the hand. Each eviction is a logged DEL through the journal, as Redis propagates one, so a
/// restart does not bring evicted keys back.
///
/// Concurrency contract: one per event loop, used only on its thread. Several loops evict at
/// the same time: pools and hands are per loop, nothing here is shared; loops meet only in
/// the keyspace, where each removal takes the key's locks (never while holding a lock the
/// sampler took: samples are copied out first) and a key another loop removed first is a
/// ghost that is skipped, so no eviction is counted twice; and in the memory counters, which
/// every loop re-reads after each eviction, so together they stop once the shared total is
/// under the limit, overshooting by at most one key per loop.
final class Evictor {
    enum Outcome {
        /// Under the limit (or no limit).
        case withinLimit
        /// Over the limit, still evicting in the background: commands run, as in Redis.
        case evicting
        /// Over the limit with nothing (more) to evict: commands that need memory are refused.
        case outOfMemory
    }

    /// Unmanaged, as they are read before every command (see `KeyspaceHandle` for why).
    private let limitsReference: Unmanaged<MemoryLimits>
    private let gaugeReference: Unmanaged<MemoryGauge>
    private var limits: MemoryLimits { limitsReference._withUnsafeGuaranteedRef { $0 } }
    private var gauge: MemoryGauge { gaugeReference._withUnsafeGuaranteedRef { $0 } }
    private unowned(unsafe) let keyspace: Keyspace
    private unowned(unsafe) let journal: JournaledKeyspace
    private unowned(unsafe) let stats: LoopStats
    private var pool = EvictionPool()
    private let hands: UnsafeMutablePointer<EvictionHand>
    /// Hands over each shard's deadline index (its entries: deadline, then key), for the
    /// volatile-* policies.
    private let volatileHands: UnsafeMutablePointer<EvictionHand>
    /// The key the sampler saw last, swapped into the shard's hand after each step.
    private var lastSample = EvictionHand()
    private let shardCount: Int
    private var nextShard = 0
    /// Evictions are logged, but no reply waits for their records.
    private var evictionLSN: UInt64 = 0

    init(limits: MemoryLimits, gauge: MemoryGauge, keyspace: Keyspace, journal: JournaledKeyspace, stats: LoopStats) {
        limitsReference = Unmanaged.passUnretained(limits)
        gaugeReference = Unmanaged.passUnretained(gauge)
        self.keyspace = keyspace
        self.journal = journal
        self.stats = stats
        shardCount = keyspace.shardCount
        hands = .allocate(capacity: shardCount)
        for index in 0..<shardCount { (hands + index).initialize(to: EvictionHand()) }
        volatileHands = .allocate(capacity: shardCount)
        for index in 0..<shardCount { (volatileHands + index).initialize(to: EvictionHand()) }
    }

    deinit {
        hands.deinitialize(count: shardCount)
        hands.deallocate()
        volatileHands.deinitialize(count: shardCount)
        volatileHands.deallocate()
    }

    /// Before a command: without a limit, one load.
    @inline(__always)
    func beforeCommand() -> Outcome {
        if limitsReference._withUnsafeGuaranteedRef({ $0.maxMemory.load(ordering: .relaxed) }) == 0 { return .withinLimit }
        return performEvictions()
    }

    /// One pass, as described above.
    @inline(never)
    func performEvictions() -> Outcome {
        let maxMemory = limitsReference._withUnsafeGuaranteedRef { $0.maxMemory.load(ordering: .relaxed) }
        if maxMemory == 0 || gaugeReference._withUnsafeGuaranteedRef({ $0.total }) <= maxMemory { return .withinLimit }
        // Blocks retired to the reclaimer and not yet freed do not count: no key is evicted to
        // make up for memory already on its way back (loop 0's tick frees them).
        var usage = gauge.measure()
        let policy = limits.policy
        if usage.countedForEviction > maxMemory && policy.candidates != .none {
            let budget = limits.evictionTimeLimitMicroseconds
            let started = monotonicMicroseconds()
            var evicted = 0
            while usage.countedForEviction > maxMemory {
                guard evictOne(policy) else { break }
                evicted += 1
                usage = gauge.measure()
                if evicted % 16 == 0 && usage.countedForEviction > maxMemory && monotonicMicroseconds() &- started > budget {
                    return .evicting
                }
            }
        }
        return usage.countedForWrites > maxMemory ? .outOfMemory : .withinLimit
    }

    /// Evicts one key; false when the policy finds none.
    private func evictOne(_ policy: MaxmemoryPolicy) -> Bool {
        switch policy.candidates {
        case .none: return false
        case .keysWithExpiry: return evictKeyWithExpiry(policy)
        case .allKeys: return policy.choice == .random ? evictRandomKey() : evictFromPool()
        }
    }

    /// The volatile-* policies choose among keys with a deadline, read through the shards'
    /// deadline indexes: volatile-ttl evicts the key whose deadline comes first across the
    /// shards (exactly, where Redis picks the shortest TTL among samples); volatile-lru and
    /// -lfu feed the pool with keys sampled from indexed nodes, volatile-random takes one such
    /// key. False when no key has a deadline (Redis's behaviour: nothing is evictable, writes
    /// get -OOM).
    private func evictKeyWithExpiry(_ policy: MaxmemoryPolicy) -> Bool {
        if policy.choice == .nearestExpiry { return evictEarliestDeadline() }
        let random = policy.choice == .random
        for _ in 0..<(shardCount + 64) {
            let shard = nextShard
            nextShard = nextShard + 1 == shardCount ? 0 : nextShard + 1
            let nodes = keyspace.nodesWithDeadlines(inShard: shard)
            guard nodes > 0 else {
                if keyspace.keysWithDeadline == 0 { return false }
                continue
            }
            let count = random ? 1 : max(1, limits.samples.load(ordering: .relaxed))
            let maximumGap = random ? nodes - 1 : min(15, nodes / (4 * count))
            var victim: [UInt8]? = nil
            let sampled = volatileHands[shard].withPosition { hand in
                keyspace.sampleKeysWithDeadline(shard: shard, after: hand, count: count, maximumGap: maximumGap) { entry, key, score in
                    if random { victim = Array(key) } else { pool.offer(key, score: score) }
                    lastSample.move(to: entry)
                }
            }
            if sampled > 0 { swap(&volatileHands[shard], &lastSample) }
            if let victim, victim.withUnsafeBytes({ remove($0) }) { return true }
            var evicted = false
            while !random && !evicted && pool.takeBest({ evicted = remove($0) }) {}
            if evicted { return true }
        }
        return false
    }

    /// volatile-ttl: the key whose deadline comes first across the shards.
    private func evictEarliestDeadline() -> Bool {
        for _ in 0..<64 {
            var earliest: (key: [UInt8], deadline: Int64)? = nil
            for shard in 0..<shardCount {
                guard let candidate = keyspace.earliestExpiringKey(shard: shard) else { continue }
                if earliest.map({ candidate.deadline < $0.deadline }) ?? true { earliest = candidate }
            }
            guard let earliest else { return false }
            if earliest.key.withUnsafeBytes({ remove($0) }) { return true }
        }
        return false
    }

    /// Evicts the pool's best candidate after feeding it one round of samples; rounds repeat
    /// while the pool holds only ghosts. False when the keyspace is empty.
    private func evictFromPool() -> Bool {
        // More rounds than shards: a round that finds only ghosts is followed by another,
        // and the bound only guards against a keyspace emptied by other loops meanwhile.
        for _ in 0..<(shardCount + 64) {
            let sampled = sampleNextShard(count: max(1, limits.samples.load(ordering: .relaxed)), gapsPerSample: 4)
            var evicted = false
            while !evicted && pool.takeBest({ evicted = remove($0) }) {}
            if evicted { return true }
            if sampled == 0 && keyspace.count == 0 { return false }
        }
        return false
    }

    /// Evicts the key one random gap past the next shard's hand. False when every shard is
    /// empty.
    private func evictRandomKey() -> Bool {
        for _ in 0..<shardCount {
            let shard = nextShard
            guard sampleNextShard(count: 1, gapsPerSample: 0) > 0 else { continue }
            // The victim is now the shard's hand; removing it leaves the hand just before its
            // successor.
            if hands[shard].withPosition({ $0.map(remove) ?? false }) { return true }
        }
        return false
    }

    /// Samples `count` keys from the next shard into the pool (with `gapsPerSample` > 0; the
    /// pool is left alone otherwise) and moves that shard's hand past them; returns how many
    /// keys it sampled. Gaps grow with the shard, up to 15 entries for the pool (spreading a
    /// round over a node or two) and 255 for random eviction (one key per round, so the gap
    /// is what makes the victims random).
    private func sampleNextShard(count: Int, gapsPerSample: Int) -> Int {
        let shard = nextShard
        nextShard = nextShard + 1 == shardCount ? 0 : nextShard + 1
        let keys = keyspace.count(inShard: shard)
        let maximumGap = gapsPerSample > 0 ? min(15, keys / (gapsPerSample * count)) : min(255, keys / 8)
        let fillsPool = gapsPerSample > 0
        let sampled = hands[shard].withPosition { hand in
            keyspace.sampleForEviction(shard: shard, after: hand, count: count, maximumGap: maximumGap) { key, score in
                if fillsPool { pool.offer(key, score: score) }
                lastSample.move(to: key)
            }
        }
        if sampled > 0 { swap(&hands[shard], &lastSample) }
        return sampled
    }

    private func remove(_ key: UnsafeRawBufferPointer) -> Bool {
        guard journal.remove(key, lsn: &evictionLSN) else { return false }
        stats.add(.evictedKeys)
        return true
    }
}
