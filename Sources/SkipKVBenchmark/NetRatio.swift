/// Second target / first target for one test: above 1 the second is faster (ops/s) or
/// slower (latencies).
struct NetRatio {
    let first: NetSummary
    let second: NetSummary
    var opsPerSecond: Double { second.medianOpsPerSecond / first.medianOpsPerSecond }
    var p50: Double { percentileRatio(50) }
    var p99: Double { percentileRatio(99) }
    var p999: Double { percentileRatio(99.9) }
    var max: Double { Double(second.histogram.max) / Double(first.histogram.max) }

    private func percentileRatio(_ p: Double) -> Double {
        Double(second.histogram.valueAtPercentile(p)) / Double(first.histogram.valueAtPercentile(p))
    }

    /// The ratio for every test both targets ran, in test order.
    static func all(_ summaries: [NetSummary], targets: [NetTarget]) -> [NetRatio] {
        guard targets.count == 2 else { return [] }
        return summaries.filter { $0.target.label == targets[0].label }.compactMap { first in
            summaries.first { $0.test == first.test && $0.target.label == targets[1].label }.map {
                NetRatio(first: first, second: $0)
            }
        }
    }
}
