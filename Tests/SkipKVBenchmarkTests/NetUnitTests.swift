#if canImport(Glibc)
import Glibc
#endif
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
        XCTAssertEqual(try NetTest.parseNamed("exec-hot,EXEC"), [.execHot, .exec])
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
        XCTAssertEqual(outcome(.multi, .simpleString(Array("OK".utf8))), "hit 0")
        XCTAssertEqual(outcome(.multi, .error(Array("ERR MULTI calls can not be nested".utf8))), "failure")
        XCTAssertEqual(outcome(.queued, .simpleString(Array("QUEUED".utf8))), "hit 0")
        XCTAssertEqual(outcome(.queued, .simpleString(Array("OK".utf8))), "failure")
        XCTAssertEqual(outcome(.queued, .integer(1)), "failure")
        XCTAssertEqual(outcome(.execIncrements, .array([.integer(-1), .integer(1)])), "hit 0")
        XCTAssertEqual(outcome(.execIncrements, .null), "failure")
        XCTAssertEqual(outcome(.execIncrements, .error(Array("EXECABORT Transaction discarded".utf8))), "failure")
        XCTAssertEqual(outcome(.execIncrements, .array([.integer(1)])), "failure")
        XCTAssertEqual(outcome(.execIncrements, .array([.integer(1), .error(Array("ERR not an integer".utf8))])), "failure")
    }

    func testExecOperationIsMultiTwoIncrbysAndExecCompletedByExecAlone() throws {
        let keys = Set(try (0..<3).flatMap { try execOperation(.exec, seed: UInt64($0)).keys })
        // Random counters: three transactions of two keys each in a keyspace of 100,000 share none.
        XCTAssertEqual(keys.count, 6, "\(keys)")
        XCTAssertTrue(keys.allSatisfy { $0.hasPrefix(NetKeys.counterPrefix) && $0.count == 8 + NetKeys.digits }, "\(keys)")

        for seed: UInt64 in [1, 2] {
            let hot = try execOperation(.execHot, seed: seed)
            XCTAssertEqual(hot.keys, ["counter:000000000000", "counter:000000000001"])
            XCTAssertEqual(
                hot.requests,
                [["MULTI"], ["INCRBY", hot.keys[0], "-1"], ["INCRBY", hot.keys[1], "1"], ["EXEC"]])
            // The replies a server sends, each checked, and only EXEC's completes the operation.
            XCTAssertEqual(
                hot.replies,
                ["multi hit", "queued hit", "queued hit", "execIncrements hit completes"])
        }
    }

    /// The requests one operation of `test` encodes (as text), the counters it names, and how
    /// the replies of a server that runs the transaction are classified.
    private func execOperation(
        _ test: NetTest, seed: UInt64
    ) throws -> (requests: [[String]], keys: [String], replies: [String]) {
        var sockets: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &sockets), 0)
        defer { close(sockets[1]) }
        let config = NetRunConfig(
            clients: 1, pipeline: 1, threads: 1, requests: 1, durationNanos: nil, keyspace: 100_000, valueBytes: 3,
            distribution: .uniform, zipfTheta: 0.99, rangeLimit: 10, maxScanLength: 100, rangeValues: true,
            seed: seed, timeoutNanos: 1_000_000_000, showProgress: false)
        var generator = NetOperationGenerator(
            test: test, target: .redis, config: config, seed: seed, inserts: KeyNumberAllocator(start: 0),
            loadRange: 0..<0)
        var connection = NetConnection(descriptor: sockets[0])
        generator.emitBatch(1, into: &connection)
        XCTAssertEqual(connection.awaiting, 4)

        var requests: [[String]] = []
        var parser = ReplyParser()
        var offset = 0
        let bytes = Array(connection.requests.output.readableBytes)
        while offset < bytes.count {
            guard case .reply(.array(let parts), let consumed) = bytes[offset...].withUnsafeBytes({ parser.parse($0) })
            else { throw NetFailure("not an array of bulk strings at byte \(offset)") }
            offset += consumed
            requests.append(parts.map { part in
                guard case .bulkString(let text) = part else { return "?" }
                return String(decoding: text, as: UTF8.self)
            })
        }
        let keys = requests.filter { $0.first == "INCRBY" }.map { $0[1] }

        let answer = Array("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:-1\r\n:1\r\n".utf8)
        XCTAssertEqual(answer.withUnsafeBytes { send(sockets[1], $0.baseAddress, $0.count, 0) }, answer.count)
        XCTAssertTrue(try connection.receive())
        var replies: [String] = []
        while let (reply, request) = try connection.nextReply() {
            var line = "\(request.kind)"
            if case .hit = request.kind.classify(reply) { line += " hit" } else { line += " failure" }
            if request.completesOperation { line += " completes" }
            replies.append(line)
        }
        return (requests, keys, replies)
    }
}
