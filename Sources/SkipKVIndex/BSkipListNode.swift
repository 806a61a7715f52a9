import Atomics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A B-skiplist node in raw memory, addressed without ARC.
///
/// Header (one 64-byte cache line):
///   0  lock word (`NodeLock`)
///   8  count: Int32        12 capacity: Int32
///  16  level: UInt8        17 flags: UInt8 (head, hasParent, mayHoldDeadlines, retired)
///  24  next node pointer (nil at the end of a level)
///  32  cached high word of the next node's first key (bytes 0..<8 big-endian, zero padded)
///  40  cached low word of the next node's first key (bytes 8..<16)
///  48  cached length of the next node's first key, -1 when there is no next node
///  56  level 0: a lower bound on the deadlines of the node's entries, 0 when it holds none
///      (`DeadlineIndex`)
/// Entries follow as two arrays, so a search touches only the key words and the rest of the
/// entry it lands on is one 16-byte record:
///   words [capacity] of 16 bytes: the entry's `SearchKey.high` then `SearchKey.low` (four
///   entries per cache line),
///   records [capacity] of 16 bytes: the `StoredKey` word (a key of at most 16 bytes: its
///   length and the value length; a longer key: the address of its `KeyBlock`, which holds
///   both lengths and the key's bytes; the value length is meaningful on level 0 only; on
///   level 0 also the key's access field, see `AccessTracker`), then
///   the payload UInt64 (leaf: value bytes inline when at most 8, else a pointer to them;
///   a key with a deadline: always a pointer to an `ExpiringValue` block;
///   internal: the child node one level down that starts with the same key).
/// 32 bytes per entry: 126 entries in a 4096-byte node.
/// Slot 0 of a head node is the minus-infinity sentinel; its payload is the head one level down.
/// Every field except the lock word is read and written only under the node's lock. The one
/// field written under a shared lock is a level-0 entry's access field (`touch`): a `StoredKey`
/// word is therefore always read and written with relaxed atomics under a shared lock, and
/// its other bits change only under the exclusive lock.

struct BNode: Equatable {
    let raw: UnsafeMutableRawPointer

