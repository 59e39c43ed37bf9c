// store-bench: the store's benchmarks (see README.md beside this package).
//
//   store-bench ingest --store PATH [--queries N] [--devices N] [--days N] [--batch N] [--no-domains]
//       Store overhead of a large ingest: a synthetic query stream counted without a store, then the same stream
//       aggregated into IngestBatches and written (one transaction and checkpoint per batch). Prints wall and CPU
//       time of both, and the overhead per query split into aggregation and SQLite writes.
//   store-bench report --store PATH [--devices N] [--days N] [--reuse] [--runs N]
//       Fills a store with a quarter of roll-ups for N devices (unless --reuse), prints its size per device-day,
//       then times the full quarterly report (metrics + HTML, Markdown and JSON rendering).
import Analytics
import EventStore
import Foundation
import Reports
import SQLiteStore

func arg(_ name: String) -> String? {
    let a = CommandLine.arguments
    guard let i = a.firstIndex(of: "--" + name), i + 1 < a.count else { return nil }
    return a[i + 1]
}
func intArg(_ name: String, _ d: Int) -> Int { arg(name).flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } ?? d }
func die(_ s: String) -> Never {
    FileHandle.standardError.write(Data("store-bench: \(s)\n".utf8))
    exit(2)
}
func out(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
/// CPU time of the whole process (all threads: GRDB writes on its own queue), in seconds — what a shared machine's
/// other load inflates least.
func cpu() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// SplitMix64, for reproducible synthetic streams.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64, _ a: Int = 0, _ b: Int = 0) {
        state = seed ^ (UInt64(truncatingIfNeeded: a) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(truncatingIfNeeded: b) &* 0xBF58_476D_1CE4_E5B9)
    }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let command = CommandLine.arguments.dropFirst().first ?? ""
