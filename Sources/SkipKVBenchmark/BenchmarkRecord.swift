/// One result row: one workload on one structure. The tables and the JSON file are built from
/// these.
struct BenchmarkRecord {
    var structure: String
    /// B-skiplist node size; nil for the classic skiplist.
    var nodeBytes: Int?
    var workload: String
    /// "uniform", "zipfian", or "none" for workloads that do not choose existing keys.
    var distribution: String
    var keyType: String
    var threads: Int
    /// Keys loaded initially (--keys).
    var keys: Int
    var valueBytes: Int
    var ops: Int
    var elapsedSeconds: Double
    var opsPerSec: Double
    var p50Ns: UInt64
    var p99Ns: UInt64
    var p999Ns: UInt64
    var maxNs: UInt64
    var meanNs: Double
    /// Keys in the structure after the workload.
    var keyCount: Int
    var bytesInUse: Int
    var bytesPerKey: Double
    var residentBytes: Int?
    var scannedEntries: Int
    var misses: Int
    var anomalies: Int
    var seed: UInt64
    var zipfTheta: Double?
    // Delete workload only.
    var peakBytes: Int?
    var afterBytes: Int?
    var afterPeakRatio: Double?

    /// "bskiplist(4096)" or "skiplist".
    var label: String { nodeBytes.map { "\(structure)(\($0))" } ?? structure }

    init(spec: StructureSpec, step: WorkloadStep, config: RunConfig, measurement m: WorkloadMeasurement) {
        structure = spec.kind.rawValue
        nodeBytes = spec.nodeBytes
        workload = step.workload.rawValue
        distribution = step.distributionName
        keyType = config.encoder.type.rawValue
        threads = config.threads
        keys = config.keys
        valueBytes = config.valueBytes
        ops = m.ops
        elapsedSeconds = Double(m.elapsedNanos) / 1e9
        opsPerSec = m.opsPerSecond
        p50Ns = m.histogram.valueAtPercentile(50)
        p99Ns = m.histogram.valueAtPercentile(99)
        p999Ns = m.histogram.valueAtPercentile(99.9)
        maxNs = m.histogram.max
        meanNs = m.histogram.mean
        keyCount = m.countAfter
        bytesInUse = m.bytesAfter
        bytesPerKey = m.countAfter > 0 ? Double(m.bytesAfter) / Double(m.countAfter) : .nan
        residentBytes = m.residentAfter
        scannedEntries = m.scannedEntries
        misses = m.misses
        anomalies = m.anomalies
        seed = config.seed
        zipfTheta = step.distribution == .zipfian ? config.zipfTheta : nil
        if step.workload == .delete {
            peakBytes = m.peakBytes
            afterBytes = m.bytesAfter
            afterPeakRatio = m.peakBytes > 0 ? Double(m.bytesAfter) / Double(m.peakBytes) : .nan
        }
    }
}
