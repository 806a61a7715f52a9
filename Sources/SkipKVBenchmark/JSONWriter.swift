import Foundation

/// Writes the records as a JSON array, one object per line. Field names are snake_case; the
/// required fields come first in a fixed order, extra fields follow. `number` and `string`
/// encode single values for the net subcommand's JSON as well.
enum JSONWriter {
    static func render(_ records: [BenchmarkRecord]) -> String {
        var out = "[\n"
        for (i, r) in records.enumerated() {
            var fields: [(String, String)] = [
                ("structure", string(r.structure)),
                ("workload", string(r.workload)),
                ("distribution", string(r.distribution)),
                ("key_type", string(r.keyType)),
                ("threads", "\(r.threads)"),
                ("keys", "\(r.keys)"),
                ("ops_per_sec", number(r.opsPerSec)),
                ("p50_ns", "\(r.p50Ns)"),
                ("p99_ns", "\(r.p99Ns)"),
                ("p999_ns", "\(r.p999Ns)"),
                ("bytes_per_key", number(r.bytesPerKey)),
                ("node_bytes", r.nodeBytes.map { "\($0)" } ?? "null"),
                ("ops", "\(r.ops)"),
                ("elapsed_s", number(r.elapsedSeconds)),
                ("max_ns", "\(r.maxNs)"),
                ("mean_ns", number(r.meanNs)),
                ("value_bytes", "\(r.valueBytes)"),
                ("key_count", "\(r.keyCount)"),
                ("bytes_in_use", "\(r.bytesInUse)"),
                ("rss_bytes", r.residentBytes.map { "\($0)" } ?? "null"),
                ("scanned_entries", "\(r.scannedEntries)"),
                ("misses", "\(r.misses)"),
                ("anomalies", "\(r.anomalies)"),
                ("seed", "\(r.seed)"),
                ("zipf_theta", r.zipfTheta.map(number) ?? "null"),
            ]
            if let peak = r.peakBytes, let after = r.afterBytes {
                fields.append(("peak_bytes", "\(peak)"))
                fields.append(("after_bytes", "\(after)"))
                fields.append(("after_peak_ratio", number(r.afterPeakRatio ?? .nan)))
            }
            out += "  {" + fields.map { "\(string($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
            out += i == records.count - 1 ? "\n" : ",\n"
        }
        return out + "]\n"
    }

    /// Writes the file atomically (so a reader never sees half a file).
    static func write(_ records: [BenchmarkRecord], to path: String) throws {
        try render(records).write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"  // shortest round-trip form, e.g. 1234567.25 or 1e-05: valid JSON
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
