import Glibc
import SkipKVClient
import SkipKVProtocol

/// `--pipe`: mass insertion. Commands stream from stdin to the server while replies stream
/// back (`Connection.pipeline`), so memory stays bounded by the buffers whatever the input
/// size. Error replies are printed to stderr as they arrive; the summary matches
/// redis-cli's.
struct PipeMode {
    let options: Options

    func run() -> Int32 {
        let output = OutputWriter.standardOutput
        let errors = OutputWriter.standardError
        guard let connection = options.connectOrReport(to: errors) else { return ExitStatus.failure }
        let commands = CommandStreamReader(descriptor: STDIN_FILENO)
        var progress = PipeProgress()
        var replies = 0
        var errorReplies = 0
        var inputError: CommandStreamReader.InputError?
        do {
            try connection.pipeline(
                bufferLimit: 4 << 20,
                produce: {
                    do throws(CommandStreamReader.InputError) {
                        if try commands.enqueueAvailable(on: connection) {
                            progress.update(sent: commands.commandCount, replies: replies, errors: errorReplies)
                            return true
                        }
                        output.line("All data transferred. Waiting for the last reply...")
                    } catch {
                        // Stop reading, but collect the replies to what was sent.
                        inputError = error
                    }
                    return false
                },
                onReply: { reply in
                    replies += 1
                    if case .error(let message) = reply {
                        errorReplies += 1
                        errors.write(message + [UInt8(ascii: "\n")])
                        errors.flush()
                    }
                    progress.update(sent: commands.commandCount, replies: replies, errors: errorReplies)
                }
            )
        } catch {
            progress.finish()
            errors.line(error.report + " (after \(replies) replies)")
            return ExitStatus.failure
        }
        progress.finish()
        if let inputError {
            errors.line("Error: invalid input: " + inputError.message)
            output.line("errors: \(errorReplies), replies: \(replies)")
            return ExitStatus.failure
        }
        output.line("Last reply received from server.")
        output.line("errors: \(errorReplies), replies: \(replies)")
        return errorReplies > 0 ? ExitStatus.errorReply : ExitStatus.success
    }
}
