import Foundation
import XCTest

/// The README's command that starts the server, scripts/run-server.sh, on a machine without
/// the build's Debian packages: it installs them, then runs `swift run -c release
/// skipkv-server` with its arguments in the caller's directory. Stubs on the PATH stand in for
/// pkg-config (reporting nothing installed), apt-get, sudo and swift, recording their calls.
final class RunServerScriptTests: XCTestCase {
    func testInstallsMissingBuildPackagesThenRunsTheServer() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = NSTemporaryDirectory() + "skipkv-test-run-server-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let stubs = directory + "/bin", work = directory + "/work", calls = directory + "/calls"
        try FileManager.default.createDirectory(atPath: stubs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scripts = [
            "pkg-config": "exit 1",
            "apt-get": "echo \"apt-get $*\" >> \(calls)",
            "sudo": "exec \"$@\"",
            "swift": "echo \"swift $* (in $(pwd -P))\" >> \(calls)",
        ]
        for (name, body) in scripts {
            let path = stubs + "/" + name
            try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repository.appendingPathComponent("scripts/run-server.sh").path, "--port", "7380"]
        process.currentDirectoryURL = URL(fileURLWithPath: work)
        process.environment = ["PATH": "\(stubs):/usr/bin:/bin", "HOME": directory]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let recorded = try String(contentsOfFile: calls, encoding: .utf8).split(separator: "\n").map(String.init)
        let workPath = URL(fileURLWithPath: work).resolvingSymlinksInPath().path
        XCTAssertEqual(recorded, [
            "apt-get update -qq",
            "apt-get install -y -qq libuv1-dev libedit-dev",
            "swift run --package-path \(repository.path) -c release skipkv-server --port 7380 (in \(workPath))",
        ])
    }
}
