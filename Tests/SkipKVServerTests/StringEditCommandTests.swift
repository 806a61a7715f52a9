import Foundation
import SkipKVTestSupport
import XCTest

/// INCRBYFLOAT, GETRANGE/SUBSTR, SETRANGE, MSETNX, LCS and SET … GET with NX|XX: each rule
/// and error with the reply Redis 7 gives, then the same commands sent to redis-server and
/// skipkv-server in RESP2 and RESP3.
final class StringEditCommandTests: ServerTestCase {
    func testIncrbyfloat() throws {
        try assertReply(["SET", "f", "10.5"], .simple("OK"))
        try assertReply(["INCRBYFLOAT", "f", "0.1"], .bulk("10.6"))
        // Long-double arithmetic printed with 17 digits after the point, trailing zeros dropped.
        try assertReply(["INCRBYFLOAT", "f", "5.0e3"], .bulk("5010.60000000000000009"))
        try assertReply(["GET", "f"], .bulk("5010.60000000000000009"))
        try assertReply(["INCRBYFLOAT", "fresh", "3.0"], .bulk("3"))
        try assertReply(["INCRBYFLOAT", "fresh", "-3"], .bulk("0"))
        try assertReply(["INCRBYFLOAT", "tiny", "0.0000000000000000001"], .bulk("0"))
        try assertReply(["INCRBYFLOAT", "small", "-1.5e-10"], .bulk("-0.00000000015"))
        try assertReply(["INCRBYFLOAT", "hex", "0x10"], .bulk("16"))
        try assertReply(["INCRBYFLOAT", "digits", "1.23456789012345678901"], .bulk("1.23456789012345679"))
        // Beyond a double's range, still within a long double's.
        let huge = try XCTUnwrap(client.call("INCRBYFLOAT", "huge", "1e400").text)
        XCTAssertEqual(huge.count, 401)
        XCTAssertTrue(huge.hasPrefix("10000000000000000000"), huge)
        for (argument, error) in [("inf", "ERR increment would produce NaN or Infinity"),
                                  ("-inf", "ERR increment would produce NaN or Infinity"),
                                  ("nan", "ERR value is not a valid float"), ("abc", "ERR value is not a valid float"),
                                  (" 1", "ERR value is not a valid float"), ("1 ", "ERR value is not a valid float"),
                                  ("", "ERR value is not a valid float"), ("1e-5000", "ERR value is not a valid float"),
                                  ("1e5000", "ERR value is not a valid float")] {
            try assertReply(["INCRBYFLOAT", "f", argument], .error(error))
        }
        try assertReply(["GET", "f"], .bulk("5010.60000000000000009"))
        try assertReply(["SET", "text", "abc"], .simple("OK"))
        try assertReply(["INCRBYFLOAT", "text", "1"], .error("ERR value is not a valid float"))
        try assertReply(["SET", "empty", ""], .simple("OK"))
        try assertReply(["INCRBYFLOAT", "empty", "1"], .error("ERR value is not a valid float"))
        try assertReply(["INCRBYFLOAT", "f"], .error("ERR wrong number of arguments for 'incrbyfloat' command"))
    }

    func testGetrangeAndSubstr() throws {
        try assertReply(["SET", "s", "Hello World"], .simple("OK"))
        let cases: [(String, String, String)] = [
            ("0", "3", "Hell"), ("-3", "-1", "rld"), ("0", "-1", "Hello World"), ("10", "100", "d"),
            ("5", "3", ""), ("-100", "-50", "H"), ("-100", "2", "Hel"), ("100", "200", ""), ("0", "-100", "H"),
            ("-1", "-5", ""), ("11", "11", ""), ("-9223372036854775808", "9223372036854775807", "Hello World"),
        ]
        for (start, end, expected) in cases {
            try assertReply(["GETRANGE", "s", start, end], .bulk(expected))
            try assertReply(["SUBSTR", "s", start, end], .bulk(expected))
        }
        try assertReply(["GETRANGE", "missing", "0", "-1"], .bulk(""))
        try assertReply(["SET", "e", ""], .simple("OK"))
        try assertReply(["GETRANGE", "e", "0", "-1"], .bulk(""))
        try assertReply(["GETRANGE", "s", "x", "1"], .error("ERR value is not an integer or out of range"))
        try assertReply(["GETRANGE", "s", "0", "99999999999999999999"], .error("ERR value is not an integer or out of range"))
        try assertReply(["GETRANGE", "s", "0"], .error("ERR wrong number of arguments for 'getrange' command"))
    }

