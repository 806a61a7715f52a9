/// Why persistence could not do what was asked; the text is what the log and the client see.
public enum PersistenceError: Error, CustomStringConvertible {
    /// A file operation failed.
    case io(String)
    /// Start-up found damage it will not load past (without `repair`), or cannot use `dir`.
    case startup(String)
    /// A snapshot is already being taken.
    case snapshotInProgress

    public var description: String {
        switch self {
        case .io(let message), .startup(let message): return message
        case .snapshotInProgress: return "Background save already in progress"
        }
    }
}
