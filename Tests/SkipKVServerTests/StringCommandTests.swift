import XCTest

/// The string commands, with Redis 7's exact replies and error texts.
final class StringCommandTests: ServerTestCase {
    func testGetSetAndConditions() throws {
        try assertReply(["GET", "k"], .null)
        try assertReply(["SET", "k", "v1"], .simple("OK"))
        try assertReply(["GET", "k"], .bulk("v1"))
        try assertReply(["SET", "k", "v2", "NX"], .null)
        try assertReply(["SET", "k", "v2", "XX"], .simple("OK"))
        try assertReply(["SET", "absent", "v", "XX"], .null)
        try assertReply(["GET", "absent"], .null)
        try assertReply(["set", "k", "v3", "get"], .bulk("v2"))
        try assertReply(["SET", "k", "v4", "NX", "GET"], .bulk("v3"))
        try assertReply(["GET", "k"], .bulk("v3"))
        try assertReply(["SET", "new", "v", "XX", "GET"], .null)
        try assertReply(["EXISTS", "new"], .integer(0))
        try assertReply(["SET", "k", "v", "NX", "XX"], .error("ERR syntax error"))
        try assertReply(["SET", "k", "v", "FOO"], .error("ERR syntax error"))
        try assertReply(["SET", "k", "v", "EX"], .error("ERR syntax error"))
        try assertReply(["SET", "k", "v", "EX", "abc"], .error("ERR value is not an integer or out of range"))
        try assertReply(["SET", "k", "v", "EX", "0"], .error("ERR invalid expire time in 'set' command"))
        try assertReply(["SET", "k", "v", "EX", "10", "PX", "10"], .error("ERR syntax error"))
        try assertReply(["GET", "k"], .bulk("v3"))
        try assertReply(["SET", "k", "v4", "KEEPTTL"], .simple("OK"))
        try assertReply(["TTL", "k"], .integer(-1))
        try assertReply(["SET", "k", "v5", "EX", "100"], .simple("OK"))
        try assertReply(["TTL", "k"], .integer(100))
        try assertReply(["SET", "k", "v6", "KEEPTTL", "GET"], .bulk("v5"))
        try assertReply(["TTL", "k"], .integer(100))
        try assertReply(["SET", "k", "v3"], .simple("OK"))
        try assertReply(["TTL", "k"], .integer(-1))
        try assertReply(["GET"], .error("ERR wrong number of arguments for 'get' command"))
        try assertReply(["SET", "k"], .error("ERR wrong number of arguments for 'set' command"))
        try assertReply(["GET", "a", "b"], .error("ERR wrong number of arguments for 'get' command"))
    }

    func testSetnxGetsetGetdel() throws {
        try assertReply(["SETNX", "k", "1"], .integer(1))
        try assertReply(["SETNX", "k", "2"], .integer(0))
        try assertReply(["GETSET", "k", "3"], .bulk("1"))
        try assertReply(["GETSET", "fresh", "x"], .null)
        try assertReply(["GETDEL", "k"], .bulk("3"))
        try assertReply(["GETDEL", "k"], .null)
        try assertReply(["EXISTS", "k", "fresh", "fresh", "nope"], .integer(2))
    }

    func testMgetMsetDelUnlink() throws {
        try assertReply(["MSET", "a", "1", "b", "2", "c", "3"], .simple("OK"))
        try assertReply(["MGET", "a", "x", "c"], .array([.bulk("1"), .null, .bulk("3")]))
        try assertReply(["MSET", "a"], .error("ERR wrong number of arguments for 'mset' command"))
        try assertReply(["MSET", "a", "1", "b"], .error("ERR wrong number of arguments for 'mset' command"))
        try assertReply(["DEL", "a", "x"], .integer(1))
        try assertReply(["UNLINK", "b", "c", "b"], .integer(2))
        try assertReply(["DBSIZE"], .integer(0))
    }

