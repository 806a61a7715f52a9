/// How replies are printed, after redis-cli's output modes.
public enum OutputMode: Sendable, Equatable {
    /// redis-cli's terminal format: `"value"`, `(integer) 3`, numbered nested aggregates.
    case standard
    /// `--raw`: payloads as they are, one element per line.
    case raw
    /// `--csv`: one line per reply, elements comma-separated.
    case csv
    /// `--json`: one JSON value per reply (errors as `error:"..."`, as redis-cli does).
    case json
}
