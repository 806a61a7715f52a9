import Foundation

/// Number formatting shared by the progress line, the per-run lines and the tables.
enum Format {
    /// 1234567 -> "1,234,567"
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return "-" }
        return String(format: "%.\(decimals)f", x)
    }

    /// Operations per second with a unit: "812.4K", "3.21M".
    static func rate(_ opsPerSec: Double) -> String {
        guard opsPerSec.isFinite else { return "-" }
        if opsPerSec >= 1e9 { return fixed(opsPerSec / 1e9, 2) + "G" }
        if opsPerSec >= 1e6 { return fixed(opsPerSec / 1e6, 2) + "M" }
        if opsPerSec >= 1e3 { return fixed(opsPerSec / 1e3, 1) + "K" }
        return fixed(opsPerSec, 0)
    }

    /// Nanoseconds as microseconds with 3 significant-ish digits: "0.412", "12.3", "1530".
    static func micros(_ nanos: UInt64) -> String {
        let us = Double(nanos) / 1000
        if us < 10 { return fixed(us, 3) }
        if us < 100 { return fixed(us, 2) }
        if us < 1000 { return fixed(us, 1) }
        return fixed(us, 0)
    }

    /// Nanoseconds as milliseconds with three decimals, as redis-benchmark shows latencies.
    static func millis(_ nanos: UInt64) -> String {
        fixed(Double(nanos) / 1e6, 3)
    }

    /// Bytes with a binary unit: "512 B", "41.2 MiB".
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while abs(v) >= 1024 && u < units.count - 1 {
            v /= 1024
            u += 1
        }
        return u == 0 ? "\(n) B" : fixed(v, 1) + " " + units[u]
    }

    static func seconds(_ nanos: UInt64) -> String {
        let s = Double(nanos) / 1e9
        return s < 10 ? fixed(s, 3) + " s" : fixed(s, 1) + " s"
    }

    static func ratio(_ x: Double) -> String {
        guard x.isFinite else { return "-" }
        return fixed(x, x != 0 && abs(x) < 0.1 ? 3 : 2) + "x"
    }
}
