import XCTest

/// `requirepass`: commands before AUTH get NOAUTH; AUTH and HELLO AUTH authenticate.
final class AuthenticationTests: ServerTestCase {
    override class var serverArguments: [String] { ["--requirepass", "s3cret"] }
    override class var flushBetweenTests: Bool { false }

    func testCommandsNeedAuthentication() throws {
        try assertReply(["GET", "k"], .error("NOAUTH Authentication required."))
        try assertReply(["PING"], .error("NOAUTH Authentication required."))
        try assertReply(["CLIENT", "ID"], .error("NOAUTH Authentication required."))
        // Unknown commands and arity errors come first, as in Redis.
        try assertReply(["NOSUCH"], .error("ERR unknown command 'NOSUCH', with args beginning with: "))
        try assertReply(["GET"], .error("ERR wrong number of arguments for 'get' command"))
        try assertReply(["HELLO", "3"], .error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"))
        try assertReply(["AUTH", "wrong"], .error("WRONGPASS invalid username-password pair or user is disabled."))
        try assertReply(["AUTH", "bob", "s3cret"], .error("WRONGPASS invalid username-password pair or user is disabled."))
        try assertReply(["AUTH", "a", "b", "c"], .error("ERR syntax error"))
        try assertReply(["AUTH", "s3cret"], .simple("OK"))
        try assertReply(["SET", "k", "v"], .simple("OK"))
        try assertReply(["AUTH", "default", "s3cret"], .simple("OK"))
    }

    func testHelloWithAuth() throws {
        try assertReply(["HELLO", "3", "AUTH", "default", "nope"], .error("WRONGPASS invalid username-password pair or user is disabled."))
        guard case .map = try client.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "authed") else { return XCTFail("HELLO AUTH") }
        try assertReply(["CLIENT", "GETNAME"], .bulk("authed"))
        try assertReply(["PING"], .simple("PONG"))
    }

    /// Clearing requirepass at run time lets every client in, even one that never
    /// authenticated; setting it again locks out only connections made afterwards (the
    /// others stay authenticated as the default user), as in Redis.
    func testChangingRequirepassAtRunTime() throws {
        let early = try server.client()
        try assertReply(["PING"], .error("NOAUTH Authentication required."), on: early)
        try assertReply(["AUTH", "s3cret"], .simple("OK"))
        try assertReply(["CONFIG", "SET", "requirepass", ""], .simple("OK"))
        try assertReply(["PING"], .simple("PONG"), on: early)
        let during = try server.client()
        try assertReply(["CONFIG", "SET", "requirepass", "s3cret"], .simple("OK"))
        try assertReply(["PING"], .simple("PONG"), on: during)
        try assertReply(["PING"], .error("NOAUTH Authentication required."), on: early)
        try assertReply(["PING"], .error("NOAUTH Authentication required."), on: try server.client())
        try assertReply(["PING"], .simple("PONG"))
    }

    func testQuitNeedsNoAuthentication() throws {
        try client.send(RESPClient.encode(["QUIT"]))
        XCTAssertEqual(String(decoding: try client.readUntilClosed(), as: UTF8.self), "+OK\r\n")
    }
}
