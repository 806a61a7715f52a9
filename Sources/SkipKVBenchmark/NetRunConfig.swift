/// Settings shared by every run of one `net` invocation.
struct NetRunConfig: Sendable {
    var clients: Int
    var pipeline: Int
    var threads: Int
    /// Operations per run, or nil when runs last `durationNanos`.
    var requests: Int?
    var durationNanos: UInt64?
    var keyspace: Int
    var valueBytes: Int
    var distribution: Distribution
    var zipfTheta: Double
    /// LIMIT of the range test's scans.
    var rangeLimit: Int
    /// YCSB E scans 1...this many keys.
    var maxScanLength: Int
    /// Whether SkipKV range scans return values (RANGE) or keys only (RANGE … NOVALUES).
    var rangeValues: Bool
    var seed: UInt64
    /// A reply overdue by this much fails the run.
    var timeoutNanos: UInt64
    var showProgress: Bool
}
