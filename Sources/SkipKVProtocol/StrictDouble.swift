#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Double parsing with the rules of Redis's `string2d` (scores, INCRBYFLOAT-style
/// increments): the whole argument must be a `strtod` number, with no leading space; `inf`
/// and `-inf` are allowed, NaN is not, and values that overflow or underflow to zero fail.
public enum StrictDouble {
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let first = bytes.first, !ASCII.isSpace(first) else { return nil }
        // strtod needs a NUL-terminated string; the argument is a slice of a larger buffer.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { text in
            let base = text.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            base[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let value = strtod(base, &end)
            // A NUL inside the argument also stops strtod short of the end.
            guard let end, end == base + bytes.count, !value.isNaN else { return nil }
            if errno == ERANGE && (value.isInfinite || value == 0) { return nil }
            return value
        }
    }
}
