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
        .library(name: "DNSightCore", targets: ["DNSightCore"]),
        .library(name: "IntelFeeds", targets: ["IntelFeeds"]),
        .library(name: "DomainMatcher", targets: ["DomainMatcher"]),
        .library(name: "ThreatIntel", targets: ["ThreatIntel"]),
        .library(name: "PublicSuffix", targets: ["PublicSuffix"]),
        .library(name: "Detectors", targets: ["Detectors"]),
        .library(name: "Attribution", targets: ["Attribution"]),
        .library(name: "EventStore", targets: ["EventStore"]),
        .library(name: "SQLiteStore", targets: ["SQLiteStore"]),
        .library(name: "Analytics", targets: ["Analytics"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .target(name: "DNSWire"),
        .target(
            name: "DNSightCore",
            dependencies: ["DNSWire"],
            resources: [.embedInCode("Resources/families.csv"), .embedInCode("Resources/brands.csv")]
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // A header-only software prefetch for the per-event look-ups (matcher, inventory, device set).
        .systemLibrary(name: "CPrefetch", path: "Sources/CPrefetch"),
        .target(name: "LogReaders", dependencies: ["DNSWire", "DNSightCore", "CZlib", "CSQLite"], exclude: ["Formats/README.md"]),
        .target(name: "Attribution", dependencies: ["DNSWire", "DNSightCore", "CPrefetch", .product(name: "Yams", package: "Yams")],
                exclude: ["README.md"]),
        // Pure feed parsers: bytes in, indicators and line-numbered diagnostics out. No Foundation, so that the
        // fuzz targets can compile the sources directly.
        .target(name: "IntelFeeds", dependencies: ["DNSightCore"]),
        // The compiled, memory-mapped domain matcher.
        .target(name: "DomainMatcher", dependencies: ["DNSightCore", "CPrefetch"]),
        // Import pipeline (files/folders → catalogue enrichment → snapshot), snapshot location, feed updates over HTTP.
        .target(name: "ThreatIntel", dependencies: ["IntelFeeds", "DomainMatcher"]),
        // The classify stage: intel matcher over query names, CNAME targets and answer addresses.
        .target(name: "Classifier", dependencies: ["DNSightCore", "DomainMatcher"]),
        // The Public Suffix List snapshot and its matcher (registrable domain = eTLD+1).
        .target(name: "PublicSuffix", dependencies: ["DNSWire"], resources: [.copy("Resources/PSL")]),
        // Suspected-tier detectors: the DGA model (bundled weights) and the known-family DGA generators.
        .target(
            name: "Detectors",
            dependencies: ["DNSightCore", "PublicSuffix", "CPrefetch"],
            exclude: ["Behaviour/README.md"],
            resources: [.copy("Resources/DGAModel")]
        ),
        // The composition root: jobs that wire readers, attribution, classification and outputs together.
        .target(name: "DNSightApp", dependencies: ["DNSightCore", "LogReaders", "Attribution", "Classifier", "ThreatIntel", "DomainMatcher",
                                                  "Detectors", "PublicSuffix", .product(name: "Yams", package: "Yams"), "EventStore", "SQLiteStore", "CPrefetch"]),
        // The store, the metrics and the report (issue 5): boundary types, the SQLite backend, metric
        // definitions, renderers; a synthetic world with exact ground truth for tests and benchmarks.
        .target(name: "EventStore", dependencies: ["DNSWire", "DNSightCore"]),
        .target(name: "SQLiteStore", dependencies: [
            "EventStore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ], exclude: ["README.md"]),
        .target(name: "Analytics", dependencies: ["EventStore"]),
        .target(name: "Reports", dependencies: ["Analytics"]),
        .target(name: "StoreFixtures", dependencies: ["EventStore"]),
        .executableTarget(name: "dnsight-store-workbench", dependencies: ["SQLiteStore", "StoreFixtures"]),
        // The simulator: a world of networks and their DNS traffic in every input format, with exact ground truth.
        .target(
            name: "Simulator",
            dependencies: ["DNSWire", "DNSightCore", "Detectors", "PublicSuffix", .product(name: "Yams", package: "Yams")],
            resources: [.embedInCode("Resources/default-scenario.yaml"), .embedInCode("Resources/scenario.schema.json")]
        ),
        .executableTarget(
            name: "dnsight",
            dependencies: [
                "DNSWire", "DNSightCore", "LogReaders", "ThreatIntel", "DNSightApp", "SQLiteStore", "Analytics", "Reports",
                "PublicSuffix", "Detectors", "Simulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Scratch folders and seeded randomness shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "DNSWireTests", dependencies: ["TestSupport", "DNSWire"], exclude: ["Differential"]),
        .testTarget(name: "LogReadersTests", dependencies: ["TestSupport", "LogReaders", "DNSightCore", "DNSWire"], exclude: ["Fixtures"]),
        .testTarget(name: "AttributionTests", dependencies: ["TestSupport", "Attribution", "DNSightCore", "DNSWire"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DNSightCoreTests", dependencies: ["TestSupport", "DNSightCore"]),
        .testTarget(name: "IntelFeedsTests", dependencies: ["TestSupport", "IntelFeeds"]),
        .testTarget(name: "DomainMatcherTests", dependencies: ["TestSupport", "DomainMatcher"]),
        .testTarget(name: "DNSightAppTests", dependencies: ["TestSupport", "DNSightApp", "dnsight", "Detectors", "LogReaders", "EventStore", "SQLiteStore"]),
        .testTarget(name: "ThreatIntelTests", dependencies: ["TestSupport", "ThreatIntel", "dnsight"], exclude: ["Fixtures"]),
        .testTarget(name: "SimulatorEndToEndTests", dependencies: ["TestSupport", "Simulator", "DNSightApp", "SQLiteStore", "Analytics", "Reports", "LogReaders"]),
        .testTarget(name: "SimulatorTests", dependencies: ["TestSupport", "Simulator", "LogReaders", "ThreatIntel", "IntelFeeds", "Attribution", "Classifier", "DomainMatcher", "DNSightCore", "DNSWire"]),
        .testTarget(name: "ClassifierTests", dependencies: ["TestSupport", "Classifier", "ThreatIntel", "DNSightCore", "DNSWire"]),
        .testTarget(name: "SQLiteStoreTests", dependencies: ["TestSupport", "SQLiteStore", "EventStore", "StoreFixtures", "Analytics", "Reports", "DNSightCore", "DNSWire"]),
        .testTarget(name: "AnalyticsTests", dependencies: ["TestSupport", "Analytics", "EventStore", "SQLiteStore", "StoreFixtures"]),
        .testTarget(name: "ReportsTests", dependencies: ["TestSupport", "Reports", "Analytics", "EventStore", "SQLiteStore", "StoreFixtures"]),
        .testTarget(name: "PublicSuffixTests", dependencies: ["TestSupport", "PublicSuffix"]),
        .testTarget(
            name: "DetectorsTests",
            dependencies: ["TestSupport", "Detectors", "PublicSuffix"],
            resources: [.copy("Resources/DGAExpected")]
        ),
        .testTarget(name: "dnsightTests", dependencies: ["TestSupport", "dnsight", "Detectors"]),
    ]
)
