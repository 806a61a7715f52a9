import XCTest

/// PING, ECHO, QUIT, SELECT, HELLO (RESP2/RESP3 switching), CLIENT, and replies that change
/// shape under RESP3.
final class ConnectionCommandTests: ServerTestCase {
    func testPingEchoSelectTime() throws {
        try assertReply(["PING"], .simple("PONG"))
        try assertReply(["ping", "hi"], .bulk("hi"))
        try assertReply(["PING", "a", "b"], .error("ERR wrong number of arguments for 'ping' command"))
        try assertReply(["ECHO", "x\r\ny"], .bulk("x\r\ny"))
        try assertReply(["ECHO"], .error("ERR wrong number of arguments for 'echo' command"))
        try assertReply(["SELECT", "0"], .simple("OK"))
        try assertReply(["SELECT", "1"], .error("ERR DB index is out of range"))
        try assertReply(["SELECT", "x"], .error("ERR value is not an integer or out of range"))
        let time = try client.call("TIME")
        let parts = time.elements!.compactMap(\.text).compactMap(Int.init)
        XCTAssertEqual(parts.count, 2)
        XCTAssertLessThan(abs(parts[0] - Int(Date().timeIntervalSince1970)), 5)
        XCTAssertLessThan(parts[1], 1_000_000)
        try assertReply(["TIME", "x"], .error("ERR wrong number of arguments for 'time' command"))
    }

    func testUnknownCommandsKeepTheConnectionUsable() throws {
        try assertReply(["FOO", "a", "b"], .error("ERR unknown command 'FOO', with args beginning with: 'a' 'b' "))
        try assertReply(["foo"], .error("ERR unknown command 'foo', with args beginning with: "))
        try assertReply(["ZADD", "z", "1", "m"], .error("ERR unknown command 'ZADD', with args beginning with: 'z' '1' 'm' "))
        try assertReply(["a-very-long-command-name-indeed"], .error("ERR unknown command 'a-very-long-command-name-indeed', with args beginning with: "))
        let long = String(repeating: "x", count: 200)
        try assertReply(["FOO", long], .error("ERR unknown command 'FOO', with args beginning with: '\(String(repeating: "x", count: 128))' "))
        try assertReply(["PING"], .simple("PONG"))
    }

    func testQuitRepliesThenCloses() throws {
        try client.send(RESPClient.encode(["SET", "q", "1"]) + RESPClient.encode(["QUIT"]) + RESPClient.encode(["SET", "q", "2"]))
        let rest = try client.readUntilClosed()
        XCTAssertEqual(String(decoding: rest, as: UTF8.self), "+OK\r\n+OK\r\n")
        let other = try server.client()
        XCTAssertEqual(try other.call("GET", "q"), .bulk("1"))
    }

    func testHelloSwitchesProtocol() throws {
        let hello = try client.call("HELLO", "3")
        guard case .map(let pairs) = hello else { return XCTFail("HELLO 3 must reply with a RESP3 map, got \(hello)") }
        let fields = Dictionary(uniqueKeysWithValues: pairs.map { ($0.0.text!, $0.1) })
        XCTAssertEqual(fields["proto"], .integer(3))
        XCTAssertEqual(fields["server"], .bulk("redis"))
        XCTAssertEqual(fields["mode"], .bulk("standalone"))
        XCTAssertEqual(fields["modules"], .array([]))
        XCTAssertNotNil(fields["version"]?.text)
        try assertReply(["GET", "missing"], .null)
        try assertReply(["CONFIG", "GET", "port"], .map([(.bulk("port"), .bulk(String(try server.port)))]))
        try assertReply(["RANGE", "-", "+"], .array([]))
        XCTAssertEqual(try client.call("INFO", "keyspace"), .verbatim("txt", Array("# Keyspace\r\n".utf8)))
        let hello2 = try client.call("HELLO", "2", "SETNAME", "conn-a")
        XCTAssertEqual(hello2.elements?.count, 14)
        try assertReply(["CLIENT", "GETNAME"], .bulk("conn-a"))
        try assertReply(["HELLO", "4"], .error("NOPROTO unsupported protocol version"))
        try assertReply(["HELLO", "x"], .error("ERR Protocol version is not an integer or out of range"))
        try assertReply(["HELLO", "3", "FOO"], .error("ERR Syntax error in HELLO option 'FOO'"))
        try assertReply(["HELLO", "3", "AUTH", "default"], .error("ERR Syntax error in HELLO option 'AUTH'"))
        try assertReply(["HELLO", "3", "SETNAME", "a b"], .error("ERR Client names cannot contain spaces, newlines or special characters."))
        try assertReply(["AUTH", "pw"], .error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"))
        try assertReply(["AUTH", "bob", "pw"], .error("WRONGPASS invalid username-password pair or user is disabled."))
        try assertReply(["AUTH", "default", "anything"], .simple("OK"))
        try assertReply(["GET", "missing"], .null)
    }

    func testClientSubcommands() throws {
        let id = try client.call("CLIENT", "ID")
        guard case .integer(let number) = id else { return XCTFail("CLIENT ID: \(id)") }
        try assertReply(["CLIENT", "GETNAME"], .null)
        try assertReply(["CLIENT", "SETNAME", "worker-1"], .simple("OK"))
        try assertReply(["CLIENT", "GETNAME"], .bulk("worker-1"))
        try assertReply(["CLIENT", "SETNAME", "bad name"], .error("ERR Client names cannot contain spaces, newlines or special characters."))
        try assertReply(["CLIENT", "SETINFO", "LIB-NAME", "tests"], .simple("OK"))
        try assertReply(["CLIENT", "SETINFO", "lib-ver", "1.0"], .simple("OK"))
        try assertReply(["CLIENT", "SETINFO", "FOO", "x"], .error("ERR Unrecognized option 'FOO'"))
        try assertReply(["CLIENT", "SETNAME"], .error("ERR wrong number of arguments for 'client|setname' command"))
        try assertReply(["CLIENT", "ID", "x"], .error("ERR wrong number of arguments for 'client|id' command"))
        try assertReply(["CLIENT"], .error("ERR wrong number of arguments for 'client' command"))
        try assertReply(["CLIENT", "FOO"], .error("ERR unknown subcommand 'FOO'. Try CLIENT HELP."))
        let other = try server.client()
        XCTAssertEqual(try other.call("PING"), .simple("PONG"))
        let list = try client.call("CLIENT", "LIST").text!
        let line = list.split(separator: "\n").first { $0.hasPrefix("id=\(number) ") }
        XCTAssertNotNil(line, list)
        XCTAssertTrue(line!.contains(" name=worker-1 "), String(line!))
        XCTAssertTrue(line!.contains(" lib-name=tests lib-ver=1.0"), String(line!))
        // The command being run, as Redis 7 names it (with its subcommand).
        XCTAssertTrue(line!.contains(" cmd=client|list "), String(line!))
        XCTAssertGreaterThanOrEqual(list.split(separator: "\n").count, 2)
        XCTAssertTrue(try client.call("CLIENT", "INFO").text!.hasPrefix("id=\(number) "))
        XCTAssertNotNil(try client.call("CLIENT", "HELP").elements)
    }
}
