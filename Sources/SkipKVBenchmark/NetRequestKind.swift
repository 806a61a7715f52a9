import SkipKVProtocol

/// The commands `net` sends, each with the reply it expects. A reply of another shape counts
/// as an error, like an error reply: the benchmark checks every reply, so a server that
/// answers fast but wrongly does not look good.
enum NetRequestKind: UInt8, Sendable {
    case ping, set, get, incr, mset
    /// A GET whose reply triggers the SET of a read-modify-write (YCSB F).
    case readForUpdate
    /// SkipKV `RANGE … LIMIT 0 n`: keys and values.
    case range
    /// SkipKV `RANGE … LIMIT 0 n NOVALUES`: keys only.
    case rangeKeys
    /// redis-server `ZRANGEBYLEX index … LIMIT 0 n`: keys only.
    case zrangeByLex
    /// redis-server `ZADD index 0 key …`.
    case zadd
    /// `MULTI`, opening a transaction: `+OK`.
    case multi
    /// A command sent inside MULTI: `+QUEUED`.
    case queued
    /// The EXEC of the exec tests' transaction of two INCRBYs: an array of their two integers.
    /// A null (aborted) or an EXECABORT error is a failure.
    case execIncrements

    /// What a reply means for this command.
    enum Outcome {
        /// As expected; `entries` is the number of keys a scan returned (0 otherwise).
        case hit(entries: Int)
        /// A GET of a missing key or a scan that returned nothing.
        case miss
        /// An error reply, or a reply of the wrong type.
        case failure
    }

    @inline(__always)
    func classify(_ reply: RESPReply) -> Outcome {
        switch (self, reply) {
        case (.ping, .simpleString), (.set, .simpleString), (.mset, .simpleString):
            return .hit(entries: 0)
        case (.get, .bulkString), (.readForUpdate, .bulkString):
            return .hit(entries: 0)
        case (.get, .null), (.readForUpdate, .null):
            return .miss
        case (.incr, .integer), (.zadd, .integer):
            return .hit(entries: 0)
        case (.range, .array(let elements)):
            guard elements.count % 2 == 0 else { return .failure }
            return elements.isEmpty ? .miss : .hit(entries: elements.count / 2)
        case (.rangeKeys, .array(let elements)), (.zrangeByLex, .array(let elements)):
            return elements.isEmpty ? .miss : .hit(entries: elements.count)
        case (.multi, .simpleString):
            return .hit(entries: 0)
        case (.queued, .simpleString(let text)):
            // A server that ran the command at once instead would not say QUEUED.
            return text.elementsEqual("QUEUED".utf8) ? .hit(entries: 0) : .failure
        case (.execIncrements, .array(let elements)):
            guard elements.count == 2, case .integer = elements[0], case .integer = elements[1] else { return .failure }
            return .hit(entries: 0)
        default:
            return .failure
        }
    }
}
