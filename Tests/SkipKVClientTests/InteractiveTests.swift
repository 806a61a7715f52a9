import Foundation
import XCTest

/// Interactive mode driven through a pseudo-terminal, as a person would use it.
final class InteractiveTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("skipkv-cli-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: home)
    }

    private var historyFile: String { home.appendingPathComponent(".skipkv_cli_history").path }

    private func session(_ arguments: [String]) throws -> TerminalSession {
        try TerminalSession(TestBinaries.cli, arguments, environment: ["HOME": home.path, "TERM": "xterm"])
    }

    func testSessionOnEachServer() throws {
        for kind in try TestServer.kinds() {
            let server = try TestServer(kind)
            let prompt = "127.0.0.1:\(server.port)> "
            let cli = try session(server.portArguments)
            try cli.expect(prompt)
            cli.sendLine(#"SET "a b" 'it\'s'"#)
            XCTAssertTrue(try cli.expect(prompt).hasSuffix("OK\r\n"), "\(kind)")
            cli.sendLine(#"GET "a b""#)
            XCTAssertTrue(try cli.expect(prompt).hasSuffix("\"it's\"\r\n"))
            cli.sendLine("3 INCR n")
            XCTAssertTrue(try cli.expect(prompt).hasSuffix("(integer) 1\r\n(integer) 2\r\n(integer) 3\r\n"))
            cli.sendLine("MGET n missing")
            XCTAssertTrue(try cli.expect(prompt).hasSuffix("1) \"3\"\r\n2) (nil)\r\n"))
            cli.sendLine(#"GET "unbalanced"#)
            XCTAssertTrue(try cli.expect(prompt).hasSuffix("Invalid argument(s)\r\n"))
            cli.sendLine("INCR \"a b\"")
            XCTAssertTrue(try cli.expect(prompt).hasSuffix("(error) ERR value is not an integer or out of range\r\n"))
            // Help comes from the server's COMMAND DOCS, highlighted on a terminal.
            cli.sendLine("help get")
            let help = try cli.expect(prompt)
            XCTAssertTrue(help.contains("\u{1B}[1mGET\u{1B}[0m \u{1B}[90mkey\u{1B}[0m\r\n"), help.debugDescription)
            XCTAssertTrue(help.contains("summary:\u{1B}[0m "), help.debugDescription)
            XCTAssertTrue(help.contains("group:\u{1B}[0m string\r\n"), help.debugDescription)
            cli.sendLine("help")
            XCTAssertTrue(try cli.expect(prompt).contains("\"help <command>\" for help on <command>"))
            // Ctrl-C abandons the typed line.
            try cli.waitForLineEditor()
            cli.send("GET abandoned")
            try cli.expect("GET abandoned")
            try interrupt(cli, prompt: prompt)
            cli.sendLine("PING")
            XCTAssertFalse(try cli.expect("PONG\r\n").contains("(nil)"), "the abandoned GET never ran")
            try cli.expect(prompt)
            cli.sendLine("AUTH nobody secret")
            try cli.expect(prompt)
            cli.sendLine("quit")
            XCTAssertEqual(try cli.waitForExit(), 0)

            let history = try String(contentsOfFile: historyFile, encoding: .utf8)
            XCTAssertTrue(history.contains("3\\040INCR\\040n"), history)
            XCTAssertFalse(history.contains("AUTH"), "passwords stay out of the history")
            try FileManager.default.removeItem(atPath: historyFile)
        }
    }

    /// Presses Ctrl-C at the line editor. Pressed again if nothing happens: the signal can
    /// land in the instant between libedit setting up the terminal and starting to read, and
    /// is then lost (a person would press again too).
    private func interrupt(_ cli: TerminalSession, prompt: String) throws {
        try cli.waitForLineEditor()
        for _ in 0..<5 {
            cli.send("\u{03}")
            if (try? cli.expect(prompt, timeout: 1)) != nil { return }
        }
        XCTFail("Ctrl-C never brought a new prompt")
    }

    /// History is saved per line and comes back in the next session (arrow up).
    func testHistoryPersistsAcrossSessions() throws {
        let server = try TestServer(try TestServer.kinds()[0])
        let prompt = "127.0.0.1:\(server.port)> "
        let first = try session(server.portArguments)
        try first.expect(prompt)
        first.sendLine("INCR remembered")
        try first.expect(prompt)
        try first.waitForLineEditor()
        first.send("\u{04}")  // Ctrl-D ends the session like quit
        XCTAssertEqual(try first.waitForExit(), 0)

        let second = try session(server.portArguments)
        try second.expect(prompt)
        try second.waitForLineEditor()
        second.send("\u{1B}[A")
        second.send("\r")
        XCTAssertTrue(try second.expect(prompt).hasSuffix("(integer) 2\r\n"))
        second.sendLine("quit")
        XCTAssertEqual(try second.waitForExit(), 0)
    }

    /// A server restart between commands goes unnoticed; a server that is gone is reported,
    /// and the session picks up again once it is back.
    func testReconnectsAfterLosingTheServer() throws {
        let kind = try TestServer.kinds()[0]
        var server: TestServer? = try TestServer(kind)
        let port = server!.port
        let prompt = "127.0.0.1:\(port)> "
        let cli = try session(["-p", String(port)])
        try cli.expect(prompt)
        cli.sendLine("SET k v")
        XCTAssertTrue(try cli.expect(prompt).hasSuffix("OK\r\n"))

        server?.stop()
        server = try TestServer(kind, port: port)
        cli.sendLine("GET k")
        XCTAssertTrue(try cli.expect(prompt).hasSuffix("(nil)\r\n"), "a fresh server, reached silently")

        server?.stop()
        server = nil
        cli.sendLine("PING")
        XCTAssertTrue(try cli.expect("not connected> ").contains("Could not connect to 127.0.0.1:\(port): Connection refused"))
        server = try TestServer(kind, port: port)
        cli.sendLine("PING")
        XCTAssertTrue(try cli.expect(prompt).hasSuffix("PONG\r\n"))
        cli.sendLine("exit")
        XCTAssertEqual(try cli.waitForExit(), 0)
    }

    func testStartsWithoutServer() throws {
        let port = try TestServer.freePort()
        let cli = try session(["-p", String(port)])
        XCTAssertTrue(try cli.expect("not connected> ").contains("Could not connect to 127.0.0.1:\(port)"))
        cli.sendLine("quit")
        XCTAssertEqual(try cli.waitForExit(), 0)
    }

    /// Without a terminal, lines are read from stdin and run without prompts, and output is
    /// raw unless asked otherwise, as with redis-cli.
    func testPipedScript() throws {
        let server = try TestServer(try TestServer.kinds()[0])
        let script = "SET s 1\nINCR s\n\nGET s\nGET 'unbalanced\nGET missing\n"
        let raw = try runCLI(server.portArguments, input: Array(script.utf8))
        XCTAssertEqual(raw.out, "OK\n2\n2\nInvalid argument(s)\n\n")
        XCTAssertEqual(raw.status, 0)
        let formatted = try runCLI(server.portArguments + ["--no-raw"], input: Array("GET s\nGET missing\n".utf8))
        XCTAssertEqual(formatted.out, "\"2\"\n(nil)\n")
    }
}