    func testSetrange() throws {
        try assertReply(["SETRANGE", "k", "-1", "x"], .error("ERR offset is out of range"))
        try assertReply(["SETRANGE", "k", "abc", "x"], .error("ERR value is not an integer or out of range"))
        // An empty value creates nothing and reports the current length.
        try assertReply(["SETRANGE", "k", "5", ""], .integer(0))
        try assertReply(["EXISTS", "k"], .integer(0))
        try assertReply(["SETRANGE", "k", "3", "ab"], .integer(5))
        try assertReply(["GET", "k"], .bulk([0, 0, 0] + Array("ab".utf8)))
        try assertReply(["SETRANGE", "k", "0", ""], .integer(5))
        try assertReply(["SETRANGE", "k", "1", "XYZW"], .integer(5))
        try assertReply(["GET", "k"], .bulk([0] + Array("XYZW".utf8)))
        try assertReply(["SETRANGE", "k", "7", "!"], .integer(8))
        try assertReply(["GET", "k"], .bulk([0] + Array("XYZW".utf8) + [0, 0, 33]))
        // The result may not exceed proto-max-bulk-len (512 MB by default); an empty value is
        // not checked.
        let tooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
        try assertReply(["SETRANGE", "k", "536870912", "x"], .error(tooLong))
        try assertReply(["SETRANGE", "k", "9223372036854775807", "x"], .error(tooLong))
        try assertReply(["SETRANGE", "k", "536870912", ""], .integer(8))
        try assertReply(["CONFIG", "SET", "proto-max-bulk-len", "1mb"], .simple("OK"))
        defer { _ = try? client.call("CONFIG", "SET", "proto-max-bulk-len", "512mb") }
        try assertReply(["SETRANGE", "big", "1048575", "xy"], .error(tooLong))
        try assertReply(["SETRANGE", "big", "1048575", "x"], .integer(1_048_576))
        try assertReply(["STRLEN", "big"], .integer(1_048_576))
    }

    func testMsetnx() throws {
        try assertReply(["MSETNX", "a", "1", "b", "2"], .integer(1))
        try assertReply(["MSETNX", "c", "3", "a", "9"], .integer(0))
        try assertReply(["MGET", "a", "b", "c"], .array([.bulk("1"), .bulk("2"), .null]))
        // A repeated key: the last value wins.
        try assertReply(["MSETNX", "d", "1", "d", "2"], .integer(1))
        try assertReply(["GET", "d"], .bulk("2"))
        try assertReply(["MSETNX", "a", "1", "b"], .error("ERR wrong number of arguments for 'msetnx' command"))
        try assertReply(["MSETNX", "a"], .error("ERR wrong number of arguments for 'msetnx' command"))
    }

    /// Two clients (on different event loops) race MSETNX over the same keys in opposite
    /// orders, and a third SETs one of them: per round exactly one MSETNX succeeds or none
    /// (when the SET came first), and the keys never mix the two batches' values.
    func testConcurrentMsetnxIsAllOrNothing() throws {
        let port = try server.port
        let keys = (0..<16).map { "m\($0)" }
        for round in 0..<60 {
            let results = Results()
            let done = DispatchSemaphore(value: 0)
            for writer in 0..<2 {
                let order = writer == 0 ? keys : keys.reversed()
                Thread.detachNewThread {
                    defer { done.signal() }
                    guard let client = try? RESPClient(port: port),
                          let reply = try? client.call(["MSETNX"] + order.flatMap { [$0, "w\(writer)"] })
                    else { return results.record(-1) }
                    results.record(reply == .integer(1) ? writer : -2)
                }
            }
            let intruder = try server.client()
            _ = try intruder.call("SET", keys[round % keys.count], "other")
            done.wait()
            done.wait()
            let winners = results.values.filter { $0 >= 0 }
            XCTAssertFalse(results.values.contains(-1), "round \(round): a client failed")
            XCTAssertLessThanOrEqual(winners.count, 1, "round \(round): both MSETNX succeeded")
            let values = try XCTUnwrap(client.call(["MGET"] + keys).elements).compactMap(\.text)
            if let winner = winners.first {
                let other = Set(values).subtracting(["other"])
                XCTAssertEqual(other, ["w\(winner)"], "round \(round): mixed values \(values)")
                XCTAssertEqual(values.count, keys.count, "round \(round): keys missing")
            } else {
                XCTAssertEqual(values, ["other"], "round \(round): a failed MSETNX stored keys")
            }
            _ = try client.call(["DEL"] + keys)
        }
    }

