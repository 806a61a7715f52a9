import SkipKVClient
import SkipKVProtocol
import SkipKVSystem

/// A command from the command line, run `-r` times with `-i` seconds between runs.
struct OneShotMode {
    let options: Options
    let command: [[UInt8]]
    let renderer: ReplyRenderer

    func run() -> Int32 {
        let output = OutputWriter.standardOutput
        let errors = OutputWriter.standardError
        guard let connection = options.connectOrReport(to: errors) else { return ExitStatus.failure }
        var sawErrorReply = false
        var remaining = options.repeatCount
        while remaining != 0 {
            do {
                let reply = try connection.execute(command)
                output.write(renderer.render(reply, to: command))
                output.flush()
                if reply.isError { sawErrorReply = true }
            } catch {
                errors.line(error.report)
                return ExitStatus.failure
            }
            // -1 repeats forever.
            if remaining > 0 { remaining -= 1 }
            if remaining != 0 { sleep(seconds: options.interval) }
        }
        return sawErrorReply ? ExitStatus.errorReply : ExitStatus.success
    }
}