    init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }

    static let headerBytes = 64
    static let bytesPerEntry = wordBytes + recordBytes
    static let headFlag: UInt8 = 1
    static let parentFlag: UInt8 = 2
    static let deadlineFlag: UInt8 = 4
    static let retiredFlag: UInt8 = 8

    static func capacity(forNodeBytes bytes: Int) -> Int {
        max(4, (bytes - headerBytes) / bytesPerEntry)
    }

    static func allocationBytes(capacity: Int) -> Int {
        headerBytes + capacity * bytesPerEntry
    }

    /// A fresh empty node, optionally already write-locked by its creator.
    
    static func allocate(capacity: Int, level: Int, lockedForWrite: Bool) -> BNode {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: allocationBytes(capacity: capacity), alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: headerBytes)
        raw.initializeMemory(as: NodeLock.Word.self, repeating: .init(lockedForWrite ? NodeLock.lockedForWrite : 0), count: 1)
        let node = BNode(raw)
        node.raw.storeBytes(of: Int32(capacity), toByteOffset: 12, as: Int32.self)
        node.raw.storeBytes(of: UInt8(level), toByteOffset: 16, as: UInt8.self)
        node.cachedLength = -1
        return node
    }

    func deallocate() { raw.deallocate() }

    // MARK: lock

    var lockWord: UnsafeMutablePointer<NodeLock.Word> { raw.assumingMemoryBound(to: NodeLock.Word.self) }
    func lockShared() { NodeLock.lockShared(lockWord) }
    func unlockShared() { NodeLock.unlockShared(lockWord) }
    func lockExclusive() { NodeLock.lockExclusive(lockWord) }
    func unlockExclusive() { NodeLock.unlockExclusive(lockWord) }
    func stableVersion() -> UInt64 { NodeLock.stableVersion(lockWord) }
    func isUnchanged(since version: UInt64) -> Bool { NodeLock.isUnchanged(lockWord, since: version) }

    // MARK: header

    var count: Int {
        get { Int(raw.load(fromByteOffset: 8, as: Int32.self)) }
        nonmutating set { raw.storeBytes(of: Int32(truncatingIfNeeded: newValue), toByteOffset: 8, as: Int32.self) }
    }
    var capacity: Int { Int(raw.load(fromByteOffset: 12, as: Int32.self)) }
    var level: Int { Int(raw.load(fromByteOffset: 16, as: UInt8.self)) }
    var flags: UInt8 {
        get { raw.load(fromByteOffset: 17, as: UInt8.self) }
        nonmutating set { raw.storeBytes(of: newValue, toByteOffset: 17, as: UInt8.self) }
    }
    var isHead: Bool { flags & BNode.headFlag != 0 }
    /// True when the first key is also an entry one level up, which points at this node.
    var hasParent: Bool {
        get { flags & BNode.parentFlag != 0 }
        nonmutating set { flags = newValue ? flags | BNode.parentFlag : flags & ~BNode.parentFlag }
    }
    var next: BNode? {
        get { raw.load(fromByteOffset: 24, as: UnsafeMutableRawPointer?.self).map(BNode.init) }
        nonmutating set { raw.storeBytes(of: newValue?.raw, toByteOffset: 24, as: UnsafeMutableRawPointer?.self) }
    }
    var cachedHigh: UInt64 {
        get { raw.load(fromByteOffset: 32, as: UInt64.self) }
        nonmutating set { raw.storeBytes(of: newValue, toByteOffset: 32, as: UInt64.self) }
    }
    var cachedLow: UInt64 {
        get { raw.load(fromByteOffset: 40, as: UInt64.self) }
        nonmutating set { raw.storeBytes(of: newValue, toByteOffset: 40, as: UInt64.self) }
    }
    var cachedLength: Int {
        get { raw.load(fromByteOffset: 48, as: Int.self) }
        nonmutating set { raw.storeBytes(of: newValue, toByteOffset: 48, as: Int.self) }
    }

    /// Links `successor` (or nothing) after this node and caches its first key.
    func link(to successor: BNode?) {
        next = successor
        if let successor {
            cachedHigh = successor.high(0)
            cachedLow = successor.low(0)
            cachedLength = successor.length(0)
        } else {
            cachedHigh = 0
            cachedLow = 0
            cachedLength = -1
        }
    }

    /// Takes over `other`'s successor and its cached first key.
    func linkLike(_ other: BNode) {
        next = other.next
        cachedHigh = other.cachedHigh
        cachedLow = other.cachedLow
        cachedLength = other.cachedLength
    }

    // MARK: entries

    var wordBase: UnsafeMutableRawPointer { raw + BNode.headerBytes }
    var recordBase: UnsafeMutableRawPointer { wordBase + capacity &* BNode.wordBytes }
    static let wordBytes = 16
    static let recordBytes = 16

    func record(_ i: Int) -> UnsafeMutableRawPointer { recordBase + i &* BNode.recordBytes }

    func high(_ i: Int) -> UInt64 { wordBase.load(fromByteOffset: i &* BNode.wordBytes, as: UInt64.self) }
    func low(_ i: Int) -> UInt64 { wordBase.load(fromByteOffset: i &* BNode.wordBytes &+ 8, as: UInt64.self) }
    func storedKey(_ i: Int) -> StoredKey {
        StoredKey(word: UInt64.AtomicRepresentation.atomicLoad(at: storedKeyWord(i), ordering: .relaxed))
    }
    private func storedKeyWord(_ i: Int) -> UnsafeMutablePointer<UInt64.AtomicRepresentation> {
        record(i).assumingMemoryBound(to: UInt64.AtomicRepresentation.self)
    }
    func setStoredKey(_ i: Int, _ stored: StoredKey) {
        UInt64.AtomicRepresentation.atomicStore(stored.word, at: storedKeyWord(i), ordering: .relaxed)
    }
    /// Reads the key block of a key longer than 16 bytes.
    func length(_ i: Int) -> Int { storedKey(i).length }
    /// Level 0 only; reads the key block of a key longer than 16 bytes.
    func valueLength(_ i: Int) -> Int { storedKey(i).valueLength }
    func payload(_ i: Int) -> UInt64 { record(i).load(fromByteOffset: 8, as: UInt64.self) }
    func child(_ i: Int) -> BNode { BNode(UnsafeMutableRawPointer(bitPattern: UInt(payload(i)))!) }
    /// The child pointer as read without the lock: possibly nil or stale until validated.
    func unverifiedChild(_ i: Int) -> BNode? { UnsafeMutableRawPointer(bitPattern: UInt(payload(i))).map(BNode.init) }

    func setPayload(_ i: Int, _ value: UInt64) {
        record(i).storeBytes(of: value, toByteOffset: 8, as: UInt64.self)
    }
    func setValueLength(_ i: Int, _ length: Int) {
        setStoredKey(i, storedKey(i).setting(valueLength: length))
    }

    /// Records an access to level-0 entry `i` at `stamp`; needs the node's lock, shared or
    /// exclusive (see `AccessTracker` for why a shared lock is enough). Writes only when the
    /// field changes.
    @inline(__always)
    func touch(_ i: Int, _ stamp: AccessStamp, _ tracker: AccessTracker) {
        let stored = storedKey(i)
        let field = stored.access
        let touched = stamp.touched(field, width: stored.accessWidth) { tracker.randomWord() }
        if touched != field { setStoredKey(i, stored.setting(access: touched)) }
    }

    func setEntry(_ i: Int, key: SearchKey, stored: StoredKey, payload: UInt64) {
        let w = wordBase + i &* BNode.wordBytes
        w.storeBytes(of: key.high, as: UInt64.self)
        w.storeBytes(of: key.low, toByteOffset: 8, as: UInt64.self)
        let r = record(i)
        if stored.hasDeadline { mayHoldDeadlines = true }
        r.storeBytes(of: stored.word, as: UInt64.self)
        r.storeBytes(of: payload, toByteOffset: 8, as: UInt64.self)
    }

    /// Three-way comparison of `key` with entry `i`: the words first, the record (and the key
    /// block when both keys are longer than 16 bytes) only on a tie.
    func compare(_ key: SearchKey, _ i: Int) -> Int {
        let c = compareWords(key, high(i), low(i))
        return c != 0 ? c : storedKey(i).compareTail(key)
    }

    /// Copies `n` entries from `src[srcIndex...]` to `dst[dstIndex...]`; the ranges may overlap.
    
    static func moveEntries(from src: BNode, _ srcIndex: Int, to dst: BNode, _ dstIndex: Int, count n: Int) {
        guard n > 0 else { return }
        assertStructure(
            srcIndex >= 0 && dstIndex >= 0 && srcIndex &+ n <= src.capacity && dstIndex &+ n <= dst.capacity,
            "moving \(n) entries from slot \(srcIndex) of \(src.capacity) to slot \(dstIndex) of \(dst.capacity)")
        if src.mayHoldDeadlines { dst.mayHoldDeadlines = true }
        memmove(dst.wordBase + dstIndex &* wordBytes, src.wordBase + srcIndex &* wordBytes, n &* wordBytes)
        memmove(dst.record(dstIndex), src.record(srcIndex), n &* recordBytes)
    }

    /// Opens a gap at `i` (the caller then fills it with `setEntry`).
    func openGap(at i: Int) {
        assertStructure(i >= 0 && i <= count && count < capacity, "opening slot \(i) in a node of \(count)/\(capacity)")
        BNode.moveEntries(from: self, i, to: self, i &+ 1, count: count &- i)
        count &+= 1
    }

    func removeEntry(at i: Int) {
        assertStructure(i >= 0 && i < count, "removing slot \(i) of \(count)")
        BNode.moveEntries(from: self, i &+ 1, to: self, i, count: count &- i &- 1)
        count &-= 1
    }

    /// Calls `body` with the bytes of the key in entry `i`.
    func withKey<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        storedKey(i).withBytes(high: high(i), low: low(i), body)
    }

    /// Calls `body` with the value bytes of leaf entry `i`. Always inlined: scans call it per
    /// entry, and a call per entry cost a RANGE LIMIT 100 a tenth of its instructions.
    @inline(__always)
    func withValue<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withValue(i, storedKey(i), body)
    }

    /// `withValue` given the entry's `StoredKey` word, already loaded.
    @inline(__always)
    func withValue<R>(_ i: Int, _ stored: StoredKey, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let n = stored.valueLength
        if stored.hasDeadline {
            return body(UnsafeRawBufferPointer(start: ExpiringValue.bytes(valueBlock(i)), count: n))
        }
        if n <= 8 { return body(UnsafeRawBufferPointer(start: record(i) + 8, count: n)) }
        return body(UnsafeRawBufferPointer(start: valueBlock(i), count: n))
    }

    /// The out-of-line value block of leaf entry `i` (a value longer than 8 bytes, or any
    /// value of a key with a deadline).
    func valueBlock(_ i: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: UInt(payload(i)))! }

    /// The expiry deadline of leaf entry `i` in Unix milliseconds, 0 when it has none.
    func deadline(_ i: Int) -> Int64 {
        storedKey(i).hasDeadline ? ExpiringValue.deadline(valueBlock(i)) : 0
    }

    /// Whether leaf entry `i` is expired at `now`: its deadline is before it (a key is still
    /// there at its deadline, as in Redis).
    @inline(__always)
    func isExpired(_ i: Int, at now: Int64) -> Bool {
        storedKey(i).hasDeadline && ExpiringValue.deadline(valueBlock(i)) < now
    }

    /// Level 0: at most the earliest deadline among the node's entries (a deadline that
    /// left keeps it low until the expiry cycle recomputes it), 0 when none was recorded.
    /// Under the node's lock; `DeadlineIndex` holds the node under this value.
    var minDeadline: Int64 {
        get { raw.load(fromByteOffset: 56, as: Int64.self) }
        nonmutating set { raw.storeBytes(of: newValue, toByteOffset: 56, as: Int64.self) }
    }

    /// Set, under the exclusive lock, when the node is unlinked to be freed: the expiry cycle,
    /// which reaches nodes through `DeadlineIndex` rather than through the list, must skip it.
    var isRetired: Bool {
        get { flags & BNode.retiredFlag != 0 }
        nonmutating set { if newValue { flags |= BNode.retiredFlag } }
    }

    /// Whether this leaf may hold entries with a deadline. Set when one is stored, carried
    /// along when entries move, never cleared: nodes without it let scans count and skip
    /// whole runs of entries without looking at each.
    var mayHoldDeadlines: Bool {
        get { flags & BNode.deadlineFlag != 0 }
        nonmutating set { if newValue { flags |= BNode.deadlineFlag } }
    }
}
