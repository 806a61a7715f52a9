/// Case-insensitive matching of an argument against a command keyword (`EX`, `NX`,
/// `WITHSCORES`, ...) without allocating. Only ASCII letters fold, as with Redis's
/// `strcasecmp` in the C locale.
public enum Keyword {
    /// Whether `argument` equals `keyword` ignoring ASCII case. `keyword` should be ASCII.
    @inlinable
    public static func matches(_ argument: UnsafeRawBufferPointer, _ keyword: StaticString) -> Bool {
        keyword.withUTF8Buffer { expected in
            guard argument.count == expected.count else { return false }
            for index in 0..<expected.count
            where ASCII.lowercased(argument[index]) != ASCII.lowercased(expected[index]) {
                return false
            }
            return true
        }
    }
}
