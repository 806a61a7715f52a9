import SkipKVKeys

/// The structural invariant checker. It reads without locks, so the index must be quiescent.
extension BSkipList {
    /// Verifies, level by level: strict key order within and across nodes; node fill; each
    /// node's cached successor key; that `hasParent` holds exactly for nodes whose first key is
    /// tall enough to appear one level up; that keys sit only on levels up to their height and
    /// are the first of their node below it; level containment (every entry above level 0 points
    /// at a node of the level below starting with the same key, and every parented node is
    /// pointed at exactly once); that every node is reachable from its level's head; the key
    /// count; and the bytes in use (when `memory` counts this index alone).
    public func checkInvariants() throws {
        let bytes = try checkStructure()
        if ownsMemoryCounters && bytes != bytesInUse { throw InvariantViolation("bytesInUse \(bytesInUse) but \(bytes) bytes held") }
    }

    /// Everything `checkInvariants` checks except the memory counter; returns the heap bytes
    /// the index holds, for a keyspace to compare the sum over its shards with their shared
    /// counter. Only while no other thread uses the index.
    public func checkStructure() throws -> Int {
        reclaimer?.drain()
        var nodesOnLevel: [Set<UnsafeMutableRawPointer>] = []
        var bytes = 0
        var keysOnLevel0 = 0
        for level in 0...topLevel {
            var seen = Set<UnsafeMutableRawPointer>()
            var previousKey: [UInt8]? = nil
            var node: BNode? = heads[level]
            while let current = node {
                guard seen.insert(current.raw).inserted else { throw InvariantViolation("cycle on level \(level)") }
                bytes += nodeBytes
                try checkNode(current, level: level, previousKey: &previousKey)
                if let next = current.next {
                    if current.cachedLength != next.length(0) || current.cachedHigh != next.high(0)
                        || current.cachedLow != next.low(0) {
                        throw InvariantViolation("stale cached successor key on level \(level)")
                    }
                } else if current.cachedLength != -1 || current.cachedHigh != 0 || current.cachedLow != 0 {
                    throw InvariantViolation("cached successor key without a successor on level \(level)")
                }
                if level == 0 {
                    for i in (current.isHead ? 1 : 0)..<current.count {
                        keysOnLevel0 += 1
                        bytes += current.storedKey(i).footprint
                        bytes += valueBlockFootprint(current, i)
                    }
                }
                node = current.next
            }
            nodesOnLevel.append(seen)
        }
        try checkContainment(nodesOnLevel)
        if keysOnLevel0 != count { throw InvariantViolation("count \(count) but \(keysOnLevel0) keys on level 0") }
        // The deadline index shares the memory counters.
        if let deadlines { bytes += try deadlines.nodes.checkStructure() }
        return bytes
    }

    private func checkNode(_ node: BNode, level: Int, previousKey: inout [UInt8]?) throws {
        if node.level != level { throw InvariantViolation("node of level \(node.level) linked on level \(level)") }
        let first = node.isHead ? 1 : 0
        if node.count > capacity || node.count < 1 { throw InvariantViolation("node count \(node.count) on level \(level)") }
        for i in first..<node.count {
            let key = node.withKey(i) { Array($0) }
            let inline = SearchKey.inlineBytes
            let stored = node.storedKey(i)
            if key.count <= inline && stored.block != nil { throw InvariantViolation("short key stored out of line") }
            if key.count > inline && stored.block == nil { throw InvariantViolation("long key without its bytes") }
            if level > 0 && stored.block == nil && stored.valueLength != 0 {
                throw InvariantViolation("value length \(stored.valueLength) on level \(level)")
            }
            let words = key.withUnsafeBytes { keyWords($0.baseAddress, $0.count) }
            if words != (node.high(i), node.low(i)) { throw InvariantViolation("key words do not match key \(key)") }
            if let previousKey, compareBytes(previousKey, key) >= 0 {
                throw InvariantViolation("keys out of order on level \(level): \(previousKey) then \(key)")
            }
            let height = key.withUnsafeBytes { heights.height($0) }
            if height < level { throw InvariantViolation("key of height \(height) on level \(level)") }
            if i > 0 && height > level { throw InvariantViolation("tall key \(key) not first of its node on level \(level)") }
            previousKey = key
        }
        if !node.isHead {
            let firstHeight = node.withKey(0) { heights.height($0) }
            if node.hasParent != (firstHeight > level) {
                throw InvariantViolation("hasParent is \(node.hasParent) for a first key of height \(firstHeight) on level \(level)")
            }
        }
    }

