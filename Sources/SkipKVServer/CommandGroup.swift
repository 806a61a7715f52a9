/// Redis's command groups, as COMMAND DOCS shows them.
enum CommandGroup: String, Sendable {
    case generic, string, bitmap, connection, server, transactions

    /// The ACL category the group's commands belong to, where Redis gives them one.
    var aclCategories: ACLCategories {
        switch self {
        case .generic: return .keyspace
        case .string: return .string
        case .bitmap: return .bitmap
        case .connection: return .connection
        case .server: return []
        case .transactions: return .transaction
        }
    }
}
