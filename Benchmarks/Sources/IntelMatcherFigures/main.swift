// The figures issue 3 asks for, measured in one run on one core: a snapshot of 2 million indicators (the real
// shared intel plus generated names), its memory per indicator beyond the names' bytes, lookups per second for a
// realistic mix and for the all-miss worst case (wire and String entry points), snapshot load time, end-to-end
// import time; and the same lookups and memory for a `Set<String>` of the names, the obvious alternative.
//
// Usage: IntelMatcherFigures [--total N] [--queries N] [--rounds N] [--dir PATH] [--rpz PATH]
//   --total    indicators in the snapshot (default 2000000)
//   --queries  queries per mix (default 1000000)
//   --rounds   timed passes over each mix; the best and the median are printed (default 7)
//   --dir      work folder (default a new temporary folder, removed at the end)
//   --rpz      also write the snapshot's names as an RPZ zone here (for the Unbound comparison in compare-intel.sh)

import DNSWire
import DNSightCore
import DomainMatcher
import Foundation
import IntelBenchSupport
import ThreatIntel

#if canImport(Glibc)
import Glibc
#endif

@inline(never) @_optimize(none) func sink<T>(_ v: T) {}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Resident memory of this process (from /proc/self/statm), for the Set<String> memory figure.
func heapInUse() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = s.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

