import SkipKVTestSupport
import XCTest

/// SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO: a seeded random stream
/// sent to skipkv-server and redis-server 7 (identical replies required, RESP2 and RESP3),
/// and hand-written cases for each rule and error.
final class BitCommandTests: ServerTestCase {
    private static let offsetError = RESP.error("ERR bit offset is not an integer or out of range")
    private static let typeError = RESP.error(
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
    private static let notInteger = RESP.error("ERR value is not an integer or out of range")
    private static let syntax = RESP.error("ERR syntax error")

    // MARK: Differential

    /// Every reply, and after every command every key's value (BITOP and BITFIELD's FAIL
    /// replies do not show all they wrote), must be redis-server's.
    func testRandomCommandsAgreeWithRedis() throws {
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        let theirs = try RESPClient(port: redis.port)
        var random = SeededRandom(seed: testSeed("BitCommandTests.testRandomCommandsAgreeWithRedis"))
        for version in ["2", "3"] {
            _ = try client.call("HELLO", version)
            _ = try theirs.call("HELLO", version)
            for step in 0..<2000 {
                let command = Self.randomCommand(&random)
                let context = "RESP\(version) step \(step): \(command.map { String(decoding: $0, as: UTF8.self) })"
                XCTAssertEqual(try client.callBytes(command), try theirs.callBytes(command), context)
                for key in Self.keys {
                    XCTAssertEqual(try client.call("GET", key), try theirs.call("GET", key), "\(key) after \(context)")
                }
            }
        }
    }

    private static let keys = ["a", "b", "c", "d"]

    private static func randomCommand(_ random: inout SeededRandom) -> [[UInt8]] {
        func pick<T>(_ items: [T]) -> T { items.randomElement(using: &random)! }
        func number(_ range: ClosedRange<Int>) -> String { String(Int.random(in: range, using: &random)) }
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
        let key = pick(keys)
        func index() -> String { chance(5) ? pick(["x", "", "1.5", "-0", "+1", "9223372036854775808"]) : number(-30...30) }
        func unit() -> String { chance(5) ? pick(["bits", "x"]) : pick(["BIT", "byte", "Bit", "BYTE"]) }
        var words: [String]
        switch Int.random(in: 0..<13, using: &random) {
        case 0:
            var value = [UInt8]()
            for _ in 0..<Int.random(in: 0...24, using: &random) { value.append(pick([0, 0xFF, UInt8.random(in: 0...255, using: &random)])) }
            return [Array("SET".utf8), Array(key.utf8), value]
        case 1, 2:
            let offset = chance(5) ? pick(["-1", "x", "4294967296", "01"]) : number(0...300)
            words = ["SETBIT", key, offset, chance(5) ? pick(["2", "-1", "x"]) : number(0...1)]
        case 3:
            words = ["GETBIT", key, chance(5) ? pick(["-1", "x", "4294967296"]) : number(0...300)]
        case 4, 5:
            words = ["BITCOUNT", key]
            if chance(80) { words += [index(), index()] }
            if chance(50) { words.append(unit()) }
            if chance(3) { words.append("extra") }
        case 6, 7:
            words = ["BITPOS", key, chance(5) ? pick(["2", "x", "-1"]) : number(0...1)]
            if chance(75) { words.append(index()) }
            if words.count == 4 && chance(65) { words.append(index()) }
            if words.count == 5 && chance(50) { words.append(unit()) }
            if chance(3) { words.append("extra") }
        case 8:
            let operation = chance(5) ? "nand" : pick(["AND", "or", "XOR", "not"])
            words = ["BITOP", operation, pick(keys)] + (0..<Int.random(in: 1...3, using: &random)).map { _ in pick(keys + ["missing"]) }
        case 9, 10, 11:
            words = [chance(20) ? "BITFIELD_RO" : "BITFIELD", key]
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let signed = chance(50)
                let width = signed ? Int.random(in: 1...64, using: &random) : Int.random(in: 1...63, using: &random)
                var type = (signed ? "i" : "u") + String(width)
                if chance(3) { type = pick(["u64", "i65", "i0", "I8", "x"]) }
                var offset = chance(30) ? "#" + number(0...12) : number(0...200)
                if chance(3) { offset = pick(["-1", "#-1", "#", "x"]) }
                let value = chance(30) ? pick(["9223372036854775807", "-9223372036854775808", "-1", "0", "1"])
                    : number(-300...300)
                switch Int.random(in: 0..<9, using: &random) {
                case 0, 1, 2: words += ["GET", type, offset]
                case 3, 4: words += ["SET", type, offset, value]
                case 5, 6: words += ["INCRBY", type, offset, value]
                case 7: words += ["OVERFLOW", chance(5) ? "saturate" : pick(["WRAP", "sat", "FAIL"])]
                default: words += [pick(["GET", "SET", "INCRBY", "OVERFLOW", "nope"])]
                }
            }
        default:
            words = [pick(["GET", "STRLEN"]), key]
        }
        return words.map { Array($0.utf8) }
    }

