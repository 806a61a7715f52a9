import SkipKVClient
import SkipKVProtocol
import SkipKVSystem

/// `--range MIN MAX [--rev] [--count-per-page N] [--novalues]`: every entry between two
/// bounds, fetched as `RANGE ... LIMIT 0 N` pages. Each page continues from an exclusive
/// bound on the last key seen, `(lastkey` (the lower bound ascending, the upper bound with
/// REV, since bounds are always given low first), so no page re-reads skipped entries the
/// way a growing OFFSET would, and memory holds one page whatever the range's size.
struct RangeMode {
    let options: Options
    let scan: Options.RangeScan
    let mode: OutputMode

    func run() -> Int32 {
        let output = OutputWriter.standardOutput
        let errors = OutputWriter.standardError
        let format = RangeEntryFormat(mode: mode)
        var low = scan.min
        var high = scan.max
        do {
            let connection = try Client(settings: options.settings).connect()
            while true {
                let command = RangeCommand.page(min: low, max: high, reverse: scan.reverse,
                                                count: scan.pageSize, keysOnly: scan.keysOnly)
                let reply = try connection.execute(command)
                guard case .array(let elements) = reply else {
                    output.flush()
                    errors.line("ERROR: " + String(decoding: reply.stringBytes ?? Array("unexpected RANGE reply".utf8), as: UTF8.self))
                    return ExitStatus.errorReply
                }
                var lines: [UInt8] = []
                let lastKey: [UInt8]?
                let entryCount: Int
                if scan.keysOnly {
                    let keys = elements.compactMap(\.stringBytes)
                    for key in keys { format.appendLine(key: key, value: nil, to: &lines) }
                    lastKey = keys.last
                    entryCount = keys.count
                } else {
                    guard let entries = RangeCommand.pairs(elements) else {
                        output.flush()
                        errors.line("ERROR: a RANGE reply that is not key-value pairs")
                        return ExitStatus.errorReply
                    }
                    for entry in entries { format.appendLine(key: entry.key, value: entry.value, to: &lines) }
                    lastKey = entries.last?.key
                    entryCount = entries.count
                }
                output.write(lines)
                // A short page is the last one.
                guard entryCount == scan.pageSize, let lastKey else { break }
                if scan.reverse {
                    high = RangeCommand.bound(after: lastKey)
                } else {
                    low = RangeCommand.bound(after: lastKey)
                }
                sleep(seconds: options.interval)
            }
            output.flush()
            return ExitStatus.success
        } catch {
            output.flush()
            errors.line(error.report)
            return ExitStatus.failure
        }
    }
}
