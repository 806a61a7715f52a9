/// The records of `CommandTable.records`, flattened once for the process.
///
/// Concurrency contract: built on first use, immutable after, read by every loop thread.
/// The entries live in a buffer that is never freed, so the hot path reads them through a
/// pointer.
struct CommandTable: @unchecked Sendable {
    static let shared = CommandTable(records)

    /// Every record, indexed by `CommandID.rawValue`.
    let specs: [CommandSpec]
    /// How many of `specs` are top-level commands (they come first).
    let commandCount: Int
    let entries: UnsafeMutablePointer<CommandEntry>
    let lookup: CommandLookup

    init(_ records: [CommandSpec]) {
        var specs = records
        var ranges: [Range<Int>] = []
        for record in records {
            ranges.append(specs.count..<specs.count + record.subcommands.count)
            specs += record.subcommands
        }
        self.specs = specs
        commandCount = records.count
        entries = .allocate(capacity: specs.count)
        for (row, spec) in specs.enumerated() {
            let name = spec.name.split(separator: "|").last.map(String.init) ?? spec.name
            (entries + row).initialize(to: CommandEntry(
                arity: spec.arity, flags: spec.flags, handler: spec.handler,
                subcommands: row < records.count ? ranges[row] : 0..<0,
                firstKey: spec.keys.first, lastKey: spec.keys.last, keyStep: max(spec.keys.step, 1),
                wholeKeyspace: spec.wholeKeyspace,
                validatesReads: spec.flags.contains(.readonly) && (spec.keys.first > 0 || spec.wholeKeyspace),
                transactionRole: spec.transactionRole, packedName: PackedName(name)))
        }
        lookup = CommandLookup(names: specs.prefix(records.count).map(\.name))
    }

    /// The top-level command named `name` (any case), without allocating.
    @inline(__always)
    func find(_ name: UnsafeRawBufferPointer) -> CommandID? {
        lookup.find(name).map(CommandID.init(rawValue:))
    }

    /// The subcommand of `container` named `name` (any case), without allocating.
    func findSubcommand(_ name: UnsafeRawBufferPointer, of container: CommandID) -> CommandID? {
        guard let packed = PackedName(name) else { return nil }
        for row in entries[container.rawValue].subcommands where entries[row].packedName == packed {
            return CommandID(rawValue: row)
        }
        return nil
    }

    /// A command or `container|subcommand` by its name as COMMAND INFO takes it (any case).
    func find(named name: String) -> CommandID? {
        let parts = name.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map { Array($0.utf8) }
        guard let command = parts[0].withUnsafeBytes({ find($0) }) else { return nil }
        guard parts.count == 2 else { return command }
        return parts[1].withUnsafeBytes { findSubcommand($0, of: command) }
    }

    var commands: [CommandID] { (0..<commandCount).map(CommandID.init(rawValue:)) }
    var all: [CommandID] { specs.indices.map(CommandID.init(rawValue:)) }
}
