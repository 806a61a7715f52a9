import CLibUV

/// The loop's side of expiry: the active cycle (`ActiveExpiry`), a slice on every tick and,
/// while the cycle is behind, smaller slices on every loop iteration (an idle handle, so the
/// loop keeps polling its clients in between); and lazy expiry, removing right after a
/// command the expired keys its reads found (`ExpiredReads`), also while the active cycle is
/// off, as Redis does.
extension EventLoop {
    func removeExpiredReads() {
        activeExpiry.removeExpiredReads(expiredReads.take())
    }

    /// The tick's cycle. Not while the data loads: recovery removes what expired by itself.
    func expiryTick() {
        guard server.activeExpireEnabled.load(ordering: .relaxed), !shuttingDown, loaded || checkLoaded() else { return }
        activeExpiry.run(budgetMicroseconds: expiryBudget)
        if activeExpiry.isBehind { startBackgroundExpiry() }
    }

    private var expiryBudget: Int {
        ActiveExpiry.budget(effort: server.settings.activeExpireEffort.load(ordering: .relaxed),
                            tickMilliseconds: Int(EventLoop.tickMilliseconds))
    }

    private func startBackgroundExpiry() {
        guard uv_is_active(UnsafeMutablePointer(OpaquePointer(expiryIdle))) == 0 else { return }
        uv_idle_start(expiryIdle) { handle in
            let loop = EventLoop.of(handle!.pointee.loop)
            guard loop.server.activeExpireEnabled.load(ordering: .relaxed), !loop.shuttingDown else {
                uv_idle_stop(handle)
                return
            }
            loop.activeExpiry.run(budgetMicroseconds: loop.expiryBudget / 10)
            if !loop.activeExpiry.isBehind { uv_idle_stop(handle) }
        }
    }
}
