#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zipfian ranks in [0, items) with exponent `theta` (0 < theta < 1), rank 0 the most popular,
/// by the constant-time method of Gray et al., "Quickly Generating Billion-Record Synthetic
/// Databases" (SIGMOD 1994), the method YCSB uses.
struct ZipfianGenerator: Sendable {
    let items: UInt64
    let theta: Double
    let zetaN: Double
    private let alpha: Double
    private let eta: Double
    private let secondThreshold: Double

    init(items: UInt64, theta: Double) {
        precondition(items >= 1 && theta > 0 && theta < 1)
        self.items = items
        self.theta = theta
        zetaN = Self.zeta(items, theta: theta)
        let zeta2 = Self.zeta(2, theta: theta)
        alpha = 1 / (1 - theta)
        eta = items < 2 ? 0 : (1 - pow(2 / Double(items), 1 - theta)) / (1 - zeta2 / zetaN)
        secondThreshold = 1 + pow(0.5, theta)
    }

    /// The generalized harmonic number H(n, theta) = sum_{i=1}^{n} i^-theta. Exact below a
    /// cutoff; above it the tail is summed by Euler–Maclaurin (error far below 1e-12 relative).
    static func zeta(_ n: UInt64, theta: Double) -> Double {
        let cutoff: UInt64 = 10_000
        var sum = 0.0
        for i in 1...min(n, cutoff) { sum += pow(Double(i), -theta) }
        if n <= cutoff { return sum }
        let m = Double(cutoff), x = Double(n)
        let f = { (v: Double) in pow(v, -theta) }
        let df = { (v: Double) in -theta * pow(v, -theta - 1) }
        // sum_{i=m+1}^{n} f(i) = ∫_m^n f + (f(n) - f(m))/2 + (f'(n) - f'(m))/12 - ...
        sum += (pow(x, 1 - theta) - pow(m, 1 - theta)) / (1 - theta)
        sum += (f(x) - f(m)) / 2
        sum += (df(x) - df(m)) / 12
        return sum
    }

    @inline(__always)
    func next(_ rng: inout BenchmarkRandom) -> UInt64 {
        let u = rng.nextDouble()
        let uz = u * zetaN
        if uz < 1 { return 0 }
        if uz < secondThreshold { return items > 1 ? 1 : 0 }
        let r = UInt64(Double(items) * pow(eta * u - eta + 1, alpha))
        return min(r, items - 1)
    }
}

/// YCSB's scrambled Zipfian: ranks from a Zipfian over a huge hidden item space, hashed (FNV-1a)
/// and reduced modulo the real item count, so the popular keys are scattered over the key space
/// instead of clustered at its start.
struct ScrambledZipfianGenerator: Sendable {
    static let hiddenItems: UInt64 = 10_000_000_000
    let items: UInt64
    let ranks: ZipfianGenerator

    init(items: UInt64, theta: Double) {
        precondition(items >= 1)
        self.items = items
        ranks = ZipfianGenerator(items: Self.hiddenItems, theta: theta)
    }

    @inline(__always)
    func next(_ rng: inout BenchmarkRandom) -> UInt64 {
        fnv1a64(ranks.next(&rng)) % items
    }
}

/// FNV-1a over the eight little-endian bytes of `value`.
@inline(__always)
func fnv1a64(_ value: UInt64) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    var v = value
    for _ in 0..<8 {
        h ^= v & 0xFF
        h &*= 0x0000_0100_0000_01B3
        v >>= 8
    }
    return h
}

/// How a workload picks existing keys: uniformly or by scrambled Zipfian, over key numbers
/// [0, items).
enum KeyChooser: Sendable {
    case uniform(items: UInt64)
    case zipfian(ScrambledZipfianGenerator)

    init(_ distribution: Distribution, items: UInt64, theta: Double) {
        switch distribution {
        case .uniform: self = .uniform(items: items)
        case .zipfian: self = .zipfian(ScrambledZipfianGenerator(items: items, theta: theta))
        }
    }

    @inline(__always)
    func next(_ rng: inout BenchmarkRandom) -> UInt64 {
        switch self {
        case .uniform(let items): return rng.next(below: items)
        case .zipfian(let z): return z.next(&rng)
        }
    }
}