func run() throws {
    var total = 2_000_000, queries = 1_000_000, rounds = 7
    var dir: String? = nil, rpzPath: String? = nil, profile: Int? = nil, importOnly = false
    var args = CommandLine.arguments.dropFirst()
    while let a = args.popFirst() {
        switch a {
        case "--total": total = Int(args.popFirst() ?? "") ?? total
        case "--queries": queries = Int(args.popFirst() ?? "") ?? queries
        case "--rounds": rounds = max(1, Int(args.popFirst() ?? "") ?? rounds)
        case "--dir": dir = args.popFirst()
        case "--rpz": rpzPath = args.popFirst()
        case "--profile": profile = Int(args.popFirst() ?? "")
        case "--import-only": importOnly = true
        default: print("unknown argument \(a)"); exit(2)
        }
    }
    let work = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("intel-figures-\(getpid())").path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { if dir == nil { try? FileManager.default.removeItem(atPath: work) } }

    func fmt(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
    func rate(_ n: Int, _ secs: Double) -> String { fmt(Double(n) / secs / 1e6, 2) + " M/s" }

    // --profile N: map an existing snapshot (--dir holding intel.snapshot) and run N realistic lookups, untimed,
    // for valgrind --tool=callgrind (instruction counts do not depend on the machine's load).
    if let profile, let dir {
        let s = try MatcherSnapshot(contentsOf: dir + "/intel.snapshot")
        var listed: [String] = []
        for slot in stride(from: 0, to: s.entryCount, by: max(1, s.entryCount / 5000)) {
            if let e = s.entry(slot) { listed.append(String(e.name.presentation.dropLast())) }
        }
        let q = IntelWorkload.realisticQueries(count: profile, listed: listed, benign: IntelWorkload.benignNames())
        var hits = 0
        q.bytes.withUnsafeBytes { buf in
            for sp in q.spans {
                if case .listed = s.lookup(wire: UnsafeRawBufferPointer(rebasing: buf[sp.offset..<(sp.offset + sp.length)])) { hits += 1 }
            }
        }
        print("\(profile) lookups, \(hits) listed")
        return
    }

    // 1. How many names to generate: the real intel gives the rest.
    let realOnly = try IntelWorkload.realImporter()
    let realCount = realOnly.indicatorCount
    let generatedCount = max(0, total - realCount)
    let listPath = work + "/generated.txt"
    try IntelWorkload.writeGeneratedList(count: generatedCount, to: listPath)
    print("indicators: \(realCount) real (shared maltrail + samples) + \(generatedCount) generated = \(realCount + generatedCount)")

    // 2. Import end to end: parse every file, enrich, compile, write (as `dnsight intel import` does).
    let snapPath = work + "/intel.snapshot"
    let t0 = now()
    var importer = IntelImporter()
    try importer.importPath(IntelWorkload.sharedIntel + "/maltrail")
    try importer.importPath(IntelWorkload.sharedIntel + "/samples")
    try importer.importPath(listPath, options: ImportOptions(category: .malware))
    let t1 = now()
    let image = try importer.buildImage()
    let t2 = now()
    try MatcherSnapshot.write(image: image, to: snapPath)
    let t3 = now()
    let indicatorCount = importer.indicatorCount
    print("import: \(fmt(t3 - t0)) s (parse+enrich \(fmt(t1 - t0)) s, compile \(fmt(t2 - t1)) s, write \(fmt(t3 - t2)) s)")
    if importOnly { return }

    // 3. Load time: map and check the header and bucket directory.
    var loads: [Double] = []
    var snapshot = try MatcherSnapshot(contentsOf: snapPath)
    
    for _ in 0..<31 {
        let a = now()
        snapshot = try MatcherSnapshot(contentsOf: snapPath)
        loads.append(now() - a)
    }
    loads.sort()
    print("load: median \(fmt(loads[loads.count / 2] * 1000, 3)) ms, max \(fmt(loads.last! * 1000, 3)) ms")

    // 4. Memory.
    let overhead = snapshot.byteCount - snapshot.nameByteCount - snapshot.metaByteCount
    let entries = snapshot.entryCount + snapshot.addressCount
    print("snapshot: \(snapshot.byteCount) bytes = \(fmt(Double(snapshot.byteCount) / 1048576, 1)) MiB; names \(snapshot.nameByteCount) bytes; meta \(snapshot.metaByteCount) bytes")
    print("entries: \(snapshot.entryCount) names + \(snapshot.addressCount) addresses = \(entries) (of \(indicatorCount) indicators; identical ones merged), \(snapshot.recordCount) records")
    print("bytes per indicator beyond the names: \(fmt(Double(overhead) / Double(indicatorCount), 2)) (per entry: \(fmt(Double(overhead) / Double(entries), 2)))")

    // 5. Queries.
    let listedNames: [String] = {
        var rng = SplitMix64(seed: 3)
        var out: [String] = []
        for _ in 0..<10_000 {
            let slot = Int.random(in: 0..<snapshot.entryCount, using: &rng)
            if let e = snapshot.entry(slot), !e.isNameServer, e.scope != .wildcard { out.append(String(e.name.presentation.dropLast())) }
        }
        return out
    }()
    let realistic = IntelWorkload.realisticQueries(count: queries, listed: listedNames, benign: IntelWorkload.benignNames())
    let misses = IntelWorkload.uniformMisses(count: queries)

    func timeRounds(_ body: () -> Int) -> (best: Double, median: Double, hits: Int) {
        var times: [Double] = []
        var hits = 0
        for _ in 0..<rounds {
            let a = now()
            hits = body()
            times.append(now() - a)
        }
        times.sort()
        return (times[0], times[times.count / 2], hits)
    }

    func wireRounds(_ q: QuerySet) -> (best: Double, median: Double, hits: Int) {
        q.bytes.withUnsafeBytes { buf in
            timeRounds {
                var hits = 0
                for s in q.spans {
                    if case .listed = snapshot.lookup(wire: UnsafeRawBufferPointer(rebasing: buf[s.offset..<(s.offset + s.length)])) { hits += 1 }
                }
                return hits
            }
        }
    }

    func stringRounds(_ q: QuerySet) -> (best: Double, median: Double, hits: Int) {
        timeRounds {
            var hits = 0
            for s in q.strings { if case .listed = snapshot.lookup(s) { hits += 1 } }
            return hits
        }
    }

    var rows: [(String, (best: Double, median: Double, hits: Int), Int)] = []
    rows.append(("matcher, wire, realistic mix", wireRounds(realistic), realistic.count))
    rows.append(("matcher, String, realistic mix", stringRounds(realistic), realistic.count))
    rows.append(("matcher, wire, all misses (uniform random)", wireRounds(misses), misses.count))

    // 6. The Set<String> alternative over the same names.
    var allNames: [String] = []
    allNames.reserveCapacity(snapshot.entryCount)
    for slot in 0..<snapshot.entryCount { if let e = snapshot.entry(slot), !e.isNameServer { allNames.append(String(e.name.presentation.dropLast())) } }
    let heapBefore = heapInUse()
    let tb = now()
    let set = StringSetMatcher(allNames)
    let setBuild = now() - tb
    let setBytes = heapInUse() - heapBefore
    let nameChars = allNames.reduce(0) { $0 + $1.utf8.count }
    allNames = []
    print("Set<String>: \(set.names.count) names, built in \(fmt(setBuild)) s, resident memory +\(fmt(Double(setBytes) / 1048576, 1)) MiB = \(fmt(Double(setBytes - nameChars) / Double(set.names.count), 1)) bytes per name beyond the names' characters")
    rows.append(("Set<String>, realistic mix", timeRounds { var h = 0; for s in realistic.strings where set.matches(s) { h += 1 }; return h }, realistic.count))
    rows.append(("Set<String>, all misses", timeRounds { var h = 0; for s in misses.strings where set.matches(s) { h += 1 }; return h }, misses.count))

    print("\nqueries: realistic \(realistic.count) (about \(realistic.expectedHits) listed by construction), misses \(misses.count); \(rounds) rounds, one thread")
    print("| case | best | median | hits |")
    print("|---|---:|---:|---:|")
    for (name, r, n) in rows { print("| \(name) | \(rate(n, r.best)) | \(rate(n, r.median)) | \(r.hits) |") }
    print("\nmatcher (wire) / Set<String>, realistic mix: \(fmt(rows[3].1.best / rows[0].1.best, 1))x the lookups per second; all misses: \(fmt(rows[4].1.best / rows[2].1.best, 1))x")
    print("Set<String> resident memory / matcher snapshot: \(fmt(Double(setBytes) / Double(snapshot.byteCount), 2))x")

    // 7. Optionally the same names as an RPZ zone, for Unbound.
    if let rpzPath {
        var z = "$TTL 300\n@ SOA localhost. root.localhost. 1 3600 600 86400 300\n NS localhost.\n"
        for slot in 0..<snapshot.entryCount {
            guard let e = snapshot.entry(slot), !e.isNameServer else { continue }
            let n = e.name.presentation
            switch e.scope {
            case .exact: z += "\(n.dropLast()) CNAME .\n"
            case .wildcard: z += "*.\(n.dropLast()) CNAME .\n"
            case .subdomain: z += "\(n.dropLast()) CNAME .\n*.\(n.dropLast()) CNAME .\n"
            }
        }
        try z.write(toFile: rpzPath, atomically: true, encoding: .utf8)
        print("wrote \(rpzPath)")
    }
}

try run()
