import SkipKVSystem

/// A progress bar on standard error for long runs.
///
/// On a terminal the line is rewritten in place every `interval` with a bar, the percentage
/// done, the current rate and an estimate of the time left. When standard error is not a
/// terminal (a log file, CI) at most one line per 10% and per second is written.
///
/// Progress is the fraction of `total` operations done, or for a timed run the fraction of
/// its duration elapsed.
final class ProgressDisplay {
    private let label: String
    private let total: Int
    private let durationNanos: UInt64?
    private let enabled: Bool
    private let interval: UInt64
    private let isTerminal: Bool
    private let startNanos: UInt64
    private var lastNanos: UInt64
    private var lastDone = 0
    private var lastDecile = 0
    private var lineShown = false

    static let barWidth = 24

    /// `durationNanos` makes it a timed run; `interval` is the terminal refresh period.
    init(label: String, total: Int, enabled: Bool, durationNanos: UInt64? = nil, interval: UInt64 = 1_000_000_000) {
        self.label = label
        self.total = max(total, 1)
        self.durationNanos = durationNanos
        self.enabled = enabled
        self.interval = interval
        self.isTerminal = stderrIsTerminal()
        startNanos = monotonicNanoseconds()
        lastNanos = startNanos
    }

    /// Reports `done` operations so far; cheap to call often, prints only when due.
    func update(done: Int) {
        guard enabled else { return }
        let now = monotonicNanoseconds()
        let elapsed = max(Double(now - startNanos) / 1e9, 1e-9)
        let fraction = self.fraction(done: done, now: now)
        if isTerminal {
            guard now - lastNanos >= interval else { return }
            let rate = Double(done - lastDone) / (Double(now - lastNanos) / 1e9)
            var line = "\r\u{1B}[K\(label) \(bar(fraction)) \(percent(fraction))  \(Format.rate(rate)) ops/s"
            if fraction > 0 && fraction < 1 {
                line += "  ~\(Int((elapsed * (1 - fraction) / fraction).rounded(.up)))s left"
            }
            writeStderr(line)
            lineShown = true
            lastNanos = now
            lastDone = done
        } else {
            // At most one line per 10% and per second: short runs stay quiet.
            let decile = min(Int(fraction * 10), 10)
            guard decile > lastDecile && decile < 10 && now - lastNanos >= 1_000_000_000 else { return }
            writeStderr("\(label): \(percent(fraction))  \(Format.rate(Double(done) / elapsed)) ops/s\n")
            lastDecile = decile
            lastNanos = now
        }
    }

    /// Clears the terminal line.
    func finish() {
        if lineShown { writeStderr("\r\u{1B}[K") }
        lineShown = false
    }

    private func fraction(done: Int, now: UInt64) -> Double {
        if let durationNanos { return min(1, Double(now - startNanos) / Double(max(durationNanos, 1))) }
        return min(1, Double(done) / Double(total))
    }

    private func bar(_ fraction: Double) -> String {
        let filled = Int(fraction * Double(Self.barWidth))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: Self.barWidth - filled) + "]"
    }

    private func percent(_ fraction: Double) -> String {
        Format.fixed(fraction * 100, 1) + "%"
    }
}
