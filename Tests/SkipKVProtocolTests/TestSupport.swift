@testable import SkipKVProtocol

/// What a connection's worth of parsing produced: the commands, then the error that ended the
/// stream if any, then whether bytes of an unfinished request were left over.
struct ParsedStream: Equatable {
    var commands: [[[UInt8]]] = []
    var error: ProtocolError? = nil
    var leftover: [UInt8] = []
}

/// Plays the server's part: keeps unconsumed bytes in one contiguous buffer, appends each
/// chunk as it "arrives", and parses until the parser needs more, discarding what it says
/// is consumed. Returns everything parsed once all chunks are in.
func parseStream(_ chunks: [[UInt8]], limits: ParserLimits = ParserLimits()) -> ParsedStream {
    var parser = RequestParser(limits: limits)
    var arguments = CommandArguments()
    var pending: [UInt8] = []
    var result = ParsedStream()
    chunkLoop: for chunk in chunks {
        pending += chunk
        while true {
            let (outcome, command) = pending.withUnsafeBytes { buffer in
                let outcome = parser.parse(buffer, into: &arguments)
                guard case .command = outcome else { return (outcome, [[UInt8]]()) }
                return (outcome, (0..<arguments.count).map { [UInt8](arguments.argument($0, in: buffer)) })
            }
            switch outcome {
            case .command(let consumed):
                result.commands.append(command)
                pending.removeFirst(consumed)
            case .incomplete(let consumed, _):
                pending.removeFirst(consumed)
                continue chunkLoop
            case .error(let error):
                result.error = error
                return result
            }
        }
    }
    result.leftover = pending
    return result
}

func parseStream(_ stream: [UInt8], limits: ParserLimits = ParserLimits()) -> ParsedStream {
    parseStream([stream], limits: limits)
}

func parseStream(_ stream: String, limits: ParserLimits = ParserLimits()) -> ParsedStream {
    parseStream(Array(stream.utf8), limits: limits)
}

/// Splits `bytes` into chunks ending at the given offsets.
func chunks(_ bytes: [UInt8], cutAt cuts: [Int]) -> [[UInt8]] {
    var result: [[UInt8]] = []
    var start = 0
    for cut in cuts.sorted() + [bytes.count] where cut >= start {
        result.append(Array(bytes[start..<cut]))
        start = cut
    }
    return result
}

/// RESP multibulk encoding of one command.
func encodeMultibulk(_ arguments: [[UInt8]]) -> [UInt8] {
    var bytes = Array("*\(arguments.count)\r\n".utf8)
    for argument in arguments {
        bytes += Array("$\(argument.count)\r\n".utf8) + argument + Array("\r\n".utf8)
    }
    return bytes
}

func encodeMultibulk(_ arguments: [String]) -> [UInt8] {
    encodeMultibulk(arguments.map { Array($0.utf8) })
}

func words(_ texts: String...) -> [[UInt8]] {
    texts.map { Array($0.utf8) }
}

/// The encoded output of one writer call sequence, as a String for readable assertions.
func written(_ version: RESPVersion, _ body: (inout ReplyWriter) -> Void) -> String {
    var writer = ReplyWriter(version: version, initialCapacity: 16)
    body(&writer)
    return String(decoding: writer.output.readableBytes, as: UTF8.self)
}
