// swift-tools-version: 6.1
import PackageDescription

// Throughput of the Attribution module on one core: inventory longest-prefix match with 100,000 CIDRs, inventory
// loading, Crypto-PAn (cached and not), AES-128, MMDB look-ups. A plain executable so that it builds in seconds:
//   swift run -c release --package-path Benchmarks/Attribution attribution-bench [--mmdb FILE]
let package = Package(
    name: "attribution-bench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "dnsight", path: "../..")],
    targets: [
        .executableTarget(name: "attribution-bench", dependencies: [.product(name: "Attribution", package: "dnsight"),
                                                                   .product(name: "DNSightCore", package: "dnsight")]),
    ]
)
