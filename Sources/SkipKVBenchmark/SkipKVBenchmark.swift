import ArgumentParser

/// `skipkv-benchmark`: benchmarks for SkipKV. Subcommands: `index` (the ordered index
/// structures, in process) and `net` (a RESP server over the network).
@main
struct SkipKVBenchmark: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "skipkv-benchmark",
            abstract: "Benchmarks for SkipKV.",
            subcommands: [IndexBenchmarkCommand.self, NetBenchmarkCommand.self])
    }
}
