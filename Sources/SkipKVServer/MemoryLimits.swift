import Synchronization
import SkipKVStore

/// The memory settings as the loops read them on every command: `maxmemory` and the rest of
/// the eviction settings, mirrored into atomics so reading them takes no lock; applying them
/// also tells the keyspace's access tracker what to record.
///
/// Concurrency contract: `update` runs on whichever thread applies a configuration (start-up,
/// CONFIG SET) and stores each value with a relaxed store: each is an independent knob, and a
/// loop that sees a new limit one command later is fine. Any thread reads.
final class MemoryLimits: Sendable {
    /// `maxmemory` in bytes; 0 for no limit.
    let maxMemory = Atomic<Int>(0)
    private let policyIndex = Atomic<Int>(0)
    let samples = Atomic<Int>(5)
    /// `maxmemory-eviction-tenacity`, 0...100.
    let tenacity = Atomic<Int>(10)
    /// `maxmemory-clients` resolved to bytes; 0 for no cap.
    let clientsLimit = Atomic<Int>(0)

    init(_ config: ServerConfig, keyspace: Keyspace) {
        update(config, keyspace: keyspace)
    }

    var policy: MaxmemoryPolicy {
        MaxmemoryPolicy.ordered[policyIndex.load(ordering: .relaxed)]
    }

    /// Publishes `config`'s memory settings. Access tracking runs only while a limit is set and
    /// the policy ranks keys by it, so that GET and SET pay nothing for it otherwise.
    func update(_ config: ServerConfig, keyspace: Keyspace) {
        let policy = config.maxMemoryPolicy
        policyIndex.store(MaxmemoryPolicy.ordered.firstIndex(of: policy)!, ordering: .relaxed)
        samples.store(config.maxMemorySamples, ordering: .relaxed)
        tenacity.store(config.maxMemoryEvictionTenacity, ordering: .relaxed)
        clientsLimit.store(config.maxMemoryClients.bytes(maxMemory: config.maxMemory), ordering: .relaxed)
        keyspace.access.configure(config.maxMemory > 0 ? policy.accessTracking : .off,
                                  logFactor: config.lfuLogFactor, decayMinutes: config.lfuDecayTime)
        maxMemory.store(config.maxMemory, ordering: .relaxed)
    }

    /// Microseconds one eviction pass may take before the rest is left to the background, as
    /// Redis derives it from the tenacity: 50 µs per step up to 10 (500 µs, the default), then
    /// 15% more per step, about 2 minutes at 99, and no limit at 100.
    var evictionTimeLimitMicroseconds: UInt64 {
        let tenacity = self.tenacity.load(ordering: .relaxed)
        if tenacity <= 10 { return 50 * UInt64(tenacity) }
        if tenacity < 100 { return UInt64(500 * pow115(tenacity - 10)) }
        return UInt64.max
    }

    private func pow115(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent { result *= 1.15 }
        return result
    }
}
