import SkipKVDiskFormat
import XCTest

final class CRC32CTests: XCTestCase {
    private func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.checksum($0) }
    }

    /// Bit at a time, straight from the definition, as an independent reference.
    private func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    func testKnownVectors() {
        XCTAssertEqual(crc(utf8("123456789")), 0xE306_9283)
        XCTAssertEqual(crc([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        // RFC 3720 (iSCSI) B.4.
        XCTAssertEqual(crc([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(crc(Array(0...31)), 0x46DD_794E)
        XCTAssertEqual(crc(Array((0...31).reversed())), 0x113F_DB5C)
        XCTAssertEqual(crc([]), 0)
        XCTAssertEqual(CRC32C().value, 0)
    }

    func testMatchesBitwiseReferenceAtEveryLengthAndAlignment() {
        var random = replayableRandom(#function)
        let data = random.bytes(300)
        for start in 0..<9 {
            for end in stride(from: start, through: data.count, by: 7) {
                let piece = Array(data[start..<end])
                XCTAssertEqual(crc(piece), reference(piece), "bytes \(start)..<\(end)")
            }
        }
    }

    func testIncrementalEqualsOneShotForRandomSplits() {
        var random = replayableRandom(#function)
        for _ in 0..<500 {
            let data = random.bytes(Int.random(in: 0...2000, using: &random))
            var cuts = (0..<Int.random(in: 0...6, using: &random)).map { _ in Int.random(in: 0...data.count, using: &random) }
            cuts = ([0] + cuts + [data.count]).sorted()
            var incremental = CRC32C()
            data.withUnsafeBytes { all in
                for (from, to) in zip(cuts, cuts.dropFirst()) {
                    incremental.update(UnsafeRawBufferPointer(rebasing: all[from..<to]))
                }
            }
            XCTAssertEqual(incremental.value, crc(data), "cuts \(cuts)")
        }
    }
}
