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
        .library(name: "PublicSuffix", targets: ["PublicSuffix"]),
        .library(name: "Detectors", targets: ["Detectors"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "DNSWire"),
        .target(name: "DNSightCore", dependencies: ["DNSWire"]),
        // The Public Suffix List snapshot and its matcher (registrable domain = eTLD+1).
        .target(name: "PublicSuffix", resources: [.copy("Resources/PSL")]),
        // Suspected-tier detectors: the DGA model (bundled weights) and the known-family DGA generators.
        .target(
            name: "Detectors",
            dependencies: ["DNSightCore", "PublicSuffix"],
            resources: [.copy("Resources/DGAModel")]
        ),
        .executableTarget(
            name: "dnsight",
            dependencies: [
                "DNSWire", "DNSightCore", "PublicSuffix", "Detectors",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire"]),
        .testTarget(name: "PublicSuffixTests", dependencies: ["PublicSuffix"]),
        .testTarget(
            name: "DetectorsTests",
            dependencies: ["Detectors", "PublicSuffix"],
            resources: [.copy("Resources/DGAExpected")]
        ),
        .testTarget(name: "dnsightTests", dependencies: ["dnsight"]),
    ]
)
