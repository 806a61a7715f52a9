import ArgumentParser

/// The kind of server behind an address: it decides how range scans are sent.
enum TargetKind: String, Sendable {
    case skipkv, redis
}

/// `--target-kind` / `--compare-kind`: detected from INFO, or forced.
enum TargetKindChoice: String, Sendable, ExpressibleByArgument {
    case auto, skipkv, redis
}
