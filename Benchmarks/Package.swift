// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that the root package (and CI) never builds the benchmark
// framework. Run from this folder:
//   swift package benchmark --target DNSWireBenchmarks
// or ./compare.sh for the Swift/dnspython comparison. Each benchmarked module gets its own target folder
// under Benchmarks/ (Benchmarks/DNSWireBenchmarks, later e.g. Benchmarks/IntelMatcher).
let package = Package(
    name: "dnsight-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(name: "dnsight", path: ".."),
    ],
    targets: [
        // The messages every DNSWire benchmark (and the dnspython comparison) uses, built in code.
        .target(
            name: "DNSWireBenchSupport",
            dependencies: [.product(name: "DNSWire", package: "dnsight")],
            path: "Sources/DNSWireBenchSupport"
        ),
        .executableTarget(
            name: "DNSWireBenchmarks",
            dependencies: [
                "DNSWireBenchSupport",
                .product(name: "DNSWire", package: "dnsight"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/DNSWireBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A plain timing loop with a machine-readable output, used by compare.sh to put the Swift and dnspython
        // throughputs side by side in one run.
        .executableTarget(
            name: "DNSWireThroughput",
            dependencies: [
                "DNSWireBenchSupport",
                .product(name: "DNSWire", package: "dnsight"),
            ],
            path: "Sources/DNSWireThroughput"
        ),
        // The threat-intel workload (real shared intel plus generated names, query mixes) and the Set<String>
        // baseline, shared by the IntelMatcher benchmarks and the figures program.
        .target(
            name: "IntelBenchSupport",
            dependencies: [
                .product(name: "DNSWire", package: "dnsight"), .product(name: "DNSightCore", package: "dnsight"),
                .product(name: "DomainMatcher", package: "dnsight"), .product(name: "ThreatIntel", package: "dnsight"),
            ],
            path: "Sources/IntelBenchSupport"
        ),
        .executableTarget(
            name: "IntelMatcher",
            dependencies: [
                "IntelBenchSupport",
                .product(name: "DomainMatcher", package: "dnsight"), .product(name: "ThreatIntel", package: "dnsight"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/IntelMatcher",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The BENCHMARKS.md figures for the matcher in one run (see compare-intel.sh).
        .executableTarget(
            name: "IntelMatcherFigures",
            dependencies: [
                "IntelBenchSupport",
                .product(name: "DNSWire", package: "dnsight"), .product(name: "DNSightCore", package: "dnsight"),
                .product(name: "DomainMatcher", package: "dnsight"), .product(name: "ThreatIntel", package: "dnsight"),
            ],
            path: "Sources/IntelMatcherFigures"
        ),
    ]
)
