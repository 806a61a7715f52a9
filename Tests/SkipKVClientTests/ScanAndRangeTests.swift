import Foundation
import XCTest

/// `--scan` and `--range` paging through 100,000 keys.
final class ScanAndRangeTests: XCTestCase {
    private static let keyCount = 100_000

    private static func key(_ index: Int) -> String {
        "key:" + String(repeating: "0", count: 6 - String(index).count) + String(index)
    }

    /// Loaded servers, shared by the tests of this class (which only read) and stopped
    /// after the last one. XCTest runs a class's tests one after another.
    nonisolated(unsafe) private static var loaded: [TestServer.Kind: TestServer] = [:]

    override class func tearDown() {
        loaded.removeAll()
        super.tearDown()
    }

    /// A server holding key:000000 ... key:099999, each with value `value:<index>`.
    private func loadedServer(_ kind: TestServer.Kind) throws -> TestServer {
        if let server = Self.loaded[kind] { return server }
        let server = try TestServer(kind)
        let input = (0..<Self.keyCount).map { "SET \(Self.key($0)) value:\($0)\n" }.joined()
        let load = try runCLI(server.portArguments + ["--pipe"], input: Array(input.utf8))
        XCTAssertEqual(load.status, 0, load.err)
        Self.loaded[kind] = server
        return server
    }

    func testScanVisitsEveryKey() throws {
        for kind in try TestServer.kinds() {
            let server = try loadedServer(kind)
            let result = try runCLI(server.portArguments + ["--scan", "--count", "1000"])
            XCTAssertEqual(result.status, 0)
            let keys = result.out.split(separator: "\n").map(String.init)
            XCTAssertEqual(keys.count, Self.keyCount, "\(kind): SCAN never returns a key twice here")
            XCTAssertEqual(Set(keys), Set((0..<Self.keyCount).map(Self.key)))
            let matching = try runCLI(server.portArguments + ["--no-raw", "--scan", "--pattern", "key:0000*", "--count", "1000"])
            XCTAssertEqual(Set(matching.out.split(separator: "\n").map(String.init)), Set((0..<100).map { "\"\(Self.key($0))\"" }))
        }
    }

    /// Pages of 777 (so pages end mid-way through the key numbering) in both directions.
    func testRangePagesThroughHundredThousandKeys() throws {
        let server = try loadedServer(.skipkv)
        let forward = try runCLI(server.portArguments + ["--range", "-", "+", "--count-per-page", "777"])
        XCTAssertEqual(forward.status, 0, forward.err)
        XCTAssertEqual(forward.out, (0..<Self.keyCount).map { "\(Self.key($0)) value:\($0)\n" }.joined())

        let backward = try runCLI(server.portArguments + ["--range", "-", "+", "--rev", "--count-per-page", "777", "--novalues"])
        XCTAssertEqual(backward.out, (0..<Self.keyCount).reversed().map { "\(Self.key($0))\n" }.joined())

        // Bounds of each kind; the page size divides the count exactly, so the last page is
        // full and the scan ends on an empty one.
        let bounded = try runCLI(server.portArguments + ["--no-raw", "--range", "[key:000100", "(key:000200", "--count-per-page", "25"])
        XCTAssertEqual(bounded.out, (100..<200).map { "\"\(Self.key($0))\" => \"value:\($0)\"\n" }.joined())
        let reverseBounded = try runCLI(server.portArguments + ["--json", "--range", "(key:099990", "+", "--rev", "--count-per-page", "4"])
        XCTAssertEqual(reverseBounded.out, (99_991..<Self.keyCount).reversed().map { "{\"\(Self.key($0))\":\"value:\($0)\"}\n" }.joined())
        let csv = try runCLI(server.portArguments + ["--csv", "--range", "[key:000005", "[key:000006"])
        XCTAssertEqual(csv.out, "\"key:000005\",\"value:5\"\n\"key:000006\",\"value:6\"\n")
        XCTAssertEqual(try runCLI(server.portArguments + ["--range", "[zzz", "+"]).out, "")
        let invalid = try runCLI(server.portArguments + ["--range", "a", "+"])
        XCTAssertEqual(invalid.status, 1)
        XCTAssertEqual(invalid.err, "ERROR: ERR min or max not valid string range item\n")
    }
}
