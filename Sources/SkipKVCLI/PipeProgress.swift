import SkipKVSystem

/// The progress line of `--pipe` on stderr, shown once a transfer has run for a second:
/// rewritten in place on a terminal, one line per second otherwise (so logs stay readable).
struct PipeProgress {
    private let output = OutputWriter.standardError
    private let started = monotonicSeconds()
    private var lastShown: Double
    private var shownInPlace = false

    init() {
        lastShown = started
    }

    /// Shows the counts if enough time has passed since the last update.
    mutating func update(sent: Int, replies: Int, errors: Int) {
        let now = monotonicSeconds()
        let interval = output.isTerminal ? 0.25 : 1.0
        guard now - lastShown >= interval && now - started >= 1 else { return }
        lastShown = now
        let rate = Int(Double(replies) / (now - started))
        let text = "sent: \(sent), replies: \(replies), errors: \(errors), \(rate) replies/s"
        if output.isTerminal {
            output.write("\r\u{1B}[K" + text)
            output.flush()
            shownInPlace = true
        } else {
            output.line(text)
        }
    }

    /// Clears an in-place line so the final report starts on a clean line.
    mutating func finish() {
        guard shownInPlace else { return }
        output.write("\r\u{1B}[K")
        output.flush()
        shownInPlace = false
    }
}
