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
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .target(name: "DNSWire"),
        .target(name: "DNSightCore", dependencies: ["DNSWire"]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "LogReaders", dependencies: ["DNSWire", "DNSightCore", "CZlib"]),
        // The store, the metrics and the report (issue 5): boundary types, the SQLite backend, metric
        // definitions, renderers; a synthetic world with exact ground truth for tests and benchmarks.
        .target(name: "EventStore", dependencies: ["DNSightCore"]),
        .target(name: "SQLiteStore", dependencies: [
            "EventStore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        .target(name: "Analytics", dependencies: ["EventStore"]),
        .target(name: "Reports", dependencies: ["Analytics"]),
        .target(name: "StoreFixtures", dependencies: ["EventStore"]),
        .executableTarget(name: "dnsight-store-workbench", dependencies: ["SQLiteStore", "StoreFixtures", "Analytics", "Reports"]),
        .executableTarget(
            name: "dnsight",
            dependencies: [
                "DNSWire", "DNSightCore", "LogReaders", "SQLiteStore", "Analytics", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire"], exclude: ["Differential"]),
        .testTarget(name: "LogReadersTests", dependencies: ["LogReaders", "DNSightCore", "DNSWire"]),
        .testTarget(name: "SQLiteStoreTests", dependencies: ["SQLiteStore", "EventStore", "StoreFixtures", "Analytics", "Reports"]),
        .testTarget(name: "AnalyticsTests", dependencies: ["Analytics", "EventStore", "SQLiteStore", "StoreFixtures"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Analytics", "EventStore", "SQLiteStore", "StoreFixtures"]),
    ]
)
