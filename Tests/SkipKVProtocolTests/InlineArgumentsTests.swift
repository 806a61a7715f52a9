import XCTest
import SkipKVProtocol

/// The public entry to inline splitting, as skipkv-cli uses it for typed lines. The rules
/// themselves are covered by `InlineCommandTests`.
final class InlineArgumentsTests: XCTestCase {
    private func split(_ line: String) -> [String]? {
        InlineArguments.split(Array(line.utf8))?.map { String(decoding: $0, as: UTF8.self) }
    }

    func testTypedLines() {
        XCTAssertEqual(split("SET key value"), ["SET", "key", "value"])
        XCTAssertEqual(split("  SET   \"a b\"  'it\\'s' "), ["SET", "a b", "it's"])
        XCTAssertEqual(split("SET k \"\\x41\\n\""), ["SET", "k", "A\n"])
        XCTAssertEqual(split(""), [])
        XCTAssertEqual(split("   "), [])
        XCTAssertEqual(split("*3"), ["*3"], "a typed line is never a multibulk header")
        XCTAssertNil(split("GET \"a"))
        XCTAssertNil(split("GET \"a\"b"))
    }
}
