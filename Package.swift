// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "SkipKV",
    products: [
        .library(name: "SkipKVIndex", targets: ["SkipKVIndex"]),
        .executable(name: "skipkv-benchmark", targets: ["SkipKVBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
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
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(
            name: "SkipKVIndexTests",
            dependencies: ["SkipKVIndex"]
        ),
        // The RESP wire protocol: standard library (and Glibc) only.
        .target(name: "SkipKVProtocol"),
        .testTarget(
            name: "SkipKVProtocolTests",
            dependencies: ["SkipKVProtocol"]
        ),
    ]
)