    // MARK: Rules

    /// SET of a binary value.
    private func set(_ key: String, _ value: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try client.callBytes([Array("SET".utf8), Array(key.utf8), value]), .simple("OK"), file: file, line: line)
    }

    func testSetbitAndGetbit() throws {
        try assertReply(["SETBIT", "k", "7", "1"], .integer(0))
        try assertReply(["GET", "k"], .bulk([0x01]))
        try assertReply(["SETBIT", "k", "7", "1"], .integer(1))
        try assertReply(["SETBIT", "k", "7", "0"], .integer(1))
        try assertReply(["GETBIT", "k", "7"], .integer(0))
        // Growth pads with zero bytes; clearing a bit past the end still grows the value.
        try assertReply(["SETBIT", "k", "23", "0"], .integer(0))
        try assertReply(["GET", "k"], .bulk([0, 0, 0]))
        try assertReply(["SETBIT", "absent", "0", "0"], .integer(0))
        try assertReply(["GET", "absent"], .bulk([0]))
        try assertReply(["GETBIT", "k", "1000"], .integer(0))
        try assertReply(["GETBIT", "nokey", "0"], .integer(0))
        try assertReply(["SET", "s", "`"], .simple("OK"))  // 0110 0000
        try assertReply(["GETBIT", "s", "1"], .integer(1))
        try assertReply(["GETBIT", "s", "3"], .integer(0))
        for offset in ["-1", "x", "1.5", "+1", "01", "4294967296", "9223372036854775808"] {
            try assertReply(["SETBIT", "k", offset, "1"], Self.offsetError)
            try assertReply(["GETBIT", "k", offset], Self.offsetError)
        }
        for bit in ["2", "-1", "x", "01"] {
            try assertReply(["SETBIT", "k", "0", bit], .error("ERR bit is not an integer or out of range"))
        }
        // The offset error comes first.
        try assertReply(["SETBIT", "k", "x", "x"], Self.offsetError)
        try assertReply(["SETBIT", "k", "1"], .error("ERR wrong number of arguments for 'setbit' command"))
        try assertReply(["GET", "k"], .bulk([0, 0, 0]))
    }

    /// The offset limit is proto-max-bulk-len bytes: the last addressable bit is accepted.
    func testOffsetLimitFollowsProtoMaxBulkLen() throws {
        try assertReply(["CONFIG", "SET", "proto-max-bulk-len", "1mb"], .simple("OK"))
        defer { _ = try? client.call("CONFIG", "SET", "proto-max-bulk-len", "512mb") }
        let limit = 1024 * 1024 * 8
        try assertReply(["SETBIT", "k", String(limit), "1"], Self.offsetError)
        try assertReply(["GETBIT", "k", String(limit)], Self.offsetError)
        try assertReply(["BITFIELD", "k", "GET", "u8", "#\(1024 * 1024)"], Self.offsetError)
        try assertReply(["SETBIT", "k", String(limit - 1), "1"], .integer(0))
        try assertReply(["STRLEN", "k"], .integer(1024 * 1024))
        try assertReply(["BITCOUNT", "k"], .integer(1))
        try assertReply(["BITPOS", "k", "1"], .integer(Int64(limit - 1)))
        // A field may end past the limit (Redis checks only where it starts).
        try assertReply(["BITFIELD", "k", "SET", "u16", String(limit - 1), "65535"], .array([.integer(32768)]))
        try assertReply(["STRLEN", "k"], .integer(1024 * 1024 + 2))
    }

    func testBitcount() throws {
        try assertReply(["SET", "s", "foobar"], .simple("OK"))
        try assertReply(["BITCOUNT", "s"], .integer(26))
        try assertReply(["BITCOUNT", "s", "0", "0"], .integer(4))
        try assertReply(["BITCOUNT", "s", "1", "1"], .integer(6))
        try assertReply(["BITCOUNT", "s", "1", "1", "BYTE"], .integer(6))
        try assertReply(["BITCOUNT", "s", "5", "30", "BIT"], .integer(17))
        try assertReply(["BITCOUNT", "s", "-2", "-1"], .integer(7))
        try assertReply(["BITCOUNT", "s", "-1", "-2"], .integer(0))
        try assertReply(["BITCOUNT", "s", "-1", "-2", "nonsense"], .integer(0))
        try assertReply(["BITCOUNT", "s", "2", "1"], .integer(0))
        try assertReply(["BITCOUNT", "s", "-100", "100"], .integer(26))
        // An absent key counts 0 before its arguments are looked at.
        try assertReply(["BITCOUNT", "nokey", "a", "b"], .integer(0))
        try assertReply(["BITCOUNT", "nokey", "1"], .integer(0))
        try assertReply(["BITCOUNT", "s", "1"], Self.syntax)
        try assertReply(["BITCOUNT", "s", "0", "1", "2", "3"], Self.syntax)
        try assertReply(["BITCOUNT", "s", "0", "1", "bits"], Self.syntax)
        try assertReply(["BITCOUNT", "s", "a", "1"], Self.notInteger)
        try assertReply(["BITCOUNT", "s", "0", "1.0"], Self.notInteger)
        try assertReply(["SET", "e", ""], .simple("OK"))
        try assertReply(["BITCOUNT", "e", "0", "-1", "BIT"], .integer(0))
    }

    func testBitpos() throws {
        try set("s", Array([0xFF, 0xF0, 0x00]))
        try assertReply(["BITPOS", "s", "0"], .integer(12))
        try assertReply(["BITPOS", "s", "1", "1"], .integer(8))
        try assertReply(["BITPOS", "s", "1", "2"], .integer(-1))
        try assertReply(["BITPOS", "s", "0", "0", "11", "BIT"], .integer(-1))
        try assertReply(["BITPOS", "s", "0", "0", "12", "BIT"], .integer(12))
        try assertReply(["BITPOS", "s", "1", "7", "-1", "bit"], .integer(7))
        try set("ones", Array([0xFF, 0xFF]))
        // A clear bit past the end: the first bit after the value without an explicit end,
        // -1 with one.
        try assertReply(["BITPOS", "ones", "0"], .integer(16))
        try assertReply(["BITPOS", "ones", "0", "1"], .integer(16))
        try assertReply(["BITPOS", "ones", "0", "3", "BIT"], Self.notInteger)  // the fifth argument is end
        try assertReply(["BITPOS", "ones", "0", "0", "-1"], .integer(-1))
        try assertReply(["BITPOS", "ones", "0", "0", "-1", "BIT"], .integer(-1))
        // An absent key is all zeros; an empty value or an empty range has neither bit.
        try assertReply(["BITPOS", "nokey", "0"], .integer(0))
        try assertReply(["BITPOS", "nokey", "1"], .integer(-1))
        try assertReply(["BITPOS", "nokey", "0", "x", "y", "z"], .integer(0))
        try assertReply(["SET", "e", ""], .simple("OK"))
        try assertReply(["BITPOS", "e", "0"], .integer(-1))
        try assertReply(["BITPOS", "e", "1"], .integer(-1))
        try assertReply(["BITPOS", "s", "0", "2", "1"], .integer(-1))
        try assertReply(["BITPOS", "s", "2"], .error("ERR The bit argument must be 1 or 0."))
        try assertReply(["BITPOS", "nokey", "2"], .error("ERR The bit argument must be 1 or 0."))
        try assertReply(["BITPOS", "s", "x"], Self.notInteger)
        try assertReply(["BITPOS", "s", "1", "x"], Self.notInteger)
        try assertReply(["BITPOS", "s", "1", "0", "x"], Self.notInteger)
        try assertReply(["BITPOS", "s", "1", "0", "x", "bits"], Self.syntax)  // the unit is checked before end
        try assertReply(["BITPOS", "s", "1", "0", "1", "BIT", "extra"], Self.syntax)
    }

    /// Counting and searching over values longer than a word, with the range's ends inside
    /// words and bytes, against a per-bit count done here.
    func testLargeValuesCountAndSearchWordAtATime() throws {
        var random = SeededRandom(seed: testSeed("BitCommandTests.testLargeValuesCountAndSearchWordAtATime"))
        var value = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &random) }
        for index in 1000..<3000 { value[index] = 0xFF }
        try set("big", value)
        func bit(_ position: Int) -> Int { Int(value[position >> 3] >> (7 - UInt8(position & 7))) & 1 }
        for _ in 0..<40 {
            let first = Int.random(in: 0..<value.count * 8, using: &random)
            let last = Int.random(in: first..<value.count * 8, using: &random)
            let ones = (first...last).reduce(0) { $0 + bit($1) }
            try assertReply(["BITCOUNT", "big", String(first), String(last), "BIT"], .integer(Int64(ones)))
            let zero = (first...last).first { bit($0) == 0 }.map(Int64.init) ?? -1
            try assertReply(["BITPOS", "big", "0", String(first), String(last), "BIT"], .integer(zero))
            let one = (first...last).first { bit($0) == 1 }.map(Int64.init) ?? -1
            try assertReply(["BITPOS", "big", "1", String(first), String(last), "BIT"], .integer(one))
        }
        try assertReply(["BITPOS", "big", "0", "1000", "2999"], .integer(-1))
        let firstClear = (8000..<value.count * 8).first { bit($0) == 0 }.map(Int64.init) ?? Int64(value.count * 8)
        try assertReply(["BITPOS", "big", "0", "1000"], .integer(firstClear))
        try assertReply(["BITCOUNT", "big", "1000", "2999"], .integer(2000 * 8))
    }

    func testBitop() throws {
        try set("a", Array([0xF0, 0x0F, 0xAA]))
        try set("b", Array([0xFF, 0x00]))
        try assertReply(["BITOP", "AND", "d", "a", "b"], .integer(3))
        try assertReply(["GET", "d"], .bulk([0xF0, 0x00, 0x00]))
        try assertReply(["BITOP", "or", "d", "a", "b", "missing"], .integer(3))
        try assertReply(["GET", "d"], .bulk([0xFF, 0x0F, 0xAA]))
        try assertReply(["BITOP", "XOR", "d", "b", "a"], .integer(3))
        try assertReply(["GET", "d"], .bulk([0x0F, 0x0F, 0xAA]))
        try assertReply(["BITOP", "NOT", "d", "a"], .integer(3))
        try assertReply(["GET", "d"], .bulk([0x0F, 0xF0, 0x55]))
        // The destination may be a source.
        try assertReply(["BITOP", "AND", "a", "a", "a"], .integer(3))
        try assertReply(["GET", "a"], .bulk([0xF0, 0x0F, 0xAA]))
        // Word-at-a-time folding past the shorter source.
        try set("long", Array(repeating: 0x5A, count: 37))
        try assertReply(["BITOP", "AND", "d", "long", "a"], .integer(37))
        try assertReply(["GET", "d"], .bulk([0x50, 0x0A, 0x0A] + Array(repeating: 0, count: 34)))
        try assertReply(["BITOP", "XOR", "d", "a", "long"], .integer(37))
        try assertReply(["GET", "d"], .bulk([0xAA, 0x55, 0xF0] + Array(repeating: 0x5A, count: 34)))
        try assertReply(["BITOP", "NOT", "d", "long"], .integer(37))
        try assertReply(["GET", "d"], .bulk(Array(repeating: 0xA5, count: 37)))
        // An empty result deletes the destination.
        try assertReply(["BITOP", "OR", "d", "missing", "other"], .integer(0))
        try assertReply(["EXISTS", "d"], .integer(0))
        try assertReply(["SET", "e", ""], .simple("OK"))
        try assertReply(["BITOP", "NOT", "a", "e"], .integer(0))
        try assertReply(["EXISTS", "a"], .integer(0))
        try assertReply(["BITOP", "NOT", "d", "b", "b"], .error("ERR BITOP NOT must be called with a single source key."))
        try assertReply(["BITOP", "NAND", "d", "b"], Self.syntax)
        try assertReply(["BITOP", "AND", "d"], .error("ERR wrong number of arguments for 'bitop' command"))
    }

    func testBitfieldTypesOffsetsAndOverflow() throws {
        try assertReply(["SET", "s", "foobar"], .simple("OK"))
        try assertReply(["BITFIELD", "s", "GET", "u8", "0", "GET", "i8", "#1", "GET", "i64", "0", "GET", "u63", "1", "GET", "i4", "4"],
                        .array([.integer(102), .integer(111), .integer(7_381_240_782_615_871_488), .integer(7_381_240_782_615_871_488), .integer(6)]))
        try assertReply(["BITFIELD", "s", "GET", "u8", "100"], .array([.integer(0)]))
        // SET returns the old value, INCRBY the new one; the default is WRAP.
        try assertReply(["BITFIELD", "n", "SET", "u8", "0", "255", "INCRBY", "u8", "0", "10", "GET", "u8", "0"],
                        .array([.integer(0), .integer(9), .integer(9)]))
        try assertReply(["BITFIELD", "n", "SET", "i8", "8", "127", "INCRBY", "i8", "8", "1"], .array([.integer(0), .integer(-128)]))
        try assertReply(["BITFIELD", "n", "OVERFLOW", "SAT", "INCRBY", "i8", "8", "-100", "INCRBY", "u8", "0", "-100",
                         "SET", "u8", "0", "-1", "INCRBY", "i64", "16", "-9223372036854775808", "INCRBY", "i64", "16", "-1"],
                        .array([.integer(-128), .integer(0), .integer(0), .integer(Int64.min), .integer(Int64.min)]))
        // Redis's headroom arithmetic wraps: a signed SET far below the minimum saturates to
        // the maximum.
        try assertReply(["BITFIELD", "q", "OVERFLOW", "SAT", "SET", "i53", "0", "-9223372036854775808", "GET", "i53", "0",
                         "OVERFLOW", "WRAP", "SET", "i53", "0", "-9223372036854775808", "GET", "i53", "0"],
                        .array([.integer(0), .integer(4_503_599_627_370_495), .integer(4_503_599_627_370_495), .integer(0)]))
        // FAIL refuses the write and replies null; the key still grows to the field.
        try assertReply(["BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u8", "16", "256", "INCRBY", "i4", "0", "8", "INCRBY", "i4", "0", "7"],
                        .array([.null, .null, .integer(7)]))
        try assertReply(["GET", "f"], .bulk([0x70, 0, 0]))
        // `#n` counts fields of the type's width; the product wraps as Redis's does.
        try assertReply(["BITFIELD", "s", "GET", "i8", "#2305843009213693952"], .array([.integer(102)]))
        try assertReply(["BITFIELD", "s", "GET", "i8", "#1152921504606846976"], Self.offsetError)
        try assertReply(["BITFIELD", "s"], .array([]))
        try assertReply(["BITFIELD", "nokey", "GET", "i8", "0"], .array([.integer(0)]))
        try assertReply(["EXISTS", "nokey"], .integer(0))
        for type in ["u64", "i65", "i0", "I8", "U8", "x", "i", "i+8", "i08"] {
            try assertReply(["BITFIELD", "s", "GET", type, "0"], Self.typeError)
        }
        for offset in ["-1", "#-1", "#", "x", "+1"] {
            try assertReply(["BITFIELD", "s", "GET", "u8", offset], Self.offsetError)
        }
        try assertReply(["BITFIELD", "s", "SET", "u8", "0", "x"], Self.notInteger)
        try assertReply(["BITFIELD", "s", "OVERFLOW", "saturate"], .error("ERR Invalid OVERFLOW type specified"))
        try assertReply(["BITFIELD", "s", "GET", "u8"], Self.syntax)
        try assertReply(["BITFIELD", "s", "FOO", "u8", "0"], Self.syntax)
        // A bad operation anywhere refuses the whole command: nothing was written.
        try assertReply(["BITFIELD", "s", "SET", "u8", "0", "0", "GET", "u64", "0"], Self.typeError)
        try assertReply(["GET", "s"], .bulk("foobar"))
    }

    func testBitfieldRO() throws {
        try assertReply(["SET", "s", "foobar"], .simple("OK"))
        try assertReply(["BITFIELD_RO", "s", "GET", "u8", "0", "GET", "u4", "#3"], .array([.integer(102), .integer(15)]))
        try assertReply(["BITFIELD_RO", "s"], .array([]))
        try assertReply(["BITFIELD_RO", "s", "SET", "u8", "0", "1"], .error("ERR BITFIELD_RO only supports the GET subcommand"))
        try assertReply(["BITFIELD_RO", "s", "INCRBY", "u8", "0", "1", "GET", "u8", "0"],
                        .error("ERR BITFIELD_RO only supports the GET subcommand"))
        // Parse errors come before the read-only refusal.
        try assertReply(["BITFIELD_RO", "s", "SET", "u64", "0", "1"], Self.typeError)
        try assertReply(["GET", "s"], .bulk("foobar"))
    }

    /// BITFIELD's INCRBYs from several connections at once are each one atomic
    /// read-modify-write: none is lost.
    func testConcurrentBitfieldIncrementsAreAtomic() throws {
        let server = try self.server
        let clients = 4
        let increments = 200
        let failures = SharedState()
        DispatchQueue.concurrentPerform(iterations: clients) { index in
            guard let client = try? server.client() else { return failures.fail() }
            for _ in 0..<increments {
                let reply = try? client.call("BITFIELD", "counter", "INCRBY", "u32", "#\(index % 2)", "1", "INCRBY", "u16", "64", "1")
                if reply?.elements?.count != 2 { failures.fail() }
            }
        }
        XCTAssertEqual(failures.failureCount, 0)
        try assertReply(["BITFIELD", "counter", "GET", "u32", "0", "GET", "u32", "32", "GET", "u16", "64"],
                        .array([.integer(Int64(increments * clients / 2)), .integer(Int64(increments * clients / 2)),
                                .integer(Int64(increments * clients))]))
    }
}
