/// skipkv-cli's exit statuses.
enum ExitStatus {
    static let success: Int32 = 0
    /// The server answered with an error reply (one-shot, `--pipe`, `--scan`, `--range`).
    static let errorReply: Int32 = 1
    /// Could not connect, the connection broke, or the command line or input was invalid.
    static let failure: Int32 = 2
}
