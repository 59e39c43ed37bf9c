// dnsight-store-workbench: test and benchmark driver for the store (not shipped to users).
//
//   ingest-jsonl --store PATH --file FILE [--batch N]
//       Resumable ingest of a JSON-lines observation file (the crash-safety test kills this mid-run and runs it
//       again); prints "committed <records>" after every committed batch.
//   synthetic-store --store PATH [--seed N] [--days N] [--enterprises N] [--home-devices N]
//       Writes a synthetic world (StoreFixtures.SyntheticWorld) into a store, with an ingest-run record: a store to
//       render a report from without any logs.
// The store benchmarks are in Benchmarks/Store.
import EventStore
import Foundation
import SQLiteStore
import StoreFixtures

func arg(_ name: String) -> String? {
    let a = CommandLine.arguments
    guard let i = a.firstIndex(of: "--" + name), i + 1 < a.count else { return nil }
    return a[i + 1]
}
func intArg(_ name: String, _ d: Int) -> Int { arg(name).flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } ?? d }
func die(_ s: String) -> Never {
    FileHandle.standardError.write(Data("dnsight-store-workbench: \(s)\n".utf8))
    exit(2)
}
func out(_ s: String) {
    // Unbuffered, so that a parent process sees each line as soon as it is written.
    FileHandle.standardOutput.write(Data((s + "\n").utf8))
}

let command = CommandLine.arguments.dropFirst().first ?? ""
do {
    switch command {
    case "ingest-jsonl":
        guard let path = arg("store"), let file = arg("file") else { die("ingest-jsonl --store PATH --file FILE [--batch N]") }
        let store = try SQLiteStore.open(path: path)
        let r = try ObservationFile.ingest(file, into: store, batchSize: intArg("batch", 1000)) { out("committed \($0)") }
        out("done resume=\(r.resume) read=\(r.recordsRead) batches=\(r.batches)")

    case "synthetic-store":
        guard let path = arg("store") else { die("synthetic-store --store PATH [--seed N] [--days N] [--scale X]") }
        try? FileManager.default.removeItem(atPath: path)
        var c = SyntheticWorld.Config()
        c.seed = UInt64(intArg("seed", 1))
        c.days = intArg("days", 365)
        c.enterprisesPerRegion = intArg("enterprises", 12)
        c.devicesPerISP = intArg("home-devices", 120)
        let world = SyntheticWorld(c)
        let store = try SQLiteStore.open(path: path)
        let t0 = Int64(Date().timeIntervalSince1970 * 1e9)
        var batch = IngestBatch(), n: Int64 = 0, dets: Int64 = 0
        try world.forEachObservation { o in
            batch.add(o)
            n += 1
            dets += Int64(o.detections.count)
            if n % 100_000 == 0 { try store.write(batch); batch = IngestBatch() }
        }
        try store.write(batch)
        try store.record(run: IngestRun(
            startedNanos: t0, finishedNanos: Int64(Date().timeIntervalSince1970 * 1e9), tool: "dnsight-store-workbench (synthetic world)",
            sources: [.init(name: "synthetic world seed \(c.seed)", format: "observations", events: n)],
            feeds: [.init(name: "synthetic-intel", format: "domain list", indicators: 240), .init(name: "synthetic-phish", format: "domain list", indicators: Int64(world.campaigns.count))],
            detectors: [.init(name: "dga", parameters: [("threshold", "0.9")]), .init(name: "tunnel", parameters: [("threshold", "0.9")]),
                        .init(name: "beacon", parameters: [("threshold", "0.9")])],
            queries: n, detections: dets))
        out("wrote \(n) observations, \(dets) detections, \(world.devices.count) devices to \(path)")

    default:
        die("commands: ingest-jsonl, synthetic-store")
    }
} catch {
    die("\(error)")
}
