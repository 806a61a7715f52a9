/// The heap bytes an index holds, counted as it allocates and frees (no walk), possibly
/// shared by every shard of a keyspace so that the keyspace's total is one counter to read.
///
/// Concurrency contract: both counters are `StripedCounter`s, updated by any thread;
/// `inUse` counts everything allocated and not yet freed (nodes, key blocks, value blocks),
/// `awaitingReclamation` the part of it that was retired to an `EpochReclaimer` and will be
/// freed once no reader can reach it. A read of either may be slightly stale.
public final class MemoryCounters: Sendable {
    public let inUse = StripedCounter()
    public let awaitingReclamation = StripedCounter()

    public init() {}
}
