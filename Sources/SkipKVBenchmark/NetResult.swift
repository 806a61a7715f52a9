import Histogram

/// What one run measured: one test against one target in one round.
struct NetResult {
    var test: NetTest
    var target: NetTarget
    var round: Int
    var operations: Int
    var elapsedNanos: UInt64
    /// Operation latencies in nanoseconds.
    var histogram: Histogram<UInt64>
    var errors: Int
    var misses: Int
    var scannedEntries: Int
    var firstError: String?

    var opsPerSecond: Double { elapsedNanos == 0 ? 0 : Double(operations) / (Double(elapsedNanos) / 1e9) }

    /// Merges the workers' outputs: operations and counts add up, the histograms merge, and
    /// the run lasts from the first worker's start to the last worker's final reply.
    init(test: NetTest, target: NetTarget, round: Int, outputs: [NetWorkerOutput]) {
        self.test = test
        self.target = target
        self.round = round
        var histogram = outputs[0].histogram
        for o in outputs.dropFirst() { histogram.add(o.histogram) }
        self.histogram = histogram
        operations = outputs.reduce(0) { $0 + $1.operations }
        elapsedNanos = outputs.map(\.endNanos).max()! - outputs.map(\.startNanos).min()!
        errors = outputs.reduce(0) { $0 + $1.errors }
        misses = outputs.reduce(0) { $0 + $1.misses }
        scannedEntries = outputs.reduce(0) { $0 + $1.scannedEntries }
        firstError = outputs.lazy.compactMap(\.firstError).first
    }
}
