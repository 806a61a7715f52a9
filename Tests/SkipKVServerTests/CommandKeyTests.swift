import SkipKVTestSupport
import XCTest

/// What each handler treats as keys, seen from outside: every `CommandSample` with keys runs
/// against the server with nothing stored, with only its non-key arguments stored as keys
/// (the handler must not notice them), and with each key argument stored alone (the handler
/// must notice it, in its reply or by changing it). The unit tests check the same samples
/// against the command table's key positions, so together they tie the table to the handlers.
final class CommandKeyTests: ServerTestCase {
    func testHandlersTouchExactlyTheKeysTheirRecordsName() throws {
        for sample in CommandSample.all where !sample.keys.isEmpty && sample.observable {
            let nameWords = sample.name.contains("|") ? 2 : 1
            let others = Set(sample.arguments.indices.dropFirst(nameWords)).subtracting(sample.keys).map { sample.arguments[$0] }

            try reset([])
            let emptyReply = try client.call(sample.arguments)
            let created = try storedKeys()
            XCTAssertTrue(created.isSubset(of: Set(sample.keyNames)), "\(sample.arguments) created \(created)")

            try reset(others)
            XCTAssertEqual(try client.call(sample.arguments), emptyReply, "\(sample.arguments) noticed a non-key argument")
            for other in others {
                XCTAssertEqual(try client.call("GET", other), .bulk("1"), "\(sample.arguments) changed non-key \(other)")
            }
            XCTAssertEqual(try storedKeys(), created.union(others), "\(sample.arguments)")

            for key in sample.keyNames {
                try reset([key])
                let reply = try client.call(sample.arguments)
                let after = try client.call("GET", key)
                if reply != emptyReply || after != .bulk("1") { continue }
                // A destination (RENAME, COPY) is used only when its source exists: with the
                // other keys stored, storing it (with a value of its own) must change the
                // reply or get it changed.
                let rest = sample.keyNames.filter { $0 != key }
                XCTAssertFalse(rest.isEmpty, "\(sample.arguments) ignored key \(key)")
                try reset(rest)
                let without = try client.call(sample.arguments)
                try reset(rest)
                XCTAssertEqual(try client.call("SET", key, "2"), .simple("OK"))
                let with = try client.call(sample.arguments)
                let afterWith = try client.call("GET", key)
                XCTAssertTrue(with != without || afterWith != .bulk("2"), "\(sample.arguments) ignored key \(key)")
            }
        }
    }

    /// COMMAND GETKEYS names the keys the samples say the handlers use.
    func testGetKeysNamesTheSampleKeys() throws {
        for sample in CommandSample.all where !sample.keys.isEmpty {
            XCTAssertEqual(try client.call(["COMMAND", "GETKEYS"] + sample.arguments), .bulks(sample.keyNames), "\(sample.arguments)")
        }
        try assertReply(["COMMAND", "GETKEYS", "NOSUCH", "x"], .error("ERR Invalid command specified"))
        try assertReply(["COMMAND", "GETKEYS", "GET", "a", "b"], .error("ERR Invalid number of arguments specified for command"))
        try assertReply(["COMMAND", "GETKEYS", "PING", "x"], .error("ERR The command has no key arguments"))
    }

    /// Stores each key with the value 1 and a far deadline, so that commands that act on
    /// deadlines (PERSIST, EXPIRE … XX) notice the key too.
    private func reset(_ keys: [String]) throws {
        XCTAssertEqual(try client.call("FLUSHALL"), .simple("OK"))
        for key in keys { XCTAssertEqual(try client.call("SET", key, "1", "EX", "100000"), .simple("OK")) }
    }

    private func storedKeys() throws -> Set<String> {
        guard case .array(let items) = try client.call("KEYS", "*") else { return [] }
        return Set(items.compactMap { if case .bulk(let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } })
    }
}
