import Foundation
import XCTest
import SkipKVServer

/// The documents state the binary's defaults: config/skipkv.conf's value for every directive,
/// the Default columns of the tables in docs/OPERATIONS.md and docs/PROTOCOL.md, "`name`,
/// default N" in the prose of docs/ and README.md, and the table of Redis directives in
/// docs/OPERATIONS.md all equal what CONFIG GET * returns from a server started without a
/// config file. A default changed without its documents fails here.
final class DocumentedDefaultsTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static func read(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
    }

    /// CONFIG GET * of a server started with no config file and no flag but `--port 0`, in an
    /// empty working directory; `port` is the built-in default itself (a test must not take
    /// port 7379).
    private func defaults() throws -> [String: String] {
        let server = try ServerProcess(["--port", "0"], testDefaults: false)
        var values = try configMap(server.client())
        XCTAssertEqual(server.stop(), 0, server.log)
        values["port"] = String(ServerConfig().port)
        return values
    }

    /// A documented value as CONFIG GET shows it: sizes with units (`64mb`) in bytes.
    private static func bytes(_ text: String) -> String {
        let units: [(suffix: String, factor: Int)] = [
            ("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024 * 1024 * 1024), ("k", 1000), ("m", 1_000_000), ("g", 1_000_000_000),
        ]
        let lower = text.lowercased()
        for unit in units where lower.hasSuffix(unit.suffix) {
            if let number = Int(lower.dropLast(unit.suffix.count)) { return String(number * unit.factor) }
        }
        return text
    }

    func testConfigFileShowsEveryDirectiveWithItsDefault() throws {
        let values = try defaults()
        let redisDirectives = try RedisDirectiveList.load().entries
        var documented: [String: String] = [:]
        var saveWords: [String] = []
        for directive in configDirectives(in: try Self.read("config/skipkv.conf")) {
            var value = directive.values.joined(separator: " ")
            if directive.name == "save" {
                saveWords += directive.values
                value = saveWords.joined(separator: " ")
            } else {
                XCTAssertNil(documented[directive.name], "config/skipkv.conf sets \(directive.name) twice")
            }
            documented[directive.name] = Self.bytes(value)
        }
        for (name, value) in documented.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(value, values[name], "config/skipkv.conf: \(name)")
        }
        let own = Set(values.keys).subtracting(redisDirectives.keys)
        XCTAssertEqual(Set(documented.keys), own, "config/skipkv.conf lists every directive of SkipKV's own")
    }

    /// Every table with a Default column and a directive column, and the prose forms
    /// "`name`, default N", "`name` (default N" and "`name` defaults to N".
    func testDocumentsShowTheDefaults() throws {
        let values = try defaults()
        var checked = 0
        for document in ["docs/OPERATIONS.md", "docs/PROTOCOL.md"] {
            var header: [String]?
            for line in try Self.read(document).split(separator: "\n", omittingEmptySubsequences: false) {
                guard line.hasPrefix("|") else { header = nil; continue }
                let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let columns = header else { header = cells; continue }
                guard let nameColumn = columns.firstIndex(where: { $0.hasPrefix("Directive") }),
                      let defaultColumn = columns.firstIndex(of: "Default"),
                      !cells.allSatisfy({ $0.allSatisfy { "-:".contains($0) } }) else { continue }
                guard let name = RedisDirectiveList.codeSpans(cells[nameColumn]).first, let actual = values[name] else {
                    XCTFail("\(document): no directive in \(line)")
                    continue
                }
                XCTAssertEqual(Self.documentedDefault(cells[defaultColumn]), actual, "\(document): \(line)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 30)

        let prose = try NSRegularExpression(pattern: "`([a-z-]+)`(?:, default|,? \\(default|,? defaults to):? `?([0-9a-z]+)")
        for document in ["README.md", "docs/ARCHITECTURE.md", "docs/CLI.md", "docs/INDEX.md", "docs/OPERATIONS.md", "docs/PROTOCOL.md"] {
            let text = try Self.read(document)
            for match in prose.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let name = String(text[Range(match.range(at: 1), in: text)!])
                let value = String(text[Range(match.range(at: 2), in: text)!])
                guard let actual = values[name], value.first!.isNumber || value == "yes" || value == "no" else { continue }
                XCTAssertEqual(Self.bytes(value), actual, "\(document): `\(name)`, default \(value)")
            }
        }
    }

    /// A Default cell: the byte count in parentheses when there is one (`512mb` (536870912)),
    /// else its first code span, else the cell.
    private static func documentedDefault(_ cell: String) -> String {
        if let match = cell.range(of: "\\(([0-9]+)\\)", options: .regularExpression) {
            return String(cell[match].dropFirst().dropLast())
        }
        return bytes(RedisDirectiveList.codeSpans(cell).first ?? cell)
    }

    /// docs/OPERATIONS.md shows the classification of Redis's directives as the binary states
    /// it, and its CONFIG GET column is what the server shows.
    func testRedisDirectiveTableIsTheBinarys() throws {
        let list = try RedisDirectiveList.load()
        let document = try Self.read("docs/OPERATIONS.md")
        let rows = { (text: Substring) in text.split(separator: "\n").filter { $0.hasPrefix("|") } }
        guard let begin = document.range(of: "<!-- redis-directives:begin -->"),
              let end = document.range(of: "<!-- redis-directives:end -->") else {
            return XCTFail("docs/OPERATIONS.md has no redis-directives section")
        }
        XCTAssertEqual(rows(document[begin.upperBound..<end.lowerBound]), rows(list.markdown[...]),
                       "docs/OPERATIONS.md's table of Redis directives is stale: run scripts/gen-redis-directives.sh")
        let values = try defaults()
        for (name, entry) in list.entries where entry.value != nil {
            XCTAssertEqual(values[name], entry.value, name)
        }
    }
}
