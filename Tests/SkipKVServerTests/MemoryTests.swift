import XCTest

/// maxmemory and its policies, MEMORY, and the memory directives, against the real server.
/// Each test leaves maxmemory at 0 (the server is shared by the class).
final class MemoryTests: ServerTestCase {
    override func tearDownWithError() throws {
        let reset = try server.client().call("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction", "maxmemory-clients", "0")
        XCTAssertEqual(reset, .simple("OK"))
        try super.tearDownWithError()
    }

    private func info(_ section: String, _ field: String) throws -> Int {
        let text = try client.call("INFO", section).text!
        let line = text.split(separator: "\r\n").first { $0.hasPrefix("\(field):") }
        return Int(try XCTUnwrap(line, "INFO \(section) lacks \(field)").split(separator: ":")[1])!
    }

    /// `rejected_calls` of `command` in INFO commandstats (0 before its first call).
    private func rejectedCalls(_ command: String) throws -> Int {
        let text = try client.call("INFO", "commandstats").text!
        guard let line = text.split(separator: "\r\n").first(where: { $0.hasPrefix("cmdstat_\(command):") }),
              let field = line.split(separator: ",").first(where: { $0.hasPrefix("rejected_calls=") }) else { return 0 }
        return Int(field.dropFirst("rejected_calls=".count))!
    }

    static let oom = RESP.error("OOM command not allowed when used memory > 'maxmemory'.")

    /// The commands Redis 7 flags `denyoom` get -OOM; reads, deletes and the rest run (the
    /// lists were checked against redis-server 7.0 with maxmemory 1).
    func testNoevictionRefusesOnlyCommandsThatNeedMemory() throws {
        let rejectedBefore = try rejectedCalls("set")
        try assertReply(["MSET", "a", "1", "b", "2", "n", "5"], .simple("OK"))
        try assertReply(["CONFIG", "SET", "maxmemory", "1"], .simple("OK"))
        let denied: [[String]] = [
            ["SET", "c", "3"], ["SET", "a", "x"], ["SETNX", "c", "3"], ["GETSET", "a", "9"], ["MSET", "c", "3"],
            ["INCR", "n"], ["DECR", "n"], ["INCRBY", "n", "2"], ["DECRBY", "n", "2"], ["APPEND", "a", "x"],
        ]
        for command in denied { try assertReply(command, Self.oom) }
        try assertReply(["GET", "a"], .bulk("1"))
        try assertReply(["MGET", "a", "n"], .bulks(["1", "5"]))
        try assertReply(["EXISTS", "a"], .integer(1))
        try assertReply(["STRLEN", "a"], .integer(1))
        try assertReply(["RANGE", "-", "+", "NOVALUES"], .bulks(["a", "b", "n"]))
        try assertReply(["DEL", "a"], .integer(1))
        try assertReply(["GETDEL", "b"], .bulk("2"))
        try assertReply(["UNLINK", "n"], .integer(1))
        try assertReply(["PING"], .simple("PONG"))
        try assertReply(["CONFIG", "GET", "maxmemory"], .bulks(["maxmemory", "1"]))
        XCTAssertEqual(try rejectedCalls("set"), rejectedBefore + 2, "an OOM refusal is a rejected call")
        try assertReply(["CONFIG", "SET", "maxmemory", "0"], .simple("OK"))
        try assertReply(["SET", "c", "3"], .simple("OK"))
    }

