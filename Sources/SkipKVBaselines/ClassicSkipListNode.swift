import Atomics
@_spi(IndexInternals) import SkipKVIndex

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ClassicSkipList {
    /// A word in raw memory that is only accessed atomically.
    typealias AtomicWord = UInt.AtomicRepresentation

    /// One key of the classic skiplist, in raw memory (no Swift object, no reference counting).
    /// `raw` points at the header; the tower of successor pointers lies just below it, so that
    /// a traversal's reads of a node — `next[level]` and the key words — usually share a cache
    /// line (`next[0]` ends 8 bytes before the high word):
    ///
    ///     offset          field
    ///     -8·(l+1)        next[l]   atomic successor pointer, for levels l = topLevel...0
    ///      0              control   atomic; bit 0 locked, bit 1 fully linked, bit 2 marked,
    ///                               bits 8… top level (immutable)
    ///      8              high      `SearchKey.high`: key bytes 0..<8   (immutable)
    ///     16              low       `SearchKey.low`: key bytes 8..<16   (immutable)
    ///     24              key       `StoredKey` word: the length when at most 16, else the
    ///                               address of a `KeyBlock` with the key (immutable)
    ///     32              value     atomic pointer to the current `ValueBlock`
    ///
    /// Immutable fields are written before the node is published by a releasing store of a
    /// predecessor's `next`, and every traversal loads `next` with acquiring order, so plain
    /// reads of them are ordered after their initialization.
    struct Node: Equatable {
        let raw: UnsafeMutableRawPointer

        private static let highOffset = 8
        private static let lowOffset = 16
        private static let storedKeyOffset = 24
        private static let valueOffset = 32
        private static let headerBytes = 40

        static let lockedBit: UInt = 1
        static let fullyLinkedBit: UInt = 2
        static let markedBit: UInt = 4
        static let topLevelShift: UInt = 8

        static func byteCount(topLevel: Int) -> Int { 8 * (topLevel + 1) + headerBytes }

        /// A node that is neither linked nor fully linked, with a copy of `key` and no value.
        static func create(key: UnsafeRawBufferPointer, topLevel: Int) -> Node {
            let block = UnsafeMutableRawPointer.allocate(byteCount: byteCount(topLevel: topLevel), alignment: 8)
            block.initializeMemory(as: AtomicWord.self, repeating: AtomicWord(0), count: topLevel + 1)
            let raw = block + 8 * (topLevel + 1)
            raw.initializeMemory(as: AtomicWord.self, repeating: AtomicWord(UInt(topLevel) << topLevelShift), count: 1)
            let (high, low) = keyWords(key.baseAddress, key.count)
            raw.storeBytes(of: high, toByteOffset: highOffset, as: UInt64.self)
            raw.storeBytes(of: low, toByteOffset: lowOffset, as: UInt64.self)
            raw.storeBytes(of: StoredKey.make(key, valueLength: 0).word, toByteOffset: storedKeyOffset, as: UInt64.self)
            (raw + valueOffset).initializeMemory(as: AtomicWord.self, repeating: AtomicWord(0), count: 1)
            return Node(raw: raw)
        }

        /// The start of the node's allocation, which is what `EpochReclaimer` must free.
        var allocation: UnsafeMutableRawPointer { raw - 8 * (topLevel + 1) }

        /// Frees the node and its key block, not its value block.
        func destroy() {
            storedKey.block?.deallocate()
            allocation.deallocate()
        }

        // MARK: Immutable fields

        var high: UInt64 { raw.load(fromByteOffset: Self.highOffset, as: UInt64.self) }
        var low: UInt64 { raw.load(fromByteOffset: Self.lowOffset, as: UInt64.self) }
        var storedKey: StoredKey { StoredKey(word: raw.load(fromByteOffset: Self.storedKeyOffset, as: UInt64.self)) }
        var topLevel: Int { Int(control.word >> Self.topLevelShift) }
        /// Reads the key block of a key longer than 16 bytes.
        var key: SearchKey {
            let block = storedKey.block
            return SearchKey(high: high, low: low, length: storedKey.length, bytes: UnsafeRawPointer(block?.bytes))
        }

        /// Bytes held by the node and its key block.
        var footprint: Int { Self.byteCount(topLevel: topLevel) + storedKey.footprint }

        func withKey<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            storedKey.withBytes(high: high, low: low, body)
        }

        // MARK: Control word

        private var controlWord: UnsafeMutablePointer<AtomicWord> { raw.assumingMemoryBound(to: AtomicWord.self) }

        var control: Control { Control(word: AtomicWord.atomicLoad(at: controlWord, ordering: .acquiring)) }

        /// Test-and-test-and-set spin lock on bit 0 of the control word.
        func lock() {
            var backoff = SpinBackoff()
            while true {
                let word = AtomicWord.atomicLoad(at: controlWord, ordering: .relaxed)
                if word & Self.lockedBit == 0 {
                    let (exchanged, _) = AtomicWord.atomicCompareExchange(
                        expected: word, desired: word | Self.lockedBit, at: controlWord,
                        successOrdering: .acquiring, failureOrdering: .relaxed)
                    if exchanged { return }
                }
                backoff.wait()
            }
        }

        func unlock() {
            _ = AtomicWord.atomicLoadThenBitwiseAnd(with: ~Self.lockedBit, at: controlWord, ordering: .releasing)
        }

        /// Logical removal; only the holder of the node's lock marks it.
        func mark() {
            _ = AtomicWord.atomicLoadThenBitwiseOr(with: Self.markedBit, at: controlWord, ordering: .acquiringAndReleasing)
        }

        /// Linearization point of an insert; set while its predecessors are locked.
        func markFullyLinked() {
            _ = AtomicWord.atomicLoadThenBitwiseOr(with: Self.fullyLinkedBit, at: controlWord, ordering: .acquiringAndReleasing)
        }

        // MARK: Links and value

        private func nextWord(_ level: Int) -> UnsafeMutablePointer<AtomicWord> {
            (raw - 8 * (level + 1)).assumingMemoryBound(to: AtomicWord.self)
        }

        func next(_ level: Int) -> Node? {
            UnsafeMutableRawPointer(bitPattern: AtomicWord.atomicLoad(at: nextWord(level), ordering: .acquiring)).map(Node.init)
        }

        func setNext(_ level: Int, _ node: Node?) {
            AtomicWord.atomicStore(UInt(bitPattern: node?.raw), at: nextWord(level), ordering: .releasing)
        }

        private var valueWord: UnsafeMutablePointer<AtomicWord> {
            (raw + Self.valueOffset).assumingMemoryBound(to: AtomicWord.self)
        }

        /// The current value; every linked node has one.
        var value: ValueBlock {
            ValueBlock(raw: UnsafeMutableRawPointer(bitPattern: AtomicWord.atomicLoad(at: valueWord, ordering: .acquiring))!)
        }

        /// Installs `value` and returns the previous one (nil only before the node's first value).
        func exchangeValue(_ value: ValueBlock) -> ValueBlock? {
            let old = AtomicWord.atomicExchange(UInt(bitPattern: value.raw), at: valueWord, ordering: .acquiringAndReleasing)
            return UnsafeMutableRawPointer(bitPattern: old).map(ValueBlock.init)
        }
    }

    /// A snapshot of a node's control word.
    struct Control {
        let word: UInt
        var isLocked: Bool { word & Node.lockedBit != 0 }
        var isFullyLinked: Bool { word & Node.fullyLinkedBit != 0 }
        var isMarked: Bool { word & Node.markedBit != 0 }
        /// Linked at every level and not logically removed: the key is in the map.
        var isPresent: Bool { word & (Node.fullyLinkedBit | Node.markedBit) == Node.fullyLinkedBit }
    }

    /// An immutable value in raw memory: its length (8 bytes), then its bytes. A new value gets
    /// a new block, so a reader holding an old block sees a consistent value until reclamation.
    struct ValueBlock {
        let raw: UnsafeMutableRawPointer

        static func create(_ bytes: UnsafeRawBufferPointer) -> ValueBlock {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: 8 + bytes.count, alignment: 8)
            raw.storeBytes(of: bytes.count, as: Int.self)
            if let source = bytes.baseAddress, bytes.count > 0 {
                (raw + 8).copyMemory(from: source, byteCount: bytes.count)
            }
            return ValueBlock(raw: raw)
        }

        var length: Int { raw.load(as: Int.self) }
        var footprint: Int { 8 + length }

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            body(UnsafeRawBufferPointer(start: raw + 8, count: length))
        }
    }
}
