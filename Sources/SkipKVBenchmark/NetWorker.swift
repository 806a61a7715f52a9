#if canImport(Glibc)
import Glibc
#endif
import CLibUV
import Histogram
import SkipKVProtocol
import SkipKVSystem

/// What one worker thread measured in one run.
struct NetWorkerOutput {
    var histogram: Histogram<UInt64>
    var operations = 0
    /// Commands whose reply was an error or of the wrong type.
    var errors = 0
    /// GETs of missing keys and scans that returned nothing.
    var misses = 0
    /// Keys returned by range scans.
    var scannedEntries = 0
    var firstError: String?
    var startNanos: UInt64 = 0
    var endNanos: UInt64 = 0
    /// Why the run stopped early (lost connection, malformed reply, timeout).
    var failure: String?
}

/// One thread's share of the connections, driven by its own libuv loop.
///
/// Closed loop per connection, as redis-benchmark does: write a batch of `pipeline`
/// operations in one send, wait for all their replies, write the next batch. An operation's
/// latency runs from the write of its batch to the arrival of the read that completed its
/// last reply; reads and writes are non-blocking and driven by poll handles, so a thread
/// serves any number of connections.
///
/// The connections and the output live in manually allocated memory reached through
/// pointers, which Swift does not check for exclusive access at run time (the loop is
/// single-threaded, so there is nothing to check).
final class NetWorker: @unchecked Sendable {
    private let loop: UnsafeMutablePointer<uv_loop_t>
    private let ticker: UnsafeMutablePointer<uv_timer_t>
    private let connections: UnsafeMutablePointer<NetConnection>
    private let connectionCount: Int
    private var generator: NetOperationGenerator
    private let pipeline: Int
    /// Operations not yet started; unlimited in a timed run.
    private var budget: Int
    private let durationNanos: UInt64?
    private var deadline: UInt64 = .max
    private let timeoutNanos: UInt64
    /// Connections still running batches.
    private var active = 0
    private var lastReplyNanos: UInt64 = 0
    private let output: UnsafeMutablePointer<NetWorkerOutput>
    /// Read by the progress display while the run goes on.
    let progress = ProgressCounter()

    /// Ticker period: progress is published and overdue replies are noticed this often.
    private static let tickMilliseconds: UInt64 = 100

    /// Takes ownership of `descriptors` (connected, non-blocking sockets).
    init(
        descriptors: [Int32], generator: consuming NetOperationGenerator, pipeline: Int, budget: Int?,
        durationNanos: UInt64?, timeoutNanos: UInt64
    ) {
        connectionCount = descriptors.count
        connections = .allocate(capacity: descriptors.count)
        for (i, descriptor) in descriptors.enumerated() {
            (connections + i).initialize(to: NetConnection(descriptor: descriptor))
        }
        self.generator = generator
        self.pipeline = pipeline
        self.budget = budget ?? .max
        self.durationNanos = durationNanos
        self.timeoutNanos = timeoutNanos
        loop = .allocate(capacity: 1)
        ticker = .allocate(capacity: 1)
        output = .allocate(capacity: 1)
        output.initialize(
            to: NetWorkerOutput(
                histogram: Histogram<UInt64>(
                    lowestDiscernibleValue: 1, highestTrackableValue: maxTrackableNanos,
                    numberOfSignificantValueDigits: .three)))
    }

    deinit {
        connections.deinitialize(count: connectionCount)
        connections.deallocate()
        output.deinitialize(count: 1)
        output.deallocate()
        loop.deallocate()
        ticker.deallocate()
    }

    /// What the worker measured; complete once `run` has returned (the runner reads it after
    /// joining the thread).
    var result: NetWorkerOutput { output.pointee }

    /// Runs the worker's share of the test on the calling thread; returns when every
    /// connection is done or the run failed.
    func run(gate: StartGate) {
        uv_loop_init(loop)
        loop.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        for index in 0..<connectionCount {
            let poll = connections[index].poll
            uv_poll_init(loop, poll, connections[index].descriptor)
            // The handle carries its connection's index + 1 (a null data pointer is not allowed
            // to stand for index 0).
            poll.pointee.data = UnsafeMutableRawPointer(bitPattern: index + 1)
            watch(index, writable: false)
        }
        uv_timer_init(loop, ticker)
        uv_timer_start(ticker, { timer in NetWorker.of(timer!.pointee.loop).tick() }, Self.tickMilliseconds, Self.tickMilliseconds)

        gate.pass()
        let start = monotonicNanoseconds()
        output.pointee.startNanos = start
        output.pointee.endNanos = start
        lastReplyNanos = start
        if let durationNanos { deadline = start + durationNanos }
        active = connectionCount
        for index in 0..<connectionCount where output.pointee.failure == nil { startBatch(index, now: start) }
        uv_run(loop, UV_RUN_DEFAULT)

        for index in 0..<connectionCount { uv_close(UnsafeMutablePointer(OpaquePointer(connections[index].poll)), nil) }
        uv_close(UnsafeMutablePointer(OpaquePointer(ticker)), nil)
        uv_run(loop, UV_RUN_DEFAULT)
        uv_loop_close(loop)
        progress.publish(output.pointee.operations, finished: true)
    }

