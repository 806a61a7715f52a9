#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One end of a key range. Keys compare as unsigned bytes (memcmp order, a proper prefix first).
public enum RangeBound: Sendable, Hashable {
    case unbounded
    case inclusive([UInt8])
    case exclusive([UInt8])
}

/// A range of keys between a lower and an upper bound, each inclusive, exclusive or unbounded.
public struct KeyRange: Sendable, Hashable {
    public var lower: RangeBound
    public var upper: RangeBound

    public init(lower: RangeBound = .unbounded, upper: RangeBound = .unbounded) {
        self.lower = lower
        self.upper = upper
    }

    public static let all = KeyRange()

    /// True when no key can satisfy both bounds (for example lower above upper). Inlinable:
    /// every scan of the index asks it first.
    @inlinable
    public var isEmpty: Bool {
        switch (lower, upper) {
        case (.unbounded, _), (_, .unbounded): return false
        case let (.inclusive(l), .inclusive(u)): return compareBytes(l, u) > 0
        case let (.inclusive(l), .exclusive(u)), let (.exclusive(l), .inclusive(u)), let (.exclusive(l), .exclusive(u)):
            return compareBytes(l, u) >= 0
        }
    }

    /// Whether `key` lies inside the range.
    public func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        switch lower {
        case .unbounded: break
        case .inclusive(let l): if compareBytes(key, l) < 0 { return false }
        case .exclusive(let l): if compareBytes(key, l) <= 0 { return false }
        }
        switch upper {
        case .unbounded: return true
        case .inclusive(let u): return compareBytes(key, u) <= 0
        case .exclusive(let u): return compareBytes(key, u) < 0
        }
    }

    public func contains(_ key: [UInt8]) -> Bool {
        key.withUnsafeBytes { contains($0) }
    }

    /// The keys in both ranges (possibly an empty range).
    public func intersection(_ other: KeyRange) -> KeyRange {
        KeyRange(lower: Self.tighter(lower, other.lower, lowerEnd: true), upper: Self.tighter(upper, other.upper, lowerEnd: false))
    }

    /// Of two bounds at the same end, the one that admits fewer keys.
    private static func tighter(_ a: RangeBound, _ b: RangeBound, lowerEnd: Bool) -> RangeBound {
        func key(_ bound: RangeBound) -> [UInt8]? {
            switch bound {
            case .unbounded: return nil
            case .inclusive(let k), .exclusive(let k): return k
            }
        }
        guard let ka = key(a) else { return b }
        guard let kb = key(b) else { return a }
        let order = compareBytes(ka, kb)
        if order == 0 {
            if case .exclusive = a { return a }
            return b
        }
        return (order > 0) == lowerEnd ? a : b
    }
}

/// memcmp order with the shorter key first on a common prefix.
@inlinable
public func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
        let c = memcmp(a.baseAddress!, b.baseAddress!, n)
        if c != 0 { return c < 0 ? -1 : 1 }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

@inlinable
public func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in compareBytes(pa, pb) } }
}

@inlinable
public func compareBytes(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
    b.withUnsafeBytes { compareBytes(a, $0) }
}
