import SkipKVIndex

/// The options SET and GETEX share — NX, XX, GET (SET only), KEEPTTL (SET only), PERSIST
/// (GETEX only) and one of EX, PX, EXAT, PXAT with its time — parsed with Redis's rules:
/// every option is read first (a conflict is `ERR syntax error`; repeating the same option
/// is allowed and the last time wins), then the time is checked, so a syntax error is
/// reported before a bad number.
struct ExpiryArguments {
    enum Form {
        case seconds, milliseconds, unixSeconds, unixMilliseconds

        var isRelative: Bool { self == .seconds || self == .milliseconds }
        var isSeconds: Bool { self == .seconds || self == .unixSeconds }
    }

    var condition = PutCondition.always
    var returnOld = false
    var keepTTL = false
    var persist = false
    /// The expiry option and the index of its time argument.
    var form: Form?
    var timeIndex = 0

    /// Parses the options from argument `first` on; nil after replying with the error.
    /// `forSet`: SET's options, else GETEX's.
    static func parse(_ c: CommandContext, from first: Int, forSet: Bool) -> ExpiryArguments? {
        var options = ExpiryArguments()
        var index = first
        while index < c.count {
            let hasNext = index + 1 < c.count
            let timed = options.form != nil
            if forSet && c.argument(index, is: "NX") && options.condition != .ifPresent {
                options.condition = .ifAbsent
            } else if forSet && c.argument(index, is: "XX") && options.condition != .ifAbsent {
                options.condition = .ifPresent
            } else if forSet && c.argument(index, is: "GET") {
                options.returnOld = true
            } else if forSet && c.argument(index, is: "KEEPTTL") && !timed {
                options.keepTTL = true
            } else if !forSet && c.argument(index, is: "PERSIST") && !timed {
                options.persist = true
            } else if hasNext && !options.keepTTL && !options.persist, let form = Self.form(c, index),
                      options.form == nil || options.form == form {
                options.form = form
                index += 1
                options.timeIndex = index
            } else {
                c.error(ErrorText.syntax)
                return nil
            }
            index += 1
        }
        return options
    }

    private static func form(_ c: CommandContext, _ index: Int) -> Form? {
        if c.argument(index, is: "EX") { return .seconds }
        if c.argument(index, is: "PX") { return .milliseconds }
        if c.argument(index, is: "EXAT") { return .unixSeconds }
        if c.argument(index, is: "PXAT") { return .unixMilliseconds }
        return nil
    }

    /// The deadline the expiry option names, in Unix milliseconds; 0 when there is none, nil
    /// after replying with the error (Redis's getExpireMillisecondsOrReply).
    func deadline(_ c: CommandContext, command: @autoclosure () -> String, now: Int64) -> Int64? {
        guard let form else { return 0 }
        return Self.deadline(c, timeIndex, form, command: command(), now: now)
    }

    /// The deadline of a SET-style time argument (positive; seconds at most `Int64.max / 1000`).
    /// `command` names it in the error (built only then: SETEX and EXPIRE run hot in rate
    /// limiters).
    static func deadline(
        _ c: CommandContext, _ index: Int, _ form: Form, command: @autoclosure () -> String, now: Int64
    ) -> Int64? {
        guard var time = c.integer(index) else { return nil }
        if time <= 0 || (form.isSeconds && time > Int64.max / 1000) {
            c.error(invalidTime(command()))
            return nil
        }
        if form.isSeconds { time *= 1000 }
        if form.isRelative { time = time &+ now }
        guard time > 0 else {
            c.error(invalidTime(command()))
            return nil
        }
        return time
    }

    static func invalidTime(_ command: String) -> String {
        "ERR invalid expire time in '\(command)' command"
    }
}
