/// One end of a lexicographic range argument, as ZRANGEBYLEX-style commands take it:
/// `[key` (inclusive), `(key` (exclusive), `-` (below every key), `+` (above every key).
///
/// The key slices point into the argument passed to `parse`, so they are valid as long as it
/// is. Named to stay clear of SkipKVIndex's `RangeBound`, which the server maps this onto.
public enum LexRangeBound {
    case inclusive(UnsafeRawBufferPointer)
    case exclusive(UnsafeRawBufferPointer)
    /// `-`: before every key.
    case lowest
    /// `+`: after every key.
    case highest

    /// The reply text when `parse` fails (Redis's wording, with the `ERR` code).
    public static let invalidMessage = "ERR min or max not valid string range item"

    /// The bound `argument` denotes, or nil if it is none of the four forms (reply with
    /// `invalidMessage`). `-` and `+` must stand alone; `[` and `(` may prefix an empty key.
    @inlinable
    public static func parse(_ argument: UnsafeRawBufferPointer) -> LexRangeBound? {
        guard let first = argument.first else { return nil }
        let rest = UnsafeRawBufferPointer(rebasing: argument[1...])
        switch first {
        case UInt8(ascii: "["): return .inclusive(rest)
        case UInt8(ascii: "("): return .exclusive(rest)
        case UInt8(ascii: "-"): return argument.count == 1 ? .lowest : nil
        case UInt8(ascii: "+"): return argument.count == 1 ? .highest : nil
        default: return nil
        }
    }
}
