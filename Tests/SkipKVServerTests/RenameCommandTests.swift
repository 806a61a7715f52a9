import Foundation
import SkipKVTestSupport
import XCTest

/// RENAME, RENAMENX, COPY, TOUCH, RANDOMKEY and OBJECT against redis-server 7: the same
/// command sequences get the same replies, in RESP2 and RESP3; then what only SkipKV can
/// show (one database, several event loops).
final class RenameCommandTests: ServerTestCase {
    /// Each script runs from an empty keyspace on both servers.
    private static let scripts: [[[String]]] = [
        // RENAME: moves the value, overwrites, refuses a missing source even under its own name.
        [["SET", "a", "1"], ["RENAME", "a", "b"], ["GET", "a"], ["GET", "b"], ["SET", "c", "x"],
         ["RENAME", "b", "c"], ["GET", "c"], ["EXISTS", "b"], ["RENAME", "c", "c"], ["GET", "c"],
         ["RENAME", "missing", "x"], ["RENAME", "missing", "missing"], ["RENAME", "c"], ["DBSIZE"]],
        // RENAMENX: 1 when moved, 0 when the destination exists or is the source.
        [["SET", "a", "1"], ["SET", "b", "2"], ["RENAMENX", "a", "b"], ["RENAMENX", "a", "a"],
         ["RENAMENX", "a", "c"], ["GET", "c"], ["EXISTS", "a"], ["RENAMENX", "missing", "c"],
         ["RENAMENX", "missing", "missing"], ["DBSIZE"]],
        // COPY: options, same key, missing source, REPLACE, DB 0, bad DB arguments.
        [["SET", "a", "v"], ["COPY", "a", "b"], ["GET", "b"], ["COPY", "a", "b"], ["SET", "a", "w"],
         ["COPY", "a", "b", "REPLACE"], ["GET", "b"], ["COPY", "a", "a"], ["COPY", "missing", "missing"],
         ["COPY", "missing", "x"], ["COPY", "a", "d", "DB", "0"], ["COPY", "a", "e", "db", "0", "replace", "REPLACE"],
         ["COPY", "a", "e", "DB"], ["COPY", "a", "e", "DB", "x"], ["COPY", "a", "e", "DB", "99999999999"],
         ["COPY", "a", "e", "DB", "-1"], ["COPY", "a", "e", "FOO"], ["COPY", "a"], ["EXISTS", "e"], ["DBSIZE"]],
        // TOUCH counts existing keys, repeats included.
        [["SET", "a", "1"], ["SET", "b", "2"], ["TOUCH", "a", "b", "c", "a"], ["TOUCH", "c"], ["TOUCH"]],
        // RANDOMKEY: null when empty, the one key when there is one.
        [["RANDOMKEY"], ["SET", "only", "1"], ["RANDOMKEY"], ["RANDOMKEY", "x"]],
        // OBJECT ENCODING and REFCOUNT by Redis's rules; IDLETIME under the default policy;
        // FREQ refused; HELP; unknown subcommands and arity.
        [["SET", "i", "12345"], ["SET", "neg", "-5"], ["SET", "zero", "007"], ["SET", "huge", "12345678901234567890"],
         ["SET", "e44", String(repeating: "x", count: 44)], ["SET", "r45", String(repeating: "x", count: 45)],
         ["SET", "shared", "9999"], ["SET", "empty", ""],
         ["OBJECT", "ENCODING", "i"], ["OBJECT", "ENCODING", "neg"], ["OBJECT", "ENCODING", "zero"],
         ["OBJECT", "ENCODING", "huge"], ["OBJECT", "ENCODING", "e44"], ["OBJECT", "ENCODING", "r45"],
         ["OBJECT", "ENCODING", "empty"], ["OBJECT", "ENCODING", "missing"],
         ["OBJECT", "REFCOUNT", "i"], ["OBJECT", "REFCOUNT", "shared"], ["OBJECT", "REFCOUNT", "neg"],
         ["OBJECT", "REFCOUNT", "missing"], ["OBJECT", "IDLETIME", "missing"], ["OBJECT", "FREQ", "i"],
         ["OBJECT", "FREQ", "missing"], ["OBJECT", "HELP"], ["OBJECT", "FOO"], ["OBJECT", "ENCODING", "a", "b"],
         ["OBJECT"]],
    ]

