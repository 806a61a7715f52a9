import SkipKVSystem

/// `instantaneous_ops_per_sec` the way Redis computes it: every 100 ms the number of
/// commands processed since the last sample is turned into a rate, and INFO reports the
/// mean of the last 16 rates.
///
/// Concurrency contract: `record` is called by loop 0's timer, `rate` by any thread running
/// INFO; a mutex guards the samples.
final class OpsSampler: Sendable {
    private struct Samples {
        var rates = [UInt64](repeating: 0, count: 16)
        var next = 0
        var lastCount: UInt64 = 0
        var lastTime: UInt64 = 0
    }

    private let samples = Locked(Samples())

    func record(totalCommands: UInt64, now: UInt64) {
        samples.withLock { s in
            defer {
                s.lastCount = totalCommands
                s.lastTime = now
            }
            guard s.lastTime != 0, now > s.lastTime else { return }
            // CONFIG RESETSTAT can move the total backwards; count that interval as idle.
            let delta = totalCommands >= s.lastCount ? totalCommands - s.lastCount : 0
            s.rates[s.next] = delta * 1000 / (now - s.lastTime)
            s.next = (s.next + 1) % s.rates.count
        }
    }

    var rate: UInt64 {
        samples.withLock { s in s.rates.reduce(0, +) / UInt64(s.rates.count) }
    }
}
