import Analytics
import EventStore
import Foundation
import Reports
import SQLiteStore
import StoreFixtures
import Testing

/// The built `dnsight-store-workbench`, next to the test bundle.
func workbench() throws -> String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
        let p = candidate.appendingPathComponent("dnsight-store-workbench").path
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: dir.appendingPathComponent("dnsight-store-workbench").path])
}

/// A child process whose standard output is read line by line.
final class Child {
    let process = Process()
    let pipe = Pipe()
    var buffer = Data()

    init(_ path: String, _ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.standardOutput = pipe
        try process.run()
    }

    /// The next line, or nil at end of output.
    func line() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let l = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer = Data(buffer[(nl + 1)...])
                return l
            }
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }
}

@Suite struct CrashSafetyTests {
    /// The whole report (every metric, every numerator and denominator, no suppression) as JSON.
    func metrics(_ path: String) throws -> String {
        let store = try SQLiteStore.openReadOnly(path: path)
        return try ReportRenderer.json(ReportBuilder.build(from: try store.snapshot(), options: ReportOptions(periodKind: .month, minimumDevices: 0)))
    }

    @Test func sigkillMidIngestThenRerunGivesExactlyTheSameMetrics() throws {
        let dir = tempDir()
        var c = SyntheticWorld.Config()
        c.days = 60
        c.enterprisesPerRegion = 3
        c.devicesPerISP = 20
        let obs = SyntheticWorld(c).allObservations()
        let file = dir + "/obs.jsonl"
        try ObservationFile.write(obs, to: file)
        let batch = 250
        #expect(obs.count > batch * 40)

        // The reference: one uninterrupted run.
        let reference = dir + "/reference.sqlite"
        _ = try ObservationFile.ingest(file, into: try SQLiteStore.open(path: reference), batchSize: batch)

        // Twice: start the writer, wait until it has committed a few batches, kill it with SIGKILL.
        let crashed = dir + "/crashed.sqlite"
        let bin = try workbench()
        var killedAt: [Int64] = []
        for round in 1...2 {
            let child = try Child(bin, ["ingest-jsonl", "--store", crashed, "--file", file, "--batch", String(batch)])
            var commits = 0
            while let l = child.line() {
                if l.hasPrefix("committed ") { commits += 1 }
                if commits == 3 * round { break }
            }
            kill(child.process.processIdentifier, SIGKILL)
            child.process.waitUntilExit()
            #expect(child.process.terminationReason == .uncaughtSignal && child.process.terminationStatus == SIGKILL)
            let cp = try #require(try SQLiteStore.openReadOnly(path: crashed).allCheckpoints().first)
            #expect(!cp.complete && cp.records < Int64(obs.count), "the kill must land mid-ingest")
            killedAt.append(cp.records)
        }
        #expect(killedAt[1] > killedAt[0])

        // Run again to the end: it resumes from the checkpoint.
        let child = try Child(bin, ["ingest-jsonl", "--store", crashed, "--file", file, "--batch", String(batch)])
        var last = ""
        while let l = child.line() { last = l }
        child.process.waitUntilExit()
        #expect(child.process.terminationStatus == 0)
        #expect(last.hasPrefix("done resume=after(records: \(killedAt[1])"), "\(last)")

        #expect(try metrics(crashed) == metrics(reference))
        let a = try SQLiteStore.openReadOnly(path: crashed).summary(), b = try SQLiteStore.openReadOnly(path: reference).summary()
        #expect(a == b)
        #expect(a.queries == Int64(obs.count))

        // And a third run over the complete file stores nothing more.
        let again = try ObservationFile.ingest(file, into: try SQLiteStore.open(path: crashed), batchSize: batch)
        #expect(again.resume == .done && again.recordsRead == 0)
        #expect(try metrics(crashed) == metrics(reference))
    }
}
