import Foundation
import Histogram

/// `net --json FILE`: one JSON object with the settings, the targets, the notes on how the
/// targets were loaded, every run, the per-test summaries and (with two targets) the ratios.
/// Latencies are in nanoseconds; field names are snake_case. `total_errors` is the sum over
/// all runs, so a check for a clean run reads one field.
enum NetJSON {
    static func render(
        config: NetRunConfig, rounds: Int, targets: [NetTarget], notes: [String], results: [NetResult]
    ) -> String {
        let summaries = NetSummary.group(results)
        var out = "{\n"
        out += "  \"tool\": \"skipkv-benchmark net\",\n"
        out += "  \"config\": " + object([
            ("clients", "\(config.clients)"),
            ("pipeline", "\(config.pipeline)"),
            ("threads", "\(min(config.threads, config.clients))"),
            ("requests", config.requests.map { "\($0)" } ?? "null"),
            ("duration_s", config.durationNanos.map { JSONWriter.number(Double($0) / 1e9) } ?? "null"),
            ("keyspace", "\(config.keyspace)"),
            ("value_bytes", "\(config.valueBytes)"),
            ("distribution", JSONWriter.string(config.distribution.rawValue)),
            ("zipf_theta", JSONWriter.number(config.zipfTheta)),
            ("range_limit", "\(config.rangeLimit)"),
            ("max_scan_length", "\(config.maxScanLength)"),
            ("range_values", config.rangeValues ? "true" : "false"),
            ("rounds", "\(rounds)"),
            ("seed", "\(config.seed)"),
        ]) + ",\n"
        out += "  \"targets\": " + array(targets.map { t in
            object([
                ("target", JSONWriter.string(t.label)), ("address", JSONWriter.string(t.address)),
                ("kind", JSONWriter.string(t.kind.rawValue)), ("version", JSONWriter.string(t.version)),
            ])
        }) + ",\n"
        out += "  \"notes\": " + array(notes.map(JSONWriter.string)) + ",\n"
        out += "  \"runs\": " + array(results.map { r in
            object([
                ("test", JSONWriter.string(r.test.rawValue)),
                ("target", JSONWriter.string(r.target.label)),
                ("round", "\(r.round)"),
                ("operations", "\(r.operations)"),
                ("elapsed_s", JSONWriter.number(Double(r.elapsedNanos) / 1e9)),
                ("ops_per_sec", JSONWriter.number(r.opsPerSecond)),
            ] + latencyFields(r.histogram) + [
                ("errors", "\(r.errors)"),
                ("misses", "\(r.misses)"),
                ("scanned_entries", "\(r.scannedEntries)"),
                ("first_error", r.firstError.map(JSONWriter.string) ?? "null"),
            ])
        }) + ",\n"
        out += "  \"summary\": " + array(summaries.map { s in
            object([
                ("test", JSONWriter.string(s.test.rawValue)),
                ("target", JSONWriter.string(s.target.label)),
                ("kind", JSONWriter.string(s.target.kind.rawValue)),
                ("rounds", "\(s.rounds)"),
                ("operations", "\(s.operations)"),
                ("ops_per_sec", JSONWriter.number(s.medianOpsPerSecond)),
                ("min_ops_per_sec", JSONWriter.number(s.minOpsPerSecond)),
                ("max_ops_per_sec", JSONWriter.number(s.maxOpsPerSecond)),
            ] + latencyFields(s.histogram) + [
                ("errors", "\(s.errors)"),
                ("misses", "\(s.misses)"),
                ("scanned_entries", "\(s.scannedEntries)"),
            ])
        }) + ",\n"
        out += "  \"ratios\": " + array(NetRatio.all(summaries, targets: targets).map { r in
            object([
                ("test", JSONWriter.string(r.first.test.rawValue)),
                ("first", JSONWriter.string(r.first.target.label)),
                ("second", JSONWriter.string(r.second.target.label)),
                ("ops_per_sec_ratio", JSONWriter.number(r.opsPerSecond)),
                ("p50_ratio", JSONWriter.number(r.p50)),
                ("p99_ratio", JSONWriter.number(r.p99)),
                ("p999_ratio", JSONWriter.number(r.p999)),
                ("max_ratio", JSONWriter.number(r.max)),
            ])
        }) + ",\n"
        out += "  \"total_errors\": \(results.reduce(0) { $0 + $1.errors })\n"
        return out + "}\n"
    }

    /// Writes the file atomically, so a reader never sees half a file.
    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private static func latencyFields(_ h: Histogram<UInt64>) -> [(String, String)] {
        [
            ("mean_ns", JSONWriter.number(h.mean)),
            ("p50_ns", "\(h.valueAtPercentile(50))"),
            ("p99_ns", "\(h.valueAtPercentile(99))"),
            ("p999_ns", "\(h.valueAtPercentile(99.9))"),
            ("max_ns", "\(h.max)"),
        ]
    }

    private static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(JSONWriter.string($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// One element per line, indented under the key.
    private static func array(_ elements: [String]) -> String {
        elements.isEmpty ? "[]" : "[\n    " + elements.joined(separator: ",\n    ") + "\n  ]"
    }
}
