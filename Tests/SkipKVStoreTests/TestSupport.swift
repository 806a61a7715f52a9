import SkipKVKeys
import SkipKVTestSupport

/// The sorted-array model the keyspace is checked against.
struct SortedModel {
    private(set) var entries: [(key: [UInt8], value: [UInt8])] = []

    private func search(_ key: [UInt8]) -> (found: Bool, index: Int) {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            let c = compareBytes(entries[mid].key, key)
            if c == 0 { return (true, mid) }
            if c < 0 { low = mid + 1 } else { high = mid }
        }
        return (false, low)
    }

    mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        let (found, index) = search(key)
        if found { entries[index].value = value } else { entries.insert((key, value), at: index) }
    }

    mutating func remove(_ key: [UInt8]) -> Bool {
        let (found, index) = search(key)
        if found { entries.remove(at: index) }
        return found
    }

    func get(_ key: [UInt8]) -> [UInt8]? {
        let (found, index) = search(key)
        return found ? entries[index].value : nil
    }

    /// What RANGE returns: the entries of `range` in order (reversed when `reverse`), then
    /// offset and limit.
    func range(_ range: KeyRange, reverse: Bool, offset: Int, limit: Int) -> [(key: [UInt8], value: [UInt8])] {
        var selected = entries.filter { range.contains($0.key) }
        if reverse { selected.reverse() }
        guard offset >= 0, offset < selected.count else { return [] }
        let rest = selected[offset...]
        return Array(limit < 0 ? rest : rest.prefix(limit))
    }

    mutating func removeAll(in range: KeyRange) -> Int {
        let before = entries.count
        entries.removeAll { range.contains($0.key) }
        return before - entries.count
    }
}
