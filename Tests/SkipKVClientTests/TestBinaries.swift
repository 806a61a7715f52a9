import Foundation

/// Where the programs the CLI tests run live.
enum TestBinaries {
    /// The build's products directory: the test bundle sits in it, next to `skipkv-cli`
    /// (the test target depends on the CLI so `swift test` builds it).
    static let productsDirectory: URL = {
        var url = Bundle.main.bundleURL
        while url.pathExtension == "xctest" || url.lastPathComponent == "Contents" || url.lastPathComponent == "MacOS" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// The skipkv-cli under test; `SKIPKV_CLI_BIN` overrides the freshly built one.
    static var cli: String {
        if let path = ProcessInfo.processInfo.environment["SKIPKV_CLI_BIN"], !path.isEmpty { return path }
        return productsDirectory.appendingPathComponent("skipkv-cli").path
    }

    /// skipkv-server, when `SKIPKV_SERVER_BINARY` names it, or else when this build made one.
    /// Setting `SKIPKV_SERVER_BINARY` to an empty string leaves it out.
    static var skipkvServer: String? {
        if let path = ProcessInfo.processInfo.environment["SKIPKV_SERVER_BINARY"] {
            return path.isEmpty ? nil : path
        }
        let built = productsDirectory.appendingPathComponent("skipkv-server").path
        return FileManager.default.isExecutableFile(atPath: built) ? built : nil
    }

    static var redisServer: String? { searchPath("redis-server") }
    static var redisCLI: String? { searchPath("redis-cli") }

    private static func searchPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"]
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
