/// A progress line on standard error for long runs.
///
/// On a terminal the line is rewritten in place about once a second with the percentage done,
/// the current rate and an estimate of the time left. When standard error is not a terminal
/// (a log file, CI) at most one line per 10% and per second is written.
final class ProgressDisplay {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let isTerminal: Bool
    private let startNanos: UInt64
    private var lastNanos: UInt64
    private var lastDone = 0
    private var lastDecile = 0
    private var lineShown = false

    /// How often the terminal line is refreshed.
    static let interval: UInt64 = 1_000_000_000

    init(label: String, total: Int, enabled: Bool) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = enabled
        self.isTerminal = stderrIsTerminal()
        startNanos = monotonicNanos()
        lastNanos = startNanos
    }

    /// Reports `done` operations so far; cheap to call often, prints only when due.
    func update(done: Int) {
        guard enabled else { return }
        let now = monotonicNanos()
        if isTerminal {
            guard now - lastNanos >= Self.interval else { return }
            let rate = Double(done - lastDone) / (Double(now - lastNanos) / 1e9)
            let avg = Double(done) / (Double(now - startNanos) / 1e9)
            var line = "\r\u{1B}[K\(label): \(percent(done))  \(Format.rate(rate)) ops/s"
            if avg > 0 && done < total {
                line += "  ~\(Int((Double(total - done) / avg).rounded(.up)))s left"
            }
            writeStderr(line)
            lineShown = true
            lastNanos = now
            lastDone = done
        } else {
            // At most one line per 10% and per second: short runs stay quiet.
            let decile = min(done * 10 / total, 10)
            guard decile > lastDecile && decile < 10 && now - lastNanos >= Self.interval else { return }
            let avg = Double(done) / max(Double(now - startNanos) / 1e9, 1e-9)
            writeStderr("\(label): \(percent(done))  \(Format.rate(avg)) ops/s\n")
            lastDecile = decile
            lastNanos = now
        }
    }

    /// Clears the terminal line.
    func finish() {
        if lineShown { writeStderr("\r\u{1B}[K") }
        lineShown = false
    }

    private func percent(_ done: Int) -> String {
        Format.fixed(min(100, Double(done) * 100 / Double(total)), 1) + "%"
    }
}
