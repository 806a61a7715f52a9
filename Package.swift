// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "SkipKV",
    products: [
        .library(name: "SkipKVIndex", targets: ["SkipKVIndex"]),
        // The key-range vocabulary the index's, the store's and the log format's APIs speak.
        .library(name: "SkipKVKeys", targets: ["SkipKVKeys"]),
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
        // Mutexes, clocks and thread starters on pthreads and CLOCK_MONOTONIC, shared by every
        // module that runs threads or measures time: standard library (and Glibc) only.
        .target(name: "SkipKVSystem"),
        // Key ranges and the byte order of keys: what the index, the store and the log's
        // RANGEDEL records all speak. Standard library (and Glibc) only.
        .target(name: "SkipKVKeys"),
        // The ordered index: standard library, swift-atomics and the key vocabulary only.
        .target(
            name: "SkipKVIndex",
            dependencies: ["SkipKVKeys", .product(name: "Atomics", package: "swift-atomics")]
        ),
        // Structures the B-skiplist is measured and tested against (the classic lazy skiplist),
        // outside the product library: only the benchmark and the tests use them. What they
        // share with the B-skiplist is SkipKVIndex's `@_spi(IndexInternals)` (docs/INDEX.md).
        .target(
            name: "SkipKVBaselines",
            dependencies: ["SkipKVIndex", "SkipKVKeys", .product(name: "Atomics", package: "swift-atomics")]
        ),
        .executableTarget(
            name: "SkipKVBenchmark",
            dependencies: [
                "SkipKVIndex",
                "SkipKVBaselines",
                "SkipKVKeys",
                "SkipKVSystem",
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
            dependencies: ["SkipKVIndex", "SkipKVBaselines", "SkipKVKeys", "SkipKVTestSupport"]
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
            dependencies: ["SkipKVIndex", "SkipKVKeys", "SkipKVSystem"]
        ),
        .testTarget(
            name: "SkipKVStoreTests",
            dependencies: ["SkipKVStore", "SkipKVIndex", "SkipKVKeys", "SkipKVTestSupport"]
        ),
        // What persistence puts on disk: CRC32C, log segments and their records, snapshot
        // files, and careful POSIX file handling (full writes, fsync, atomic rename).
        .target(
            name: "SkipKVDiskFormat",
            dependencies: ["SkipKVKeys", "SkipKVSystem"]
        ),
        .testTarget(
            name: "SkipKVDiskFormatTests",
            dependencies: ["SkipKVDiskFormat", "SkipKVKeys"]
        ),
        // Durability at run time: the journaled write path, the log writer thread with group
        // commit, fork-less snapshots and recovery.
        .target(
            name: "SkipKVPersistence",
            dependencies: [
                "SkipKVDiskFormat",
                "SkipKVStore",
                "SkipKVIndex",
                "SkipKVKeys",
                "SkipKVSystem",
                .product(name: "Logging", package: "swift-log"),
                // The stripes' version words (seqlock readers): atomics in raw memory.
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),
        .testTarget(
            name: "SkipKVPersistenceTests",
            dependencies: [
                "SkipKVPersistence",
                "SkipKVDiskFormat",
                "SkipKVStore",
                "SkipKVIndex",
                "SkipKVKeys",
                "SkipKVSystem",
                "SkipKVTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The server: libuv event loops, connections, command table, configuration.
        .target(
            name: "SkipKVServer",
            dependencies: [
                "CLibUV",
                "SkipKVProtocol",
                "SkipKVStore",
                "SkipKVPersistence",
                "SkipKVIndex",
                "SkipKVKeys",
                "SkipKVSystem",
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
            dependencies: ["SkipKVClient", "SkipKVProtocol", "SkipKVSystem", "CLibEdit"]
        ),
        // Renderer tests plus CLI tests that run the built skipkv-cli binary against a
        // spawned redis-server (and skipkv-server when SKIPKV_SERVER_BINARY is set).
        .testTarget(
            name: "SkipKVClientTests",
            dependencies: ["SkipKVClient", "SkipKVProtocol", "SkipKVCLI"]
        ),
    ]
)
