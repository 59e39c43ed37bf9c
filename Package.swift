// swift-tools-version: 6.1
import PackageDescription

// Module layout follows ARCHITECTURE.md. DNSWire deliberately has no dependencies so that the
// fuzz targets can compile its sources directly with `swiftc -sanitize=fuzzer`.
let package = Package(
    name: "dnsight",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dnsight", targets: ["dnsight"]),
        .library(name: "DNSWire", targets: ["DNSWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "DNSWire"),
        .target(name: "DNSightCore", dependencies: ["DNSWire"]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "LogReaders", dependencies: ["DNSWire", "DNSightCore", "CZlib", "CSQLite"], exclude: ["Formats/README.md"]),
        .executableTarget(
            name: "dnsight",
            dependencies: [
                "DNSWire", "DNSightCore", "LogReaders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire"], exclude: ["Differential"]),
        .testTarget(name: "LogReadersTests", dependencies: ["LogReaders", "DNSightCore", "DNSWire"], exclude: ["Fixtures"]),
    ]
)
