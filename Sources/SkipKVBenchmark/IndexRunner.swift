import Histogram
import SkipKVIndex
import SkipKVKeys
import SkipKVSystem

/// Settings shared by every workload of one `index` run.
struct RunConfig: Sendable {
    var keys: Int
    var ops: Int
    var threads: Int
    var encoder: KeyEncoder
    var valueBytes: Int
    var zipfTheta: Double
    var seed: UInt64
    var maxScanLength: Int
    var showProgress: Bool
    var checkInvariants: Bool
}

/// What one workload measured on one structure.
struct WorkloadMeasurement {
    var ops: Int
    var elapsedNanos: UInt64
    var histogram: Histogram<UInt64>
    /// Reads that found no value, or scans that saw no entry (should be 0).
    var misses: Int
    /// Operations whose outcome contradicts the bookkeeping, e.g. an insert that replaced (should be 0).
    var anomalies: Int
    /// Entries visited by scans.
    var scannedEntries: Int
    var countAfter: Int
    var expectedCount: Int
    var bytesBefore: Int
    var bytesAfter: Int
    /// Largest `bytesInUse` seen before, during (sampled) and after the run.
    var peakBytes: Int
    var residentAfter: Int?

    var opsPerSecond: Double { elapsedNanos == 0 ? 0 : Double(ops) / (Double(elapsedNanos) / 1e9) }
}

/// The kinds of operation a batch can hold.
enum OpKind: UInt8 {
    case read, update, insert, scan, remove
}

/// Hands out consecutive new key numbers to the threads of workload E, one block per batch, so
/// that the key numbers in use stay exactly [0, next).
final class KeyNumberAllocator: @unchecked Sendable {
    private let lock = MutexCondition()
    private var nextNumber: UInt64

    init(start: UInt64) { nextNumber = start }

    func claim(_ count: Int) -> UInt64 {
        lock.withLock {
            let first = nextNumber
            nextNumber += UInt64(count)
            return first
        }
    }

    var next: UInt64 { lock.withLock { nextNumber } }
}

/// What one worker thread does during one workload.
enum WorkerPlan: Sendable {
    /// Insert the keys with these numbers, in order (load, insert).
    case insertRange(Range<UInt64>)
    /// `ops` operations: reads with probability readThreshold/2^64, else updates (A, B, C).
    case readUpdate(ops: Int, readThreshold: UInt64, chooser: KeyChooser)
    /// `ops` operations: scans of 1...maxScan keys from a chosen key, else inserts of new keys (E).
    case scanInsert(ops: Int, scanThreshold: UInt64, chooser: KeyChooser, maxScan: Int, allocator: KeyNumberAllocator)
    /// Remove the keys with these numbers, except those `DeletePolicy.keeps` (delete).
    case removeRange(Range<UInt64>)
}

/// Which keys the delete workload keeps: one key number in ten, chosen by hash.
enum DeletePolicy {
    static let keepOneIn: UInt64 = 10

    @inline(__always)
    static func keeps(_ n: UInt64) -> Bool { mix64(n ^ 0x7A3C_91E5_0F4B_D268) % keepOneIn == 0 }
}

/// Published by a worker, read by the monitoring thread.
final class WorkerSlot: @unchecked Sendable {
    private let lock = MutexCondition()
    private var doneOps = 0
    private var isFinished = false
    /// Written once by the worker before it finishes; read after join.
    private(set) var output: WorkerOutput?

    func publish(done: Int) { lock.withLock { doneOps = done } }

    func finish(_ result: WorkerOutput) {
        lock.withLock {
            output = result
            doneOps = result.ops
            isFinished = true
        }
    }

    var progress: (done: Int, finished: Bool) { lock.withLock { (doneOps, isFinished) } }
}

struct WorkerOutput {
    var histogram: Histogram<UInt64>
    var ops: Int
    var startNanos: UInt64
    var endNanos: UInt64
    var misses: Int
    var anomalies: Int
    var scannedEntries: Int
    var checksum: UInt64
}

/// Latencies above this are clamped (a minute; nothing real takes that long).
let maxTrackableNanos: UInt64 = 60_000_000_000

