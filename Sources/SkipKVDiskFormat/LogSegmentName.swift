#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log segment file names: `<base>.<sequence>` (e.g. `appendonly.aof.7`), sequence ≥ 1 in
/// plain decimal. Only names that `fileName` could have produced count as segments, so files
/// set aside by an operator (`appendonly.aof.3.damaged`) or in progress (`.tmp`) are ignored.
public enum LogSegmentName {
    /// The file name (no directory) of segment `sequence`.
    public static func fileName(base: String, sequence: UInt64) -> String {
        "\(base).\(sequence)"
    }

    /// The sequence number a segment file name carries, or nil when `name` is not
    /// `<base>.<sequence>` exactly (leading zeros, signs, extra suffixes and 0 are refused).
    public static func sequence(fileName name: String, base: String) -> UInt64? {
        let prefix = base.utf8.count + 1
        let utf8 = name.utf8
        guard utf8.count > prefix, utf8.starts(with: base.utf8), utf8.dropFirst(prefix - 1).first == UInt8(ascii: ".") else {
            return nil
        }
        let digits = utf8.dropFirst(prefix)
        guard digits.first != UInt8(ascii: "0"),
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return UInt64(Substring(digits))
    }

    /// The segments of log `base` in `directory`, by ascending sequence.
    public static func list(directory: String, base: String) throws -> [(sequence: UInt64, path: String)] {
        guard let stream = opendir(directory) else {
            throw DiskError.io(operation: "open directory", path: directory, code: errno)
        }
        defer { closedir(stream) }
        var segments: [(sequence: UInt64, path: String)] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw DiskError.io(operation: "read directory", path: directory, code: errno) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let sequence = sequence(fileName: name, base: base) {
                segments.append((sequence, "\(directory)/\(name)"))
            }
        }
        segments.sort { $0.sequence < $1.sequence }
        return segments
    }
}
