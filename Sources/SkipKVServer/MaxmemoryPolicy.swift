import SkipKVIndex

/// Redis's `maxmemory-policy`: what happens when used memory is over `maxmemory`. Cases are in
/// Redis's order, which its CONFIG SET error lists.
public enum MaxmemoryPolicy: String, Sendable, CaseIterable {
    case volatileLRU = "volatile-lru"
    case volatileLFU = "volatile-lfu"
    case volatileRandom = "volatile-random"
    case volatileTTL = "volatile-ttl"
    case allKeysLRU = "allkeys-lru"
    case allKeysLFU = "allkeys-lfu"
    case allKeysRandom = "allkeys-random"
    case noEviction = "noeviction"

    /// `allCases`, built once: the loops look policies up by position, and `allCases`
    /// builds a new array on each use.
    static let ordered = allCases

    /// Which keys the policy may evict.
    enum Candidates {
        /// None: writes that need memory are refused instead.
        case none
        case allKeys
        /// Keys with a time to live, found through the shards' deadline indexes
        /// (`Evictor.evictKeyWithExpiry`); with none, these policies behave as Redis's do when
        /// no key has a TTL: like `noeviction`.
        case keysWithExpiry
    }

    /// How the policy picks a victim among its candidates.
    enum Choice {
        case leastRecentlyUsed
        case leastFrequentlyUsed
        case random
        case nearestExpiry
    }

    var candidates: Candidates {
        switch self {
        case .noEviction: return .none
        case .allKeysLRU, .allKeysLFU, .allKeysRandom: return .allKeys
        case .volatileLRU, .volatileLFU, .volatileRandom, .volatileTTL: return .keysWithExpiry
        }
    }

    var choice: Choice {
        switch self {
        case .allKeysLRU, .volatileLRU, .noEviction: return .leastRecentlyUsed
        case .allKeysLFU, .volatileLFU: return .leastFrequentlyUsed
        case .allKeysRandom, .volatileRandom: return .random
        case .volatileTTL: return .nearestExpiry
        }
    }

    /// The access information the policy ranks keys by (kept only while `maxmemory` is set).
    var accessTracking: AccessTracking {
        switch self {
        case .allKeysLRU, .volatileLRU: return .recency
        case .allKeysLFU, .volatileLFU: return .frequency
        case .allKeysRandom, .volatileRandom, .volatileTTL, .noEviction: return .off
        }
    }
}