    func testRepliesAgreeWithRedis() throws {
        try assertScriptsAgreeWithRedis(Self.scripts)
    }

    /// Redis has 16 databases by default, so COPY … DB 1 succeeds there; SkipKV has one and
    /// answers as redis-server started with `--databases 1` does.
    func testCopyToAnotherDatabaseIsOutOfRange() throws {
        try assertReply(["SET", "a", "v"], .simple("OK"))
        try assertReply(["COPY", "a", "b", "DB", "1"], .error("ERR DB index is out of range"))
        try assertReply(["EXISTS", "b"], .integer(0))
    }

    /// OBJECT IDLETIME is refused and FREQ answered under an LFU policy, as Redis does.
    func testIdletimeAndFreqFollowThePolicy() throws {
        try assertReply(["SET", "a", "v"], .simple("OK"))
        try assertReply(["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"], .simple("OK"))
        defer { _ = try? client.call("CONFIG", "SET", "maxmemory-policy", "noeviction") }
        try assertReply(["OBJECT", "IDLETIME", "a"], .error(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."))
        try assertReply(["OBJECT", "FREQ", "a"], .integer(5))
        try assertReply(["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"], .simple("OK"))
        try assertReply(["OBJECT", "IDLETIME", "a"], .integer(0))
    }

    /// Every key comes up, and none far more often than the others (seeded keys; the server's
    /// choice is random, so the bound is loose: 20 keys, 2000 draws, each expected 100 times).
    func testRandomKeyReachesEveryKey() throws {
        let keys = (0..<20).map { "key:\($0)" }
        for key in keys { try assertReply(["SET", key, "v"], .simple("OK")) }
        var seen: [String: Int] = [:]
        for _ in 0..<2000 {
            guard case .bulk(let bytes) = try client.call("RANDOMKEY") else { return XCTFail("RANDOMKEY gave no key") }
            seen[String(decoding: bytes, as: UTF8.self), default: 0] += 1
        }
        XCTAssertEqual(Set(seen.keys), Set(keys))
        for (key, times) in seen { XCTAssertTrue((30...250).contains(times), "\(key) drawn \(times) times of 2000") }
    }

    /// Connections on both event loops ping-pong values between the two keys of a pair with
    /// RENAME and RENAMENX (each pair holds one value, so no rename overwrites) while others
    /// read: a rename never loses or duplicates a key, so afterwards every pair still holds
    /// its value under exactly one of its names.
    func testConcurrentRenamesNeitherLoseNorDuplicateKeys() throws {
        let seed = testSeed(#function)
        let pairs = 4
        for pair in 0..<pairs { try assertReply(["SET", "a:\(pair)", "value:\(pair)"], .simple("OK")) }
        let port = try server.port
        let state = SharedState()
        let group = DispatchGroup()
        for worker in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                var random = SeededRandom(seed: seed &+ UInt64(worker))
                guard let connection = try? RESPClient(port: port) else { return state.fail() }
                for _ in 0..<2000 {
                    let pair = Int.random(in: 0..<pairs, using: &random)
                    let (from, to) = Bool.random(using: &random) ? ("a", "b") : ("b", "a")
                    let command = Bool.random(using: &random) ? "RENAME" : "RENAMENX"
                    switch try? connection.call(command, "\(from):\(pair)", "\(to):\(pair)") {
                    case .simple("OK"), .integer(1), .error("ERR no such key"): break
                    default: state.fail()
                    }
                }
            }.start()
        }
        for _ in 0..<2 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let connection = try? RESPClient(port: port) else { return state.fail() }
                for _ in 0..<1000 {
                    guard case .integer = try? connection.call("DBSIZE") else { return state.fail() }
                    _ = try? connection.call("GET", "a:0")
                }
            }.start()
        }
        group.wait()
        XCTAssertEqual(state.failureCount, 0)
        try assertReply(["DBSIZE"], .integer(Int64(pairs)))
        for pair in 0..<pairs {
            let held = try ["a", "b"].map { try client.call("GET", "\($0):\(pair)") }.filter { $0 != .null }
            XCTAssertEqual(held, [.bulk("value:\(pair)")], "pair \(pair)")
        }
    }
}