    /// Without key expiry no key has a TTL, so the volatile policies find nothing to evict and
    /// refuse like noeviction, as Redis does when no key has one.
    func testVolatilePoliciesEvictNothingWithoutTTLs() throws {
        let evictedBefore = try info("stats", "evicted_keys")
        for policy in ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"] {
            try assertReply(["SET", "kept", "v"], .simple("OK"))
            try assertReply(["CONFIG", "SET", "maxmemory-policy", policy, "maxmemory", "1"], .simple("OK"))
            try assertReply(["SET", "other", "v"], Self.oom, on: nil)
            try assertReply(["GET", "kept"], .bulk("v"))
            try assertReply(["CONFIG", "SET", "maxmemory", "0"], .simple("OK"))
        }
        XCTAssertEqual(try info("stats", "evicted_keys"), evictedBefore)
    }

    /// Each allkeys policy keeps used memory at the limit while five times as much is
    /// written, and counts its evictions.
    func testAllKeysPoliciesKeepUsedMemoryUnderTheLimit() throws {
        let value = String(repeating: "v", count: 1000)
        for policy in ["allkeys-lru", "allkeys-lfu", "allkeys-random"] {
            try assertReply(["FLUSHALL"], .simple("OK"))
            let evictedBefore = try info("stats", "evicted_keys")
            let limit = try info("memory", "used_memory") + 2 << 20
            try assertReply(["CONFIG", "SET", "maxmemory-policy", policy, "maxmemory", String(limit)], .simple("OK"))
            var highest = 0
            for batch in 0..<100 {
                let requests = (0..<100).flatMap { RESPClient.encode(["SET", "\(policy):\(batch * 100 + $0)", value]) }
                try client.send(requests)
                for _ in 0..<100 { XCTAssertEqual(try client.read(), .simple("OK"), policy) }
                highest = max(highest, try info("memory", "used_memory"))
            }
            // Checked before each command: one command's worth over at most.
            XCTAssertLessThanOrEqual(highest, limit + 4096, policy)
            let evicted = try info("stats", "evicted_keys") - evictedBefore
            let keys = Int(try XCTUnwrap({ if case .integer(let n) = try client.call("DBSIZE") { return n } else { return nil } }()))
            XCTAssertEqual(evicted + keys, 10_000, policy)
            XCTAssertGreaterThan(evicted, 5_000, policy)
            try assertServerHealthy()
        }
    }

    func testMemoryUsage() throws {
        try assertReply(["MEMORY", "USAGE", "missing"], .null)
        try assertReply(["SET", "k", "small"], .simple("OK"))
        guard case .integer(let small) = try client.call("MEMORY", "USAGE", "k") else { return XCTFail() }
        try assertReply(["SET", "k", String(repeating: "x", count: 10_000)], .simple("OK"))
        guard case .integer(let large) = try client.call("MEMORY", "USAGE", "k", "SAMPLES", "0") else { return XCTFail() }
        XCTAssertGreaterThanOrEqual(large, small + 10_000)
        XCTAssertLessThanOrEqual(large, small + 10_000 + 64, "the value's malloc chunk and no more")
        try assertReply(["MEMORY", "USAGE", "k", "SAMPLES", "-1"], .error("ERR syntax error"))
        try assertReply(["MEMORY", "USAGE", "k", "SAMPLES", "x"], .error("ERR value is not an integer or out of range"))
        try assertReply(["MEMORY", "USAGE", "k", "SAMPLES"], .error("ERR syntax error"))
        try assertReply(["MEMORY", "USAGE", "k", "FOO"], .error("ERR syntax error"))
        try assertReply(["MEMORY", "USAGE"], .error("ERR wrong number of arguments for 'memory|usage' command"))
        try assertReply(["MEMORY"], .error("ERR wrong number of arguments for 'memory' command"))
        try assertReply(["MEMORY", "DOCTOR"], .error("ERR unknown subcommand 'DOCTOR'. Try MEMORY HELP."))
        try assertReply(["MEMORY", "PURGE"], .simple("OK"))
        XCTAssertEqual(try client.call("MEMORY", "HELP").elements?.first, .simple("MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"))
        let stats = try client.call("MEMORY", "STATS").elements!
        let names = stride(from: 0, to: stats.count, by: 2).compactMap { stats[$0].text }
        XCTAssertEqual(Array(names.prefix(3)), ["peak.allocated", "total.allocated", "startup.allocated"])
        XCTAssertTrue(names.contains("keys.count") && names.contains("dataset.bytes"), "\(names)")
    }

    func testMemoryDirectivesAndInfo() throws {
        try assertReply(["CONFIG", "GET", "maxmemory*"], .bulks([
            "maxmemory", "0", "maxmemory-policy", "noeviction", "maxmemory-samples", "5",
            "maxmemory-eviction-tenacity", "10", "maxmemory-clients", "0",
        ]))
        try assertReply(["CONFIG", "GET", "lfu*"], .bulks(["lfu-log-factor", "10", "lfu-decay-time", "1"]))
        try assertReply(["CONFIG", "SET", "maxmemory", "10mb", "maxmemory-policy", "ALLKEYS-LFU", "maxmemory-clients", "10%"], .simple("OK"))
        try assertReply(["CONFIG", "GET", "maxmemory"], .bulks(["maxmemory", "10485760"]))
        try assertReply(["CONFIG", "GET", "maxmemory-clients"], .bulks(["maxmemory-clients", "10%"]))
        let memory = try client.call("INFO", "memory").text!
        for field in ["maxmemory:10485760", "maxmemory_human:10.00M", "maxmemory_policy:allkeys-lfu", "used_memory_peak:", "used_memory_peak_human:", "mem_clients_normal:"] {
            XCTAssertTrue(memory.contains(field), "INFO memory lacks \(field):\n\(memory)")
        }
        let stats = try client.call("INFO", "stats").text!
        XCTAssertTrue(stats.contains("evicted_keys:") && stats.contains("evicted_clients:"), stats)
        func failure(_ name: String, _ message: String) -> RESP { .error("ERR CONFIG SET failed (possibly related to argument '\(name)') - \(message)") }
        try assertReply(["CONFIG", "SET", "maxmemory-policy", "foo"], failure("maxmemory-policy",
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"))
        try assertReply(["CONFIG", "SET", "maxmemory", "-1"], failure("maxmemory", "argument must be a memory value"))
        try assertReply(["CONFIG", "SET", "maxmemory", "1.5gb"], failure("maxmemory", "argument must be a memory value"))
        try assertReply(["CONFIG", "SET", "maxmemory-samples", "0"], failure("maxmemory-samples", "argument must be between 1 and 2147483647 inclusive"))
        try assertReply(["CONFIG", "SET", "maxmemory-eviction-tenacity", "101"], failure("maxmemory-eviction-tenacity", "argument must be between 0 and 100 inclusive"))
        try assertReply(["CONFIG", "SET", "lfu-log-factor", "-1"], failure("lfu-log-factor", "argument must be between 0 and 2147483647 inclusive"))
        try assertReply(["CONFIG", "SET", "lfu-decay-time", "-1"], failure("lfu-decay-time", "argument must be between 0 and 2147483647 inclusive"))
        try assertReply(["CONFIG", "SET", "maxmemory-clients", "200%"], failure("maxmemory-clients", "percentage argument must be less or equal to 100"))
        try assertReply(["CONFIG", "SET", "maxmemory-clients", "1%x"], failure("maxmemory-clients", "argument must be a memory or percent value"))
        try assertReply(["CONFIG", "SET", "maxmemory-clients", "0"], .simple("OK"))
        XCTAssertEqual(try client.call("COMMAND", "INFO", "set").elements?[0].elements?[2], .array([.simple("write"), .simple("denyoom")]))
        XCTAssertEqual(try client.call("COMMAND", "INFO", "incr").elements?[0].elements?[2], .array([.simple("write"), .simple("denyoom"), .simple("fast")]))
    }
}
