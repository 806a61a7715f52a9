#if canImport(Glibc)
import Glibc
#endif
import SkipKVSystem

/// Runs tests against one target: opens the connections of each run, hands them to worker
/// threads, shows progress, and merges what the workers measured.
final class NetSession {
    let target: NetTarget
    private let address: NetSocketAddress
    private let config: NetRunConfig
    /// New key numbers for inserts (YCSB D and E), continuing across tests and rounds so that
    /// every insert adds a key.
    private let inserts: KeyNumberAllocator

    init(target: NetTarget, config: NetRunConfig) throws {
        self.target = target
        self.config = config
        address = try NetSocketAddress.resolve(host: target.host, port: target.port)
        inserts = KeyNumberAllocator(start: UInt64(config.keyspace))
    }

    /// Runs `test` once. The random streams depend on the seed, `testNumber` (the test's
    /// position in the invocation), the round and the thread, not on the target: compared
    /// servers get the same operations on the same keys.
    func run(_ test: NetTest, testNumber: Int, round: Int, rounds: Int) throws -> NetResult {
        let threadCount = min(config.threads, config.clients)
        // Connection i belongs to thread i % threadCount.
        var descriptors: [[Int32]] = Array(repeating: [], count: threadCount)
        for i in 0..<config.clients {
            do {
                descriptors[i % threadCount].append(try address.connect())
            } catch let failure as NetSocketAddress.ConnectFailure {
                for d in descriptors.joined() { close(d) }
                throw NetFailure(
                    "\(target.label): connection \(i + 1) of \(config.clients) failed: \(String(cString: strerror(failure.code)))")
            }
        }

        // Operations per thread (nil: timed), and for the load its share of the keyspace.
        var budgets: [Int?]
        var loadRanges = Array(repeating: UInt64(0)..<0, count: threadCount)
        if test == .load {
            loadRanges = splitRange(0, UInt64(config.keyspace), parts: threadCount)
            let batch = UInt64(NetTest.loadBatchKeys)
            budgets = loadRanges.map { range -> Int? in Int((range.upperBound - range.lowerBound + batch - 1) / batch) }
        } else if let requests = config.requests {
            let perConnection = splitCount(requests, parts: config.clients)
            var perThread = Array(repeating: 0, count: threadCount)
            for (i, count) in perConnection.enumerated() { perThread[i % threadCount] += count }
            budgets = perThread
        } else {
            budgets = Array(repeating: nil, count: threadCount)
        }

        let workers = (0..<threadCount).map { t in
            NetWorker(
                descriptors: descriptors[t],
                generator: NetOperationGenerator(
                    test: test, target: target.kind, config: config,
                    seed: BenchmarkRandom.streamSeed(config.seed, UInt64(testNumber), UInt64(round), UInt64(t)),
                    inserts: inserts, loadRange: loadRanges[t]),
                pipeline: config.pipeline, budget: budgets[t],
                durationNanos: test == .load ? nil : config.durationNanos, timeoutNanos: config.timeoutNanos)
        }
        let gate = StartGate()
        let threads = workers.map { worker in JoinableThread { worker.run(gate: gate) } }

        let timed = test != .load && config.durationNanos != nil
        var label = "\(target.label) \(test.rawValue)"
        if rounds > 1 { label += " round \(round)/\(rounds)" }
        let progress = ProgressDisplay(
            label: label, total: budgets.reduce(0) { $0 + ($1 ?? 0) }, enabled: config.showProgress,
            durationNanos: timed ? config.durationNanos : nil, interval: 250_000_000)
        gate.open()
        // This thread only watches, waking ten times a second, so it barely competes with the
        // workers for the cores.
        while true {
            sleep(nanoseconds: 100_000_000)
            let states = workers.map(\.progress.state)
            if states.allSatisfy(\.finished) { break }
            progress.update(done: states.reduce(0) { $0 + $1.count })
        }
        progress.finish()
        for t in threads { t.join() }

        let outputs = workers.map(\.result)
        if let failure = outputs.lazy.compactMap(\.failure).first {
            throw NetFailure("\(target.label) \(test.rawValue): \(failure)")
        }
        return NetResult(test: test, target: target, round: round, outputs: outputs)
    }
}
