// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "SkipKV",
    products: [
        .library(name: "SkipKVIndex", targets: ["SkipKVIndex"]),
        .executable(name: "skipkv-benchmark", targets: ["SkipKVBenchmark"]),
        .library(name: "SkipKVStore", targets: ["SkipKVStore"]),
        .library(name: "SkipKVDiskFormat", targets: ["SkipKVDiskFormat"]),
        .library(name: "SkipKVPersistence", targets: ["SkipKVPersistence"]),
        .library(name: "SkipKVServer", targets: ["SkipKVServer"]),
        .executable(name: "skipkv-server", targets: ["SkipKVServerMain"]),
        .library(name: "SkipKVClient", targets: ["SkipKVClient"]),
        .executable(name: "skipkv-cli", targets: ["SkipKVCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // libuv through pkg-config; Debian's libuv1-dev provides it.
        .systemLibrary(
            name: "CLibUV",
            pkgConfig: "libuv",
            providers: [.apt(["libuv1-dev"])]
        ),
        // The ordered index: standard library + swift-atomics only.
        .target(
            name: "SkipKVIndex",
            dependencies: [.product(name: "Atomics", package: "swift-atomics")]
        ),
        .executableTarget(
            name: "SkipKVBenchmark",
            dependencies: [
                "SkipKVIndex",
                // The net subcommand: libuv loops drive its connections, the protocol module
                // encodes requests and parses replies, the client library asks INFO.
                "CLibUV",
                "SkipKVProtocol",
                "SkipKVClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(
            name: "SkipKVIndexTests",
            dependencies: ["SkipKVIndex", "SkipKVTestSupport"]
        ),
        // What the test targets share: seeded random numbers and replayable seeds, and a
        // redis-server child process to compare with.
        .target(name: "SkipKVTestSupport", path: "Tests/SkipKVTestSupport"),
        // Unit tests of the net subcommand, and runs of the built skipkv-benchmark against
        // redis-server instances started on free loopback ports (skipped without redis-server).
        .testTarget(
            name: "SkipKVBenchmarkTests",
            dependencies: ["SkipKVBenchmark", "SkipKVProtocol", "SkipKVTestSupport"]
        ),
        // The RESP wire protocol: standard library (and Glibc) only.
        .target(name: "SkipKVProtocol"),
        .testTarget(
            name: "SkipKVProtocolTests",
            dependencies: ["SkipKVProtocol", "SkipKVTestSupport"]
        ),
        // The sharded keyspace: point operations routed to a shard, range operations merged
        // across shards in key order.
        .target(
            name: "SkipKVStore",
            dependencies: ["SkipKVIndex"]
        ),
        .testTarget(
            name: "SkipKVStoreTests",
            dependencies: ["SkipKVStore", "SkipKVTestSupport"]
        ),
        // What persistence puts on disk: CRC32C, log segments and their records, snapshot
        // files, and careful POSIX file handling (full writes, fsync, atomic rename).
        .target(
            name: "SkipKVDiskFormat",
            dependencies: ["SkipKVIndex"]
        ),
        .testTarget(
            name: "SkipKVDiskFormatTests",
            dependencies: ["SkipKVDiskFormat"]
        ),
        // Durability at run time: the journaled write path, the log writer thread with group
        // commit, fork-less snapshots and recovery.
        .target(
            name: "SkipKVPersistence",
            dependencies: [
                "SkipKVDiskFormat",
                "SkipKVStore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SkipKVPersistenceTests",
            dependencies: ["SkipKVPersistence", "SkipKVTestSupport"]
        ),
        // The server: libuv event loops, connections, command table, configuration.
        .target(
            name: "SkipKVServer",
            dependencies: [
                "CLibUV",
                "SkipKVProtocol",
                "SkipKVStore",
                "SkipKVPersistence",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "SkipKVServerMain",
            dependencies: [
                "SkipKVServer",
                // SKIPKV_FAULTS installs fault-injection rules for tests.
                "SkipKVDiskFormat",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Unit tests of the server module itself: the command table's records against their
        // handlers and against a running redis-server's COMMAND INFO.
        .testTarget(
            name: "SkipKVServerUnitTests",
            dependencies: ["SkipKVServer", "SkipKVTestSupport"]
        ),
        // Integration tests run the built skipkv-server binary; depending on its target makes
        // `swift test` build it next to the test bundle. Some compare with redis-server.
        .testTarget(
            name: "SkipKVServerTests",
            dependencies: ["SkipKVServerMain", "SkipKVServer", "SkipKVTestSupport"]
        ),
        // libedit (BSD editline) through pkg-config, for skipkv-cli's line editing and
        // history; Debian's libedit-dev provides it.
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // The client side of RESP: blocking connections with pipelining and reconnection,
        // and reply rendering in redis-cli's output modes.
        .target(
            name: "SkipKVClient",
            dependencies: ["SkipKVProtocol"]
        ),
        .executableTarget(
            name: "SkipKVCLI",
            dependencies: ["SkipKVClient", "SkipKVProtocol", "CLibEdit"]
        ),
        // Renderer tests plus CLI tests that run the built skipkv-cli binary against a
        // spawned redis-server (and skipkv-server when SKIPKV_SERVER_BINARY is set).
        .testTarget(
            name: "SkipKVClientTests",
            dependencies: ["SkipKVClient", "SkipKVProtocol", "SkipKVCLI"]
        ),
    ]
)
