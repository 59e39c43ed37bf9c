import EventStore
import Foundation
import Reports
import SQLiteStore
import Testing

/// Issue 5: killing `dnsight analyze` with SIGKILL mid-ingest and running it again gives exactly the same metrics as
/// an uninterrupted run. Everything goes through the built binary: `dnsight simulate` writes a small
/// world (three months) in two formats, Zeek TSV and dnstap (monthly files, with inventory and intel); store A is filled by one uninterrupted
/// `analyze`; store B by an `analyze` killed three times part-way (each kill once the store shows it has committed a
/// little more), then run to the end, then run once more (which must store nothing). The JSON reports of A and B must
/// be equal in every table, cell, numerator, denominator and finding; only the ingest-run records differ (B has
/// one per attempt), and in both stores they must account for exactly the queries and detections stored.
///
/// The detectors' per-device state and the newly-observed seen-set live in memory and are not checkpointed: a
/// resumed run rebuilds them by reading the stored inputs again through the detectors only (see ARCHITECTURE.md,
/// "Resuming after a crash").
@Suite struct ResumeAfterKillTests {
    /// Events stored so far according to the checkpoints (each checkpoint counts the events of its input that are
    /// stored), or nil while the store does not exist or has no schema yet.
    func storedEvents(_ path: String) -> (events: Int64, inputs: Int, complete: Int)? {
        guard FileManager.default.fileExists(atPath: path),
              let cps = try? SQLiteStore.openReadOnly(path: path).allCheckpoints() else { return nil }
        return (cps.reduce(0) { $0 + $1.records }, cps.count, cps.filter(\.complete).count)
    }

