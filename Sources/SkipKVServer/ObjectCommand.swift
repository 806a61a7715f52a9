import SkipKVIndex
import SkipKVProtocol

/// OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP, answered as Redis 7 answers them for a
/// string value, so tools that inspect keys see what they expect. None of them records an
/// access. SkipKV stores every value as plain bytes; ENCODING and REFCOUNT report what Redis
/// would have made of the same value (docs/PROTOCOL.md).
enum ObjectCommand {
    /// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: longer strings are "raw".
    static let embeddedLimit = 44
    /// Redis's OBJ_SHARED_INTEGERS: values 0..<10000 share one object...
    static let sharedIntegers: Int64 = 10000
    /// ...whose reference count reads as OBJ_SHARED_REFCOUNT.
    static let sharedRefcount = Int(Int32.max)

    /// "int" for a value `string2l` accepts (at most 20 bytes), "embstr" up to 44 bytes, else
    /// "raw": the encoding Redis's SET gives such a value.
    static func encoding(_ c: CommandContext) {
        let name: String? = c.keyspace.withValue(forKey: c.argument(2)) { value in
            if value.count <= 20 && StrictInteger.parse(value) != nil { return "int" }
            return value.count <= embeddedLimit ? "embstr" : "raw"
        }
        guard let name else { return c.reply.pointee.writeNull() }
        c.reply.pointee.writeBulkString(name)
    }

    /// Redis shares the objects of the integers 0..<10000 (unless maxmemory is set with an
    /// LRU or LFU policy, which needs a per-key access field): those report
    /// OBJ_SHARED_REFCOUNT, every other value 1.
    static func refcount(_ c: CommandContext) {
        let limits = c.server.memoryLimits
        let sharing = limits.maxMemory.load(ordering: .relaxed) == 0 || limits.policy.accessTracking == .off
        let count: Int? = c.keyspace.withValue(forKey: c.argument(2)) { value in
            guard sharing, let integer = StrictInteger.parse(value), (0..<sharedIntegers).contains(integer) else { return 1 }
            return sharedRefcount
        }
        guard let count else { return c.reply.pointee.writeNull() }
        c.reply.pointee.writeInteger(count)
    }

    /// Seconds since the key's last access, from its access field: null for a missing key,
    /// then refused under an LFU policy, as Redis does. 0 while the access field is not kept
    /// (no maxmemory, or a policy that does not rank by recency), where Redis would count.
    static func idletime(_ c: CommandContext) {
        let keyspace = c.keyspace.reference
        guard let score = keyspace._withUnsafeGuaranteedRef({ $0.evictionScore(ofKey: c.argument(2)) }) else {
            return c.reply.pointee.writeNull()
        }
        guard c.server.memoryLimits.policy.choice != .leastFrequentlyUsed else {
            return c.error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
        }
        let recency = keyspace._withUnsafeGuaranteedRef { $0.access.tracking } == .recency
        c.reply.pointee.writeInteger(recency ? Int(score / 1000) : 0)
    }

    /// The key's logarithmic access counter (decayed to now): null for a missing key, then
    /// refused unless the policy is an LFU one, as Redis does. While the access field is not
    /// kept (maxmemory 0), the counter a new key starts with (5).
    static func freq(_ c: CommandContext) {
        let keyspace = c.keyspace.reference
        guard let score = keyspace._withUnsafeGuaranteedRef({ $0.evictionScore(ofKey: c.argument(2)) }) else {
            return c.reply.pointee.writeNull()
        }
        guard c.server.memoryLimits.policy.choice == .leastFrequentlyUsed else {
            return c.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
        }
        let frequency = keyspace._withUnsafeGuaranteedRef { $0.access.tracking } == .frequency
        c.reply.pointee.writeInteger(frequency ? 255 - Int(score) : Int(AccessStamp.initialCounter))
    }

    static func help(_ c: CommandContext) {
        ClientCommands.writeHelp(c, [
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
            "HELP",
            "    Prints this help.",
        ])
    }
}
