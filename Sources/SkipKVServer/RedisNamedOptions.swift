/// An option set whose members Redis shows by name (COMMAND INFO's flags, ACL categories and
/// key-spec flags), in the order Redis lists them.
protocol RedisNamedOptions: OptionSet where Element == Self {
    /// Every member with its name, in Redis's order.
    static var redisNames: [(Self, String)] { get }
}

extension RedisNamedOptions {
    /// The names of the members present, in Redis's order.
    var names: [String] { Self.redisNames.filter { contains($0.0) }.map(\.1) }
}
