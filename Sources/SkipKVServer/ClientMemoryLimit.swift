/// Redis 7's `maxmemory-clients`: a cap on the memory of all clients together, in bytes or as
/// a percentage of `maxmemory`; 0 (the default) for none.
public enum ClientMemoryLimit: Sendable, Equatable {
    case bytes(Int)
    case percentOfMaxMemory(Int)

    /// Parses a byte count with Redis's units, or `N%` with N at most 100, with Redis's errors.
    static func parse(_ text: String) throws -> ClientMemoryLimit {
        guard text.hasSuffix("%") else {
            do {
                return .bytes(try ConfigValue.memory(text, in: 0...Int.max))
            } catch {
                throw ConfigValueError("argument must be a memory or percent value")
            }
        }
        guard let percent = Int(text.dropLast()), percent >= 0, !text.hasPrefix("+") else {
            throw ConfigValueError("argument must be a memory or percent value")
        }
        guard percent <= 100 else { throw ConfigValueError("percentage argument must be less or equal to 100") }
        return .percentOfMaxMemory(percent)
    }

    /// As CONFIG GET shows it.
    var rendered: String {
        switch self {
        case .bytes(let bytes): return String(bytes)
        case .percentOfMaxMemory(let percent): return "\(percent)%"
        }
    }

    /// The cap in bytes given `maxMemory`; 0 for none (a percentage of an unlimited
    /// `maxmemory` is no cap, as in Redis).
    func bytes(maxMemory: Int) -> Int {
        switch self {
        case .bytes(let bytes): return bytes
        case .percentOfMaxMemory(let percent): return maxMemory / 100 * percent + maxMemory % 100 * percent / 100
        }
    }
}
