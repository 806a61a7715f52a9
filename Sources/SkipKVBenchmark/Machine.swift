import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SkipKVSystem

/// Facts about the machine and build, printed at the top of a run.
struct MachineInfo {
    let onlineCores: Int
    let configuredCores: Int
    let physicalMemory: Int
    let cpuModel: String?
    let system: String
    let clockReadNanos: Double

    static func current() -> MachineInfo {
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        var model: String?
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var u = utsname()
        uname(&u)
        func field<T>(_ t: T) -> String {
            withUnsafeBytes(of: t) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        return MachineInfo(
            onlineCores: sysconf(Int32(_SC_NPROCESSORS_ONLN)),
            configuredCores: sysconf(Int32(_SC_NPROCESSORS_CONF)),
            physicalMemory: sysconf(Int32(_SC_PHYS_PAGES)) * pageSize,
            cpuModel: model,
            system: "\(field(u.sysname)) \(field(u.release)) \(field(u.machine))",
            clockReadNanos: measureClockCost())
    }

    /// Average cost of one `monotonicNanoseconds()` call.
    private static func measureClockCost() -> Double {
        let n = 200_000
        var sink: UInt64 = 0
        let start = monotonicNanoseconds()
        for _ in 0..<n { sink &+= monotonicNanoseconds() }
        let end = monotonicNanoseconds()
        if sink == 42 { print("") }  // keep the loop
        return Double(end - start) / Double(n)
    }

    static var buildMode: String {
        #if DEBUG
        return "debug (numbers are meaningless; build with -c release)"
        #else
        return "release"
        #endif
    }
}

/// Resident set size of this process (Linux /proc/self/statm), or nil where unavailable.
func residentBytes() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
    return pages * sysconf(Int32(_SC_PAGESIZE))
}

/// Peak resident set size of this process so far.
func peakResidentBytes() -> Int {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    #if canImport(Darwin)
    return Int(usage.ru_maxrss)
    #else
    return Int(usage.ru_maxrss) * 1024
    #endif
}

/// Whether standard error is a terminal.
func stderrIsTerminal() -> Bool { isatty(STDERR_FILENO) != 0 }

/// Writes to standard error, unbuffered.
func writeStderr(_ text: String) {
    var t = text
    t.withUTF8 { buf in
        var p = buf.baseAddress
        var left = buf.count
        while left > 0, let base = p {
            let n = write(STDERR_FILENO, base, left)
            if n <= 0 { if errno == EINTR { continue } else { return } }
            p = base + n
            left -= n
        }
    }
}

/// Flushes standard output (stdio buffers) so results interleave correctly with stderr.
func flushStdout() { fflush(nil) }