    private func checkContainment(_ nodesOnLevel: [Set<UnsafeMutableRawPointer>]) throws {
        for level in 1..<nodesOnLevel.count {
            var pointedAt = Set<UnsafeMutableRawPointer>()
            var node: BNode? = heads[level]
            while let current = node {
                for i in 0..<current.count {
                    let child = current.child(i)
                    guard nodesOnLevel[level - 1].contains(child.raw) else {
                        throw InvariantViolation("entry on level \(level) points at a node not linked on level \(level - 1)")
                    }
                    guard pointedAt.insert(child.raw).inserted else {
                        throw InvariantViolation("two entries on level \(level) point at one node")
                    }
                    if current.isHead && i == 0 {
                        if child != heads[level - 1] { throw InvariantViolation("head of level \(level) skips a head") }
                        continue
                    }
                    if !child.hasParent || current.withKey(i, { child.compare(SearchKey($0), 0) }) != 0 {
                        throw InvariantViolation("entry on level \(level) points at a node starting with another key")
                    }
                }
                node = current.next
            }
            for raw in nodesOnLevel[level - 1] {
                let child = BNode(raw)
                if child.hasParent && !child.isHead && !pointedAt.contains(raw) {
                    throw InvariantViolation("parented node on level \(level - 1) has no parent entry")
                }
            }
        }
    }
}

extension BSkipList {
    /// The `DeadlineIndex` invariant (see there): every level-0 node with a non-zero bound is
    /// indexed exactly once under it, no other node is, each bound is at most every deadline
    /// in its node, a node without a bound holds no entry with a deadline, every entry with a
    /// deadline sits in a leaf marked `mayHoldDeadlines`, and the index counts the keys with a
    /// deadline. Only while no other thread uses the index.
    public func checkDeadlineIndex() throws {
        guard let deadlines else { return }
        var expected: [UInt: Int64] = [:]
        var keysWithDeadline = 0
        var node: BNode? = heads[0]
        while let current = node {
            let bound = current.minDeadline
            for i in (current.isHead ? 1 : 0)..<current.count where current.storedKey(i).hasDeadline {
                keysWithDeadline += 1
                if !current.mayHoldDeadlines { throw InvariantViolation("an entry with a deadline in an unmarked leaf") }
                let deadline = current.deadline(i)
                if bound == 0 || deadline < bound {
                    throw InvariantViolation("a deadline \(deadline) below its node's bound \(bound)")
                }
            }
            if bound != 0 { expected[UInt(bitPattern: current.raw)] = bound }
            node = current.next
        }
        var indexed: [UInt: Int64] = [:]
        var duplicate = false
        deadlines.forEachEarliest(limit: -1) { bound, node in
            if indexed.updateValue(bound, forKey: UInt(bitPattern: node.raw)) != nil { duplicate = true }
        }
        if duplicate { throw InvariantViolation("a node indexed under two bounds") }
        if indexed != expected {
            throw InvariantViolation("deadline index out of step: \(expected.count) bounded nodes, \(indexed.count) entries")
        }
        if deadlines.count != keysWithDeadline {
            throw InvariantViolation("\(deadlines.count) keys with a deadline counted, \(keysWithDeadline) found")
        }
    }
}
