/// ACL categories (`@read`, `@string`, …) as COMMAND INFO shows them. Bits in Redis's
/// display order. A record states the categories of its subject (`@string`, `@keyspace`,
/// `@connection`, `@dangerous`); the ones that follow from flags are added as Redis adds them
/// (`implied(by:)`).
struct ACLCategories: RedisNamedOptions, Sendable {
    let rawValue: UInt32

    static let keyspace = ACLCategories(rawValue: 1 << 0)
    static let read = ACLCategories(rawValue: 1 << 1)
    static let write = ACLCategories(rawValue: 1 << 2)
    static let string = ACLCategories(rawValue: 1 << 7)
    static let bitmap = ACLCategories(rawValue: 1 << 8)
    static let pubsub = ACLCategories(rawValue: 1 << 12)
    static let admin = ACLCategories(rawValue: 1 << 13)
    static let fast = ACLCategories(rawValue: 1 << 14)
    static let slow = ACLCategories(rawValue: 1 << 15)
    static let blocking = ACLCategories(rawValue: 1 << 16)
    static let dangerous = ACLCategories(rawValue: 1 << 17)
    static let connection = ACLCategories(rawValue: 1 << 18)
    static let transaction = ACLCategories(rawValue: 1 << 19)

    static let redisNames: [(ACLCategories, String)] = [
        (.keyspace, "@keyspace"), (.read, "@read"), (.write, "@write"), (.string, "@string"), (.bitmap, "@bitmap"),
        (.pubsub, "@pubsub"), (.admin, "@admin"), (.fast, "@fast"), (.slow, "@slow"),
        (.blocking, "@blocking"), (.dangerous, "@dangerous"), (.connection, "@connection"),
        (.transaction, "@transaction"),
    ]


    /// What Redis's setImplicitACLCategories adds for these flags.
    static func implied(by flags: CommandFlags) -> ACLCategories {
        var categories: ACLCategories = []
        if flags.contains(.write) { categories.insert(.write) }
        if flags.contains(.readonly) { categories.insert(.read) }
        if flags.contains(.admin) { categories.formUnion([.admin, .dangerous]) }
        if flags.contains(.pubsub) { categories.insert(.pubsub) }
        if flags.contains(.blocking) { categories.insert(.blocking) }
        categories.insert(flags.contains(.fast) ? .fast : .slow)
        return categories
    }
}
