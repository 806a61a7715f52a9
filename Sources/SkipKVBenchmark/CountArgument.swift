import ArgumentParser

/// A count on the command line: "10000000", "10_000_000", "200k", "10M", "1G" or "1e6".
struct CountArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let value: Int

    init(_ value: Int) { self.value = value }

    init?(argument: String) {
        var text = argument.filter { $0 != "_" }.lowercased()
        var multiplier = 1
        if let last = text.last, let m = ["k": 1_000, "m": 1_000_000, "g": 1_000_000_000][last] {
            multiplier = m
            text.removeLast()
        }
        if let n = Int(text) {
            let (v, overflow) = n.multipliedReportingOverflow(by: multiplier)
            guard !overflow else { return nil }
            value = v
        } else if let d = Double(text), d.isFinite, d >= 0, d * Double(multiplier) < 9e18,
            (d * Double(multiplier)).rounded() == d * Double(multiplier)
        {
            value = Int(d * Double(multiplier))
        } else {
            return nil
        }
    }

    var description: String { Format.grouped(value) }
    var defaultValueDescription: String { Format.grouped(value) }

    /// Parses a comma-separated list of positive counts, e.g. "256,512,1k".
    static func parseList(_ text: String, option: String) throws -> [Int] {
        try text.split(separator: ",").map { part in
            guard let c = CountArgument(argument: part.trimmedSpaces()), c.value > 0 else {
                throw ValidationError("\(option): '\(part)' is not a positive count")
            }
            return c.value
        }
    }
}
