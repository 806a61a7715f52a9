#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import XCTest
import SkipKVDiskFormat
import SkipKVIndex
import SkipKVStore
@testable import SkipKVPersistence
import SkipKVTestSupport

/// Faults at every point, in the style of LevelDB's fault-injection test: a scripted client
/// writes through the journaled keyspace (refusing to write while the server would refuse,
/// counting a write as acknowledged only when the server would send its reply), snapshots
/// run in between, and one file operation of one kind fails at the Nth occurrence. Then the
/// process "crashes" (the log writer stops writing at once) and a new process recovers from
/// the files: every key must hold its last acknowledged value or a value written after it,
/// and with `always` a fatal log error must have stopped everything (the process exits).
final class FaultInjectionTests: XCTestCase {
    override func tearDown() {
        FaultInjector.shared.clear()
        super.tearDown()
    }

    /// The faults tried, each with the path fragment of the files it hits.
    private static let faults: [(name: String, rule: FaultInjector.Rule)] = [
        ("log write ENOSPC", .init(.write, pathContains: "appendonly", outcome: .fail(ENOSPC))),
        ("log write EIO", .init(.write, pathContains: "appendonly", outcome: .fail(EIO))),
        ("log short write", .init(.write, pathContains: "appendonly", outcome: .shortWrite(ENOSPC))),
        ("log fsync EIO", .init(.sync, pathContains: "appendonly", outcome: .fail(EIO))),
        ("log reserve ENOSPC", .init(.allocate, pathContains: "appendonly", outcome: .fail(ENOSPC))),
        ("segment create ENOSPC", .init(.create, pathContains: "appendonly", outcome: .fail(ENOSPC))),
        ("snapshot write ENOSPC", .init(.write, pathContains: ".snap", outcome: .fail(ENOSPC))),
        ("snapshot short write", .init(.write, pathContains: ".snap", outcome: .shortWrite(ENOSPC))),
        ("snapshot fsync EIO", .init(.sync, pathContains: ".snap", outcome: .fail(EIO))),
        ("snapshot rename EIO", .init(.rename, pathContains: ".snap", outcome: .fail(EIO))),
        ("directory fsync EIO", .init(.syncDirectory, outcome: .fail(EIO))),
        ("segment remove EIO", .init(.remove, pathContains: "appendonly", outcome: .fail(EIO))),
    ]

    func testEveryFaultPointKeepsAcknowledgedWrites() throws {
        let seed = testSeed("fault-injection")
        var runs = 0
        var fired = 0
        var fatal = 0
        for policy in [FsyncPolicy.everysec, .always] {
            for (name, rule) in Self.faults {
                // A dry run counts how often the operation happens with this workload.
                var counter = rule
                counter.after = Int.max
                let points = try run(policy: policy, rule: counter, seed: seed).matched
                XCTAssertGreaterThan(points, 0, "\(name): the workload never reaches this operation")
                let step = max(1, points / 6)
                for point in stride(from: 0, to: points, by: step) {
                    for times in [1, 4] {
                        var armed = rule
                        armed.after = point
                        armed.times = times
                        let context = "seed \(seed), \(policy), \(name) at occurrence \(point + 1) (\(times)x)"
                        let outcome = try run(policy: policy, rule: armed, seed: seed, context: context)
                        runs += 1
                        fired += outcome.fired ? 1 : 0
                        fatal += outcome.fatal ? 1 : 0
                    }
                }
            }
        }
        print("fault injection: seed \(seed): \(runs) runs, a fault fired in \(fired), \(fatal) ended in a fatal log error")
        XCTAssertGreaterThan(fired, runs / 2, "seed \(seed): most runs must actually hit their fault")
        XCTAssertGreaterThan(fatal, 0, "seed \(seed): no log error under `always` was fatal")
    }

    private struct Outcome {
        var matched = 0
        var fired = false
        var fatal = false
    }

