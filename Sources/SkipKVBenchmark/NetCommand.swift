import ArgumentParser

/// `skipkv-benchmark net`: a load generator for RESP servers (SkipKV or redis-server).
struct NetBenchmarkCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "net",
            abstract: "Load a RESP server (skipkv-server or redis-server) over the network and measure it.",
            discussion: """
                Runs named tests (ping, set, get, incr, mset, range, exec, exec-hot) and YCSB \
                mixes (A-F) with --clients connections, each keeping --pipeline operations in \
                flight: a batch is written in one send and the next one follows when all its \
                replies are in, as in redis-benchmark. Latency is per operation, from the write of \
                its batch to the read that completes its reply. Tests that read keys (get, range, \
                YCSB) first load the keyspace with pipelined MSET. exec and exec-hot send MULTI, \
                two INCRBYs and EXEC as one operation (its latency ends with EXEC's reply): exec \
                on two random counters, so transactions of different connections almost never \
                share a key, exec-hot on the same two counters from every connection. With \
                --compare HOST:PORT the same operations on the same keys run against both servers in alternating rounds, and the table shows \
                second/first ratios. \
                Range scans are RANGE on SkipKV and ZRANGEBYLEX on a sorted set of the same keys on \
                redis-server; when any target is redis-server, SkipKV scans use NOVALUES so that \
                both return keys only. Every reply is checked; the exit status is 1 if any was an \
                error or of the wrong type.
                """)
    }

    @Option(help: "Server host name or address.")
    var host = "127.0.0.1"

    @Option(help: "Server port.")
    var port = 7379

    @Option(help: "Connections.")
    var clients = 50

    @Option(help: "Operations in flight per connection.")
    var pipeline = 1

    @Option(help: "Client threads, each driving its share of the connections (default: half the online cores, at least 1, since the server usually shares the machine).")
    var threads: Int?

    @Option(help: "Operations per test and round (default 100,000; accepts 200k, 1M).")
    var requests: CountArgument?

    @Option(help: "Seconds per test and round, instead of --requests.")
    var duration: Double?

    @Option(help: "Keys the tests choose from (key:000000000000 ...), loaded before tests that read them.")
    var keyspace = CountArgument(100_000)

    @Option(help: "Value size in bytes.")
    var valueBytes = 3

    @Option(help: "Comma-separated named tests: ping, set, get, incr, mset, range, exec, exec-hot (default: all, unless --ycsb is given).")
    var tests: String?

    @Option(help: "Comma-separated YCSB mixes: A, B, C, D, E, F.")
    var ycsb: String?

    @Option(help: "LIMIT of the range test's scans (RANGE [key + LIMIT 0 L).")
    var rangeLimit = 10

    @Option(help: "Longest scan of YCSB E (lengths are uniform in 1...this).")
    var maxScanLength = 100

    @Option(help: "Key choice: uniform or zipfian (YCSB scrambled Zipfian). YCSB D always reads the latest keys.")
    var distribution: Distribution = .uniform

    @Option(help: "Zipfian exponent theta (0 < theta < 1).")
    var zipfTheta = 0.99

    @Flag(help: "Send SkipKV range scans with NOVALUES even when no target is redis-server.")
    var keysOnlyRanges = false

    @Option(help: "Kind of the --host server: auto (from INFO server: a skipkv_version field means SkipKV), skipkv or redis.")
    var targetKind: TargetKindChoice = .auto

    @Option(help: "Second server (HOST:PORT) to run the same tests against, in alternating rounds.")
    var compare: String?

    @Option(help: "Kind of the --compare server: auto, skipkv or redis.")
    var compareKind: TargetKindChoice = .auto

    @Option(help: "Runs of each test per server; with --compare the order of the servers alternates by round.")
    var rounds = 1

    @Flag(help: "Print the summary as CSV on stdout (everything else goes to stderr).")
    var csv = false

    @Option(help: "Write settings, every run, the summary and the ratios as JSON to this file (rewritten after every run).")
    var json: String?

    @Option(help: "Seed for key choice and operation mix.")
    var seed: UInt64 = 42

    @Option(help: "Fail a run when no reply arrives for this many seconds.")
    var timeout = 10.0

    @Flag(inversion: .prefixedNo, help: "Progress bar on stderr.")
    var progress = true

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
        guard (1...100_000).contains(clients) else { throw ValidationError("--clients must be in 1...100000") }
        guard (1...100_000).contains(pipeline) else { throw ValidationError("--pipeline must be in 1...100000") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be in 1...1024") }
        if requests != nil && duration != nil { throw ValidationError("give --requests or --duration, not both") }
        if let requests, requests.value < 1 { throw ValidationError("--requests must be at least 1") }
        if let duration, !(duration > 0 && duration <= 1e6) { throw ValidationError("--duration must be positive") }
        guard keyspace.value >= 1 && UInt64(keyspace.value) < NetKeys.limit / 2 else {
            throw ValidationError("--keyspace must be in 1..<\(Format.grouped(Int(NetKeys.limit / 2)))")
        }
        guard (0...(1 << 24)).contains(valueBytes) else { throw ValidationError("--value-bytes must be in 0...16777216") }
        guard (1...1_000_000).contains(rangeLimit) else { throw ValidationError("--range-limit must be in 1...1000000") }
        guard (1...100_000).contains(maxScanLength) else { throw ValidationError("--max-scan-length must be in 1...100000") }
        guard zipfTheta > 0 && zipfTheta < 1 else { throw ValidationError("--zipf-theta must be strictly between 0 and 1") }
        guard (1...1000).contains(rounds) else { throw ValidationError("--rounds must be in 1...1000") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        _ = try testList()
        if let compare {
            guard let (h, p) = NetTarget.parseAddress(compare) else {
                throw ValidationError("--compare: expected HOST:PORT, got '\(compare)'")
            }
            if h == host && p == port { throw ValidationError("--compare names the same server as --host/--port") }
        }
    }

    private func testList() throws -> [NetTest] {
        let named = try tests.map(NetTest.parseNamed) ?? (ycsb == nil ? NetTest.named : [])
        let mixes = try ycsb.map(NetTest.parseYCSB) ?? []
        guard !(named + mixes).isEmpty else { throw ValidationError("no tests selected") }
        return named + mixes
    }

    func run() throws {
        let testList = try testList()
        var targets = [try NetTarget.connect(host: host, port: port, choice: targetKind)]
        if let compare, let (h, p) = NetTarget.parseAddress(compare) {
            targets.append(try NetTarget.connect(host: h, port: p, choice: compareKind))
        }
        let machine = MachineInfo.current()
        let config = NetRunConfig(
            clients: clients, pipeline: pipeline, threads: threads ?? max(1, machine.onlineCores / 2),
            requests: duration == nil ? (requests?.value ?? 100_000) : nil,
            durationNanos: duration.map { UInt64($0 * 1e9) }, keyspace: keyspace.value, valueBytes: valueBytes,
            distribution: distribution, zipfTheta: zipfTheta, rangeLimit: rangeLimit, maxScanLength: maxScanLength,
            rangeValues: !keysOnlyRanges && targets.allSatisfy { $0.kind == .skipkv }, seed: seed,
            timeoutNanos: UInt64(timeout * 1e9), showProgress: progress)
        // With --csv, stdout carries the CSV alone.
        let log: (String) -> Void = csv ? { writeStderr($0 + "\n") } : { print($0); flushStdout() }
        let notes = Self.notes(testList, targets: targets, config: config)
        printHeader(log, machine: machine, targets: targets, tests: testList, config: config, notes: notes)

        let sessions = try targets.map { try NetSession(target: $0, config: config) }
        if testList.contains(where: \.needsLoadedKeys) {
            for session in sessions {
                let loaded = try session.run(.load, testNumber: 0, round: 1, rounds: 1)
                guard loaded.errors == 0 else {
                    throw NetFailure("\(session.target.label): loading failed: \(loaded.firstError ?? "?")")
                }
                log(
                    "  \(session.target.label)  loaded \(Format.grouped(config.keyspace)) keys in "
                        + "\(Format.seconds(loaded.elapsedNanos)) "
                        + "(\(Format.rate(Double(config.keyspace) / (Double(loaded.elapsedNanos) / 1e9))) keys/s)")
            }
        }

        var results: [NetResult] = []
        for (index, test) in testList.enumerated() {
            for round in 1...rounds {
                // Alternating the order cancels a drift (a warming cache, a neighbour's build)
                // that would otherwise always favour the server measured second.
                for session in round % 2 == 1 ? sessions : sessions.reversed() {
                    let result = try session.run(test, testNumber: index + 1, round: round, rounds: rounds)
                    results.append(result)
                    log(NetReport.line(result, rounds: rounds))
                    if let json {
                        try NetJSON.write(
                            NetJSON.render(config: config, rounds: rounds, targets: targets, notes: notes, results: results),
                            to: json)
                    }
                }
            }
        }

        let summaries = NetSummary.group(results)
        if csv {
            print(NetCSV.render(summaries, targets: targets), terminator: "")
        } else {
            var title = "\nSummary"
            if rounds > 1 { title += ": ops/s of the median round, latencies over all \(rounds) rounds" }
            log(title)
            log(NetReport.table(summaries, targets: targets))
        }
        if let json { log("wrote \(results.count) runs to \(json)") }
        flushStdout()
        let errors = results.reduce(0) { $0 + $1.errors }
        if errors > 0 {
            writeStderr("error: \(Format.grouped(errors)) replies were errors or of the wrong type\n")
            throw ExitCode.failure
        }
    }

    private func printHeader(
        _ log: (String) -> Void, machine: MachineInfo, targets: [NetTarget], tests: [NetTest], config: NetRunConfig,
        notes: [String]
    ) {
        log("skipkv-benchmark net")
        var line = "machine:  \(machine.onlineCores) cores online"
        if let model = machine.cpuModel { line += ", \(model)" }
        log(line + ", \(machine.system); \(MachineInfo.buildMode) build")
        for (i, t) in targets.enumerated() {
            let how = (i == 0 ? targetKind : compareKind) == .auto ? "detected from INFO server" : "set by option"
            log("target \(i + 1): \(t.label)  (\(t.version); kind \(how))")
        }
        let threads = min(config.threads, config.clients)
        var clientsLine = "clients:  \(config.clients) connections on \(threads) thread\(threads == 1 ? "" : "s"), "
        clientsLine += "pipeline \(config.pipeline), "
        if let requests = config.requests {
            clientsLine += "\(Format.grouped(requests)) operations per run"
        } else {
            clientsLine += "\(Format.fixed(Double(config.durationNanos!) / 1e9, 1)) s per run"
        }
        if rounds > 1 { clientsLine += ", \(rounds) rounds" }
        log(clientsLine)
        var keys = "keys:     keyspace \(Format.grouped(config.keyspace)), \(config.valueBytes)-byte values, "
        keys += config.distribution == .zipfian ? "scrambled Zipfian keys (theta \(config.zipfTheta))" : "uniform keys"
        keys += ", seed \(config.seed)"
        log(keys)
        log("tests:    " + tests.map(\.summary).joined(separator: "\n          "))
        log("notes:    " + notes.joined(separator: "\n          "))
        if threads > 1 && threads >= machine.onlineCores {
            log("warning:  \(threads) client threads on \(machine.onlineCores) cores leave none for a local server")
        }
    }

    /// How the workload maps onto each kind of server, for the header and the JSON.
    private static func notes(_ tests: [NetTest], targets: [NetTarget], config: NetRunConfig) -> [String] {
        var notes = ["latency: per operation, from the write of its batch to the read completing its last reply"]
        let scans = tests.contains(.range) || tests.contains(.ycsbE)
        let redis = targets.contains { $0.kind == .redis }
        if scans {
            if config.rangeValues {
                notes.append("range scans: RANGE [key + LIMIT 0 n, keys and values")
            } else if redis {
                notes.append(
                    "range scans return keys only on both kinds: ZRANGEBYLEX returns no values, so SkipKV gets "
                        + "RANGE [key + LIMIT 0 n NOVALUES and redis-server ZRANGEBYLEX \(NetKeys.redisIndex) [key + LIMIT 0 n")
            } else {
                notes.append("range scans: RANGE [key + LIMIT 0 n NOVALUES (keys only, --keys-only-ranges)")
            }
        }
        if redis {
            notes.append(
                "redis-server: values are plain strings (SET/GET/MSET as on SkipKV); the keys are also members "
                    + "(score 0) of the sorted set \(NetKeys.redisIndex), kept up to date by ZADD in the same "
                    + "operation as the load's MSET and the YCSB D/E inserts' SET")
        }
        if targets.count == 2 {
            notes.append("ratio = 2nd / 1st: ops/s above 1 means the 2nd is faster, latency above 1 that it is slower")
        }
        return notes
    }
}
