import Foundation
import SkipKVTestSupport
import XCTest

/// MULTI, EXEC, DISCARD, WATCH and UNWATCH against redis-server 7: the same command sequences
/// on one connection get the same replies, in RESP2 and RESP3 (queuing errors, EXECABORT,
/// runtime errors inside EXEC, nested MULTI, no_multi commands, refusals over maxmemory);
/// then what only SkipKV can show: WATCH across event loops, WATCHRANGE, CLIENT LIST.
/// More cases, with redis-py, in tests/python/test_transactions.py.
final class TransactionCommandTests: ServerTestCase {
    private static let scripts: [[[String]]] = [
        // Basics, replies of every type inside EXEC, a runtime error in one slot.
        [["SET", "n", "1"], ["MULTI"], ["INCR", "n"], ["GET", "n"], ["SET", "s", "x"], ["INCR", "s"], ["MGET", "n", "s", "z"],
         ["EXISTS", "n"], ["TTL", "n"], ["PING"], ["EXEC"], ["GET", "n"]],
        // DISCARD, and EXEC/DISCARD outside a transaction.
        [["EXEC"], ["DISCARD"], ["EXEC", "extra"], ["MULTI"], ["SET", "a", "1"], ["DISCARD"], ["GET", "a"], ["EXEC"],
         ["MULTI"], ["SET", "a", "1"], ["EXEC", "extra"], ["EXEC"], ["GET", "a"]],
        // Queuing errors: unknown command, arity, unknown subcommand, then EXECABORT.
        [["MULTI"], ["SET", "a", "1"], ["NOSUCHCOMMAND"], ["GET"], ["EXEC"], ["GET", "a"]],
        [["MULTI"], ["CONFIG", "NOSUCH"], ["EXEC"]],
        // Nested MULTI and WATCH inside MULTI are errors that leave the transaction going.
        [["MULTI"], ["MULTI"], ["WATCH", "a"], ["SET", "a", "2"], ["EXEC"], ["GET", "a"]],
        // SAVE and SHUTDOWN are no_multi: refused, and the transaction fails.
        [["MULTI"], ["SAVE"], ["SET", "a", "3"], ["EXEC"], ["GET", "a"]],
        // UNWATCH queued; an empty transaction.
        [["MULTI"], ["UNWATCH"], ["EXEC"], ["MULTI"], ["EXEC"]],
        // WATCH: own write before MULTI breaks it; EXEC then runs nothing and forgets watches.
        [["SET", "w", "1"], ["WATCH", "w", "v"], ["SET", "w", "2"], ["MULTI"], ["SET", "w", "3"], ["EXEC"], ["GET", "w"],
         ["MULTI"], ["SET", "w", "4"], ["EXEC"], ["GET", "w"]],
        // A DEL of a missing watched key is no change; UNWATCH forgets.
        [["WATCH", "missing"], ["DEL", "missing"], ["MULTI"], ["PING"], ["EXEC"],
         ["WATCH", "w"], ["SET", "w", "5"], ["UNWATCH"], ["MULTI"], ["PING"], ["EXEC"]],
        // FLUSHALL touches watched keys that exist, not the others.
        [["SET", "x", "1"], ["WATCH", "x"], ["FLUSHALL"], ["MULTI"], ["PING"], ["EXEC"],
         ["WATCH", "y"], ["FLUSHALL"], ["MULTI"], ["PING"], ["EXEC"]],
        // COMMAND INFO of the transaction commands (RESP3: an empty set of subcommands).
        [["COMMAND", "INFO", "multi", "exec", "discard", "watch", "unwatch"]],
        // Multi-key commands inside a transaction.
        [["MSET", "a", "1", "b", "2"], ["MULTI"], ["RENAME", "a", "c"], ["COPY", "b", "d"], ["DEL", "b", "c", "zz"],
         ["MSETNX", "e", "1", "d", "9"], ["BITOP", "OR", "f", "d", "e"], ["EXEC"], ["MGET", "a", "b", "c", "d", "e", "f"]],
    ]

    func testRepliesAgreeWithRedis() throws {
        try assertScriptsAgreeWithRedis(Self.scripts)
    }

