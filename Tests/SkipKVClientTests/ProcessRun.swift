import Foundation

/// What a finished process printed and returned.
struct ProcessOutput {
    var stdout: [UInt8]
    var stderr: [UInt8]
    var status: Int32

    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs `executable` to completion. `input` chunks are written to its stdin in order, each
/// after its delay (so a test can make input arrive slowly), then stdin is closed. Output is
/// drained concurrently so a chatty process never blocks on a full pipe.
func runProcess(
    _ executable: String,
    _ arguments: [String],
    input: [(delay: Double, bytes: [UInt8])] = [],
    environment: [String: String] = [:]
) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var merged = ProcessInfo.processInfo.environment
    merged.merge(environment) { $1 }
    process.environment = merged
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()

    let group = DispatchGroup()
    let outBytes = DataBox(), errBytes = DataBox()
    DispatchQueue.global().async(group: group) { outBytes.data = stdout.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errBytes.data = stderr.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) {
        for chunk in input {
            if chunk.delay > 0 { Thread.sleep(forTimeInterval: chunk.delay) }
            // The process may exit before reading everything (a usage error, say).
            try? stdin.fileHandleForWriting.write(contentsOf: chunk.bytes)
        }
        try? stdin.fileHandleForWriting.close()
    }
    process.waitUntilExit()
    group.wait()
    return ProcessOutput(stdout: [UInt8](outBytes.data), stderr: [UInt8](errBytes.data), status: process.terminationStatus)
}

/// Output collected on a reader thread; `DispatchGroup.wait` orders the write before the read.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// Runs the skipkv-cli under test.
func runCLI(_ arguments: [String], input: [UInt8]? = nil, environment: [String: String] = [:]) throws -> ProcessOutput {
    try runProcess(TestBinaries.cli, arguments, input: input.map { [(0, $0)] } ?? [], environment: environment)
}
