import ArgumentParser
import SkipKVBaselines
import SkipKVIndex

/// The index structures under test. This file is the only place that names the concrete types:
/// each is constructed here and handed to the generic `IndexSession`, so the measuring loop is
/// specialized per structure.
enum StructureKind: String, Sendable {
    case bskiplist
    /// The B-skiplist with read-lock coupling instead of optimistic reads, to measure the choice.
    case bskiplistLocked = "bskiplist-locked"
    case skiplist

    var isBSkipList: Bool { self != .skiplist }
}

enum StructureChoice: String, CaseIterable, Sendable, ExpressibleByArgument {
    case bskiplist, bskiplistLocked = "bskiplist-locked", skiplist, both, all

    var kinds: [StructureKind] {
        switch self {
        case .bskiplist: return [.bskiplist]
        case .bskiplistLocked: return [.bskiplistLocked]
        case .skiplist: return [.skiplist]
        case .both: return [.bskiplist, .skiplist]
        case .all: return [.bskiplist, .bskiplistLocked, .skiplist]
        }
    }
}

/// One structure configuration to benchmark.
struct StructureSpec: Sendable {
    let kind: StructureKind
    /// Node size for the B-skiplist; nil for the classic skiplist.
    let nodeBytes: Int?

    var label: String { nodeBytes.map { "\(kind.rawValue)(\($0))" } ?? kind.rawValue }
}

/// Creates the structure, runs every step on it in order, reports each result, and releases the
/// structure before returning (so two structures never hold memory at once).
func benchmarkStructure(
    _ spec: StructureSpec, steps: [WorkloadStep], config: RunConfig,
    onResult: (BenchmarkRecord) throws -> Void
) throws {
    let seed = BenchmarkRandom.streamSeed(config.seed, 0x5354_5255_4354)
    switch spec.kind {
    case .bskiplist, .bskiplistLocked:
        let index = BSkipList(
            nodeBytes: spec.nodeBytes ?? 4096, readCoupling: spec.kind == .bskiplist ? .optimistic : .locked, seed: seed)
        try runSteps(IndexSession(index: index, label: spec.label, config: config), spec, steps, config, onResult)
    case .skiplist:
        let index = ClassicSkipList(seed: seed)
        try runSteps(IndexSession(index: index, label: spec.label, config: config), spec, steps, config, onResult)
    }
}

private func runSteps<I: OrderedKeyValueIndex>(
    _ session: IndexSession<I>, _ spec: StructureSpec, _ steps: [WorkloadStep], _ config: RunConfig,
    _ onResult: (BenchmarkRecord) throws -> Void
) throws {
    for (number, step) in steps.enumerated() {
        let m = try session.run(step, stepNumber: number)
        if m.countAfter != m.expectedCount {
            writeStderr(
                "warning: \(spec.label) after \(step.label): count is \(m.countAfter), expected \(m.expectedCount)\n")
        }
        guard step.reported else {
            print("  \(spec.label) load (not reported): \(Format.grouped(m.ops)) keys in \(Format.seconds(m.elapsedNanos))")
            continue
        }
        try onResult(BenchmarkRecord(spec: spec, step: step, config: config, measurement: m))
    }
}
