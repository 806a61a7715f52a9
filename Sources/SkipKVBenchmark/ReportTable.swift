/// A plain-text table with padded columns.
struct TextTable {
    var headers: [String]
    /// Per column: right-aligned (numbers) or left-aligned (names).
    var rightAligned: [Bool]
    var rows: [[String]] = []

    func render(indent: String = "  ") -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                parts.append(rightAligned[i] ? pad + cell : cell + pad)
            }
            var s = indent + parts.joined(separator: "  ")
            while s.last == " " { s.removeLast() }
            return s
        }
        var out = line(headers) + "\n"
        out += indent + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }
}

/// The per-workload comparison tables printed at the end of a run, and the one-line summary
/// printed as each workload finishes.
enum Report {
    /// A table column: header, cell text, and (for numeric columns) the quantity whose
    /// bskiplist / skiplist ratio is shown.
    private struct Column: Sendable {
        let header: String
        let right: Bool
        let cell: @Sendable (BenchmarkRecord) -> String
        let quantity: (@Sendable (BenchmarkRecord) -> Double)?
        /// Shown as an extra ratio column in sweep tables (several bskiplist rows).
        let sweepRatio: Bool

        init(
            _ header: String, right: Bool = true, sweepRatio: Bool = false,
            _ cell: @escaping @Sendable (BenchmarkRecord) -> String, quantity: (@Sendable (BenchmarkRecord) -> Double)? = nil
        ) {
            self.header = header
            self.right = right
            self.cell = cell
            self.quantity = quantity
            self.sweepRatio = sweepRatio
        }
    }

    private static let nameColumns = [
        Column("structure", right: false, { $0.structure }),
        Column("node B", { $0.nodeBytes.map(String.init) ?? "-" }),
    ]

    private static let latencyColumns = [
        Column("ops/s", sweepRatio: true, { Format.grouped(Int($0.opsPerSec.rounded())) }, quantity: { $0.opsPerSec }),
        Column("p50 µs", { Format.micros($0.p50Ns) }, quantity: { Double($0.p50Ns) }),
        Column("p99 µs", sweepRatio: true, { Format.micros($0.p99Ns) }, quantity: { Double($0.p99Ns) }),
        Column("p99.9 µs", { Format.micros($0.p999Ns) }, quantity: { Double($0.p999Ns) }),
    ]

    private static let standardColumns =
        nameColumns + [Column("ops", { Format.grouped($0.ops) })] + latencyColumns + [
            Column("bytes/key", sweepRatio: true, { Format.fixed($0.bytesPerKey, 1) }, quantity: { $0.bytesPerKey }),
            Column("keys after", { Format.grouped($0.keyCount) }),
        ]

    private static let deleteColumns =
        nameColumns + [Column("removed", { Format.grouped($0.ops) })] + latencyColumns + [
            Column("peak bytes", { Format.bytes($0.peakBytes ?? 0) }, quantity: { Double($0.peakBytes ?? 0) }),
            Column("after bytes", sweepRatio: true, { Format.bytes($0.afterBytes ?? 0) }, quantity: { Double($0.afterBytes ?? 0) }),
            Column("after/peak", { Format.fixed($0.afterPeakRatio ?? .nan, 3) }),
            Column("<= \(Format.fixed(deleteTargetRatio, 2))", right: false, {
                guard let r = $0.afterPeakRatio, r.isFinite else { return "-" }
                return r <= deleteTargetRatio ? "yes" : "NO"
            }),
        ]

    /// The delete workload's goal for bytes after / bytes at peak.
    static let deleteTargetRatio = 0.20

    /// One table per (workload, distribution), in the order they first ran.
    static func tables(_ records: [BenchmarkRecord]) -> String {
        var groups: [(key: String, records: [BenchmarkRecord])] = []
        for r in records {
            let key = r.workload + " " + r.distribution
            if let i = groups.firstIndex(where: { $0.key == key }) {
                groups[i].records.append(r)
            } else {
                groups.append((key, [r]))
            }
        }
        var out = ""
        for g in groups {
            let first = g.records[0]
            let workload = Workload(argument: first.workload)
            var title = "Workload \(workload?.summary ?? first.workload)"
            if first.distribution != "none" { title += ", \(first.distribution) keys" }
            out += "\n" + title + "\n"
            out += table(g.records, columns: first.workload == Workload.delete.rawValue ? deleteColumns : standardColumns)
            for r in g.records where r.misses > 0 || r.anomalies > 0 {
                out += "  warning: \(r.label): \(r.misses) misses, \(r.anomalies) unexpected outcomes\n"
            }
        }
        return out
    }

    private static func table(_ records: [BenchmarkRecord], columns: [Column]) -> String {
        let baseline = records.first { $0.structure == StructureKind.skiplist.rawValue }
        let candidates = records.filter { StructureKind(rawValue: $0.structure)?.isBSkipList ?? false }
        let sweep = candidates.count > 1
        var headers = columns.map(\.header)
        var right = columns.map(\.right)
        let ratioColumns = columns.filter { $0.sweepRatio && $0.quantity != nil }
        if sweep && baseline != nil {
            headers += ratioColumns.map { "\($0.header.split(separator: " ")[0]) ratio" }
            right += ratioColumns.map { _ in true }
        }
        var t = TextTable(headers: headers, rightAligned: right)
        for r in records {
            var row = columns.map { $0.cell(r) }
            if sweep, let s = baseline {
                row += ratioColumns.map { c in
                    r.structure == s.structure ? "-" : Format.ratio(c.quantity!(r) / c.quantity!(s))
                }
            }
            t.rows.append(row)
        }
        if !sweep, let b = candidates.first, let s = baseline {
            // A ratio row under the two structures.
            var row = columns.map { c -> String in
                guard let q = c.quantity else { return "" }
                return Format.ratio(q(b) / q(s))
            }
            row[0] = "bskiplist / skiplist"
            t.rows.append(row)
        }
        var out = t.render()
        if sweep && baseline != nil { out += "  (ratio = bskiplist / skiplist)\n" }
        return out
    }

    /// The line printed as soon as a workload finishes.
    static func line(_ r: BenchmarkRecord) -> String {
        var parts = [
            "\(r.label)",
            r.distribution == "none" ? r.workload : "\(r.workload) \(r.distribution)",
            "\(Format.grouped(r.ops)) ops in \(Format.seconds(UInt64(r.elapsedSeconds * 1e9)))",
            "\(Format.rate(r.opsPerSec)) ops/s",
            "p50/p99/p99.9 \(Format.micros(r.p50Ns))/\(Format.micros(r.p99Ns))/\(Format.micros(r.p999Ns)) µs",
            "\(Format.fixed(r.bytesPerKey, 1)) B/key (\(Format.grouped(r.keyCount)) keys)",
        ]
        if let peak = r.peakBytes, let after = r.afterBytes {
            parts.append(
                "peak \(Format.bytes(peak)) -> after \(Format.bytes(after)) = \(Format.fixed(r.afterPeakRatio ?? .nan, 3))")
        }
        if let rss = r.residentBytes { parts.append("rss \(Format.bytes(rss))") }
        if r.misses > 0 || r.anomalies > 0 { parts.append("WARNING \(r.misses) misses, \(r.anomalies) unexpected") }
        return "  " + parts.joined(separator: "  ")
    }
}
