import Foundation
import SkipKVTestSupport
import XCTest

@testable import SkipKVServer

/// The command table checked against itself, against what the handlers treat as keys
/// (`CommandSample`), and against a running redis-server's COMMAND INFO.
final class CommandTableTests: XCTestCase {
    private let table = CommandTable.shared

    func testEveryRecordHasAHandler() {
        for spec in table.specs {
            if spec.subcommands.isEmpty {
                XCTAssertNotNil(spec.handler, "\(spec.name) has no handler")
            } else if spec.accepts(argumentCount: 1) {
                XCTAssertNotNil(spec.handler, "container \(spec.name) runs without a subcommand but has no handler")
            } else {
                XCTAssertNil(spec.handler, "container \(spec.name) needs a subcommand; its handler would never run")
            }
        }
    }

    func testNamesAreUniqueAndFoundByTheLookup() {
        XCTAssertEqual(Set(table.specs.map(\.name)).count, table.specs.count)
        for (row, spec) in table.specs.enumerated() {
            XCTAssertEqual(spec.name, spec.name.lowercased())
            XCTAssertEqual(table.find(named: spec.name)?.rawValue, row, spec.name)
            XCTAssertEqual(table.find(named: spec.name.uppercased())?.rawValue, row, spec.name)
        }
        XCTAssertNil(table.find(named: "nosuchcommand"))
        XCTAssertNil(table.find(named: "client|nosuch"))
    }

    /// A container needs at least its subcommand's name; a subcommand counts the container's.
    func testArityIsConsistentWithSubcommands() {
        for spec in table.specs.prefix(table.commandCount) {
            XCTAssertNotEqual(spec.arity, 0, spec.name)
            guard !spec.subcommands.isEmpty else {
                XCTAssertFalse(spec.name.contains("|"), spec.name)
                continue
            }
            XCTAssertTrue(spec.arity == -2 || spec.arity == -1, "\(spec.name): containers take -2 (or -1 with a handler)")
            for sub in spec.subcommands {
                XCTAssertTrue(sub.name.hasPrefix(spec.name + "|"), sub.name)
                XCTAssertTrue(sub.arity >= 2 || sub.arity <= -2, "\(sub.name) must count the container and its own name")
                XCTAssertTrue(sub.subcommands.isEmpty, sub.name)
            }
        }
    }

    func testFlagsAreConsistent() {
        for spec in table.specs {
            // A container (OBJECT) and its HELP touch no data, whatever their group.
            let touchesNoData = !spec.subcommands.isEmpty || spec.name.hasSuffix("|help")
            // WATCH names keys but neither reads nor writes them (Redis flags it neither way).
            let watches = spec.group == .transactions
            let dataCommand = !watches && (spec.keys != .none || (spec.group == .string || spec.group == .generic) && !touchesNoData)
            if dataCommand {
                XCTAssertTrue(spec.flags.contains(.write) != spec.flags.contains(.readonly), "\(spec.name): write xor readonly")
            }
            XCTAssertFalse(spec.flags.isSuperset(of: [.write, .readonly]), spec.name)
            if spec.flags.contains(.denyoom) { XCTAssertTrue(spec.flags.contains(.write), "\(spec.name): denyoom implies write") }
            if spec.flags.contains(.noAuth) { XCTAssertTrue(spec.flags.contains(.loading), "\(spec.name): a handshake runs while loading") }
            if spec.keys != .none {
                XCTAssertTrue(spec.keys.step > 0 && spec.keys.first > 0, spec.name)
                let readOnlyKeys = spec.keys.specs.allSatisfy { $0.access.contains(.readOnly) }
                XCTAssertEqual(readOnlyKeys, spec.flags.contains(.readonly) || watches, "\(spec.name): RO keys iff a readonly command")
                for key in spec.keys.specs {
                    XCTAssertEqual(key.access.intersection([.readOnly, .readWrite, .overwrite, .remove]).rawValue.nonzeroBitCount, 1,
                                   "\(spec.name): one of RO, RW, OW, RM")
                }
            }
        }
    }

