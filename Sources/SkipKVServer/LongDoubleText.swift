#if canImport(Glibc)
import Glibc
#endif

/// Redis's long doubles as text, for INCRBYFLOAT: parsing as Redis's `string2ld` does
/// (`strtold`, refusing leading space, trailing or embedded-NUL bytes, NaN, overflow and
/// underflow to zero) and
/// printing in its "human friendly" mode (`%.17Lf`, then trailing zeros and a bare `.`
/// dropped, `-0` printed as `0`). On x86_64 Swift's `Float80` is C's `long double`, so sums
/// round exactly as Redis's do; elsewhere `Double` stands in (as `long double` does on
/// platforms where it is a double).
enum LongDoubleText {
    #if arch(x86_64) || arch(i386)
    typealias Value = Float80
    #else
    typealias Value = Double
    #endif

    /// Redis's `MAX_LONG_DOUBLE_CHARS`: longer input is refused, and every finite value prints
    /// in fewer characters.
    static let maxCharacters = 5 * 1024

    static func parse(_ text: UnsafeRawBufferPointer) -> Value? {
        guard text.count > 0 && text.count < maxCharacters else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer -> Value? in
            let base = buffer.baseAddress!
            UnsafeMutableRawPointer(base).copyMemory(from: text.baseAddress!, byteCount: text.count)
            base[text.count] = 0
            guard isspace(Int32(UInt8(bitPattern: base[0]))) == 0 else { return nil }
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            #if arch(x86_64) || arch(i386)
            let value = strtold(base, &end)
            #else
            let value = strtod(base, &end)
            #endif
            // The whole text must be the number: a NUL inside it ends strtold's view early.
            guard let end, end == base + text.count, errno != EINVAL, !value.isNaN else { return nil }
            if errno == ERANGE && (value.isInfinite || value == 0) { return nil }
            return value
        }
    }

    /// The bytes Redis stores for `value` (finite).
    static func humanFriendly(_ value: Value) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: maxCharacters) { buffer -> [UInt8] in
            let printed = withVaList([value]) { arguments in
                #if arch(x86_64) || arch(i386)
                Int(vsnprintf(buffer.baseAddress!, buffer.count, "%.17Lf", arguments))
                #else
                Int(vsnprintf(buffer.baseAddress!, buffer.count, "%.17f", arguments))
                #endif
            }
            let text = UnsafeRawBufferPointer(start: buffer.baseAddress!, count: min(printed, maxCharacters - 1))
            var end = text.count
            if text.contains(UInt8(ascii: ".")) {
                while text[end - 1] == UInt8(ascii: "0") { end -= 1 }
                if text[end - 1] == UInt8(ascii: ".") { end -= 1 }
            }
            if end == 2 && text[0] == UInt8(ascii: "-") && text[1] == UInt8(ascii: "0") { return [UInt8(ascii: "0")] }
            return Array(text[0..<end])
        }
    }
}
