/// A row of the flattened command table: top-level commands first, in record order, then
/// every container's subcommands. Indexes the hot entries, the records and the per-command
/// stats.
struct CommandID: Hashable, Sendable {
    let rawValue: Int

    /// The record.
    var spec: CommandSpec { CommandTable.shared.specs[rawValue] }
    var name: String { spec.name }
}
