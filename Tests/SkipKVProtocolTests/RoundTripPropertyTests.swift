import XCTest
@testable import SkipKVProtocol
import SkipKVTestSupport

/// Random argument lists, encoded as RESP (by the test and by `ReplyWriter`), must parse
/// back to themselves however the stream is chunked.
final class RoundTripPropertyTests: XCTestCase {
    private func randomArgument(_ random: inout SeededRandom) -> [UInt8] {
        let length: Int
        switch Int.random(in: 0..<10, using: &random) {
        case 0: length = 0
        case 1: length = Int.random(in: 100...2000, using: &random)
        default: length = Int.random(in: 1...20, using: &random)
        }
        // Bias towards the bytes that matter to framing.
        let special: [UInt8] = [0, 13, 10, UInt8(ascii: "*"), UInt8(ascii: "$"), UInt8(ascii: " "), UInt8(ascii: "\"")]
        return (0..<length).map { _ in
            Bool.random(using: &random) ? special.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
        }
    }

    private func randomChunks(_ stream: [UInt8], _ random: inout SeededRandom) -> [[UInt8]] {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return [stream]
        // Byte by byte only for shorter streams, to keep the test quick in debug builds.
        case 1 where stream.count <= 4096: return stream.map { [$0] }
        default:
            let cutCount = Int.random(in: 1...max(1, stream.count / 4), using: &random)
            return chunks(stream, cutAt: (0..<cutCount).map { _ in Int.random(in: 0...stream.count, using: &random) })
        }
    }

    func testRandomCommandsRoundTrip() {
        var random = SeededRandom(seed: 0xC0FFEE)
        for round in 0..<300 {
            let commands = (0..<Int.random(in: 1...8, using: &random)).map { _ in
                (0..<Int.random(in: 1...6, using: &random)).map { _ in randomArgument(&random) }
            }
            let stream = commands.flatMap(encodeMultibulk)
            let result = parseStream(randomChunks(stream, &random))
            XCTAssertEqual(result, ParsedStream(commands: commands), "round \(round)")
            if result != ParsedStream(commands: commands) { return }
        }
    }

    /// The same, with requests written by `ReplyWriter` (an array of bulk strings is exactly
    /// a multibulk request) so writer and parser agree on framing.
    func testWriterOutputParsesBack() {
        var random = SeededRandom(seed: 0xBEEF)
        for round in 0..<200 {
            var writer = ReplyWriter(initialCapacity: 16)
            let commands = (0..<Int.random(in: 1...8, using: &random)).map { _ in
                (0..<Int.random(in: 1...6, using: &random)).map { _ in randomArgument(&random) }
            }
            for command in commands {
                writer.writeArrayHeader(count: command.count)
                command.forEach { writer.writeBulkString($0) }
            }
            let stream = Array(writer.output.readableBytes)
            XCTAssertEqual(parseStream(randomChunks(stream, &random)), ParsedStream(commands: commands), "round \(round)")
        }
    }

    /// Doubles written by `ReplyWriter` read back as the same value.
    func testDoubleTextRoundTrips() {
        var random = SeededRandom(seed: 0xD0B1E)
        for _ in 0..<20_000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            var writer = ReplyWriter(version: .resp3, initialCapacity: 16)
            writer.writeDouble(value)
            let text = String(decoding: writer.output.readableBytes, as: UTF8.self)
            // ",<text>\r\n"; CRLF is a single Character.
            XCTAssertEqual(Double(text.dropFirst().dropLast()), value, text)
        }
    }
}
