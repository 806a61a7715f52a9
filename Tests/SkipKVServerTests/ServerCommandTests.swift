import XCTest

/// COMMAND, CONFIG, INFO.
final class ServerCommandTests: ServerTestCase {
    func testCommandIntrospection() throws {
        let count = try client.call("COMMAND", "COUNT")
        guard case .integer(let total) = count else { return XCTFail("COMMAND COUNT: \(count)") }
        XCTAssertEqual(try client.call("COMMAND").elements?.count, Int(total))
        let info = try client.call("COMMAND", "INFO", "get", "range", "nosuch")
        let entries = info.elements!
        XCTAssertEqual(entries.count, 3)
        XCTAssertEqual(entries[0].elements?[0], .bulk("get"))
        XCTAssertEqual(entries[0].elements?[1], .integer(2))
        XCTAssertEqual(entries[0].elements?[2], .array([.simple("readonly"), .simple("fast")]))
        XCTAssertEqual(entries[0].elements?[3], .integer(1))
        XCTAssertEqual(entries[1].elements?[1], .integer(-3))
        XCTAssertEqual(entries[2], .null)
        let docs = try client.call("COMMAND", "DOCS", "set")
        guard let pairs = docs.elements, pairs.count == 2, let fields = pairs[1].elements else { return XCTFail("COMMAND DOCS: \(docs)") }
        XCTAssertEqual(pairs[0], .bulk("set"))
        let names = stride(from: 0, to: fields.count, by: 2).compactMap { fields[$0].text }
        XCTAssertEqual(names, ["summary", "since", "group", "complexity", "arguments"])
        XCTAssertTrue(try client.call("COMMAND", "LIST").elements!.contains(.bulk("rangecount")))
        try assertReply(["COMMAND", "FOO"], .error("ERR unknown subcommand 'FOO'. Try COMMAND HELP."))
    }

    func testConfigGetAndSet() throws {
        try assertReply(["CONFIG", "GET", "maxclients"], .bulks(["maxclients", "10000"]))
        try assertReply(["CONFIG", "GET", "proto-max-bulk-len"], .bulks(["proto-max-bulk-len", "536870912"]))
        try assertReply(["CONFIG", "GET", "save"], .bulks(["save", ""]))
        try assertReply(["CONFIG", "GET", "appendonly"], .bulks(["appendonly", "no"]))
        try assertReply(["CONFIG", "GET", "nosuch"], .array([]))
        let all = try client.call("CONFIG", "GET", "*").elements!
        for directive in ["bind", "port", "io-threads", "shards", "node-bytes", "timeout", "tcp-keepalive", "requirepass", "loglevel", "client-output-buffer-limit"] {
            XCTAssertTrue(all.contains(.bulk(directive)), directive)
        }
        try assertReply(["CONFIG", "GET", "MAXC*", "tim?out"], .bulks(["maxclients", "10000", "timeout", "0"]))
        try assertReply(["CONFIG", "SET", "timeout", "300", "max-inline-len", "128kb"], .simple("OK"))
        try assertReply(["CONFIG", "GET", "max-inline-len"], .bulks(["max-inline-len", "131072"]))
        try assertReply(["CONFIG", "SET", "timeout", "0"], .simple("OK"))
        try assertReply(["CONFIG", "SET", "max-inline-len", "64kb"], .simple("OK"))
        try assertReply(["CONFIG", "SET", "maxclients", "x"], .error("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"))
        try assertReply(["CONFIG", "SET", "loglevel", "loud"], .error("ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"))
        try assertReply(["CONFIG", "SET", "port", "1"], .error("ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config"))
        try assertReply(["CONFIG", "SET", "nosuch", "1"], .error("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"))
        try assertReply(["CONFIG", "SET", "timeout"], .error("ERR wrong number of arguments for 'config|set' command"))
        try assertReply(["CONFIG", "SET", "timeout", "1", "maxclients"], .error("ERR syntax error"))
        try assertReply(["CONFIG", "SET", "timeout", "1", "timeout", "2"], .error("ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter"))
        try assertReply(["CONFIG", "GET"], .error("ERR wrong number of arguments for 'config|get' command"))
        try assertReply(["CONFIG", "FOO"], .error("ERR unknown subcommand 'FOO'. Try CONFIG HELP."))
        // A failed multi-pair SET changes nothing.
        try assertReply(["CONFIG", "SET", "timeout", "5", "maxclients", "x"], .error("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"))
        try assertReply(["CONFIG", "GET", "timeout"], .bulks(["timeout", "0"]))
    }

    func testInfoSections() throws {
        try assertReply(["MSET", "a", "1", "b", "2"], .simple("OK"))
        _ = try client.call("GET", "a")
        let text = try client.call("INFO").text!
        for field in ["# Server", "redis_version:", "skipkv_version:", "tcp_port:\(try server.port)", "# Clients", "connected_clients:",
                      "# Memory", "used_memory:", "# Stats", "instantaneous_ops_per_sec:", "total_commands_processed:",
                      "# Keyspace", "db0:keys=2,expires=0,avg_ttl=0"] {
            XCTAssertTrue(text.contains(field), "INFO lacks \(field)")
        }
        XCTAssertFalse(text.contains("# Commandstats"))
        let stats = try client.call("INFO", "commandstats").text!
        XCTAssertTrue(stats.hasPrefix("# Commandstats\r\n"))
        XCTAssertTrue(stats.contains("cmdstat_mset:calls=1,usec="), stats)
        XCTAssertTrue(stats.contains("cmdstat_get:calls=1,"), stats)
        let everything = try client.call("INFO", "everything").text!
        XCTAssertTrue(everything.contains("# Commandstats") && everything.contains("# Server"))
        try assertReply(["INFO", "nosuch"], .bulk(""))
        try assertReply(["CONFIG", "RESETSTAT"], .simple("OK"))
    }

    /// instantaneous_ops_per_sec reflects load within a couple of seconds.
    func testInstantaneousOpsPerSecond() throws {
        let pipeline = (0..<2000).flatMap { _ in RESPClient.encode(["PING"]) }
        let deadline = Date().addingTimeInterval(1.5)
        while Date() < deadline {
            try client.send(pipeline)
            for _ in 0..<2000 { _ = try client.read() }
        }
        let text = try client.call("INFO", "stats").text!
        let line = text.split(separator: "\r\n").first { $0.hasPrefix("instantaneous_ops_per_sec:") }!
        XCTAssertGreaterThan(Int(line.split(separator: ":")[1])!, 0)
    }
}
