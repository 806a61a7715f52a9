import Foundation
import XCTest
import SkipKVTestSupport

/// Runs the built `skipkv-benchmark net` against redis-server instances started on free
/// loopback ports, at a tiny size, and checks its JSON and CSV output.
final class NetBenchmarkTests: XCTestCase {
    /// `SKIPKV_BENCHMARK_BINARY` when set, else the skipkv-benchmark built next to the test
    /// bundle (the test target depends on it, so `swift test` builds it).
    static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["SKIPKV_BENCHMARK_BINARY"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("skipkv-benchmark").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return Bundle(for: NetBenchmarkTests.self).bundleURL.deletingLastPathComponent()
            .appendingPathComponent("skipkv-benchmark").path
    }

    /// Settings small enough for a debug build: every test runs in well under a second.
    private let tiny = ["--clients", "4", "--pipeline", "4", "--requests", "400", "--keyspace", "300", "--no-progress"]

    func testEveryTestAndMixAgainstRedisServerWritesCleanJSON() throws {
        let redis = try RedisServerProcess()
        let json = temporaryPath("all.json")
        let run = try runBenchmark(
            [
                "net", "--port", "\(redis.port)", "--tests", "ping,set,get,incr,mset,range,exec,exec-hot", "--ycsb",
                "A,B,C,D,E,F", "--json", json,
            ]
                + tiny)
        XCTAssertEqual(run.status, 0, run.output)

        let document = try readJSON(json)
        XCTAssertEqual(document["total_errors"] as? Int, 0)
        let targets = try XCTUnwrap(document["targets"] as? [[String: Any]])
        XCTAssertEqual(targets.map { $0["kind"] as? String }, ["redis"])
        let runs = try XCTUnwrap(document["runs"] as? [[String: Any]])
        XCTAssertEqual(
            runs.map { $0["test"] as? String },
            [
                "ping", "set", "get", "incr", "mset", "range", "exec", "exec-hot",
                "ycsb-a", "ycsb-b", "ycsb-c", "ycsb-d", "ycsb-e", "ycsb-f",
            ])
        for r in runs {
            XCTAssertEqual(r["operations"] as? Int, 400, "\(r)")
            XCTAssertEqual(r["errors"] as? Int, 0, "\(r)")
            let p50 = try XCTUnwrap(r["p50_ns"] as? Int), p99 = try XCTUnwrap(r["p99_ns"] as? Int)
            let p999 = try XCTUnwrap(r["p999_ns"] as? Int), max = try XCTUnwrap(r["max_ns"] as? Int)
            XCTAssertTrue(0 < p50 && p50 <= p99 && p99 <= p999 && p999 <= max, "\(r)")
        }
        // The loaded keys are found: reads do not miss, and scans return keys.
        let get = try XCTUnwrap(runs.first { $0["test"] as? String == "get" })
        XCTAssertEqual(get["misses"] as? Int, 0)
        let range = try XCTUnwrap(runs.first { $0["test"] as? String == "range" })
        XCTAssertGreaterThan(range["scanned_entries"] as? Int ?? 0, 400)
        let notes = try XCTUnwrap(document["notes"] as? [String])
        XCTAssertTrue(notes.contains { $0.contains("ZRANGEBYLEX") }, "\(notes)")
    }

    func testCompareAlternatesTheOrderOfRoundsAndReportsRatios() throws {
        let first = try RedisServerProcess()
        let second = try RedisServerProcess()
        let json = temporaryPath("compare.json")
        let run = try runBenchmark(
            ["net", "--port", "\(first.port)", "--compare", "127.0.0.1:\(second.port)", "--rounds", "2", "--tests", "set,get",
             "--csv", "--json", json] + tiny)
        XCTAssertEqual(run.status, 0, run.output)

        let firstLabel = "redis@127.0.0.1:\(first.port)", secondLabel = "redis@127.0.0.1:\(second.port)"
        let runs = try XCTUnwrap(try readJSON(json)["runs"] as? [[String: Any]])
        XCTAssertEqual(
            runs.map { "\($0["test"]!) \($0["round"]!) \($0["target"]!)" },
            [
                "set 1 \(firstLabel)", "set 1 \(secondLabel)", "set 2 \(secondLabel)", "set 2 \(firstLabel)",
                "get 1 \(firstLabel)", "get 1 \(secondLabel)", "get 2 \(secondLabel)", "get 2 \(firstLabel)",
            ])
        let ratios = try XCTUnwrap(try readJSON(json)["ratios"] as? [[String: Any]])
        XCTAssertEqual(ratios.map { $0["test"] as? String }, ["set", "get"])
        XCTAssertTrue(ratios.allSatisfy { ($0["ops_per_sec_ratio"] as? Double ?? 0) > 0 })

        // --csv: stdout is the CSV alone, one row per test and target.
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.count, 5, run.stdout)
        let header = rows[0].map(String.init)
        XCTAssertEqual(header.first, "test")
        let ratioColumn = try XCTUnwrap(header.firstIndex(of: "ops_ratio_vs_first"))
        for row in rows.dropFirst() {
            XCTAssertEqual(row.count, header.count)
            XCTAssertEqual(row[ratioColumn].isEmpty, row[1] == firstLabel, "\(row)")
        }
    }

    func testErrorRepliesAreCountedAndFailTheRun() throws {
        // Forced to treat redis-server as SkipKV, the range test sends RANGE, which redis
        // does not know: every reply is an error.
        let redis = try RedisServerProcess()
        let json = temporaryPath("errors.json")
        let run = try runBenchmark(
            ["net", "--port", "\(redis.port)", "--target-kind", "skipkv", "--tests", "range", "--json", json] + tiny)
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("unknown command"), run.output)
        XCTAssertEqual(try readJSON(json)["total_errors"] as? Int, 400)
    }

    func testRefusedConnectionIsReported() throws {
        let redis = try RedisServerProcess()
        redis.stop()
        let run = try runBenchmark(["net", "--port", "\(redis.port)", "--tests", "ping"] + tiny)
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("Connection refused"), run.output)
    }

    // MARK: Helpers

    private func temporaryPath(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "skipkv-benchmark-\(getpid())-\(name)"
        addTeardownBlock { unlink(path) }
        return path
    }

    private func readJSON(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Runs the benchmark to completion; stdout and stderr go through files, so neither can
    /// fill a pipe and stall the child.
    private func runBenchmark(_ arguments: [String]) throws -> (status: Int32, stdout: String, output: String) {
        let stdoutPath = temporaryPath("stdout"), stderrPath = temporaryPath("stderr")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binaryPath)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        process.waitUntilExit()
        let stdout = try String(contentsOfFile: stdoutPath, encoding: .utf8)
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        return (process.terminationStatus, stdout, stdout + stderr)
    }
}
