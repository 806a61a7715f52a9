import SkipKVIndex
import SkipKVKeys
import SkipKVTestSupport

/// What one stress thread does and checks, as it happens:
///  - point and block keys it owns: nobody else writes them, so it knows every exact result
///    (put outcome, remove result, value read, old value an update sees, keys a range delete
///    removes) and checks each against its own model;
///  - shared keys: results cannot be predicted, so it tallies its successful inserts and
///    removes for the conservation check after the threads join;
///  - scans and counts: keys within bounds, in strict order, each once, values belonging to
///    their keys; every stable key and every key of its own model that the scan passed over
///    present, and none of its own keys that its model lacks.
struct StressWorker {
    enum Operation: CaseIterable {
        case pointPut, pointRemove, pointGet, pointUpdate
        case blockPut, blockRefill, blockRemoveAll
        case sharedPut, sharedRemove, sharedUpdate, sharedRemoveAll
        case forwardScan, reverseScan, count, stableGet
    }

    struct Outcome: Sendable {
        let model: ReferenceMap
        let sharedInserts: Int
        let sharedRemoves: Int
        let failures: [String]
    }

    let thread: Int
    let index: any OrderedKeyValueIndex
    let keyspace: StressKeyspace
    /// Operations drawn with these relative weights.
    let mix: [(Operation, Int)]
    var random: SeededRandom
    var model: ReferenceMap
    var sharedInserts = 0
    var sharedRemoves = 0
    var failures: [String] = []
    var step = 0
    var tag: UInt32 = 0

    init(thread: Int, index: any OrderedKeyValueIndex, keyspace: StressKeyspace, mix: [(Operation, Int)], seed: UInt64) {
        self.thread = thread
        self.index = index
        self.keyspace = keyspace
        self.mix = mix
        self.random = SeededRandom(seed: seed &+ UInt64(thread) &* 0x9E37_79B9)
        self.model = StressKeyspace.initialContents(thread: thread)
    }

    var outcome: Outcome {
        Outcome(model: model, sharedInserts: sharedInserts, sharedRemoves: sharedRemoves, failures: failures)
    }

    mutating func run(operations: Int) {
        let totalWeight = mix.reduce(0) { $0 + $1.1 }
        for _ in 0..<operations where failures.count < 10 {
            step += 1
            var dice = Int.random(in: 0..<totalWeight, using: &random)
            let operation = mix.first { dice -= $0.1; return dice < 0 }!.0
            perform(operation)
        }
    }

