/// `net --csv`: one row per test and target (throughput of the median round, latency
/// percentiles over all rounds), with the second target's ratios to the first in the last
/// columns of its rows.
enum NetCSV {
    static let header = [
        "test", "target", "kind", "rounds", "operations", "ops_per_sec", "min_ops_per_sec", "max_ops_per_sec",
        "mean_ms", "p50_ms", "p99_ms", "p999_ms", "max_ms", "errors", "misses",
        "ops_ratio_vs_first", "p50_ratio_vs_first", "p99_ratio_vs_first",
    ]

    static func render(_ summaries: [NetSummary], targets: [NetTarget]) -> String {
        let ratios = NetRatio.all(summaries, targets: targets)
        var out = header.joined(separator: ",") + "\n"
        for s in summaries {
            var fields = [
                s.test.rawValue, s.target.label, s.target.kind.rawValue, "\(s.rounds)", "\(s.operations)",
                Format.fixed(s.medianOpsPerSecond, 1), Format.fixed(s.minOpsPerSecond, 1),
                Format.fixed(s.maxOpsPerSecond, 1), Format.fixed(s.histogram.mean / 1e6, 3),
                Format.millis(s.histogram.valueAtPercentile(50)), Format.millis(s.histogram.valueAtPercentile(99)),
                Format.millis(s.histogram.valueAtPercentile(99.9)), Format.millis(s.histogram.max),
                "\(s.errors)", "\(s.misses)",
            ]
            if let r = ratios.first(where: { $0.second.test == s.test && $0.second.target.label == s.target.label }) {
                fields += [Format.fixed(r.opsPerSecond, 4), Format.fixed(r.p50, 4), Format.fixed(r.p99, 4)]
            } else {
                fields += ["", "", ""]
            }
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }
}