    /// Over maxmemory, a client in MULTI can queue nothing (queuing takes memory) except what
    /// ends the transaction; EXEC is refused whole when a queued command needs memory, with
    /// the reason (Redis 7's processCommand and execCommandAbort).
    func testMaxmemoryRefusalsAgreeWithRedis() throws {
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        for port in [try server.port, redis.port] {
            let connection = try RESPClient(port: port)
            let admin = try RESPClient(port: port)
            defer { _ = try? admin.call("CONFIG", "SET", "maxmemory", "0") }
            var replies: [RESP] = []
            for command in [["MULTI"], ["SET", "x", "y"], ["GET", "x"]] { replies.append(try connection.call(command)) }
            XCTAssertEqual(try admin.call("CONFIG", "SET", "maxmemory", "1"), .simple("OK"))
            for command in [["EXEC"], ["MULTI"], ["GET", "x"], ["EXEC"], ["MULTI"], ["PING"], ["WATCH", "x"], ["DISCARD"], ["GET", "x"]] {
                replies.append(try connection.call(command))
            }
            XCTAssertEqual(replies, [
                .simple("OK"), .simple("QUEUED"), .simple("QUEUED"),
                .error("EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'."),
                .simple("OK"), .error("OOM command not allowed when used memory > 'maxmemory'."),
                .error("EXECABORT Transaction discarded because of previous errors."),
                .simple("OK"), .error("OOM command not allowed when used memory > 'maxmemory'."),
                .error("OOM command not allowed when used memory > 'maxmemory'."), .simple("OK"), .null,
            ], "port \(port)")
        }
    }

    /// A write on another event loop (another connection; loop 0 hands connections out in
    /// turn) breaks the watch; a write to another key, or to the range's excluded bound,
    /// does not.
    func testWatchSeesWritesFromOtherLoops() throws {
        let port = try server.port
        let others = try (0..<3).map { _ in try RESPClient(port: port) }
        for other in others {
            try assertReply(["WATCH", "k"], .simple("OK"))
            XCTAssertEqual(try other.call("SET", "unrelated", "1"), .simple("OK"))
            try assertReply(["MULTI"], .simple("OK"))
            try assertReply(["SET", "k", "mine"], .simple("QUEUED"))
            try assertReply(["EXEC"], .array([.simple("OK")]))
            try assertReply(["WATCH", "k"], .simple("OK"))
            XCTAssertEqual(try other.call("SET", "k", "theirs"), .simple("OK"))
            try assertReply(["MULTI"], .simple("OK"))
            try assertReply(["SET", "k", "mine"], .simple("QUEUED"))
            try assertReply(["EXEC"], .null)
            try assertReply(["GET", "k"], .bulk(Array("theirs".utf8)))

            try assertReply(["WATCHRANGE", "[user:42:", "(user:42;"], .simple("OK"))
            XCTAssertEqual(try other.call("SET", "user:42;", "outside"), .simple("OK"))
            XCTAssertEqual(try other.call("SET", "user:43:a", "outside"), .simple("OK"))
            try assertReply(["MULTI"], .simple("OK"))
            try assertReply(["RANGECOUNT", "[user:42:", "(user:42;"], .simple("QUEUED"))
            try assertReply(["EXEC"], .array([.integer(0)]))
            try assertReply(["WATCHRANGE", "[user:42:", "(user:42;"], .simple("OK"))
            XCTAssertEqual(try other.call("SET", "user:42:email", "x"), .simple("OK"))
            try assertReply(["MULTI"], .simple("OK"))
            try assertReply(["SET", "user:42:email", "mine"], .simple("QUEUED"))
            try assertReply(["EXEC"], .null)
            XCTAssertEqual(try other.call("FLUSHALL"), .simple("OK"))
        }
    }

    func testWatchRangeErrors() throws {
        try assertReply(["WATCHRANGE", "a", "b"], .error("ERR min or max not valid string range item"))
        try assertReply(["WATCHRANGE", "[a"], .error("ERR wrong number of arguments for 'watchrange' command"))
        try assertReply(["MULTI"], .simple("OK"))
        try assertReply(["WATCHRANGE", "[a", "[b"], .error("ERR WATCHRANGE inside MULTI is not allowed"))
        try assertReply(["EXEC"], .array([]))
        // Bounds that select nothing watch nothing.
        try assertReply(["WATCHRANGE", "+", "-"], .simple("OK"))
        try assertReply(["SET", "a", "1"], .simple("OK"))
        try assertReply(["MULTI"], .simple("OK"))
        try assertReply(["EXEC"], .array([]))
    }

    /// CLIENT LIST shows a client in MULTI with flag x and its queued count, as Redis does.
    func testClientListShowsTheTransaction() throws {
        try assertReply(["MULTI"], .simple("OK"))
        try assertReply(["PING"], .simple("QUEUED"))
        try assertReply(["CLIENT", "INFO"], .simple("QUEUED"))
        guard case .array(let replies) = try client.call("EXEC"), replies.count == 2,
              case .bulk(let line) = replies[1] else { return XCTFail("EXEC did not run both") }
        let text = String(decoding: line, as: UTF8.self)
        XCTAssertTrue(text.contains(" flags=x ") && text.contains(" multi=2 "), text)
        guard case .bulk(let after) = try client.call("CLIENT", "INFO") else { return XCTFail("CLIENT INFO") }
        XCTAssertTrue(String(decoding: after, as: UTF8.self).contains(" flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 "))
    }
}
