import SkipKVKeys

/// The keys of a concurrent stress test, in four zones that interleave in key order so that
/// the structure's nodes mix keys of different zones and threads:
///  - point keys `k i t`: thread t's own keys for point operations, interleaved across threads;
///  - stable keys `k i F0` among them: inserted before the threads start and never written;
///  - block keys `r t j`: thread t's own contiguous block, where it also deletes ranges;
///  - shared keys `s i`: every thread inserts and removes them, racing.
/// Some keys of each zone are padded past the 16 bytes held inline; in the block and shared
/// zones some are padded before their number instead, so that they tie on their first 16 bytes
/// and differ only after them, and some only to 12 bytes, between the two inline words.
struct StressKeyspace: Sendable {
    static let pointKeysPerThread = 160
    static let blockKeysPerThread = 120
    static let sharedKeyCount = 300

    static let sharedRange = KeyRange(lower: .inclusive([0x73]), upper: .exclusive([0x74]))

    let threads: Int
    /// Sorted.
    let stable: [[UInt8]]
    /// Every key any thread may write, plus the stable keys; sorted.
    let universe: [[UInt8]]

    init(threads: Int) {
        self.threads = threads
        stable = stride(from: 0, to: Self.pointKeysPerThread, by: 4).map(Self.stableKey).sorted(by: ReferenceMap.less)
        var all = stable
        for thread in 0..<threads {
            all += (0..<Self.pointKeysPerThread).map { Self.pointKey($0, thread: thread) }
            all += (0..<Self.blockKeysPerThread).map { Self.blockKey($0, thread: thread) }
        }
        all += (0..<Self.sharedKeyCount).map(Self.sharedKey)
        universe = all.sorted(by: ReferenceMap.less)
    }

    /// A key padded with it is longer than the 16 bytes held inline.
    private static let padding = [UInt8](repeating: 0x2D, count: 16)
    private static let shortPadding = [UInt8](repeating: 0x2D, count: 8)

    private static func bigEndian(_ i: Int) -> [UInt8] { [UInt8(i >> 8), UInt8(i & 0xFF)] }

    static func pointKey(_ i: Int, thread: Int) -> [UInt8] {
        [0x6B] + bigEndian(i) + [UInt8(thread)] + (i % 3 == 0 ? padding : [])
    }

    static func stableKey(_ i: Int) -> [UInt8] {
        [0x6B] + bigEndian(i) + [0xF0] + (i % 8 == 0 ? padding : [])
    }

    static func blockKey(_ j: Int, thread: Int) -> [UInt8] {
        switch j % 4 {
        case 0: return [0x72, UInt8(thread)] + padding + bigEndian(j)
        case 1: return [0x72, UInt8(thread)] + bigEndian(j) + shortPadding
        default: return [0x72, UInt8(thread)] + bigEndian(j)
        }
    }

    static func sharedKey(_ i: Int) -> [UInt8] {
        switch i % 5 {
        case 0: return [0x73] + padding + bigEndian(i)
        case 1: return [0x73] + bigEndian(i) + padding
        case 2: return [0x73] + bigEndian(i) + shortPadding
        default: return [0x73] + bigEndian(i)
        }
    }

    static func blockRange(thread: Int) -> KeyRange {
        KeyRange(lower: .inclusive([0x72, UInt8(thread)]), upper: .exclusive([0x72, UInt8(thread + 1)]))
    }

    static func stableValue(_ key: [UInt8]) -> [UInt8] { key + [0x5A] }

    static func isStable(_ key: [UInt8]) -> Bool { key.first == 0x6B && key.count >= 4 && key[3] == 0xF0 }

    /// The thread owning a point or block key; nil for stable and shared keys.
    static func owner(of key: [UInt8]) -> Int? {
        switch key.first {
        case 0x6B where key.count >= 4 && key[3] != 0xF0: return Int(key[3])
        case 0x72 where key.count >= 2: return Int(key[1])
        default: return nil
        }
    }

    /// What thread `thread` owns before the threads start: every other point and block key.
    static func initialContents(thread: Int) -> ReferenceMap {
        var map = ReferenceMap()
        for i in stride(from: 0, to: pointKeysPerThread, by: 2) {
            let key = pointKey(i, thread: thread)
            _ = map.put(key, key + [0, 0, 0, 0])
        }
        for j in stride(from: 0, to: blockKeysPerThread, by: 2) {
            let key = blockKey(j, thread: thread)
            _ = map.put(key, key + [0, 0, 0, 0])
        }
        return map
    }
}
