import ArgumentParser

/// The YCSB-style workloads of `skipkv-benchmark index`.
enum Workload: String, CaseIterable, Sendable {
    /// Insert every key 0..<keys into the empty structure (always runs first).
    case load
    /// 50% reads, 50% updates.
    case a = "A"
    /// 95% reads, 5% updates.
    case b = "B"
    /// 100% reads.
    case c = "C"
    /// 95% short forward scans (1...maxScan keys), 5% inserts of new keys.
    case e = "E"
    /// Inserts of `ops` new keys into the loaded structure.
    case insert
    /// Removes 90% of all keys; reports memory at peak and after (always runs last).
    case delete

    init?(argument: String) {
        let lowered = argument.lowercased()
        guard let w = Workload.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = w
    }

    /// Parses a comma-separated list such as "load,A,B,C,E"; load is moved first, delete last.
    static func parseList(_ text: String) throws -> [Workload] {
        var result: [Workload] = []
        for part in text.split(separator: ",") {
            let name = part.trimmedSpaces()
            guard let w = Workload(argument: name) else {
                throw ValidationError(
                    "unknown workload '\(name)'; expected a comma list of: "
                        + Workload.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if !result.contains(w) { result.append(w) }
        }
        if result.isEmpty { throw ValidationError("--workloads is empty") }
        if let i = result.firstIndex(of: .load), i != 0 { result.insert(result.remove(at: i), at: 0) }
        if let i = result.firstIndex(of: .delete), i != result.count - 1 { result.append(result.remove(at: i)) }
        return result
    }

    /// Whether the workload picks existing keys by a distribution (else it inserts or removes
    /// a fixed set of keys and the distribution does not apply).
    var usesDistribution: Bool {
        switch self {
        case .a, .b, .c, .e: return true
        case .load, .insert, .delete: return false
        }
    }

    /// Fraction of reads among the read/update operations of A, B and C.
    var readFraction: Double {
        switch self {
        case .a: return 0.5
        case .b: return 0.95
        case .c: return 1.0
        default: return 0
        }
    }

    /// Fraction of scans among the scan/insert operations of E.
    static let scanFraction = 0.95

    var summary: String {
        switch self {
        case .load: return "load: insert all keys"
        case .a: return "A: 50% read / 50% update"
        case .b: return "B: 95% read / 5% update"
        case .c: return "C: 100% read"
        case .e: return "E: 95% scan / 5% insert"
        case .insert: return "insert: new keys only"
        case .delete: return "delete: remove 90% of keys"
        }
    }
}

enum Distribution: String, CaseIterable, Sendable, ExpressibleByArgument {
    case uniform
    case zipfian
}

enum DistributionChoice: String, CaseIterable, Sendable, ExpressibleByArgument {
    case uniform, zipfian, both

    var distributions: [Distribution] {
        switch self {
        case .uniform: return [.uniform]
        case .zipfian: return [.zipfian]
        case .both: return [.uniform, .zipfian]
        }
    }
}

/// A workload bound to a distribution (nil when the workload does not choose keys).
struct WorkloadStep: Sendable {
    let workload: Workload
    let distribution: Distribution?
    /// False for the load step when load was not requested: it runs (the other workloads need
    /// the keys) but is left out of the results.
    var reported = true

    var distributionName: String { distribution?.rawValue ?? "none" }

    /// "A zipfian", or just "load" for workloads without a distribution.
    var label: String {
        distribution.map { "\(workload.rawValue) \($0.rawValue)" } ?? workload.rawValue
    }

    /// Expands workloads × distributions in workload order; load always comes first.
    static func plan(_ workloads: [Workload], _ distributions: [Distribution]) -> [WorkloadStep] {
        var steps = [WorkloadStep(workload: .load, distribution: nil, reported: workloads.contains(.load))]
        for w in workloads where w != .load {
            if w.usesDistribution {
                for d in distributions { steps.append(WorkloadStep(workload: w, distribution: d)) }
            } else {
                steps.append(WorkloadStep(workload: w, distribution: nil))
            }
        }
        return steps
    }
}

extension Substring {
    func trimmedSpaces() -> String {
        var s = self
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
