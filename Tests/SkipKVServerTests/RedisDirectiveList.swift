import Foundation
import XCTest

/// The classification of Redis's directives as the binary states it
/// (`skipkv-server --redis-directives`, the table docs/OPERATIONS.md shows), parsed for tests.
struct RedisDirectiveList {
    struct Entry {
        /// The canonical name (the first of the row).
        let name: String
        /// `ignored`, `refused`, or `refused unless …`.
        let treatment: String
        /// What CONFIG GET shows until set; nil for directives of the config file only.
        let value: String?

        var isIgnored: Bool { treatment == "ignored" }
    }

    /// The table exactly as printed.
    let markdown: String
    /// By every name, aliases included.
    let entries: [String: Entry]

    static func load() throws -> RedisDirectiveList {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binaryPath)
        process.arguments = ["--redis-directives"]
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let markdown = String(decoding: data, as: UTF8.self)
        var entries: [String: Entry] = [:]
        for line in markdown.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let names = codeSpans(cells[0])
            let value = cells[2] == "(config file only)" ? nil : codeSpans(cells[2]).first
            let entry = Entry(name: names[0], treatment: cells[1], value: value)
            for name in names { entries[name] = entry }
        }
        return RedisDirectiveList(markdown: markdown, entries: entries)
    }

    /// The contents of each `code` span of a Markdown cell, `""` read as the empty string.
    static func codeSpans(_ cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }
            .map { $0.element == "\"\"" ? "" : String($0.element) }
    }
}

/// The directive lines of a config file: name (lower case), values as the words after it
/// (double-quoted words unquoted, escapes not interpreted), and line number.
func configDirectives(in text: String) -> [(name: String, values: [String], line: Int)] {
    var result: [(name: String, values: [String], line: Int)] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
        var words: [String] = []
        var current: String?
        var quoted = false
        for character in trimmed {
            if character == "\"" {
                quoted.toggle()
                current = current ?? ""
            } else if character == " " && !quoted {
                if let word = current { words.append(word) }
                current = nil
            } else {
                current = (current ?? "") + String(character)
            }
        }
        if let word = current { words.append(word) }
        result.append((words[0].lowercased(), Array(words.dropFirst()), index + 1))
    }
    return result
}