    func testCounters() throws {
        try assertReply(["INCR", "n"], .integer(1))
        try assertReply(["INCRBY", "n", "41"], .integer(42))
        try assertReply(["DECR", "n"], .integer(41))
        try assertReply(["DECRBY", "n", "-9"], .integer(50))
        try assertReply(["GET", "n"], .bulk("50"))
        try assertReply(["SET", "max", "9223372036854775807"], .simple("OK"))
        try assertReply(["INCR", "max"], .error("ERR increment or decrement would overflow"))
        try assertReply(["SET", "min", "-9223372036854775808"], .simple("OK"))
        try assertReply(["DECR", "min"], .error("ERR increment or decrement would overflow"))
        try assertReply(["DECRBY", "n", "-9223372036854775808"], .error("ERR decrement would overflow"))
        try assertReply(["INCRBY", "n", "abc"], .error("ERR value is not an integer or out of range"))
        try assertReply(["INCRBY", "n", "9223372036854775808"], .error("ERR value is not an integer or out of range"))
        try assertReply(["SET", "s", "abc"], .simple("OK"))
        try assertReply(["INCR", "s"], .error("ERR value is not an integer or out of range"))
        for text in [" 1", "1 ", "01", "+1", "-0", "1.5", ""] {
            try assertReply(["SET", "s", text], .simple("OK"))
            try assertReply(["INCR", "s"], .error("ERR value is not an integer or out of range"), file: #filePath, line: #line)
        }
        try assertReply(["GET", "max"], .bulk("9223372036854775807"))
    }

    func testAppendStrlenType() throws {
        try assertReply(["APPEND", "k", "ab"], .integer(2))
        try assertReply(["APPEND", "k", "cde"], .integer(5))
        try assertReply(["GET", "k"], .bulk("abcde"))
        try assertReply(["STRLEN", "k"], .integer(5))
        try assertReply(["STRLEN", "none"], .integer(0))
        try assertReply(["TYPE", "k"], .simple("string"))
        try assertReply(["TYPE", "none"], .simple("none"))
    }

    /// Keys and values are binary-safe: NUL, CR, LF and every byte value round-trip.
    func testBinarySafeKeysAndValues() throws {
        let key: [UInt8] = [0, 13, 10, 0xFF, 0x24, 0x2A, 0]
        let value = (0...255).map { UInt8($0) } + [13, 10, 13, 10, 0]
        XCTAssertEqual(try client.callBytes([Array("SET".utf8), key, value]), .simple("OK"))
        XCTAssertEqual(try client.callBytes([Array("GET".utf8), key]), .bulk(value))
        XCTAssertEqual(try client.callBytes([Array("GET".utf8), Array(key.dropLast())]), .null)
        XCTAssertEqual(try client.callBytes([Array("SET".utf8), [], []]), .simple("OK"))
        XCTAssertEqual(try client.callBytes([Array("GET".utf8), []]), .bulk([]))
        XCTAssertEqual(try client.callBytes([Array("KEYS".utf8), Array("*".utf8)]), .array([.bulk([]), .bulk(key)]))
    }

    /// A 64 MiB value goes in and comes back whole, and the connection keeps working.
    func testSixtyFourMebibyteValue() throws {
        var value = [UInt8](repeating: 0, count: 64 * 1024 * 1024)
        for i in stride(from: 0, to: value.count, by: 4096) { value[i] = UInt8(truncatingIfNeeded: i / 4096) }
        XCTAssertEqual(try client.callBytes([Array("SET".utf8), Array("big".utf8), value]), .simple("OK"))
        try assertReply(["STRLEN", "big"], .integer(Int64(value.count)))
        XCTAssertEqual(try client.call("GET", "big"), .bulk(value))
        try assertReply(["RANGE", "[big", "[big"], .array([.bulk("big"), .bulk(value)]))
        try assertReply(["DEL", "big"], .integer(1))
        try assertServerHealthy()
    }
}