/// Operations generated ahead of the timed loop per batch: keys and operation kinds for this
/// many operations live in small per-thread buffers that stay in L1.
let batchSize = 256

/// The measuring loop of one worker thread. Generic over the index type so that every call into
/// the index is a direct (specialized) call, never an existential one.
///
/// Each batch is generated first (key choice, encoding, operation mix: outside the timing), then
/// executed with one clock read per operation boundary; the latency of an operation is the time
/// between consecutive boundaries, so it includes the previous histogram record (a few ns).
func runWorker<I: OrderedKeyValueIndex>(
    index: I, plan: WorkerPlan, encoder: KeyEncoder, valueBytes: Int, seed: UInt64,
    slot: WorkerSlot, gate: StartGate
) {
    var rng = BenchmarkRandom(seed: seed)
    var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: maxTrackableNanos, numberOfSignificantValueDigits: .three)

    let stride = KeyEncoder.maxLength
    let keys = UnsafeMutableRawPointer.allocate(byteCount: batchSize * stride, alignment: 64)
    let keyLengths = UnsafeMutablePointer<Int>.allocate(capacity: batchSize)
    let kinds = UnsafeMutablePointer<OpKind>.allocate(capacity: batchSize)
    let scanLengths = UnsafeMutablePointer<Int>.allocate(capacity: batchSize)
    let value = UnsafeMutableRawPointer.allocate(byteCount: max(valueBytes, 8), alignment: 16)
    let readCapacity = max(valueBytes, 64)
    let readBuffer = UnsafeMutableRawPointer.allocate(byteCount: readCapacity, alignment: 16)
    defer {
        keys.deallocate()
        keyLengths.deallocate()
        kinds.deallocate()
        scanLengths.deallocate()
        value.deallocate()
        readBuffer.deallocate()
    }
    for i in 0..<max(valueBytes, 8) {
        value.storeBytes(of: UInt8(truncatingIfNeeded: mix64(seed &+ UInt64(i))), toByteOffset: i, as: UInt8.self)
    }
    let valueBuffer = UnsafeRawBufferPointer(start: value, count: valueBytes)
    var scanStart: [UInt8] = []
    scanStart.reserveCapacity(stride)

    // Plan state.
    var cursor: UInt64 = 0
    var end: UInt64 = 0
    var remaining = 0
    switch plan {
    case .insertRange(let r), .removeRange(let r):
        cursor = r.lowerBound
        end = r.upperBound
    case .readUpdate(let ops, _, _), .scanInsert(let ops, _, _, _, _):
        remaining = ops
    }

    var done = 0
    var misses = 0
    var anomalies = 0
    var scanned = 0
    var checksum: UInt64 = 0
    var batchNumber: UInt64 = 0

    gate.pass()
    let startNanos = monotonicNanoseconds()
    while true {
        // Generate the batch (untimed).
        var n = 0
        switch plan {
        case .insertRange:
            n = Int(min(UInt64(batchSize), end - cursor))
            for i in 0..<n {
                kinds[i] = .insert
                keyLengths[i] = encoder.encode(cursor + UInt64(i), into: keys + i * stride)
            }
            cursor += UInt64(n)
        case .readUpdate(_, let readThreshold, let chooser):
            n = min(batchSize, remaining)
            for i in 0..<n {
                kinds[i] = rng.next() < readThreshold ? .read : .update
                keyLengths[i] = encoder.encode(chooser.next(&rng), into: keys + i * stride)
            }
            remaining -= n
        case .scanInsert(_, let scanThreshold, let chooser, let maxScan, let allocator):
            n = min(batchSize, remaining)
            var inserts = 0
            for i in 0..<n {
                if rng.next() < scanThreshold {
                    kinds[i] = .scan
                    scanLengths[i] = 1 + Int(rng.next(below: UInt64(maxScan)))
                    keyLengths[i] = encoder.encode(chooser.next(&rng), into: keys + i * stride)
                } else {
                    kinds[i] = .insert
                    inserts += 1
                }
            }
            if inserts > 0 {
                var number = allocator.claim(inserts)
                for i in 0..<n where kinds[i] == .insert {
                    keyLengths[i] = encoder.encode(number, into: keys + i * stride)
                    number += 1
                }
            }
            remaining -= n
        case .removeRange:
            while n < batchSize && cursor < end {
                if !DeletePolicy.keeps(cursor) {
                    kinds[n] = .remove
                    keyLengths[n] = encoder.encode(cursor, into: keys + n * stride)
                    n += 1
                }
                cursor += 1
            }
        }
        if n == 0 { break }
        if valueBytes >= 8 { value.storeBytes(of: batchNumber ^ seed, as: UInt64.self) }
        batchNumber &+= 1

        // Execute the batch (timed per operation).
        var t0 = monotonicNanoseconds()
        for i in 0..<n {
            let key = UnsafeRawBufferPointer(start: keys + i * stride, count: keyLengths[i])
            switch kinds[i] {
            case .read:
                let length = index.withValue(forKey: key) { v -> Int in
                    let c = min(v.count, readCapacity)
                    if c > 0 { readBuffer.copyMemory(from: v.baseAddress!, byteCount: c) }
                    return v.count
                }
                if let length { checksum &+= UInt64(length) } else { misses += 1 }
            case .update:
                if index.put(key, valueBuffer, condition: .always) != .replaced { anomalies += 1 }
            case .insert:
                if index.put(key, valueBuffer, condition: .always) != .inserted { anomalies += 1 }
            case .scan:
                scanStart.removeAll(keepingCapacity: true)
                scanStart.append(contentsOf: key)
                let seen = index.forEach(
                    in: KeyRange(lower: .inclusive(scanStart)), reverse: false, offset: 0, limit: scanLengths[i]
                ) { k, v in
                    checksum &+= UInt64(k.count &+ v.count)
                    return true
                }
                if seen == 0 { misses += 1 }
                scanned += seen
            case .remove:
                if !index.remove(key) { anomalies += 1 }
            }
            let t1 = monotonicNanoseconds()
            histogram.record(min(t1 &- t0, maxTrackableNanos))
            t0 = t1
        }
        done += n
        slot.publish(done: done)
    }
    let endNanos = monotonicNanoseconds()
    checksum &+= UInt64(readBuffer.load(as: UInt8.self))
    slot.finish(
        WorkerOutput(
            histogram: histogram, ops: done, startNanos: startNanos, endNanos: endNanos,
            misses: misses, anomalies: anomalies, scannedEntries: scanned, checksum: checksum))
}

