import Foundation
import SkipKVIndex
import XCTest
import SkipKVTestSupport

/// Concurrent stress tests: threads mix every operation on one index, each checking what it
/// can know as it goes (`StressWorker`); after they join, the structure's invariants, every
/// thread's own keys, the stable keys and the conservation of shared keys are verified.
/// Seeds replay each thread's operation sequence, not the interleaving.
final class IndexStressTests: XCTestCase {
    private static let everything: [(StressWorker.Operation, Int)] = [
        (.pointPut, 12), (.pointRemove, 8), (.pointGet, 8), (.pointUpdate, 10),
        (.blockPut, 4), (.blockRefill, 3), (.blockRemoveAll, 3),
        (.sharedPut, 8), (.sharedRemove, 5), (.sharedUpdate, 5), (.sharedRemoveAll, 2),
        (.forwardScan, 8), (.reverseScan, 8), (.count, 4), (.stableGet, 4),
    ]
    private static let scans: [(StressWorker.Operation, Int)] = [(.forwardScan, 4), (.reverseScan, 5), (.count, 1)]
    private static let churn: [(StressWorker.Operation, Int)] = [
        (.blockRefill, 4), (.blockRemoveAll, 3), (.pointPut, 2), (.pointRemove, 2),
        (.sharedPut, 3), (.sharedRemoveAll, 2),
    ]

    func testTwoThreadsMixingEveryOperation() {
        stress(threads: 2, operationsPerThread: 5000, mix: { _ in Self.everything })
    }

    func testFourThreadsMixingEveryOperation() {
        stress(threads: 4, operationsPerThread: 2500, mix: { _ in Self.everything })
    }

    func testEightThreadsMixingEveryOperation() {
        stress(threads: 8, operationsPerThread: 1250, mix: { _ in Self.everything })
    }

    /// Half the threads only scan, mostly in reverse; the other half insert and delete ranges.
    func testScansRaceInsertsAndRangeDeletes() {
        stress(threads: 4, operationsPerThread: 1200, mix: { $0 % 2 == 0 ? Self.scans : Self.churn })
    }

    private func stress(threads: Int, operationsPerThread: Int, mix: (Int) -> [(StressWorker.Operation, Int)], function: String = #function) {
        let seed = testSeed("IndexStressTests.\(function)")
        let keyspace = StressKeyspace(threads: threads)
        for (name, make) in indexesUnderTest {
            let index = make()
            for key in keyspace.stable { index.put(key, StressKeyspace.stableValue(key)) }
            for thread in 0..<threads {
                let initial = StressKeyspace.initialContents(thread: thread)
                for (key, value) in zip(initial.keys, initial.values) { index.put(key, value) }
            }
            for i in stride(from: 0, to: StressKeyspace.sharedKeyCount, by: 2) {
                let key = StressKeyspace.sharedKey(i)
                index.put(key, key)
            }
            let initialShared = index.count(in: StressKeyspace.sharedRange)

            let outcomes = Outcomes()
            let mixes = (0..<threads).map(mix)
            let started = Date()
            runThreads(threads) { thread in
                var worker = StressWorker(thread: thread, index: index, keyspace: keyspace, mix: mixes[thread], seed: seed)
                worker.run(operations: operationsPerThread)
                outcomes.record(thread, worker.outcome)
            }
            print("\(function) \(name): \(threads) threads × \(operationsPerThread) operations in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")

            let results = outcomes.all
            for thread in 0..<threads {
                for failure in results[thread]!.failures { XCTFail("\(name), seed \(seed): \(failure)") }
            }
            verifyFinalState(index, name: name, seed: seed, keyspace: keyspace, results: results, initialShared: initialShared)
        }
    }

    private func verifyFinalState(
        _ index: any OrderedKeyValueIndex, name: String, seed: UInt64, keyspace: StressKeyspace,
        results: [Int: StressWorker.Outcome], initialShared: Int
    ) {
        let context = "\(name), seed \(seed)"
        XCTAssertNoThrow(try index.checkInvariants(), context)
        var stable: [[UInt8]] = []
        var owned = [[(key: [UInt8], value: [UInt8])]](repeating: [], count: keyspace.threads)
        var shared = 0
        let entries = index.entries()
        for (key, value) in entries {
            if StressKeyspace.isStable(key) {
                XCTAssertEqual(value, StressKeyspace.stableValue(key), context)
                stable.append(key)
            } else if let owner = StressKeyspace.owner(of: key) {
                owned[owner].append((key, value))
            } else {
                XCTAssertTrue(value.starts(with: key), "\(context): shared \(key) holds another key's value")
                shared += 1
            }
        }
        XCTAssertEqual(stable, keyspace.stable, "\(context): stable keys")
        for thread in 0..<keyspace.threads {
            let model = results[thread]!.model
            XCTAssertEqual(owned[thread].map(\.key), model.keys, "\(context): keys of thread \(thread)")
            XCTAssertEqual(owned[thread].map(\.value), model.values, "\(context): values of thread \(thread)")
        }
        let inserted = results.values.reduce(0) { $0 + $1.sharedInserts }
        let removed = results.values.reduce(0) { $0 + $1.sharedRemoves }
        XCTAssertEqual(shared, initialShared + inserted - removed,
                       "\(context): shared keys: \(initialShared) initial + \(inserted) inserted - \(removed) removed")
        XCTAssertEqual(index.count(in: StressKeyspace.sharedRange), shared, context)
        XCTAssertEqual(index.count, entries.count, context)
    }

    /// Runs `body(thread)` on `count` threads and waits for all of them.
    private func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for thread in 0..<count {
            group.enter()
            let worker = Thread {
                body(thread)
                group.leave()
            }
            worker.stackSize = 8 << 20
            worker.start()
        }
        group.wait()
    }
}

/// The workers' outcomes, collected across threads.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var byThread: [Int: StressWorker.Outcome] = [:]

    func record(_ thread: Int, _ outcome: StressWorker.Outcome) {
        lock.withLock { byThread[thread] = outcome }
    }

    var all: [Int: StressWorker.Outcome] { lock.withLock { byThread } }
}
