import Benchmark
import DomainMatcher
import Foundation
import IntelBenchSupport
import ThreatIntel

// Lookups in a compiled snapshot against the Set<String> baseline, with malloc counters (a lookup must not
// allocate). The snapshot here holds the real shared intel plus 500,000 generated names so that the suite starts
// quickly; IntelMatcherFigures measures the full 2-million-indicator figures for BENCHMARKS.md.
// Each iteration runs 1000 lookups (scalingFactor .kilo); counts are per lookup.

final class Fixture: @unchecked Sendable {
    // Built once, read-only afterwards.
    let snapshot: MatcherSnapshot
    let snapshotPath: String
    let realistic: QuerySet
    let misses: QuerySet
    let set: StringSetMatcher

    init() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("intel-bench-\(getpid())").path
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try! IntelWorkload.writeGeneratedList(count: 500_000, to: dir + "/generated.txt")
        var imp = try! IntelWorkload.realImporter()
        try! imp.importPath(dir + "/generated.txt")
        snapshotPath = dir + "/intel.snapshot"
        try! MatcherSnapshot.write(image: imp.buildImage(), to: snapshotPath)
        snapshot = try! MatcherSnapshot(contentsOf: snapshotPath)
        var names: [String] = []
        for slot in 0..<snapshot.entryCount { if let e = snapshot.entry(slot) { names.append(String(e.name.presentation.dropLast())) } }
        realistic = IntelWorkload.realisticQueries(count: 100_000, listed: Array(names.prefix(5000)), benign: IntelWorkload.benignNames())
        misses = IntelWorkload.uniformMisses(count: 100_000)
        set = StringSetMatcher(names)
    }
}

nonisolated(unsafe) var fixture: Fixture? = nil
func shared() -> Fixture {
    if let f = fixture { return f }
    let f = Fixture()
    fixture = f
    return f
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 5,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 5000
    )

    func wireBenchmark(_ name: String, _ pick: @escaping @Sendable (Fixture) -> QuerySet) {
        Benchmark(name) { benchmark in
            let f = shared()
            let q = pick(f)
            var k = 0
            q.bytes.withUnsafeBytes { buf in
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    let s = q.spans[k]
                    blackHole(f.snapshot.lookup(wire: UnsafeRawBufferPointer(rebasing: buf[s.offset..<(s.offset + s.length)])))
                    k = k + 1 == q.count ? 0 : k + 1
                }
                benchmark.stopMeasurement()
            }
        }
    }

    wireBenchmark("Matcher lookup, wire, realistic mix") { $0.realistic }
    wireBenchmark("Matcher lookup, wire, all misses") { $0.misses }

    Benchmark("Matcher lookup, String, realistic mix") { benchmark in
        let f = shared()
        var k = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(f.snapshot.lookup(f.realistic.strings[k]))
            k = k + 1 == f.realistic.count ? 0 : k + 1
        }
        benchmark.stopMeasurement()
    }

    Benchmark("Set<String> suffixes, realistic mix") { benchmark in
        let f = shared()
        var k = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(f.set.matches(f.realistic.strings[k]))
            k = k + 1 == f.realistic.count ? 0 : k + 1
        }
        benchmark.stopMeasurement()
    }

    Benchmark("Snapshot load (mmap + check)", configuration: .init(scalingFactor: .one)) { benchmark in
        let f = shared()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try! MatcherSnapshot(contentsOf: f.snapshotPath)) }
        benchmark.stopMeasurement()
    }
}
