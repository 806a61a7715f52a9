/// How a command uses its keys, as Redis 7's key-spec flags say it (`RO` read only, `RW`
/// read and write, `OW` overwrite, `RM` remove; then what it does to the value). Bits in
/// Redis's display order.
struct KeyAccess: RedisNamedOptions, Sendable {
    let rawValue: UInt16

    static let readOnly = KeyAccess(rawValue: 1 << 0)
    static let readWrite = KeyAccess(rawValue: 1 << 1)
    static let overwrite = KeyAccess(rawValue: 1 << 2)
    static let remove = KeyAccess(rawValue: 1 << 3)
    static let access = KeyAccess(rawValue: 1 << 4)
    static let update = KeyAccess(rawValue: 1 << 5)
    static let insert = KeyAccess(rawValue: 1 << 6)
    static let delete = KeyAccess(rawValue: 1 << 7)
    static let variableFlags = KeyAccess(rawValue: 1 << 8)

    static let redisNames: [(KeyAccess, String)] = [
        (.readOnly, "RO"), (.readWrite, "RW"), (.overwrite, "OW"), (.remove, "RM"), (.access, "access"),
        (.update, "update"), (.insert, "insert"), (.delete, "delete"), (.variableFlags, "variable_flags"),
    ]

}
