/// Which access information the index keeps per key, for the eviction policies.
public enum AccessTracking: Int, Sendable {
    /// None: accesses write nothing (the cost is one load and a branch per operation).
    case off = 0
    /// Recency, for LRU: when the key was last read or written.
    case recency = 1
    /// Frequency, for LFU: a logarithmic access counter that decays while the key is idle.
    case frequency = 2
}

/// The access clock as one operation reads it, and the arithmetic of the access field every
/// level-0 entry keeps in spare bits of its `StoredKey` word: 24 bits for a key of at most 16
/// bytes, 16 for a longer key (its word has no more to spare).
///
/// Recency (LRU): the time of the last access in milliseconds since the tracker started, as a
/// small monotonic floating-point number: a 5-bit exponent and a 19-bit (16-bit field: 11-bit)
/// mantissa. Exact to the millisecond for the first 2^19 ms (8.7 minutes; 2 s with 16 bits),
/// then to a relative 2^-18 (2^-10): 0.3 s after a day, 10 s after a month (85 s and 42
/// minutes for the 16-bit field). Redis keeps seconds modulo 2^24, exact to a second but
/// wrapping after 194 days; this clock never wraps, so an old access never looks recent, and
/// it is fine-grained while a process is young, which is what lets tests order accesses a few
/// milliseconds apart instead of sleeping for seconds.
///
/// Frequency (LFU): Redis's scheme: an 8-bit logarithmic counter in the low bits (a new key
/// starts at 5; an access increments it with probability 1 / ((counter − 5) · lfu-log-factor
/// + 1)) and above it the minute of the last decrement, 16 bits (8 with the 16-bit field),
/// wrapping; each `lfu-decay-time` minutes of idleness takes 1 off the counter. The 8-bit
/// minute of a long key wraps after 256 minutes, so a key idle for longer can keep part of its
/// count (a key idle 300 minutes reads as idle 44).
///
/// An eviction score orders candidates, higher first: the idle milliseconds (recency), or 255
/// minus the decayed counter (frequency), as Redis's eviction pool does.
public struct AccessStamp: Sendable {
    public let tracking: AccessTracking
    /// Milliseconds since the tracker's origin.
    public let milliseconds: UInt64
    let logFactor: UInt64
    let decayMinutes: UInt64

    public init(tracking: AccessTracking, milliseconds: UInt64, logFactor: Int, decayMinutes: Int) {
        self.tracking = tracking
        self.milliseconds = milliseconds
        self.logFactor = UInt64(max(0, logFactor))
        self.decayMinutes = UInt64(max(0, decayMinutes))
    }

    /// The counter of a new key, as Redis's LFU_INIT_VAL.
    public static let initialCounter: UInt32 = 5
    static let exponentBits = 5

    /// The field of a key written now for the first time.
    public func initialField(width: Int) -> UInt32 {
        switch tracking {
        case .off: return 0
        case .recency: return Self.recencyCode(milliseconds, width: width)
        case .frequency: return frequencyField(counter: Self.initialCounter, width: width)
        }
    }

    /// The field after an access to a key whose field was `field`; `random` gives uniform
    /// 32-bit numbers for the logarithmic increment (called at most once).
    @inline(__always)
    public func touched(_ field: UInt32, width: Int, random: () -> UInt32) -> UInt32 {
        switch tracking {
        case .off: return field
        case .recency: return Self.recencyCode(milliseconds, width: width)
        case .frequency:
            var counter = decayedCounter(field, width: width)
            if counter < 255 {
                let base = UInt64(counter > Self.initialCounter ? counter - Self.initialCounter : 0)
                let threshold = (UInt64(1) << 32) / (base &* logFactor &+ 1)
                if UInt64(random()) < threshold { counter += 1 }
            }
            return frequencyField(counter: counter, width: width)
        }
    }

    /// How good a candidate for eviction a key with this field is; higher is better.
    public func evictionScore(_ field: UInt32, width: Int) -> UInt64 {
        switch tracking {
        case .off: return 0
        case .recency:
            let last = Self.recencyMilliseconds(field, width: width)
            return milliseconds > last ? milliseconds - last : 0
        case .frequency: return 255 - UInt64(decayedCounter(field, width: width))
        }
    }

    // MARK: Recency

    /// `milliseconds` as the monotonic small float described above.
    static func recencyCode(_ milliseconds: UInt64, width: Int) -> UInt32 {
        let mantissaBits = width - exponentBits
        if milliseconds < 1 << mantissaBits { return UInt32(milliseconds) }
        // Shift so the value's top bit lands on bit mantissaBits - 1; e >= 1.
        let exponent = (63 - milliseconds.leadingZeroBitCount) - mantissaBits + 1
        let maximumExponent = (1 << exponentBits) - 1
        if exponent > maximumExponent { return UInt32((1 << width) - 1) }
        return UInt32(exponent << mantissaBits) | UInt32(truncatingIfNeeded: milliseconds >> UInt64(exponent))
    }

    /// The earliest millisecond `recencyCode` maps to `code`.
    static func recencyMilliseconds(_ code: UInt32, width: Int) -> UInt64 {
        let mantissaBits = width - exponentBits
        let exponent = UInt64(code >> UInt32(mantissaBits))
        let mantissa = UInt64(code & ((1 << UInt32(mantissaBits)) - 1))
        return exponent == 0 ? mantissa : mantissa << exponent
    }

    // MARK: Frequency

    /// The minute clock in the field's time bits.
    private func minuteClock(width: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: (milliseconds / 60_000) & ((1 << UInt64(width - 8)) - 1))
    }

    private func frequencyField(counter: UInt32, width: Int) -> UInt32 {
        minuteClock(width: width) << 8 | counter
    }

    /// The counter less one for every `lfu-decay-time` minutes since the field's minute.
    func decayedCounter(_ field: UInt32, width: Int) -> UInt32 {
        let counter = field & 0xFF
        guard decayMinutes > 0 else { return counter }
        let timeMask = UInt32((1 << (width - 8)) - 1)
        let elapsed = UInt64((minuteClock(width: width) &- (field >> 8)) & timeMask)
        let periods = elapsed / decayMinutes
        return periods >= UInt64(counter) ? 0 : counter - UInt32(periods)
    }
}