    /// One scripted run with `rule` installed, the crash, and the check after recovery.
    private func run(policy: FsyncPolicy, rule: FaultInjector.Rule, seed: UInt64, context: String = "dry run") throws -> Outcome {
        let directory = DataDirectory()
        var random = SeededRandom(seed: seed)
        var config = settings(in: directory, fsync: policy)
        config.logReserveBytes = 64 * 1024
        let died = FatalFlag()
        FaultInjector.shared.clear()
        let persistence = Persistence(
            keyspace: Keyspace(shards: 2, nodeBytes: 512), settings: config, logger: quietLogger, onDurable: {},
            onFatal: { died.set() })
        try persistence.recover()
        FaultInjector.shared.install([rule])
        let log = try XCTUnwrap(persistence.log)
        // Per key: the value last acknowledged (nil: absent) and the values written after it.
        var acknowledged: [[UInt8]: [UInt8]] = [:]
        var unacknowledged: [[UInt8]: [[UInt8]?]] = [:]
        let keys = (0..<12).map { Array("key\($0)".utf8) }

        for step in 0..<48 where !died.isSet {
            if step % 16 == 15 { try? persistence.save() }
            persistence.tick()
            if persistence.refusingWrites.load(ordering: .relaxed) { continue }  // -MISCONF: not applied
            let key = keys[Int(random.next() % UInt64(keys.count))]
            var lsn: UInt64 = 0
            var result: [UInt8]?
            let value = Array("\(step)-".utf8) + [UInt8](repeating: UInt8(step), count: Int(random.next() % 300))
            key.withUnsafeBytes { k in
                switch random.next() % 4 {
                case 0:
                    persistence.journal.remove(k, lsn: &lsn)
                    result = nil
                case 1:
                    result = persistence.journal.update(k, lsn: &lsn) { current -> (UpdateAction, [UInt8]) in
                        let appended = (current.map(Array.init) ?? []) + [UInt8(step)]
                        return (.store(appended), appended)
                    }
                default:
                    value.withUnsafeBytes { _ = persistence.journal.put(k, $0, lsn: &lsn) }
                    result = value
                }
            }
            if lsn != 0 && !waitUntilAcknowledged(lsn, log, died) {
                unacknowledged[key, default: []].append(result)
                continue
            }
            acknowledged[key] = result
            unacknowledged[key] = nil
        }
        var outcome = Outcome()
        outcome.matched = FaultInjector.shared.matched
        outcome.fired = FaultInjector.shared.fired > 0
        outcome.fatal = died.isSet
        if outcome.fatal { XCTAssertEqual(policy, .always, "\(context): only `always` treats a log error as fatal") }
        // The crash: nothing more reaches the files.
        log.crash()
        FaultInjector.shared.clear()

        let recovered: Persistence
        do {
            recovered = try openPersistence(settings(in: directory, fsync: policy), shards: 2)
        } catch {
            XCTFail("\(context): recovery failed: \(error)")
            return outcome
        }
        let state = contents(recovered.journal.keyspace)
        for key in keys {
            let allowed = [acknowledged[key]] + (unacknowledged[key] ?? [])
            XCTAssertTrue(
                allowed.contains(state[key]),
                "\(context): \(String(decoding: key, as: UTF8.self)) recovered as \(describe(state[key])), allowed \(allowed.map(describe))")
        }
        XCTAssertEqual(Set(state.keys).subtracting(keys), [], "\(context): keys nobody wrote")
        try recovered.shutdown(snapshot: false)
        return outcome
    }

    /// What the server does before replying: with `everysec` the loop writes the log buffer
    /// (a failed write is retried, as the writer thread does every second); with `always`
    /// it waits for the fsync. False when the reply never could go out (a fatal error, or
    /// the write still failing after the retries: the client would still be waiting).
    private func waitUntilAcknowledged(_ lsn: UInt64, _ log: LogWriter, _ died: FatalFlag) -> Bool {
        for _ in 0..<200 {
            if died.isSet { return false }
            if !log.acknowledgesAfterFsync { log.writeToOperatingSystem() }
            if log.isAcknowledgeable(lsn) { return true }
            usleep(2000)
        }
        return false
    }

    private func describe(_ value: [UInt8]?) -> String {
        value.map { "\($0.count) bytes \(String(decoding: $0.prefix(8), as: UTF8.self))…" } ?? "absent"
    }
}

/// Set by the persistence's fatal-error handler, which replaces the process exit.
private final class FatalFlag: @unchecked Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
