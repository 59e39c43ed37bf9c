import EventStore
import Foundation
import SQLiteStore
import StoreFixtures
import Testing

/// `dnsight store info` and `dnsight store prune`, run as a user would, with their exit codes.
@Suite struct StoreCommandTests {
    /// A store with traffic on the 1st and 20th of January to June 2020 (clean queries and C2 hits), one finished run
    /// and one checkpoint.
    func makeStore(_ path: String) throws -> SQLiteStore {
        let store = try SQLiteStore.open(path: path)
        var obs: [TrafficObservation] = []
        for m in 1...6 {
            for (i, day) in ["01", "20"].enumerated() {
                let d = Build.device("acme", "d\(i)")
                obs.append(Build.clean(d, Build.time("2020-0\(m)-\(day)"), domain: "site\(m)-\(day).example"))
                obs.append(Build.hit(d, Build.time("2020-0\(m)-\(day)", 12), "c2", family: "QSnatch"))
            }
        }
        var b = Build.batch(obs)
        b.setCheckpoint(IngestCheckpoint(stream: StreamIdentity(path: "/logs/dns.log", fileDevice: 1, inode: 2, size: 1000, modifiedNanos: 3,
                                                                headLength: 0, headHash: 0, part: 0),
                                         byteOffset: 1000, records: Int64(obs.count), complete: true, updatedNanos: 5))
        let run = try store.beginRun(IngestRun(startedNanos: 1, finishedNanos: 0, tool: "test", sources: [], feeds: [], detectors: [], queries: 0, detections: 0))
        try store.write(b, run: run)
        try store.finishRun(run, IngestRun(startedNanos: 1, finishedNanos: 2, tool: "test", sources: [.init(name: "/logs/dns.log", format: "zeek", events: 24)],
                                           feeds: [], detectors: [.init(name: "dga", parameters: [("dga.threshold", "0.9")])], queries: 999, detections: 999))
        return store
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func infoDescribesTheStore() throws {
        let bin = try dnsightBinary()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.sqlite"
        _ = try makeStore(path)
        let (status, out, err) = try run(bin, ["store", "info", "--store", path, "--json"])
        #expect(status == 0, "\(err)")
        let info = try json(out)
        #expect(info["firstDay"] as? String == "2020-01-01" && info["lastDay"] as? String == "2020-06-20")
        #expect(info["queries"] as? Int == 24 && info["detections"] as? Int == 12 && info["devices"] as? Int == 2)
        #expect(info["schema"] as? String == "v1")
        #expect(info["inputsTotal"] as? Int == 1 && info["inputsComplete"] as? Int == 1)
        let tables = try #require(info["tables"] as? [String: Int])
        #expect(tables["detection"] == 12 && tables["traffic_daily"] == 12 && tables["checkpoint"] == 1 && tables["ingest_run"] == 1)
        let runs = try #require(info["runs"] as? [[String: Any]])
        // The run's counts are what its batches stored, not what its final record claimed.
        #expect(runs.count == 1 && runs[0]["queries"] as? Int == 24 && runs[0]["detections"] as? Int == 12 && runs[0]["finished"] != nil)
        #expect(runs[0]["detectors"] as? [String] == ["dga"])

        let (ts, text, _) = try run(bin, ["store", "info", "--store", path])
        #expect(ts == 0)
        #expect(text.contains("traffic from 2020-01-01 to 2020-06-20") && text.contains("24 queries from 2 devices") && text.contains("complete /logs/dns.log"))

        // Missing, not a store: 2. Bad usage: 64.
        #expect(try run(bin, ["store", "info", "--store", dir + "/missing.sqlite"]).0 == 2)
        try "not a database".write(toFile: dir + "/text.sqlite", atomically: true, encoding: .utf8)
        let (ns, _, nerr) = try run(bin, ["store", "info", "--store", dir + "/text.sqlite"])
        #expect(ns == 2 && nerr.contains("dnsight store info:"), "\(nerr)")
        #expect(try run(bin, ["store", "info", "--store", path, "--inputs", "-1"]).0 == 64)
    }

    @Test func pruneRemovesTheDaysBeforeTheCutOff() throws {
        let bin = try dnsightBinary()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.sqlite"
        _ = try makeStore(path)
        // The same removal done in-process on a copy is the reference.
        let reference = dir + "/r.sqlite"
        let expected = try makeStore(reference).removeData(before: Day(iso: "2020-03-20")!)
        #expect(expected.detections == 5)

        // A dry run counts and changes nothing.
        let (ds, dout, derr) = try run(bin, ["store", "prune", "--store", path, "--before", "2020-03-20", "--dry-run", "--json"])
        #expect(ds == 0, "\(derr)")
        let dry = try json(dout)
        #expect(dry["detections"] as? Int == 5 && dry["rollupRows"] as? Int == Int(expected.rollupRows) && dry["domains"] as? Int == Int(expected.domains))
        #expect(dry["firstDay"] as? String == "2020-01-01")
        #expect(try SQLiteStore.openReadOnly(path: path).summary().detections == 12)

        // The prune itself.
        let (ps, pout, perr) = try run(bin, ["store", "prune", "--store", path, "--before", "2020-03-20", "--vacuum"])
        #expect(ps == 0, "\(perr)")
        #expect(pout.contains("Removed the data of the days before 2020-03-20: \(expected.rollupRows) roll-up rows, 5 detections, \(expected.domains) domains."), "\(pout)")
        #expect(pout.contains("now holds traffic from 2020-03-20 to 2020-06-20"))
        let after = try SQLiteStore.openReadOnly(path: path)
        #expect(try after.summary() == SQLiteStore.openReadOnly(path: reference).summary())
        #expect(try after.summary().detections == 7)
        // Checkpoints stay, so the pruned input is not read again.
        #expect(try after.allCheckpoints().count == 1)

        // --older-than counts back from today: a huge age removes nothing, one day removes everything (2020 is past).
        let (os, oout, _) = try run(bin, ["store", "prune", "--store", path, "--older-than", "100000d", "--json"])
        let none = try json(oout)
        #expect(os == 0 && none["detections"] as? Int == 0)
        let (ys, yout, _) = try run(bin, ["store", "prune", "--store", path, "--older-than", "1d"])
        #expect(ys == 0 && yout.contains("now holds no traffic"), "\(yout)")
        #expect(try SQLiteStore.openReadOnly(path: path).summary().detections == 0)

        // Usage errors: 64; a store that is missing or not a store: 2 (and no file is created).
        for args in [[String](), ["--older-than", "400d", "--before", "2020-01-01"], ["--older-than", "400"], ["--older-than", "x1d"],
                     ["--before", "2020-13-01"], ["--before", "2020-01-01", "--dry-run", "--vacuum"]] {
            #expect(try run(bin, ["store", "prune", "--store", path] + args).0 == 64, "\(args)")
        }
        #expect(try run(bin, ["store", "prune", "--store", dir + "/missing.sqlite", "--before", "2020-01-01"]).0 == 2)
        #expect(!FileManager.default.fileExists(atPath: dir + "/missing.sqlite"))
        try "not a database".write(toFile: dir + "/text.sqlite", atomically: true, encoding: .utf8)
        #expect(try run(bin, ["store", "prune", "--store", dir + "/text.sqlite", "--before", "2020-01-01"]).0 == 2)
    }

    /// `analyze --retain AGE` prunes the store after the ingest, as `store prune --older-than` does.
    @Test func analyzeRetainPrunesAfterTheIngest() throws {
        let bin = try dnsightBinary()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try DetectorMethodologyTests.scenario.write(toFile: dir + "/scenario.yaml", atomically: true, encoding: .utf8)
        try #require(try run(bin, ["simulate", "--scenario", dir + "/scenario.yaml", "--out", dir + "/sim", "--format", "zeek", "--quiet"]).0 == 0)
        let common = ["analyze", dir + "/sim/traffic", "--intel", dir + "/sim/intel", "--inventory", dir + "/sim/inventory.csv",
                      "--detectors", "none", "--quiet", "--json"]
        // An age that reaches back before the data keeps everything.
        let (ks, kout, kerr) = try run(bin, common + ["--store", dir + "/keep.sqlite", "--retain", "100000d"])
        #expect(ks == 0, "\(kerr)")
        let keep = try json(kout)
        #expect((keep["pruned"] as? [String: Any])?["detections"] as? Int == 0)
        let kept = try SQLiteStore.openReadOnly(path: dir + "/keep.sqlite").summary()
        #expect(kept.queries == Int64(keep["events"] as? Int ?? -1) && kept.detections > 0)
        // One day: the simulated January 2022 is all older, so everything stored goes again.
        let (ps, pout, perr) = try run(bin, common + ["--store", dir + "/pruned.sqlite", "--retain", "1d"])
        #expect(ps == 0, "\(perr)")
        let pruned = try json(pout)
        #expect((pruned["pruned"] as? [String: Any])?["detections"] as? Int == Int(kept.detections))
        #expect(try SQLiteStore.openReadOnly(path: dir + "/pruned.sqlite").summary().firstDay == nil)
        // Usage errors.
        #expect(try run(bin, common + ["--store", dir + "/x.sqlite", "--retain", "soon"]).0 == 64)
        #expect(try run(bin, common + ["--no-store", "--retain", "10d"]).0 == 64)
    }
}
