/// The three-letter format tag of a RESP3 verbatim string.
public enum VerbatimFormat: Sendable, Equatable {
    /// `txt`: plain text, e.g. INFO output.
    case text
    /// `mkd`: Markdown.
    case markdown

    @usableFromInline
    var tag: (UInt8, UInt8, UInt8) {
        switch self {
        case .text: return (UInt8(ascii: "t"), UInt8(ascii: "x"), UInt8(ascii: "t"))
        case .markdown: return (UInt8(ascii: "m"), UInt8(ascii: "k"), UInt8(ascii: "d"))
        }
    }
}
