/// The human-readable output of `net`: one line per run as it finishes, and the summary table.
enum NetReport {
    /// The line printed as soon as a run finishes.
    static func line(_ r: NetResult, rounds: Int) -> String {
        var parts = [r.target.label, r.test.rawValue]
        if rounds > 1 { parts.append("round \(r.round)") }
        parts += [
            "\(Format.grouped(r.operations)) ops in \(Format.seconds(r.elapsedNanos))",
            "\(Format.rate(r.opsPerSecond)) ops/s",
            "p50/p99/p99.9/max " + [50, 99, 99.9].map { Format.millis(r.histogram.valueAtPercentile($0)) }.joined(separator: "/")
                + "/\(Format.millis(r.histogram.max)) ms",
        ]
        if r.test == .range || r.test == .ycsbE {
            parts.append("\(Format.fixed(Double(r.scannedEntries) / Double(max(r.operations, 1)), 1)) keys/op")
        }
        if r.misses > 0 { parts.append("\(Format.grouped(r.misses)) misses") }
        parts.append(r.errors == 0 ? "0 errors" : "\(Format.grouped(r.errors)) ERRORS (first: \(r.firstError ?? "?"))")
        return "  " + parts.joined(separator: "  ")
    }

    /// One row per test and target; with two targets, a ratio row (second / first) under each
    /// test's pair.
    static func table(_ summaries: [NetSummary], targets: [NetTarget]) -> String {
        var t = TextTable(
            headers: ["test", "target", "ops/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "misses"],
            rightAligned: [false, false, true, true, true, true, true, true, true])
        var tests: [NetTest] = []
        for s in summaries where !tests.contains(s.test) { tests.append(s.test) }
        for test in tests {
            let rows = targets.compactMap { target in summaries.first { $0.test == test && $0.target.label == target.label } }
            for s in rows {
                t.rows.append([
                    test.rawValue, s.target.label, Format.grouped(Int(s.medianOpsPerSecond.rounded())),
                    Format.millis(s.histogram.valueAtPercentile(50)), Format.millis(s.histogram.valueAtPercentile(99)),
                    Format.millis(s.histogram.valueAtPercentile(99.9)), Format.millis(s.histogram.max),
                    Format.grouped(s.errors), Format.grouped(s.misses),
                ])
            }
            if rows.count == 2 {
                let r = NetRatio(first: rows[0], second: rows[1])
                t.rows.append([
                    "", "ratio 2nd/1st", Format.ratio(r.opsPerSecond), Format.ratio(r.p50), Format.ratio(r.p99),
                    Format.ratio(r.p999), Format.ratio(r.max), "", "",
                ])
            }
        }
        return t.render()
    }
}
