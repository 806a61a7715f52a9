@testable import SkipKVDiskFormat
import XCTest

/// A snapshot entry: a key, its value and its deadline (Unix milliseconds; 0: none).
typealias Pair = (key: [UInt8], value: [UInt8], deadline: Int64)

/// Writes `pairs` as a snapshot and returns the summary.
@discardableResult
func writeSnapshot(
    _ pairs: [Pair], directory: String, fileName: String = "dump.skv", logSequence: UInt64 = 0, createdAt: UInt64 = 0,
    blockTarget: Int = SnapshotFormat.blockTargetBytes
) throws -> SnapshotSummary {
    let writer = try SnapshotWriter(
        directory: directory, fileName: fileName, logSequence: logSequence, createdAt: createdAt, blockTarget: blockTarget)
    for pair in pairs {
        try pair.key.withUnsafeBytes { k in
            try pair.value.withUnsafeBytes { v in try writer.append(key: k, value: v, deadline: pair.deadline) }
        }
    }
    return try writer.commit()
}

/// Reads the snapshot at `path`, collecting the delivered entries with their deadlines.
func readSnapshot(_ path: String) throws -> (result: SnapshotReadResult, pairs: [Pair]) {
    var pairs: [Pair] = []
    let result = try SnapshotReader.read(path: path, { pairs.append((Array($0), Array($1), $2)) }, change: { entry in
        XCTFail("unexpected change record \(entry)")
    })
    XCTAssertEqual(result.keys, pairs.count)
    return (result, pairs)
}

func readSnapshot(_ bytes: [UInt8], at path: String) throws -> (result: SnapshotReadResult, pairs: [Pair]) {
    try writeFile(path, bytes)
    return try readSnapshot(path)
}

func XCTAssertPairsEqual(_ a: [Pair], _ b: [Pair], _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.map(\.key), b.map(\.key), message, file: file, line: line)
    XCTAssertEqual(a.map(\.value), b.map(\.value), message, file: file, line: line)
    XCTAssertEqual(a.map(\.deadline), b.map(\.deadline), message, file: file, line: line)
}

/// Where the blocks of a valid snapshot are, found by walking block headers with the test's
/// own decoding.
struct SnapshotLayout {
    var blockStarts: [Int] = []
    var blockEnds: [Int] = []
    var entryCounts: [Int] = []
    /// The end marker of the entries.
    var endMarker = 0
    /// The change blocks' starts, and the end marker of the change section.
    var changeStarts: [Int] = []
    var changesEndMarker = 0
    var trailer: Int { changesEndMarker + 16 }

    init(_ bytes: [UInt8]) {
        var offset = 64
        while u32(bytes, offset) != 0 {
            blockStarts.append(offset)
            entryCounts.append(u32(bytes, offset))
            offset += 16 + u32(bytes, offset + 4)
            blockEnds.append(offset)
        }
        endMarker = offset
        offset += 16
        while u32(bytes, offset) != 0 {
            changeStarts.append(offset)
            offset += 16 + u32(bytes, offset + 4)
        }
        changesEndMarker = offset
    }

    /// The keys of the blocks that end at or before `offset`.
    func keys(before offset: Int) -> Int {
        zip(blockEnds, entryCounts).filter { $0.0 <= offset }.map(\.1).reduce(0, +)
    }
}

/// Sorted, distinct random keys with random values; about a third of them have a deadline,
/// the extremes 1 and `Int64.max` among them.
func randomPairs(_ count: Int, _ random: inout ReplayableRandom, maxValue: Int) -> [Pair] {
    var keys = Set<[UInt8]>()
    while keys.count < count { keys.insert(random.bytes(Int.random(in: 0...24, using: &random))) }
    return keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
        let deadline: Int64
        switch Int.random(in: 0..<30, using: &random) {
        case 0: deadline = 1
        case 1: deadline = Int64.max
        case 2..<10: deadline = Int64.random(in: 1...Int64.max, using: &random)
        default: deadline = 0
        }
        return (key, random.bytes(Int.random(in: 0...maxValue, using: &random)), deadline)
    }
}
