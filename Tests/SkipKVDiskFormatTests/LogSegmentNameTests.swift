import SkipKVDiskFormat
import XCTest

final class LogSegmentNameTests: XCTestCase {
    func testFileNameAndParse() {
        XCTAssertEqual(LogSegmentName.fileName(base: "appendonly.aof", sequence: 12), "appendonly.aof.12")
        XCTAssertEqual(LogSegmentName.sequence(fileName: "appendonly.aof.12", base: "appendonly.aof"), 12)
        XCTAssertEqual(LogSegmentName.sequence(fileName: "appendonly.aof.18446744073709551615", base: "appendonly.aof"), .max)
        for name in [
            "appendonly.aof", "appendonly.aof.", "appendonly.aof.0", "appendonly.aof.01", "appendonly.aof.+1",
            "appendonly.aof.3.damaged", "appendonly.aof.tmp", "appendonly.aof.1a", "appendonly.aofx1", "appendonly.aof.18446744073709551616",
            "other.aof.3", "xappendonly.aof.3",
        ] {
            XCTAssertNil(LogSegmentName.sequence(fileName: name, base: "appendonly.aof"), name)
        }
    }

    func testListSortsBySequenceAndIgnoresOtherNames() throws {
        let directory = try makeScratchDirectory(self)
        for name in [
            "appendonly.aof.10", "appendonly.aof.2", "appendonly.aof.1", "appendonly.aof.3.damaged", "appendonly.aof.tmp",
            "appendonly.aof.01", "appendonly.aof.0", "appendonly.aof", "appendonly.aofx.5", "other.aof.4", "dump.skv",
        ] {
            try writeFile("\(directory)/\(name)", [])
        }
        let listed = try LogSegmentName.list(directory: directory, base: "appendonly.aof")
        XCTAssertEqual(listed.map(\.sequence), [1, 2, 10])
        XCTAssertEqual(listed.map(\.path), [1, 2, 10].map { "\(directory)/appendonly.aof.\($0)" })
        XCTAssertTrue(try LogSegmentName.list(directory: directory, base: "none").isEmpty)
        XCTAssertThrowsError(try LogSegmentName.list(directory: directory + "/missing", base: "appendonly.aof")) { error in
            XCTAssertEqual(error as? DiskError, .io(operation: "open directory", path: directory + "/missing", code: ENOENT))
        }
    }
}
