#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What file handling throws. Every case names the file, so an operator reading the log knows
/// which one to look at; damage also names the byte offset, so it can be inspected or cut.
public enum DiskError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A system call failed: `operation` is what was attempted, `code` its errno.
    case io(operation: String, path: String, code: Int32)
    /// A file's content is damaged from byte `offset` on (readers report damage in their
    /// results; this case is for callers that decide the damage is fatal).
    case damaged(path: String, offset: Int, reason: String)
    /// A snapshot entry longer than a block's 32-bit payload length can describe.
    case entryTooLarge(path: String, bytes: Int)

    /// For example `write /data/appendonly.aof.3: No space left on device`.
    public var description: String {
        switch self {
        case let .io(operation, path, code):
            return "\(operation) \(path): \(String(cString: strerror(code)))"
        case let .damaged(path, offset, reason):
            return "\(path): damaged at byte \(offset): \(reason)"
        case let .entryTooLarge(path, bytes):
            return "\(path): an entry of \(bytes) bytes does not fit in a snapshot block"
        }
    }
}
