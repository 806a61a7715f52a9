/// A command's Redis 7 flags, as COMMAND INFO shows them and as the executor checks them
/// (`write`: -MISCONF while persistence fails; `denyoom`: -OOM over maxmemory; `loading`:
/// runs while the data loads; `noAuth`: runs before AUTH). Bits in Redis's display order.
struct CommandFlags: RedisNamedOptions, Sendable {
    let rawValue: UInt32

    static let write = CommandFlags(rawValue: 1 << 0)
    static let readonly = CommandFlags(rawValue: 1 << 1)
    static let denyoom = CommandFlags(rawValue: 1 << 2)
    static let admin = CommandFlags(rawValue: 1 << 3)
    static let pubsub = CommandFlags(rawValue: 1 << 4)
    static let noscript = CommandFlags(rawValue: 1 << 5)
    static let blocking = CommandFlags(rawValue: 1 << 6)
    static let loading = CommandFlags(rawValue: 1 << 7)
    static let stale = CommandFlags(rawValue: 1 << 8)
    static let skipMonitor = CommandFlags(rawValue: 1 << 9)
    static let skipSlowlog = CommandFlags(rawValue: 1 << 10)
    static let fast = CommandFlags(rawValue: 1 << 11)
    static let noAuth = CommandFlags(rawValue: 1 << 12)
    static let mayReplicate = CommandFlags(rawValue: 1 << 13)
    static let noMandatoryKeys = CommandFlags(rawValue: 1 << 14)
    static let noAsyncLoading = CommandFlags(rawValue: 1 << 15)
    static let noMulti = CommandFlags(rawValue: 1 << 16)
    static let allowBusy = CommandFlags(rawValue: 1 << 17)

    /// Redis's names, in the order COMMAND INFO lists them.
    static let redisNames: [(CommandFlags, String)] = [
        (.write, "write"), (.readonly, "readonly"), (.denyoom, "denyoom"), (.admin, "admin"),
        (.pubsub, "pubsub"), (.noscript, "noscript"), (.blocking, "blocking"), (.loading, "loading"),
        (.stale, "stale"), (.skipMonitor, "skip_monitor"), (.skipSlowlog, "skip_slowlog"), (.fast, "fast"),
        (.noAuth, "no_auth"), (.mayReplicate, "may_replicate"), (.noMandatoryKeys, "no_mandatory_keys"),
        (.noAsyncLoading, "no_async_loading"), (.noMulti, "no_multi"), (.allowBusy, "allow_busy"),
    ]

}
