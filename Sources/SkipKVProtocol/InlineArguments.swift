/// Splitting a command line typed by a person (at a `skipkv-cli` prompt, say) into arguments,
/// with exactly the quoting rules the server applies to inline commands (`InlineCommandSplitter`,
/// i.e. Redis's `sdssplitargs`, which redis-cli also uses for its prompt): `SET "a b" 'it\'s'`
/// is three arguments.
public enum InlineArguments {
    /// The arguments of `line` (no line terminator needed), or nil for unbalanced quotes or a
    /// closing quote not followed by a space. A blank line has no arguments.
    public static func split(_ line: [UInt8]) -> [[UInt8]]? {
        var arguments = CommandArguments()
        return line.withUnsafeBytes { buffer -> [[UInt8]]? in
            guard InlineCommandSplitter.split(buffer, line: 0..<buffer.count, into: &arguments) else { return nil }
            return (0..<arguments.count).map { [UInt8](arguments.argument($0, in: buffer)) }
        }
    }
}
