import SkipKVIndex

/// INCRBYFLOAT, with Redis's long-double arithmetic and text (`LongDoubleText`). Logged as
/// the SET of the text it stored, as Redis propagates it.
extension StringCommands {
    private enum FloatIncrement {
        case value([UInt8])
        case notFloat
        case notFinite
    }

    static func incrbyfloat(_ c: CommandContext) {
        let increment = c.argument(2)
        let outcome = c.keyspace.update(c.argument(1)) { current -> (UpdateAction, FloatIncrement) in
            // Redis parses the stored value before the increment; both fail alike.
            var base: LongDoubleText.Value = 0
            if let current {
                guard let parsed = LongDoubleText.parse(current) else { return (.keep, .notFloat) }
                base = parsed
            }
            guard let delta = LongDoubleText.parse(increment) else { return (.keep, .notFloat) }
            let sum = base + delta
            guard sum.isFinite else { return (.keep, .notFinite) }
            let text = LongDoubleText.humanFriendly(sum)
            return (.store(text), .value(text))
        }
        switch outcome {
        case .value(let text): c.reply.pointee.writeBulkString(text)
        case .notFloat: c.error("ERR value is not a valid float")
        case .notFinite: c.error("ERR increment would produce NaN or Infinity")
        }
    }
}
