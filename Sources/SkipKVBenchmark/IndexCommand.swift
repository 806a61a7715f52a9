import ArgumentParser
import SkipKVSystem

/// `skipkv-benchmark index`: YCSB-style workloads against the in-process index structures.
struct IndexBenchmarkCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "index",
            abstract: "Benchmark the ordered index structures in process with YCSB-style workloads.",
            discussion: """
                For each structure: create it, load --keys keys (timed), run the workloads in the \
                order given on the loaded structure, then free it before the next structure. \
                E and insert add keys; delete runs last (it removes 90% of all keys and reports \
                bytes in use at peak and after). Workloads: load (insert all keys), A (50% read / \
                50% update), B (95/5), C (100% read), E (95% scans of 1-100 keys / 5% inserts of \
                new keys), insert (new keys only), delete. Distributions apply to A, B, C and E.
                """)
    }

    @Option(help: "Structures to benchmark: bskiplist, bskiplist-locked (read-lock coupling), skiplist, both (bskiplist and skiplist) or all.")
    var structure: StructureChoice = .both

    @Option(help: "Comma-separated workloads: load, A, B, C, E, insert, delete (load always runs first, delete last).")
    var workloads: String = "load,A,B,C,E"

    @Option(help: "Key choice for A, B, C and E: uniform, zipfian (YCSB scrambled Zipfian) or both.")
    var distribution: DistributionChoice = .zipfian

    @Option(help: "Key type: int (8-byte big-endian), string (16-32 bytes) or redis (16 bytes, key:%012d).")
    var keyType: KeyType = .int

    @Option(help: "Keys to load (accepts 200k, 10M, 1e6, 10_000_000).")
    var keys = CountArgument(10_000_000)

    @Option(help: "Operations per workload (A, B, C, E, insert).")
    var ops = CountArgument(10_000_000)

    @Option(help: "Worker threads.")
    var threads = 2

    @Option(help: "B-skiplist node size in bytes.")
    var nodeBytes = 4096

    @Option(help: "Comma-separated B-skiplist node sizes to sweep, e.g. 256,512,1024,2048,4096,8192,16384 (the skiplist runs once).")
    var sweepNodeBytes: String?

    @Option(help: "Value size in bytes.")
    var valueBytes = 8

    @Option(help: "Zipfian exponent theta (0 < theta < 1).")
    var zipfTheta = 0.99

    @Option(help: "Longest scan of workload E (scan lengths are uniform in 1...this).")
    var maxScanLength = 100

    @Option(help: "Seed for key choice, operation mix and the structures' tower heights.")
    var seed: UInt64 = 42

    @Option(help: "Write the results as a JSON array to this file (rewritten after every workload).")
    var json: String?

    @Flag(inversion: .prefixedNo, help: "Progress line on stderr (once a second on a terminal, every 10% otherwise).")
    var progress = true

    @Flag(help: "Check the structure's invariants after every workload (slow; untimed).")
    var check = false

    func validate() throws {
        _ = try Workload.parseList(workloads)
        if let s = sweepNodeBytes { _ = try CountArgument.parseList(s, option: "--sweep-node-bytes") }
        guard (1...4096).contains(threads) else { throw ValidationError("--threads must be in 1...4096") }
        guard keys.value >= 1 else { throw ValidationError("--keys must be at least 1") }
        guard ops.value >= 1 else { throw ValidationError("--ops must be at least 1") }
        guard nodeBytes > 0 else { throw ValidationError("--node-bytes must be positive") }
        guard (0...(1 << 20)).contains(valueBytes) else { throw ValidationError("--value-bytes must be in 0...1048576") }
        guard zipfTheta > 0 && zipfTheta < 1 else { throw ValidationError("--zipf-theta must be strictly between 0 and 1") }
        guard maxScanLength >= 1 else { throw ValidationError("--max-scan-length must be at least 1") }
    }

    func run() throws {
        let steps = WorkloadStep.plan(try Workload.parseList(workloads), distribution.distributions)
        let sweep = try sweepNodeBytes.map { try CountArgument.parseList($0, option: "--sweep-node-bytes") }
        var specs: [StructureSpec] = []
        for kind in structure.kinds {
            switch kind {
            case .bskiplist, .bskiplistLocked: specs += (sweep ?? [nodeBytes]).map { StructureSpec(kind: kind, nodeBytes: $0) }
            case .skiplist: specs.append(StructureSpec(kind: .skiplist, nodeBytes: nil))
            }
        }
        let config = RunConfig(
            keys: keys.value, ops: ops.value, threads: threads, encoder: KeyEncoder(type: keyType),
            valueBytes: valueBytes, zipfTheta: zipfTheta, seed: seed, maxScanLength: maxScanLength,
            showProgress: progress, checkInvariants: check)

        printHeader(specs: specs, steps: steps, config: config)
        if sweep != nil && !structure.kinds.contains(where: \.isBSkipList) {
            writeStderr("warning: --sweep-node-bytes has no effect without the bskiplist structure\n")
        }

        var records: [BenchmarkRecord] = []
        for spec in specs {
            print("\n== \(spec.label) ==")
            flushStdout()
            let start = monotonicNanoseconds()
            try benchmarkStructure(spec, steps: steps, config: config) { record in
                records.append(record)
                print(Report.line(record))
                flushStdout()
                if let json { try JSONWriter.write(records, to: json) }
            }
            var done = "  \(spec.label) done and freed after \(Format.seconds(monotonicNanoseconds() - start))"
            if let rss = residentBytes() { done += "; rss now \(Format.bytes(rss))" }
            print(done)
            flushStdout()
        }

        print(Report.tables(records), terminator: "")
        print("\npeak rss \(Format.bytes(peakResidentBytes()))")
        if let json { print("wrote \(records.count) records to \(json)") }
        flushStdout()
    }

    private func printHeader(specs: [StructureSpec], steps: [WorkloadStep], config: RunConfig) {
        let m = MachineInfo.current()
        print("skipkv-benchmark index")
        var machine = "machine:    \(m.onlineCores) cores online (\(m.configuredCores) configured)"
        machine += ", \(Format.bytes(m.physicalMemory)) RAM"
        if let model = m.cpuModel { machine += ", \(model)" }
        print(machine + ", \(m.system)")
        print("build:      \(MachineInfo.buildMode); clock_gettime(CLOCK_MONOTONIC) \(Format.fixed(m.clockReadNanos, 1)) ns per read")
        print("structures: " + specs.map(\.label).joined(separator: ", "))
        print("workloads:  " + steps.map { $0.reported ? $0.label : "load (unreported)" }.joined(separator: ", "))
        print(
            "keys:       \(Format.grouped(config.keys)) \(config.encoder.type.rawValue) keys, "
                + "\(config.valueBytes)-byte values; \(Format.grouped(config.ops)) ops per workload; "
                + "\(config.threads) threads")
        print(
            "params:     zipf theta \(config.zipfTheta) (scrambled), scans 1...\(config.maxScanLength) keys, "
                + "seed \(config.seed)")
        if config.threads > m.onlineCores {
            print("warning:    more threads (\(config.threads)) than online cores (\(m.onlineCores))")
        }
        flushStdout()
    }
}