/// Splits [lower, upper) into `parts` contiguous ranges of near-equal size.
func splitRange(_ lower: UInt64, _ upper: UInt64, parts: Int) -> [Range<UInt64>] {
    let total = upper - lower
    let p = UInt64(parts)
    return (0..<p).map { i in
        let a = lower + total * i / p
        let b = lower + total * (i + 1) / p
        return a..<b
    }
}

/// Splits `total` operations over `parts` threads.
func splitCount(_ total: Int, parts: Int) -> [Int] {
    (0..<parts).map { total / parts + ($0 < total % parts ? 1 : 0) }
}

/// One structure instance going through the workload steps in order.
final class IndexSession<I: OrderedKeyValueIndex> {
    let index: I
    let label: String
    let config: RunConfig
    /// Keys with numbers [0, nextKeyNumber) have been inserted (until delete runs).
    private var nextKeyNumber: UInt64 = 0
    private var expectedCount = 0

    init(index: I, label: String, config: RunConfig) {
        self.index = index
        self.label = label
        self.config = config
    }

    func run(_ step: WorkloadStep, stepNumber: Int) throws -> WorkloadMeasurement {
        let threads = config.threads
        var allocator: KeyNumberAllocator?
        let plans: [WorkerPlan]
        let expectedOps: Int
        let chooser = step.distribution.map {
            KeyChooser($0, items: max(nextKeyNumber, 1), theta: config.zipfTheta)
        }
        switch step.workload {
        case .load:
            precondition(nextKeyNumber == 0, "load runs once, first")
            plans = splitRange(0, UInt64(config.keys), parts: threads).map { .insertRange($0) }
            expectedOps = config.keys
        case .insert:
            plans = splitRange(nextKeyNumber, nextKeyNumber + UInt64(config.ops), parts: threads).map { .insertRange($0) }
            expectedOps = config.ops
        case .a, .b, .c:
            let threshold = probabilityThreshold(step.workload.readFraction)
            plans = splitCount(config.ops, parts: threads).map {
                .readUpdate(ops: $0, readThreshold: threshold, chooser: chooser!)
            }
            expectedOps = config.ops
        case .e:
            let a = KeyNumberAllocator(start: nextKeyNumber)
            allocator = a
            let threshold = probabilityThreshold(Workload.scanFraction)
            plans = splitCount(config.ops, parts: threads).map {
                .scanInsert(ops: $0, scanThreshold: threshold, chooser: chooser!, maxScan: config.maxScanLength, allocator: a)
            }
            expectedOps = config.ops
        case .delete:
            plans = splitRange(0, nextKeyNumber, parts: threads).map { .removeRange($0) }
            expectedOps = Int(nextKeyNumber - nextKeyNumber / DeletePolicy.keepOneIn)
        }

        let slots = (0..<threads).map { _ in WorkerSlot() }
        let gate = StartGate()
        let bytesBefore = index.bytesInUse
        var peak = bytesBefore
        let workers = (0..<threads).map { t in
            let plan = plans[t]
            let slot = slots[t]
            let seed = BenchmarkRandom.streamSeed(config.seed, UInt64(stepNumber), UInt64(t))
            let index = self.index
            let encoder = config.encoder
            let valueBytes = config.valueBytes
            return JoinableThread {
                runWorker(
                    index: index, plan: plan, encoder: encoder, valueBytes: valueBytes, seed: seed,
                    slot: slot, gate: gate)
            }
        }

        let progress = ProgressDisplay(
            label: "\(label) \(step.label)", total: expectedOps,
            enabled: config.showProgress)
        gate.open()
        // This thread only watches: it wakes 20 times a second to publish progress (and, for
        // delete, to sample bytes in use for the peak), so it barely competes with the workers.
        while true {
            sleep(nanoseconds: 50_000_000)
            var done = 0
            var finished = 0
            for s in slots {
                let p = s.progress
                done += p.done
                if p.finished { finished += 1 }
            }
            if step.workload == .delete { peak = max(peak, index.bytesInUse) }
            if finished == threads { break }
            progress.update(done: done)
        }
        progress.finish()
        for w in workers { w.join() }

        let outputs = slots.map { $0.output! }
        var histogram = outputs[0].histogram
        for o in outputs.dropFirst() { histogram.add(o.histogram) }
        let start = outputs.map(\.startNanos).min()!
        let end = outputs.map(\.endNanos).max()!
        let ops = outputs.reduce(0) { $0 + $1.ops }

        switch step.workload {
        case .load, .insert:
            nextKeyNumber += UInt64(ops)
            expectedCount += ops
        case .e:
            let next = allocator!.next
            expectedCount += Int(next - nextKeyNumber)
            nextKeyNumber = next
        case .delete:
            expectedCount -= ops
        case .a, .b, .c:
            break
        }

        let bytesAfter = index.bytesInUse
        peak = max(peak, bytesAfter)
        let measurement = WorkloadMeasurement(
            ops: ops, elapsedNanos: end - start, histogram: histogram,
            misses: outputs.reduce(0) { $0 + $1.misses },
            anomalies: outputs.reduce(0) { $0 + $1.anomalies },
            scannedEntries: outputs.reduce(0) { $0 + $1.scannedEntries },
            countAfter: index.count, expectedCount: expectedCount,
            bytesBefore: bytesBefore, bytesAfter: bytesAfter, peakBytes: peak,
            residentAfter: residentBytes())

        if config.checkInvariants {
            let t0 = monotonicNanoseconds()
            try index.checkInvariants()
            print("    invariants ok after \(step.label) (\(Format.seconds(monotonicNanoseconds() - t0)))")
        }
        return measurement
    }
}