    func report(_ bin: String, _ store: String, _ out: String) throws -> ReportData {
        let (status, _, err) = try run(bin, ["report", "--store", store, "--format", "json", "--out", out, "--min-devices", "0", "--period", "month"])
        #expect(status == 0, "\(err)")
        return try JSONDecoder().decode(ReportData.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
    }

    /// Run with the detectors off (intel only) and on (the default): with them on, the rerun reads the inputs the
    /// store holds again through the detectors only, so their per-device state at the resume point is the
    /// uninterrupted run's, and the suspected-tier figures are exact too.
    @Test(arguments: [false, true])
    func sigkillDuringAnalyzeThenRerunGivesExactlyTheSameReport(detectors: Bool) throws {
        let bin = try dnsightBinary()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scenario = EndToEndTests.scenario.replacingOccurrences(of: "end: \"2022-06-30\"", with: "end: \"2022-03-31\"")
        #expect(scenario != EndToEndTests.scenario)
        try scenario.write(toFile: dir + "/scenario.yaml", atomically: true, encoding: .utf8)
        let (simStatus, _, simErr) = try run(bin, ["simulate", "--scenario", dir + "/scenario.yaml", "--out", dir + "/sim", "--format", "zeek,dnstap", "--quiet"])
        try #require(simStatus == 0, "\(simErr)")
        let analyze = ["analyze", dir + "/sim/traffic", "--intel", dir + "/sim/intel", "--inventory", dir + "/sim/inventory.csv",
                       "--threads", "2", "--store-batch-size", "3000", "--quiet"] + (detectors ? [] : ["--detectors", "none"])

        // A: one uninterrupted run.
        let a = dir + "/a.sqlite"
        let (aStatus, _, aErr) = try run(bin, analyze + ["--store", a])
        try #require(aStatus == 0, "\(aErr)")
        let total = try SQLiteStore.openReadOnly(path: a).summary().queries
        if detectors {
            let suspected = try SQLiteStore.openReadOnly(path: a).detections(in: DayRange(Day(year: 2022, month: 1, day: 1)!, Day(year: 2022, month: 12, day: 31)!), deviceID: nil, limit: 10_000_000).filter { $0.tier == StoreVocabulary.suspected }.count
            #expect(suspected > 0, "the detectors must flag something for this test to hold them exact")
        }
        let inputs = try #require(storedEvents(a)).inputs
        #expect(total > 200_000, "\(total) events")
        #expect(inputs >= 6, "\(inputs) input files")

        // B: killed three times, each time after it has committed past another quarter of the events.
        let b = dir + "/b.sqlite"
        var killedAt: [Int64] = []
        for round in 1...3 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = analyze + ["--store", b]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let target = total * Int64(round) / 4
            let deadline = Date().addingTimeInterval(600)
            while p.isRunning && Date() < deadline {
                if let s = storedEvents(b), s.events >= target { break }
                usleep(10_000)
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            try #require(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL,
                         "round \(round): analyze finished before it could be killed (status \(p.terminationStatus))")
            let s = try #require(storedEvents(b))
            #expect(s.events < total && s.complete < inputs, "round \(round): the kill must land mid-ingest (\(s))")
            killedAt.append(s.events)
        }
        #expect(killedAt == killedAt.sorted() && Set(killedAt).count == 3, "each attempt stored more: \(killedAt)")

        // Run to the end: it resumes (status 0), then a further run stores nothing.
        let (bStatus, _, bErr) = try run(bin, analyze + ["--store", b])
        #expect(bStatus == 0, "\(bErr)")
        let (again, againOut, _) = try run(bin, analyze + ["--store", b, "--json"])
        #expect(again == 0)
        let againSummary = try #require(try JSONSerialization.jsonObject(with: Data(againOut.utf8)) as? [String: Any])
        #expect(againSummary["events"] as? Int == 0, "a run over inputs already stored reads nothing")

        let sa = try SQLiteStore.openReadOnly(path: a), sb = try SQLiteStore.openReadOnly(path: b)
        #expect(try sb.summary() == sa.summary())
        #expect(try sb.summary().queries == total)

        // Every metric: the reports are equal once the run records (times, one per attempt) are set aside.
        let ra = try report(bin, a, dir + "/a.json"), rb = try report(bin, b, dir + "/b.json")
        var ca = ra, cb = rb
        ca.context.runs = []
        cb.context.runs = []
        #expect(ca.tables.count > 10)
        #expect(ca.tables.map(\.id) == cb.tables.map(\.id))
        for (ta, tb) in zip(ca.tables, cb.tables) {
            let differ = zip(ta.rows, tb.rows).filter { $0 != $1 }
            #expect(ta.rows.count == tb.rows.count && differ.isEmpty,
                    "table \(ta.id): \(ta.rows.count) vs \(tb.rows.count) rows, \(differ.count) differ; first: \(differ.first.map { "\($0.0) vs \($0.1)" } ?? "-")")
        }
        ca.tables = []
        cb.tables = []
        #expect(ca == cb, "findings, periods and store facts")

        // The run records account for exactly what is stored: A one finished run; B three interrupted ones (left
        // with finished 0), the one that completed, and the one that found nothing to do.
        for (r, store) in [(ra, sa), (rb, sb)] {
            let s = try store.summary()
            #expect(r.context.runs.reduce(0) { $0 + $1.queries } == s.queries)
            #expect(r.context.runs.reduce(0) { $0 + $1.detections } == s.detections)
        }
        #expect(ra.context.runs.count == 1 && ra.context.runs[0].finishedNanos > 0 && ra.context.runs[0].queries == total)
        #expect(rb.context.runs.map { $0.finishedNanos == 0 } == [true, true, true, false, false])
        #expect(rb.context.runs.prefix(3).map(\.queries).reduce(0, +) == killedAt[2])
        #expect(rb.context.runs[4].queries == 0 && rb.context.runs[4].sources.isEmpty)
        // The methodology says so.
        let (ms, _, _) = try run(bin, ["report", "--store", b, "--format", "md", "--out", dir + "/b.md"])
        #expect(ms == 0)
        #expect(try String(contentsOfFile: dir + "/b.md", encoding: .utf8).contains("from 5 ingest runs (dnsight"))
        #expect(try String(contentsOfFile: dir + "/b.md", encoding: .utf8).contains("; 3 of them did not finish (interrupted, or still running)"))
    }
}