    func testLcs() throws {
        try assertReply(["MSET", "key1", "ohmytext", "key2", "mynewtext"], .simple("OK"))
        try assertReply(["LCS", "key1", "key2"], .bulk("mytext"))
        try assertReply(["LCS", "key1", "key2", "LEN"], .integer(6))
        let matches: RESP = .array([
            .array([.array([.integer(4), .integer(7)]), .array([.integer(5), .integer(8)])]),
            .array([.array([.integer(2), .integer(3)]), .array([.integer(0), .integer(1)])]),
        ])
        try assertReply(["LCS", "key1", "key2", "IDX"], .array([.bulk("matches"), matches, .bulk("len"), .integer(6)]))
        try assertReply(["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"], .array([
            .bulk("matches"),
            .array([.array([.array([.integer(4), .integer(7)]), .array([.integer(5), .integer(8)]), .integer(4)])]),
            .bulk("len"), .integer(6),
        ]))
        _ = try client.call("HELLO", "3")
        try assertReply(["LCS", "key1", "key2", "IDX"], .map([(.bulk("matches"), matches), (.bulk("len"), .integer(6))]))
        _ = try client.call("HELLO", "2")
        try assertReply(["LCS", "key1", "missing"], .bulk(""))
        try assertReply(["LCS", "key1", "key2", "LEN", "IDX"],
                        .error("ERR If you want both the length and indexes, please just use IDX."))
        try assertReply(["LCS", "key1", "key2", "MINMATCHLEN"], .error("ERR syntax error"))
        try assertReply(["LCS", "key1", "key2", "MINMATCHLEN", "x"], .error("ERR value is not an integer or out of range"))
        try assertReply(["LCS", "key1", "key2", "FOO"], .error("ERR syntax error"))
        try assertReply(["LCS", "key1"], .error("ERR wrong number of arguments for 'lcs' command"))
        try assertReply(["CONFIG", "SET", "proto-max-bulk-len", "1mb"], .simple("OK"))
        defer { _ = try? client.call("CONFIG", "SET", "proto-max-bulk-len", "512mb") }
        try assertReply(["SET", "long", String(repeating: "a", count: 600)], .simple("OK"))
        try assertReply(["LCS", "long", "long", "LEN"],
                        .error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"))
    }

    /// Redis 7 allows GET with NX or XX: the reply is the old value either way, and the
    /// write happens only when the condition holds.
    func testSetGetWithCondition() throws {
        try assertReply(["SET", "k", "v1", "NX", "GET"], .null)
        try assertReply(["GET", "k"], .bulk("v1"))
        try assertReply(["SET", "k", "v2", "NX", "GET"], .bulk("v1"))
        try assertReply(["GET", "k"], .bulk("v1"))
        try assertReply(["SET", "k", "v3", "XX", "GET"], .bulk("v1"))
        try assertReply(["GET", "k"], .bulk("v3"))
        try assertReply(["SET", "absent", "v", "GET", "XX"], .null)
        try assertReply(["EXISTS", "absent"], .integer(0))
        try assertReply(["SET", "k", "v", "NX", "XX", "GET"], .error("ERR syntax error"))
        try assertReply(["SET", "k", "v4", "GET", "GET", "XX", "XX"], .bulk("v3"))
        try assertReply(["GET", "k"], .bulk("v4"))
    }

    /// What the new writes log replays to the same values after a restart: INCRBYFLOAT's
    /// and SETRANGE's results, every pair of an MSETNX and none of a refused one.
    func testWritesSurviveRestartFromTheLog() throws {
        let directory = NSTemporaryDirectory() + "skipkv-strings-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let flags = ["--dir", directory, "--appendonly", "yes", "--appendfsync", "always"]
        let writes: [([String], RESP)] = [
            (["INCRBYFLOAT", "f", "10.5"], .bulk("10.5")), (["INCRBYFLOAT", "f", "0.1"], .bulk("10.6")),
            (["SETRANGE", "r", "2", "ab"], .integer(4)), (["MSETNX", "a", "1", "b", "2"], .integer(1)),
            (["MSETNX", "b", "3", "c", "4"], .integer(0)), (["SET", "k", "v1", "NX", "GET"], .null),
        ]
        let first = try ServerProcess(flags)
        let writer = try first.client()
        for (command, expected) in writes { XCTAssertEqual(try writer.call(command), expected, "\(command)") }
        XCTAssertEqual(first.stop(), 0)
        let second = try ServerProcess(flags)
        defer { second.stop() }
        XCTAssertEqual(try second.client().call("MGET", "f", "r", "a", "b", "c", "k"),
                       .array([.bulk("10.6"), .bulk([0, 0] + Array("ab".utf8)), .bulk("1"), .bulk("2"), .null, .bulk("v1")]))
    }

    /// The same commands to redis-server and skipkv-server, in RESP2 and RESP3, must get the
    /// same replies: the fixed list above's edge cases, then a seeded random stream of LCS.
    func testRepliesMatchRedis() throws {
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        let theirs = try RESPClient(port: redis.port)
        let fixed: [[String]] = [
            ["SET", "f", "10.5"], ["INCRBYFLOAT", "f", "0.1"], ["INCRBYFLOAT", "f", "5.0e3"], ["INCRBYFLOAT", "f", "inf"],
            ["INCRBYFLOAT", "f", "nan"], ["INCRBYFLOAT", "g", "1e400"], ["INCRBYFLOAT", "g", "1"],
            ["INCRBYFLOAT", "u", "1e-4940"], ["INCRBYFLOAT", "u", "1e-5000"], ["INCRBYFLOAT", "v", "-0.0"],
            ["INCRBYFLOAT", "m", "1.7976931348623157e308"], ["INCRBYFLOAT", "m", "1.7976931348623157e308"],
            ["SET", "s", "Hello World"], ["GETRANGE", "s", "-5", "-2"], ["SUBSTR", "s", "2", "-100"],
            ["GETRANGE", "s", "-1", "-3"], ["GETRANGE", "none", "1", "2"],
            ["SETRANGE", "r", "4", "ab"], ["GET", "r"], ["SETRANGE", "r", "1", ""], ["SETRANGE", "r", "-2", "x"],
            ["SETRANGE", "r", "536870911", ""], ["SETRANGE", "r", "536870911", "xy"],
            ["MSETNX", "a", "1", "b", "2"], ["MSETNX", "b", "3", "c", "4"], ["MGET", "a", "b", "c"],
            ["SET", "x", "1", "NX", "GET"], ["SET", "x", "2", "NX", "GET"], ["SET", "x", "3", "XX", "GET"], ["GET", "x"],
        ]
        let seed = testSeed("StringEditCommandTests.testRepliesMatchRedis")
        var random = SeededRandom(seed: seed)
        let options: [[String]] = [
            [], ["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"], ["IDX", "MINMATCHLEN", "2"], ["WITHMATCHLEN", "MINMATCHLEN", "-1", "IDX"],
        ]
        for version in ["2", "3"] {
            _ = try client.call("HELLO", version)
            _ = try theirs.call("HELLO", version)
            for command in fixed {
                XCTAssertEqual(try client.call(command), try theirs.call(command), "RESP\(version) \(command)")
            }
            for _ in 0..<200 {
                let strings = (0..<2).map { _ in
                    String((0..<Int.random(in: 0...10, using: &random)).map { _ in "abc".randomElement(using: &random)! })
                }
                let setup = ["MSET", "l1", strings[0], "l2", strings[1]]
                let command = ["LCS", "l1", "l2"] + options.randomElement(using: &random)!
                XCTAssertEqual(try client.call(setup), try theirs.call(setup))
                XCTAssertEqual(try client.call(command), try theirs.call(command), "RESP\(version) \(strings) \(command)")
            }
            _ = try client.call("FLUSHALL")
            _ = try theirs.call("FLUSHALL")
        }
    }
}

/// What the racing threads of one round report.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [Int] = []

    func record(_ value: Int) { lock.withLock { collected.append(value) } }
    var values: [Int] { lock.withLock { collected } }
}