    private mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { failures.append("thread \(thread), step \(step): \(message())") }
    }

    /// A fresh value for `key`: the key itself (so any reader can check it belongs to it), a
    /// unique tag, and sometimes a long tail.
    private mutating func value(for key: [UInt8]) -> [UInt8] {
        tag &+= 1
        let tail = Int.random(in: 0..<8, using: &random) == 0 ? [UInt8](repeating: 0x76, count: 150) : []
        return key + withUnsafeBytes(of: tag.bigEndian, Array.init) + tail
    }

    private mutating func pointKey() -> [UInt8] {
        StressKeyspace.pointKey(Int.random(in: 0..<StressKeyspace.pointKeysPerThread, using: &random), thread: thread)
    }

    private mutating func blockKey() -> [UInt8] {
        StressKeyspace.blockKey(Int.random(in: 0..<StressKeyspace.blockKeysPerThread, using: &random), thread: thread)
    }

    private mutating func sharedKey() -> [UInt8] {
        StressKeyspace.sharedKey(Int.random(in: 0..<StressKeyspace.sharedKeyCount, using: &random))
    }

    private mutating func perform(_ operation: Operation) {
        switch operation {
        case .pointPut: ownedPut(pointKey())
        case .pointRemove: ownedRemove(pointKey())
        case .pointGet:
            let key = pointKey()
            expect(index.get(key) == model.get(key), "get \(key)")
        case .pointUpdate: ownedUpdate(pointKey())
        case .blockPut: ownedPut(blockKey())
        case .blockRefill:
            let start = Int.random(in: 0..<StressKeyspace.blockKeysPerThread, using: &random)
            for j in start..<min(start + 12, StressKeyspace.blockKeysPerThread) {
                let key = StressKeyspace.blockKey(j, thread: thread)
                let value = value(for: key)
                let expected = model.put(key, value)
                expect(index.put(key, value) == expected, "refill put \(key)")
            }
        case .blockRemoveAll: blockRemoveAll()
        case .sharedPut: sharedPut()
        case .sharedRemove:
            if index.remove(sharedKey()) { sharedRemoves += 1 }
        case .sharedUpdate: sharedUpdate()
        case .sharedRemoveAll:
            let first = Int.random(in: 0..<StressKeyspace.sharedKeyCount, using: &random)
            let last = min(first + Int.random(in: 0...15, using: &random), StressKeyspace.sharedKeyCount - 1)
            let range = KeyRange(lower: .inclusive(StressKeyspace.sharedKey(first)), upper: .inclusive(StressKeyspace.sharedKey(last)))
            sharedRemoves += index.removeAll(in: range)
        case .forwardScan: scan(reverse: false)
        case .reverseScan: scan(reverse: true)
        case .count: count()
        case .stableGet:
            let key = keyspace.stable.randomElement(using: &random)!
            expect(index.get(key) == StressKeyspace.stableValue(key), "stable get \(key)")
        }
    }

    // MARK: Owned keys

    private mutating func ownedPut(_ key: [UInt8]) {
        let value = value(for: key)
        let condition = [PutCondition.always, .ifAbsent, .ifPresent].randomElement(using: &random)!
        let expected = model.put(key, value, condition: condition)
        let outcome = index.put(key, value, condition: condition)
        expect(outcome == expected, "put \(key) \(condition): \(outcome), expected \(expected)")
    }

    private mutating func ownedRemove(_ key: [UInt8]) {
        let expected = model.remove(key)
        expect(index.remove(key) == expected, "remove \(key), expected \(expected)")
    }

    private mutating func ownedUpdate(_ key: [UInt8]) {
        let action: UpdateAction
        switch Int.random(in: 0..<3, using: &random) {
        case 0: action = .keep
        case 1: action = .remove
        default: action = .store(value(for: key))
        }
        let expected = model.get(key)
        let seen = index.update(key) { current in (action, current.map(Array.init)) }
        expect(seen == expected, "update \(key) saw \(String(describing: seen)), expected \(String(describing: expected))")
        model.apply(action, to: key)
    }

    private mutating func blockRemoveAll() {
        let first = Int.random(in: 0..<StressKeyspace.blockKeysPerThread, using: &random)
        let last = min(first + Int.random(in: 0...40, using: &random), StressKeyspace.blockKeysPerThread - 1)
        let lowerKey = StressKeyspace.blockKey(first, thread: thread)
        let upperKey = StressKeyspace.blockKey(last, thread: thread)
        let range = KeyRange(
            lower: Bool.random(using: &random) ? .inclusive(lowerKey) : .exclusive(lowerKey),
            upper: Bool.random(using: &random) ? .inclusive(upperKey) : .exclusive(upperKey))
        let expected = model.removeAll(in: range)
        let removed = index.removeAll(in: range)
        expect(removed == expected, "removeAll \(range) removed \(removed), expected \(expected)")
    }

    // MARK: Shared keys

    private mutating func sharedPut() {
        let key = sharedKey()
        let condition = [PutCondition.always, .ifAbsent, .ifPresent].randomElement(using: &random)!
        let outcome = index.put(key, value(for: key), condition: condition)
        expect(!(condition == .ifPresent && outcome == .inserted), "put ifPresent inserted \(key)")
        if outcome == .inserted { sharedInserts += 1 }
    }

    private mutating func sharedUpdate() {
        let key = sharedKey()
        let replacement = value(for: key)
        let choice = Int.random(in: 0..<3, using: &random)
        // The last decision the closure made is the one that took effect.
        let (inserted, removed, belongs) = index.update(key) { current -> (UpdateAction, (Bool, Bool, Bool)) in
            guard let current else {
                return choice == 0 ? (.keep, (false, false, true)) : (.store(replacement), (true, false, true))
            }
            let belongs = current.starts(with: key)
            switch choice {
            case 0: return (.keep, (false, false, belongs))
            case 1: return (.remove, (false, true, belongs))
            default: return (.store(replacement), (false, false, belongs))
            }
        }
        expect(belongs, "update \(key) saw another key's value")
        if inserted { sharedInserts += 1 }
        if removed { sharedRemoves += 1 }
    }

    // MARK: Scans and counts

    /// Usually a window of a few hundred keys of the universe; sometimes unbounded on a side,
    /// and sometimes inverted (lower above upper).
    private mutating func randomRange() -> KeyRange {
        let universe = keyspace.universe
        let first = Int.random(in: 0..<universe.count, using: &random)
        let last = min(first + Int.random(in: 0...300, using: &random), universe.count - 1)
        var (low, high) = (universe[first], universe[last])
        if Int.random(in: 0..<20, using: &random) == 0 { swap(&low, &high) }
        func bound(_ key: [UInt8], _ random: inout SeededRandom) -> RangeBound {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: return .unbounded
            case 1...5: return .inclusive(key)
            default: return .exclusive(key)
            }
        }
        return KeyRange(lower: bound(low, &random), upper: bound(high, &random))
    }

    private mutating func scan(reverse: Bool) {
        let range = randomRange()
        let offset = Int.random(in: 0..<4, using: &random) == 0 ? Int.random(in: 1...20, using: &random) : 0
        let limit = Int.random(in: 0..<3, using: &random) == 0 ? Int.random(in: 0...100, using: &random) : -1
        let stopAfter = Int.random(in: 0..<4, using: &random) == 0 ? Int.random(in: 1...50, using: &random) : Int.max
        var got: [(key: [UInt8], value: [UInt8])] = []
        let seen = index.forEach(in: range, reverse: reverse, offset: offset, limit: limit) { key, value in
            got.append((Array(key), Array(value)))
            return got.count < stopAfter
        }
        let what = "\(reverse ? "reverse " : "")scan \(range) offset \(offset) limit \(limit)"
        expect(seen == got.count, "\(what) returned \(seen) after \(got.count) visits")
        if limit >= 0 { expect(got.count <= limit, "\(what) visited \(got.count)") }
        let truncated = got.count >= stopAfter || (limit >= 0 && got.count >= limit)

        var previous: [UInt8]? = nil
        for (key, value) in got {
            expect(ReferenceMap.contains(range, key), "\(what) returned \(key) out of bounds")
            if let previous {
                expect(reverse ? ReferenceMap.less(key, previous) : ReferenceMap.less(previous, key),
                       "\(what) returned \(key) after \(previous)")
            }
            previous = key
            if StressKeyspace.isStable(key) {
                expect(value == StressKeyspace.stableValue(key), "\(what) stable \(key) has value \(value)")
            } else if StressKeyspace.owner(of: key) == thread {
                let expected = model.get(key)
                expect(expected == value, "\(what) returned own \(key) with \(value), model has \(String(describing: expected))")
            } else {
                expect(value.starts(with: key), "\(what) returned \(key) with another key's value")
            }
        }

        // Keys that must have been seen: stable keys and own present keys, wherever the scan
        // passed — between its first and last entry, before its first when it skipped none,
        // after its last when it was not cut short.
        let returned = Set(got.map(\.key))
        let stableSlice = keyspace.stable[ReferenceMap.positions(of: range, in: keyspace.stable)]
        let ownSlice = model.keys[ReferenceMap.positions(of: range, in: model.keys)]
        for key in Array(stableSlice) + Array(ownSlice) where !returned.contains(key) {
            guard let first = got.first?.key, let last = got.last?.key else {
                expect(offset > 0 || truncated, "\(what) returned nothing but missed \(key)")
                continue
            }
            let beforeFirst = reverse ? ReferenceMap.less(first, key) : ReferenceMap.less(key, first)
            let afterLast = reverse ? ReferenceMap.less(key, last) : ReferenceMap.less(last, key)
            if beforeFirst {
                expect(offset > 0, "\(what) missed \(key) before its first entry")
            } else if afterLast {
                expect(truncated, "\(what) missed \(key) after its last entry")
            } else {
                expect(false, "\(what) skipped \(key)")
            }
        }
    }

    private mutating func count() {
        let range = randomRange()
        let counted = index.count(in: range)
        let atLeast = ReferenceMap.positions(of: range, in: keyspace.stable).count
            + ReferenceMap.positions(of: range, in: model.keys).count
        let atMost = ReferenceMap.positions(of: range, in: keyspace.universe).count
        expect(atLeast <= counted && counted <= atMost, "count \(range) = \(counted), expected \(atLeast)...\(atMost)")
    }
}
