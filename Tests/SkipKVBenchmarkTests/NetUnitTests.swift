import SkipKVProtocol
import XCTest

@testable import SkipKVBenchmark

/// The pure pieces of `net`: key names, option parsing and reply checking.
final class NetUnitTests: XCTestCase {
    func testKeysAreFixedWidthSoLexicalOrderIsNumericOrder() {
        let key = KeyText(prefix: NetKeys.keyPrefix)
        XCTAssertEqual(Array(key.set(42)), Array("key:000000000042".utf8))
        XCTAssertEqual(Array(key.set(NetKeys.limit - 1)), Array("key:999999999999".utf8))
        var rng = BenchmarkRandom(seed: 7)
        for _ in 0..<1000 {
            let a = rng.next(below: NetKeys.limit), b = rng.next(below: NetKeys.limit)
            let textA = Array(key.set(a)), textB = Array(key.set(b))
            XCTAssertEqual(textA.lexicographicallyPrecedes(textB), a < b)
        }
    }

    func testAddressParsing() {
        XCTAssertEqual(NetTarget.parseAddress("127.0.0.1:6379").map { "\($0.host) \($0.port)" }, "127.0.0.1 6379")
        XCTAssertEqual(NetTarget.parseAddress("[::1]:7379").map { "\($0.host) \($0.port)" }, "::1 7379")
        XCTAssertEqual(NetTarget.parseAddress("redis.local:1").map { "\($0.host) \($0.port)" }, "redis.local 1")
        for bad in ["6379", ":6379", "host:", "host:0", "host:70000", "host:port"] {
            XCTAssertNil(NetTarget.parseAddress(bad), bad)
        }
    }

    func testTestListParsing() throws {
        XCTAssertEqual(try NetTest.parseNamed("set, GET,set,range"), [.set, .get, .range])
        XCTAssertEqual(try NetTest.parseYCSB("a,E,ycsb-f"), [.ycsbA, .ycsbE, .ycsbF])
        XCTAssertThrowsError(try NetTest.parseNamed("load"))
        XCTAssertThrowsError(try NetTest.parseYCSB("G"))
    }

    func testRepliesAreCheckedByCommand() {
        func outcome(_ kind: NetRequestKind, _ reply: RESPReply) -> String {
            switch kind.classify(reply) {
            case .hit(let entries): return "hit \(entries)"
            case .miss: return "miss"
            case .failure: return "failure"
            }
        }
        let key = RESPReply.bulkString(Array("k".utf8))
        XCTAssertEqual(outcome(.set, .simpleString(Array("OK".utf8))), "hit 0")
        XCTAssertEqual(outcome(.set, .error(Array("ERR oom".utf8))), "failure")
        XCTAssertEqual(outcome(.get, key), "hit 0")
        XCTAssertEqual(outcome(.get, .null), "miss")
        XCTAssertEqual(outcome(.get, .integer(1)), "failure")
        XCTAssertEqual(outcome(.incr, .integer(5)), "hit 0")
        XCTAssertEqual(outcome(.range, .array([key, key, key, key])), "hit 2")
        XCTAssertEqual(outcome(.range, .array([key, key, key])), "failure")
        XCTAssertEqual(outcome(.range, .array([])), "miss")
        XCTAssertEqual(outcome(.rangeKeys, .array([key, key, key])), "hit 3")
        XCTAssertEqual(outcome(.zrangeByLex, .array([key])), "hit 1")
        XCTAssertEqual(outcome(.zadd, .simpleString(Array("OK".utf8))), "failure")
    }
}
