import ArgumentParser

/// `skipkv-benchmark`: benchmarks for SkipKV. Subcommands: `index` (the ordered index
/// structures, in process). A `net` subcommand (the server over the network) is planned.
@main
struct SkipKVBenchmark: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "skipkv-benchmark",
            abstract: "Benchmarks for SkipKV.",
            subcommands: [IndexBenchmarkCommand.self])
    }
}
