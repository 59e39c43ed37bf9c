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
        .library(name: "Attribution", targets: ["Attribution"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(name: "DNSWire"),
        .target(name: "DNSightCore", dependencies: ["DNSWire"]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "LogReaders", dependencies: ["DNSWire", "DNSightCore", "CZlib"]),
        .target(name: "Attribution", dependencies: ["DNSWire", "DNSightCore", .product(name: "Yams", package: "Yams")],
                exclude: ["README.md"]),
        .executableTarget(
            name: "dnsight",
            dependencies: [
                "DNSWire", "DNSightCore", "LogReaders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire"]),
        .testTarget(name: "LogReadersTests", dependencies: ["LogReaders", "DNSightCore", "DNSWire"]),
        .testTarget(name: "AttributionTests", dependencies: ["Attribution", "DNSightCore", "DNSWire"],
                    resources: [.copy("Fixtures")]),
    ]
)