    @inline(__always)
    private static func of(_ loop: UnsafeMutablePointer<uv_loop_t>!) -> NetWorker {
        Unmanaged<NetWorker>.fromOpaque(loop.pointee.data).takeUnretainedValue()
    }

    private func watch(_ index: Int, writable: Bool) {
        connections[index].watchingWritable = writable
        let events = UV_READABLE.rawValue | (writable ? UV_WRITABLE.rawValue : 0)
        uv_poll_start(connections[index].poll, Int32(events)) { handle, status, events in
            NetWorker.of(handle!.pointee.loop).serve(Int(bitPattern: handle!.pointee.data) - 1, status: status, events: events)
        }
    }

    // MARK: Events

    private func serve(_ index: Int, status: Int32, events: Int32) {
        do {
            if status < 0 { throw NetFailure("socket error: \(String(cString: uv_strerror(status)))") }
            if events & Int32(UV_WRITABLE.rawValue) != 0, try connections[index].send() { watch(index, writable: false) }
            guard events & Int32(UV_READABLE.rawValue) != 0, try connections[index].receive() else { return }
            let now = monotonicNanoseconds()
            lastReplyNanos = now
            try handleReplies(&connections[index], now: now, into: &output.pointee)
            if !connections[index].requests.output.isEmpty {
                try flush(index, now: now)
            } else if connections[index].awaiting == 0 {
                startBatch(index, now: now)
            }
        } catch {
            fail(String(describing: error))
        }
    }

    /// Checks and counts every complete reply received on `c`, records the latency of each
    /// operation they complete, and encodes the SETs of read-modify-writes whose GET is in.
    @inline(__always)
    private func handleReplies(_ c: inout NetConnection, now: UInt64, into out: inout NetWorkerOutput) throws {
        while let (reply, request) = try c.nextReply() {
            var completes = request.completesOperation
            switch request.kind.classify(reply) {
            case .hit(let entries):
                out.scannedEntries += entries
            case .miss:
                out.misses += 1
            case .failure:
                out.errors += 1
                if out.firstError == nil { out.firstError = describe(reply, answering: request.kind) }
                // A failed read ends its read-modify-write: there is nothing to write back.
                if request.kind == .readForUpdate { completes = true }
            }
            if request.kind == .readForUpdate && !completes {
                generator.emitFollowUp(request, into: &c)
            }
            if completes {
                out.operations += 1
                out.histogram.record(min(now &- request.startNanos, maxTrackableNanos))
                out.endNanos = now
            }
        }
    }

    /// Writes the next batch on connection `index`, or retires it when the run is over for it.
    private func startBatch(_ index: Int, now: UInt64) {
        let count = min(pipeline, budget)
        guard count > 0, now < deadline else {
            retire(index)
            return
        }
        budget -= count
        generator.emitBatch(count, into: &connections[index])
        do {
            try flush(index, now: monotonicNanoseconds())
        } catch {
            fail(String(describing: error))
        }
    }

    /// Stamps the operations just encoded with `now` and writes them; what the socket does
    /// not take now goes out when it becomes writable.
    private func flush(_ index: Int, now: UInt64) throws {
        connections[index].stamp(now)
        if try !connections[index].send() && !connections[index].watchingWritable { watch(index, writable: true) }
    }

    private func retire(_ index: Int) {
        uv_poll_stop(connections[index].poll)
        active -= 1
        if active == 0 { uv_timer_stop(ticker) }
    }

    private func fail(_ reason: String) {
        if output.pointee.failure == nil { output.pointee.failure = reason }
        for index in 0..<connectionCount { uv_poll_stop(connections[index].poll) }
        uv_timer_stop(ticker)
    }

    private func tick() {
        progress.publish(output.pointee.operations)
        let overdue = monotonicNanoseconds() &- lastReplyNanos
        if overdue > timeoutNanos && (0..<connectionCount).contains(where: { connections[$0].awaiting > 0 }) {
            fail("no reply for \(Format.fixed(Double(overdue) / 1e9, 1)) s (--timeout)")
        }
    }

    private func describe(_ reply: RESPReply, answering kind: NetRequestKind) -> String {
        if case .error(let message) = reply { return String(decoding: message, as: UTF8.self) }
        return "unexpected reply to \(kind): \(String(describing: reply).prefix(200))"
    }
}
