#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SkipKVSystem
import Synchronization

/// Makes file operations fail on purpose, as LevelDB's fault-injection environment does, so
/// that tests reach every error path of the log and the snapshots: `DurableFile` asks it
/// before each operation. Off unless a test installs rules (in-process, or through the
/// `SKIPKV_FAULTS` environment variable of skipkv-server, see `parse`).
///
/// A rule names an operation, an optional path fragment, and what happens: an errno, or a
/// short write (half of the bytes reach the file, then the errno). It fires on the matching
/// calls after the first `after`, `times` times (-1: every time), and only while the file
/// `whileExists` exists when one is named — a test creates and removes that file to fill
/// and empty a simulated disk.
///
/// Concurrency contract: any thread. `enabled` is read with relaxed ordering on every file
/// operation (one load when no rule is installed); the rules and their counters are guarded
/// by `rules`' mutex. Installing rules concurrently with file operations is allowed: an
/// operation sees either the old or the new rules.
public final class FaultInjector: Sendable {
    public enum Operation: String, Sendable, CaseIterable {
        case create, write, sync, truncate, allocate, rename, syncDirectory = "syncdir", remove
    }

    public enum Outcome: Equatable, Sendable {
        /// The call fails with this errno and changes nothing.
        case fail(Int32)
        /// A write stores its first half, then fails with this errno.
        case shortWrite(Int32)
    }

    public struct Rule: Sendable, Equatable {
        public var operation: Operation
        public var pathContains: String?
        public var outcome: Outcome
        public var after: Int
        public var times: Int
        public var whileExists: String?

        public init(
            _ operation: Operation, pathContains: String? = nil, outcome: Outcome, after: Int = 0, times: Int = 1,
            whileExists: String? = nil
        ) {
            self.operation = operation
            self.pathContains = pathContains
            self.outcome = outcome
            self.after = after
            self.times = times
            self.whileExists = whileExists
        }
    }

    private struct Armed {
        var rule: Rule
        var seen = 0
        var fired = 0
    }

    public static let shared = FaultInjector()

    private let enabled = Atomic<Bool>(false)
    private let rules = Locked<[Armed]>([])

    public init() {}

    /// Replaces the rules and their counters.
    public func install(_ newRules: [Rule]) {
        rules.withLock { $0 = newRules.map { Armed(rule: $0) } }
        enabled.store(!newRules.isEmpty, ordering: .relaxed)
    }

    /// Turns injection off.
    public func clear() {
        enabled.store(false, ordering: .relaxed)
        rules.withLock { $0 = [] }
    }

    /// How many calls the first rule matched since `install`, fired or not: a test's dry run
    /// (a rule with `after: Int.max`) counts the points it can then inject at.
    public var matched: Int { rules.withLock { $0.first?.seen ?? 0 } }

    /// How many times rules fired since `install`.
    public var fired: Int { rules.withLock { $0.reduce(0) { $0 + $1.fired } } }

    /// What `operation` on `path` should do: nil to proceed normally.
    @inline(__always)
    func check(_ operation: Operation, path: String) -> Outcome? {
        guard enabled.load(ordering: .relaxed) else { return nil }
        return slowCheck(operation, path: path)
    }

    private func slowCheck(_ operation: Operation, path: String) -> Outcome? {
        rules.withLock { armed -> Outcome? in
            for index in armed.indices {
                let rule = armed[index].rule
                guard rule.operation == operation, rule.pathContains.map({ path.contains($0) }) ?? true else { continue }
                if let flag = rule.whileExists, access(flag, F_OK) != 0 { continue }
                armed[index].seen += 1
                guard armed[index].seen > rule.after, rule.times < 0 || armed[index].fired < rule.times else { continue }
                armed[index].fired += 1
                return rule.outcome
            }
            return nil
        }
    }

    /// Parses rules written as `op=write,path=appendonly,error=ENOSPC,after=3,times=2,short=1,while=/tmp/full`
    /// separated by `;`. `error` takes ENOSPC, EIO, EDQUOT, EROFS or a number (default EIO);
    /// `times=-1` fires forever. Throws a message naming what it could not read.
    public static func parse(_ text: String) throws(FaultSpecificationError) -> [Rule] {
        var rules: [Rule] = []
        for part in text.split(separator: ";") { rules.append(try parseRule(String(part))) }
        return rules
    }

    private static func parseRule(_ text: String) throws(FaultSpecificationError) -> Rule {
        var operation: Operation?
        var rule = Rule(.write, outcome: .fail(EIO))
        var code = EIO
        var short = false
        for field in text.split(separator: ",") {
            let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw FaultSpecificationError(text: "'\(field)' is not name=value") }
            let (name, value) = (parts[0].trimmingSpaces, parts[1].trimmingSpaces)
            switch name {
            case "op":
                guard let parsed = Operation(rawValue: value) else { throw FaultSpecificationError(text: "unknown operation '\(value)'") }
                operation = parsed
            case "path": rule.pathContains = value
            case "error":
                guard let parsed = errnoNames[value] ?? Int32(value) else { throw FaultSpecificationError(text: "unknown error '\(value)'") }
                code = parsed
            case "after", "times":
                guard let number = Int(value) else { throw FaultSpecificationError(text: "'\(value)' is not a number") }
                if name == "after" { rule.after = number } else { rule.times = number }
            case "short": short = value == "1" || value == "yes"
            case "while": rule.whileExists = value
            default: throw FaultSpecificationError(text: "unknown field '\(name)'")
            }
        }
        guard let operation else { throw FaultSpecificationError(text: "'\(text)' names no op=") }
        rule.operation = operation
        rule.outcome = short ? .shortWrite(code) : .fail(code)
        return rule
    }

    private static let errnoNames: [String: Int32] = ["ENOSPC": ENOSPC, "EIO": EIO, "EDQUOT": EDQUOT, "EROFS": EROFS]
}

/// A `SKIPKV_FAULTS` specification that could not be read.
public struct FaultSpecificationError: Error, CustomStringConvertible {
    public let text: String
    public var description: String { "bad fault specification: \(text)" }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
