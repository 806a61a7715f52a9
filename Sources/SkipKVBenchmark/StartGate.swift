import SkipKVSystem

/// A one-shot gate: threads block in `pass()` until `open()`.
final class StartGate: @unchecked Sendable {
    private let lock = MutexCondition()
    private var isOpen = false

    func pass() {
        lock.withLock { while !isOpen { lock.wait() } }
    }

    func open() {
        lock.withLock {
            isOpen = true
            lock.broadcast()
        }
    }
}
