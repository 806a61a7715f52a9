import ArgumentParser

/// What one `net` run sends: a named test (one command kind, as in redis-benchmark), a YCSB
/// mix, or the load phase that fills the keyspace before them.
enum NetTest: String, Sendable {
    case ping, set, get, incr, mset, range
    /// MULTI, INCRBY of two random counters, EXEC: transactions on (almost always) disjoint keys.
    case exec
    /// The same transaction on counters 0 and 1 from every connection: every pair conflicts.
    case execHot = "exec-hot"
    case ycsbA = "ycsb-a", ycsbB = "ycsb-b", ycsbC = "ycsb-c", ycsbD = "ycsb-d", ycsbE = "ycsb-e", ycsbF = "ycsb-f"
    case load

    static let named: [NetTest] = [.ping, .set, .get, .incr, .mset, .range, .exec, .execHot]
    static let ycsb: [NetTest] = [.ycsbA, .ycsbB, .ycsbC, .ycsbD, .ycsbE, .ycsbF]

    /// Keys per MSET in the mset test: redis-benchmark's count.
    static let msetKeys = 10
    /// Keys per MSET (and per ZADD on redis-server) in the load phase.
    static let loadBatchKeys = 100

    /// Parses `--tests`, e.g. "set,get,range".
    static func parseNamed(_ text: String) throws -> [NetTest] {
        try parseList(text, from: named, option: "--tests") { $0.rawValue }
    }

    /// Parses `--ycsb`, e.g. "A,E" or "a,b,c,d,e,f".
    static func parseYCSB(_ text: String) throws -> [NetTest] {
        try parseList(text, from: ycsb, option: "--ycsb") { String($0.rawValue.last!) }
    }

    private static func parseList(
        _ text: String, from choices: [NetTest], option: String, spelling: (NetTest) -> String
    ) throws -> [NetTest] {
        var result: [NetTest] = []
        for part in text.split(separator: ",") {
            let name = part.trimmedSpaces().lowercased()
            guard let test = choices.first(where: { spelling($0).lowercased() == name || $0.rawValue == name }) else {
                throw ValidationError(
                    "\(option): unknown test '\(name)'; expected a comma list of: "
                        + choices.map(spelling).joined(separator: ", "))
            }
            if !result.contains(test) { result.append(test) }
        }
        return result
    }

    /// Whether the test reads keys that the load phase must have written first.
    var needsLoadedKeys: Bool {
        switch self {
        case .get, .range, .ycsbA, .ycsbB, .ycsbC, .ycsbD, .ycsbE, .ycsbF: return true
        case .ping, .set, .incr, .mset, .exec, .execHot, .load: return false
        }
    }

    /// One line for the output header.
    var summary: String {
        switch self {
        case .ping: return "ping: PING"
        case .set: return "set: SET key value"
        case .get: return "get: GET key"
        case .incr: return "incr: INCR counter:<n>"
        case .mset: return "mset: MSET of \(Self.msetKeys) keys"
        case .range: return "range: one range scan of --range-limit keys"
        case .exec: return "exec: MULTI, INCRBY counter:<a> -1, INCRBY counter:<b> 1, EXEC (one operation)"
        case .execHot:
            return "exec-hot: as exec on counter:000000000000 and counter:000000000001 from every connection"
        case .ycsbA: return "ycsb-a: 50% GET / 50% SET"
        case .ycsbB: return "ycsb-b: 95% GET / 5% SET"
        case .ycsbC: return "ycsb-c: 100% GET"
        case .ycsbD:
            return "ycsb-d: 95% GET of the latest keys (Zipfian from the newest; a key still being inserted misses) / 5% insert"
        case .ycsbE: return "ycsb-e: 95% range scan of 1..--max-scan-length keys / 5% insert"
        case .ycsbF: return "ycsb-f: 50% GET / 50% read-modify-write (GET, then SET after its reply)"
        case .load: return "load: MSET of \(Self.loadBatchKeys) keys"
        }
    }
}
