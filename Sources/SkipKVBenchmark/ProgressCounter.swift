import SkipKVSystem

/// A count published by a worker thread and read by the thread that shows progress.
final class ProgressCounter: @unchecked Sendable {
    private let lock = MutexCondition()
    private var count = 0
    private var isFinished = false

    func publish(_ value: Int, finished: Bool = false) {
        lock.withLock {
            count = value
            isFinished = finished
        }
    }

    var state: (count: Int, finished: Bool) { lock.withLock { (count, isFinished) } }
}
