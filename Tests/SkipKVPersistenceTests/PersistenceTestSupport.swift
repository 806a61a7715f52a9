#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import SkipKVIndex
import SkipKVStore
@testable import SkipKVPersistence

/// A fresh data directory per test, removed afterwards.
final class DataDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "skipkv-persistence-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

func settings(in directory: DataDirectory, fsync: FsyncPolicy = .always, appendOnly: Bool = true) -> PersistenceSettings {
    var settings = PersistenceSettings()
    settings.directory = directory.path
    settings.appendOnly = appendOnly
    settings.fsync = fsync
    settings.saveRules = []
    return settings
}

/// Opens persistence over a new keyspace and recovers whatever `directory` holds.
func openPersistence(_ settings: PersistenceSettings, shards: Int = 3, nodeBytes: Int = 512) throws -> Persistence {
    let persistence = Persistence(
        keyspace: Keyspace(shards: shards, nodeBytes: nodeBytes), settings: settings, logger: quietLogger, onDurable: {})
    try persistence.recover()
    return persistence
}

/// Every key and value of a keyspace, in order.
func contents(_ keyspace: Keyspace) -> [[UInt8]: [UInt8]] {
    var result: [[UInt8]: [UInt8]] = [:]
    keyspace.forEach(in: .all) { key, value in
        result[Array(key)] = Array(value)
        return true
    }
    return result
}

extension JournaledKeyspace {
    /// Test conveniences over byte arrays.
    func set(_ key: [UInt8], _ value: [UInt8]) {
        var lsn: UInt64 = 0
        key.withUnsafeBytes { k in value.withUnsafeBytes { v in _ = put(k, v, lsn: &lsn) } }
    }

    func delete(_ key: [UInt8]) {
        var lsn: UInt64 = 0
        key.withUnsafeBytes { _ = remove($0, lsn: &lsn) }
    }

    /// Appends `suffix` to the key's value in one read-modify-write.
    func append(_ key: [UInt8], _ suffix: [UInt8]) {
        var lsn: UInt64 = 0
        key.withUnsafeBytes { k in
            update(k, lsn: &lsn) { current -> (UpdateAction, Void) in
                (.store((current.map(Array.init) ?? []) + suffix), ())
            }
        }
    }
}
