// swift-tools-version: 6.1
import PackageDescription

// The store's benchmarks: ingest overhead of the roll-ups and detections, quarterly report time over 100,000
// devices, store size per device-day. A plain executable (see README.md):
//   swift run -c release --package-path Benchmarks/Store store-bench ingest --store /tmp/bench-ingest.sqlite
//   swift run -c release --package-path Benchmarks/Store store-bench report --store /tmp/bench-report.sqlite
let package = Package(
    name: "store-bench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "dnsight", path: "../..")],
    targets: [
        .executableTarget(name: "store-bench", dependencies: [
            .product(name: "EventStore", package: "dnsight"), .product(name: "SQLiteStore", package: "dnsight"),
            .product(name: "Analytics", package: "dnsight"), .product(name: "Reports", package: "dnsight"),
        ]),
    ]
)
