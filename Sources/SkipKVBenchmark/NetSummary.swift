import Histogram

/// All rounds of one test against one target: the figure reported for throughput is the
/// median round (robust against a round disturbed by other work on a shared machine), the
/// latency percentiles come from all rounds' operations together.
struct NetSummary {
    var test: NetTest
    var target: NetTarget
    var rounds: Int
    var operations: Int
    var medianOpsPerSecond: Double
    var minOpsPerSecond: Double
    var maxOpsPerSecond: Double
    var histogram: Histogram<UInt64>
    var errors: Int
    var misses: Int
    var scannedEntries: Int

    init(_ results: [NetResult]) {
        let first = results[0]
        test = first.test
        target = first.target
        rounds = results.count
        operations = results.reduce(0) { $0 + $1.operations }
        let rates = results.map(\.opsPerSecond).sorted()
        medianOpsPerSecond =
            rates.count % 2 == 1 ? rates[rates.count / 2] : (rates[rates.count / 2 - 1] + rates[rates.count / 2]) / 2
        minOpsPerSecond = rates.first!
        maxOpsPerSecond = rates.last!
        var histogram = first.histogram
        for r in results.dropFirst() { histogram.add(r.histogram) }
        self.histogram = histogram
        errors = results.reduce(0) { $0 + $1.errors }
        misses = results.reduce(0) { $0 + $1.misses }
        scannedEntries = results.reduce(0) { $0 + $1.scannedEntries }
    }

    /// Groups results by (test, target) in the order they first ran.
    static func group(_ results: [NetResult]) -> [NetSummary] {
        var groups: [(key: String, results: [NetResult])] = []
        for r in results {
            let key = r.test.rawValue + " " + r.target.label
            if let i = groups.firstIndex(where: { $0.key == key }) {
                groups[i].results.append(r)
            } else {
                groups.append((key, [r]))
            }
        }
        return groups.map { NetSummary($0.results) }
    }
}
