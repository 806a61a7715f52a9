import SkipKVIndex
import SkipKVKeys

/// The reference the model-based tests compare against: a sorted array implementing the
/// protocol's documented semantics, written to be obviously right rather than fast. Its key
/// order is Swift's lexicographic order of byte arrays (memcmp order, a proper prefix first),
/// independent of the library's comparison code.
struct ReferenceMap {
    private(set) var keys: [[UInt8]] = []
    private(set) var values: [[UInt8]] = []

    var count: Int { keys.count }

    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }

    static func contains(_ range: KeyRange, _ key: [UInt8]) -> Bool {
        switch range.lower {
        case .unbounded: break
        case .inclusive(let lower): if less(key, lower) { return false }
        case .exclusive(let lower): if !less(lower, key) { return false }
        }
        switch range.upper {
        case .unbounded: return true
        case .inclusive(let upper): return !less(upper, key)
        case .exclusive(let upper): return less(key, upper)
        }
    }

    /// Position of the first key not below `key`.
    private func position(of key: [UInt8]) -> Int {
        Self.partition(keys) { Self.less($0, key) }
    }

    /// The number of leading elements of `sorted` for which `isBefore` holds (it must hold for a
    /// prefix).
    private static func partition(_ sorted: [[UInt8]], _ isBefore: ([UInt8]) -> Bool) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if isBefore(sorted[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The positions of the keys of `sorted` that lie in `range`.
    static func positions(of range: KeyRange, in sorted: [[UInt8]]) -> Range<Int> {
        let start: Int
        switch range.lower {
        case .unbounded: start = 0
        case .inclusive(let lower): start = partition(sorted) { less($0, lower) }
        case .exclusive(let lower): start = partition(sorted) { !less(lower, $0) }
        }
        let end: Int
        switch range.upper {
        case .unbounded: end = sorted.count
        case .inclusive(let upper): end = partition(sorted) { !less(upper, $0) }
        case .exclusive(let upper): end = partition(sorted) { less($0, upper) }
        }
        return start..<max(start, end)
    }

    private func slot(of key: [UInt8]) -> Int? {
        let at = position(of: key)
        return at < keys.count && keys[at] == key ? at : nil
    }

    func get(_ key: [UInt8]) -> [UInt8]? { slot(of: key).map { values[$0] } }

    mutating func put(_ key: [UInt8], _ value: [UInt8], condition: PutCondition = .always) -> PutOutcome {
        if let at = slot(of: key) {
            if condition == .ifAbsent { return .skipped }
            values[at] = value
            return .replaced
        }
        if condition == .ifPresent { return .skipped }
        let at = position(of: key)
        keys.insert(key, at: at)
        values.insert(value, at: at)
        return .inserted
    }

    mutating func remove(_ key: [UInt8]) -> Bool {
        guard let at = slot(of: key) else { return false }
        keys.remove(at: at)
        values.remove(at: at)
        return true
    }

    /// Applies `action` to `key` as `update` would (the model keeps no deadlines).
    mutating func apply(_ action: UpdateAction, to key: [UInt8]) {
        switch action {
        case .keep: break
        case .remove: _ = remove(key)
        case .store(let value), .storeWithDeadline(let value, _): _ = put(key, value)
        case .setDeadline: break
        }
    }

    func entries(in range: KeyRange, reverse: Bool = false, offset: Int = 0, limit: Int = -1) -> [(key: [UInt8], value: [UInt8])] {
        var selected = zip(keys, values).filter { Self.contains(range, $0.0) }.map { (key: $0.0, value: $0.1) }
        if reverse { selected.reverse() }
        selected = Array(selected.dropFirst(offset))
        return limit < 0 ? selected : Array(selected.prefix(limit))
    }

    func count(in range: KeyRange) -> Int { keys.filter { Self.contains(range, $0) }.count }

    mutating func removeAll(in range: KeyRange) -> Int {
        let doomed = keys.filter { Self.contains(range, $0) }
        for key in doomed { _ = remove(key) }
        return doomed.count
    }
}
