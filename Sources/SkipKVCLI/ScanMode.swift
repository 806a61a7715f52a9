import SkipKVClient
import SkipKVProtocol
import SkipKVSystem

/// `--scan [--pattern P] [--count N]`: every key, following SCAN's cursor until it returns
/// to 0, printed as each batch arrives. Like redis-cli: one key per line, quoted in the
/// standard format and raw otherwise.
struct ScanMode {
    let options: Options
    let pattern: [UInt8]?
    let count: Int?
    let mode: OutputMode

    func run() -> Int32 {
        let output = OutputWriter.standardOutput
        let errors = OutputWriter.standardError
        // redis-cli quotes keys only in its standard format; CSV and JSON get raw lines too.
        let format = RangeEntryFormat(mode: mode == .standard ? .standard : .raw)
        do {
            let connection = try Client(settings: options.settings).connect()
            var cursor = Array("0".utf8)
            repeat {
                var command = [Array("SCAN".utf8), cursor]
                if let pattern { command += [Array("MATCH".utf8), pattern] }
                if let count { command += [Array("COUNT".utf8), Array(String(count).utf8)] }
                let reply = try connection.execute(command)
                guard case .array(let parts) = reply, parts.count == 2,
                      case .bulkString(let next) = parts[0], case .array(let keys) = parts[1]
                else {
                    // redis-cli's wording for a failed scan.
                    errors.line("ERROR: " + String(decoding: reply.stringBytes ?? Array("unexpected SCAN reply".utf8), as: UTF8.self))
                    return ExitStatus.errorReply
                }
                var lines: [UInt8] = []
                for key in keys {
                    guard let bytes = key.stringBytes else { continue }
                    format.appendLine(key: bytes, value: nil, to: &lines)
                }
                output.write(lines)
                output.flush()
                cursor = next
                if cursor != Array("0".utf8) { sleep(seconds: options.interval) }
            } while cursor != Array("0".utf8)
            return ExitStatus.success
        } catch {
            output.flush()
            errors.line(error.report)
            return ExitStatus.failure
        }
    }
}