    /// Every record has a sample invocation, and the positions its handler reads as keys
    /// are the ones its key positions name.
    func testKeyPositionsMatchWhatTheHandlersTreatAsKeys() {
        let samples = Dictionary(uniqueKeysWithValues: CommandSample.all.map { ($0.name, $0) })
        let containers = Set(table.specs.filter { !$0.subcommands.isEmpty && $0.handler == nil }.map(\.name))
        XCTAssertEqual(Set(samples.keys), Set(table.specs.map(\.name)).subtracting(containers),
                       "a record without a sample, or a sample without a record")
        for spec in table.specs {
            guard let sample = samples[spec.name] else { continue }
            XCTAssertTrue(spec.accepts(argumentCount: sample.arguments.count), "\(sample.arguments) against \(spec.name)'s arity")
            XCTAssertEqual(spec.keys.positions(argumentCount: sample.arguments.count), sample.keys, spec.name)
        }
    }

    func testExecutorEntriesMirrorTheRecords() {
        for (row, spec) in table.specs.enumerated() {
            let entry = table.entries[row]
            XCTAssertEqual(entry.arity, spec.arity, spec.name)
            XCTAssertEqual(entry.flags, spec.flags, spec.name)
            XCTAssertEqual(entry.handler == nil, spec.handler == nil, spec.name)
            XCTAssertEqual(entry.subcommands.map { table.specs[$0].name }, spec.subcommands.map(\.name), spec.name)
        }
    }

    /// The key specs SkipKV's COMMAND INFO sends for `keys`, as redis-cli --json shows them.
    private static func keySpecs(_ keys: KeyPositions) -> NSArray {
        keys.specs.map { key -> [String: Any] in
            var spec: [String: Any] = [
                "flags": key.access.names,
                "begin_search": ["type": "index", "spec": ["index": key.index]],
                "find_keys": ["type": "range", "spec": ["lastkey": key.lastKey, "keystep": keys.step, "limit": 0]],
            ]
            if let notes = key.notes { spec["notes"] = notes }
            return spec
        } as NSArray
    }

    /// Where SkipKV's COMMAND INFO may differ from Redis 7's, and why.
    private static let documentedDifferences: [String: String] = [:]

    /// Arity, flags, key positions and ACL categories agree with redis-server's COMMAND INFO
    /// for every command and subcommand both have.
    func testCommandInfoAgreesWithRedis() throws {
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        let names = table.specs.map(\.name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        process.arguments = ["-p", String(redis.port), "--json", "COMMAND", "INFO"] + names
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let infos = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [Any])
        XCTAssertEqual(infos.count, names.count)
        var compared = 0
        for (spec, info) in zip(table.specs, infos) {
            guard let info = info as? [Any] else { continue }  // a SkipKV command Redis 7.0 lacks
            if Self.documentedDifferences[spec.name] != nil { continue }
            compared += 1
            XCTAssertEqual(info[0] as? String, spec.name)
            XCTAssertEqual(info[1] as? Int, spec.arity, "\(spec.name) arity")
            XCTAssertEqual(info[2] as? [String], spec.flags.names, "\(spec.name) flags")
            XCTAssertEqual(info[3] as? Int, spec.keys.first, "\(spec.name) first key")
            XCTAssertEqual(info[4] as? Int, spec.keys.last, "\(spec.name) last key")
            XCTAssertEqual(info[5] as? Int, spec.keys.step, "\(spec.name) key step")
            XCTAssertEqual(info[6] as? [String], spec.aclCategories.names, "\(spec.name) ACL categories")
            XCTAssertEqual(info[8] as? NSArray, Self.keySpecs(spec.keys), "\(spec.name) key specs")
        }
        print("compared \(compared) of \(names.count) records with redis-server's COMMAND INFO")
        XCTAssertGreaterThan(compared, table.specs.count - 6)
    }
}