do {
    switch command {
    case "ingest":
        guard let path = arg("store") else { die("ingest --store PATH") }
        try? FileManager.default.removeItem(atPath: path)
        let n = intArg("queries", 10_000_000), devices = intArg("devices", 10_000), days = intArg("days", 10)
        let batchSize = intArg("batch", 1_000_000)
        let trackDomains = !CommandLine.arguments.contains("--no-domains")
        let store = try SQLiteStore.open(path: path)
        // Inputs shared by both passes: devices, a Zipf-like domain pool, ~1% malicious queries.
        let infos = (0..<devices).map { i in
            DeviceInfo(organisation: "org\(i / 50)", deviceKey: "10.\(i / 65536).\((i / 256) % 256).\(i % 256)", segment: i % 3 == 0 ? "home" : "enterprise",
                       region: StoreVocabulary.regions[i % 4], country: "JP", industry: "manufacturing", deviceType: "pc")
        }
        let pool = (0..<100_000).map { "site\($0).example" }
        let bad = (0..<2_000).map { "c2-\($0).bad" }
        let start = Day(year: 2026, month: 1, day: 1)!.startNanos
        let step = Int64(days) * Day.nanosPerDay / Int64(n)
        func stream(_ body: (Int64, Int, String, Bool) -> Void) {
            var rng = SplitMix64(seed: 7)
            for q in 0..<n {
                let r = rng.next()
                let dev = Int(r % UInt64(devices))
                let malicious = (r >> 32) % 100 == 0
                let rank = Int(pow(Double(pool.count), Double((r >> 40) & 0xFFFF) / 65536))
                body(start + Int64(q) * step, dev, malicious ? bad[rank % bad.count] : pool[rank], malicious)
            }
        }
        // Pass 1: the stream alone (what the pipeline does anyway), with a trivial sink.
        var sink = 0
        var t0 = now(), c0 = cpu()
        stream { t, d, name, m in sink &+= Int(t & 1) &+ d &+ name.utf8.count &+ (m ? 1 : 0) }
        let base = now() - t0, baseCPU = cpu() - c0
        // Pass 2: the same stream aggregated into batches and written, checkpoint per batch.
        var batch = IngestBatch(), slots = [DeviceSlot?](repeating: nil, count: devices), inBatch = 0
        var writeTime = 0.0, writeCPU = 0.0, batches = 0
        let ident = StreamIdentity(path: "bench", size: Int64(n), headLength: 0, headHash: 0)
        t0 = now()
        c0 = cpu()
        var done: Int64 = 0
        stream { t, d, name, m in
            let slot: DeviceSlot
            if let s = slots[d] { slot = s } else { slot = batch.device(infos[d]); slots[d] = slot }
            if m {
                batch.add(TrafficObservation(timeNanos: t, device: infos[d], domain: name, resolved: true, detections: [
                    DetectionRecord(timeNanos: t, device: infos[d], queryName: name, category: "c2", family: "Emotet", tags: ["iab"],
                                    indicator: name, reason: "exact", sourceFeed: "bench"),
                ]))
            } else {
                batch.addQuery(timeNanos: t, device: slot, domain: trackDomains ? name : nil, resolved: true)
            }
            inBatch += 1
            done += 1
            if inBatch == batchSize {
                batch.setCheckpoint(IngestCheckpoint(stream: ident, byteOffset: done, records: done, complete: false))
                let w0 = now(), wc = cpu()
                try! store.write(batch)
                writeTime += now() - w0
                writeCPU += cpu() - wc
                batches += 1
                batch = IngestBatch()
                slots = [DeviceSlot?](repeating: nil, count: devices)
                inBatch = 0
            }
        }
        batch.setCheckpoint(IngestCheckpoint(stream: ident, byteOffset: done, records: done, complete: true))
        let w0 = now(), wc = cpu()
        try store.write(batch)
        writeTime += now() - w0
        writeCPU += cpu() - wc
        let total = now() - t0, totalCPU = cpu() - c0
        try store.compactWAL()
        let sizes = store.fileSizes()
        let s = try store.summary()
        out("queries=\(n) devices=\(devices) days=\(days) batches=\(batches + 1) sink=\(sink % 2)")
        out(String(format: "stream alone: %.2f s wall, %.2f s CPU (%.0f ns/query CPU)", base, baseCPU, baseCPU / Double(n) * 1e9))
        out(String(format: "stream + store: %.2f s wall, %.2f s CPU (%.0f ns/query CPU); SQLite writes %.2f s wall, %.2f s CPU",
                   total, totalCPU, totalCPU / Double(n) * 1e9, writeTime, writeCPU))
        let over = totalCPU - baseCPU
        out(String(format: "store overhead (CPU): %.0f ns/query = %.3f s per million queries; aggregation %.0f ns/query, writes %.0f ns/query",
                   over / Double(n) * 1e9, over / Double(n) * 1e6, (over - writeCPU) / Double(n) * 1e9, writeCPU / Double(n) * 1e9))
        out("store: \(sizes.database) bytes, queries=\(s.queries) detections=\(s.detections) domains=\(s.domains) devices=\(s.devices)")

    case "report":
        guard let path = arg("store") else { die("report --store PATH") }
        let devices = intArg("devices", 100_000), days = intArg("days", 90)
        let first = Day(year: 2026, month: 1, day: 1)!
        if CommandLine.arguments.contains("--reuse") == false {
            try? FileManager.default.removeItem(atPath: path)
            let store = try SQLiteStore.open(path: path)
            let infos = (0..<devices).map { i in
                DeviceInfo(organisation: i % 5 == 0 ? "isp-\(i % 8)" : "org\(i / 40)", deviceKey: "d\(i)", segment: i % 5 == 0 ? "home" : "enterprise",
                           region: StoreVocabulary.regions[(i / 7) % 4], country: "JP",
                           industry: i % 5 == 0 ? "" : ["manufacturing", "high-tech", "commerce", "business-services"][(i / 40) % 4],
                           deviceType: ["pc", "mobile", "nas", "iot", "server"][i % 5])
            }
            let fams: [(String, String, [String])] = [("QSnatch", "c2", ["dga"]), ("Emotet", "c2", ["iab"]), ("LockBit", "c2", ["ransomware"]),
                                                      ("Pykspa", "malware", ["dga"]), ("AgentTesla", "malware", []), ("", "phishing", ["targeted-industry:financial-services", "campaign:c1"]),
                                                      ("", "exfiltration", [])]
            let t0 = now()
            for d in 0..<days {
                var batch = IngestBatch()
                let day = first.advanced(by: d)
                var rng = SplitMix64(seed: 99, d, 0)
                for (i, info) in infos.enumerated() {
                    let slot = batch.device(info)
                    let t = day.startNanos + Int64(rng.next() % UInt64(Day.nanosPerDay))
                    // Each device-day row stands for a day of clean traffic: count 1,000 queries with one domain sighting.
                    for k in 0..<3 { batch.addQuery(timeNanos: t + Int64(k), device: slot, domain: "site\(rng.next() % 50_000).example", resolved: true) }
                    // About 8% of devices are infected on a given day.
                    if i % 13 == d % 13 {
                        let f = fams[Int(rng.next() % UInt64(fams.count))]
                        let name = "\(f.0.isEmpty ? f.1 : f.0.lowercased())\(rng.next() % 500).bad"
                        batch.add(TrafficObservation(timeNanos: t + 10, device: info, domain: name, resolved: true, detections: [
                            DetectionRecord(timeNanos: t + 10, device: info, queryName: name, category: f.1, family: f.0, tags: f.2,
                                            indicator: name, reason: "exact", sourceFeed: "bench"),
                        ]))
                    }
                }
                try store.write(batch)
                if d % 10 == 9 { out("day \(d + 1)/\(days) written, \(String(format: "%.0f", now() - t0)) s") }
            }
            try store.compactWAL()
            let size = store.fileSizes().database
            out(String(format: "fill: %.1f s; store %d bytes = %.1f bytes per device-day (%d device-days, with detections and domains)",
                       now() - t0, size, Double(size) / Double(devices * days), devices * days))
        }
        let store = try SQLiteStore.openReadOnly(path: path)
        for run in 1...intArg("runs", 3) {
            let t0 = now(), c0 = cpu()
            let reader = try store.snapshot()
            let data = try ReportBuilder.build(from: reader, options: ReportOptions(range: DayRange(first, first.advanced(by: days - 1))))
            let t1 = now()
            let html = ReportRenderer.html(data)
            let md = ReportRenderer.markdown(data)
            let json = try ReportRenderer.json(data)
            let t2 = now(), c2 = cpu()
            out(String(format: "report run %d: metrics %.2f s, render %.2f s, total %.2f s wall, %.2f s CPU (html %d bytes, md %d, json %d, %d tables)",
                       run, t1 - t0, t2 - t1, t2 - t0, c2 - c0, html.utf8.count, md.utf8.count, json.utf8.count, data.tables.count))
        }

    default:
        die("commands: ingest, report")
    }
} catch {
    die("\(error)")
}
