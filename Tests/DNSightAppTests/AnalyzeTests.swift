import DNSightApp
import Foundation
import Testing
import TestSupport

/// `dnsight analyze` end to end on a small Zeek log whose answer is known: real Maltrail intel, an inventory, a
/// malformed line, and the built binary's exit codes.
@Suite(.serialized) struct AnalyzeTests {
    static let shared: URL = {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { u.deleteLastPathComponent() }
        return u.appendingPathComponent("shared/data/intel/maltrail/malware")
    }()

    /// A scratch folder with intel (three real trail files + an allowlist), an inventory and a Zeek log.
    static func fixture() throws -> URL {
        let dir = TestScratch.folder("analyze")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("intel"), withIntermediateDirectories: true)
        for f in ["qakbot", "lockbit", "emotet"] {
            try FileManager.default.copyItem(at: shared.appendingPathComponent("\(f).txt"), to: dir.appendingPathComponent("intel/\(f).txt"))
        }
        try """
        cidr,organisation,segment,region,country,industry,device_type
        10.0.0.0/24,Acme,enterprise,NA,US,manufacturing,pc
        10.0.1.0/24,Globex,enterprise,APAC,JP,financial-services,pc
        """.write(to: dir.appendingPathComponent("inventory.csv"), atomically: true, encoding: .utf8)
        let header = ChunkedAnalyzeTests.header  // the Zeek dns.log header Zeek writes
        func row(_ t: Int, _ client: String, _ name: String, _ answers: String = "-") -> String {
            "\(1_656_000_000 + t).000000\tC\(t)\t\(client)\t5\(t)000\t10.9.9.9\t53\tudp\t\(t)\t0.001\t\(name)\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t\(answers)\t-\tF"
        }
        let lines = [
            row(1, "10.0.0.5", "abc-hobbies.com"),                      // QakBot (Acme, device .5)
            row(2, "10.0.0.5", "www.abc-hobbies.com"),                  // QakBot again, same device
            row(3, "10.0.0.6", "lockbit-decryptor.com"),                // LockBit (Acme, device .6)
            row(4, "10.0.1.7", "www.example.com", "66.210.228.178"),    // Emotet by answer address (Globex .7)
            row(5, "10.0.1.8", "www.example.org"),                      // clean
            "this line is not a Zeek record",
            row(6, "192.0.2.1", "example.net"),                         // clean, not in the inventory
        ]
        try (header + "\n" + lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("dns.log"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func findsTheKnownDetectionsAndCountsEverything() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = AnalyzeConfiguration(inputs: [dir.appendingPathComponent("dns.log").path], snapshotPath: "/nonexistent")
        c.intelPaths = [dir.appendingPathComponent("intel").path]
        c.inventoryPaths = [dir.appendingPathComponent("inventory.csv").path]
        c.detectionsPath = dir.appendingPathComponent("detections.jsonl").path
        let s = try AnalyzeJob.run(c)
        #expect(s.events == 6)
        #expect(s.inputs.first?.format == "zeek")
        #expect(s.inputs.first?.malformed == 1)
        #expect(s.detections == 4)
        #expect(s.devicesSeen == 5 && s.organisationsSeen == 3)  // Acme, Globex, unattributed
        #expect(s.affectedDevices == 3 && s.affectedOrganisations == 2)
        let fam = Dictionary(uniqueKeysWithValues: s.families.map { ($0.family, ($0.devices, $0.queries)) })
        #expect(fam["QakBot"]! == (1, 2))
        #expect(fam["LockBit"]! == (1, 1))
        #expect(fam["Emotet"]! == (1, 1))
        #expect(s.categories.reduce(0) { $0 + $1.queries } == 4)
        #expect(s.attribution["cidr"] == 5 && s.attribution["unknown"] == 1)
        // The detections file: one JSON object per detection, with evidence pointing at the Zeek line.
        let lines = try String(contentsOf: URL(fileURLWithPath: c.detectionsPath!), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let lockbit = try #require(objects.first { ($0["family"] as? String) == "LockBit" })
        #expect(lockbit["organisation"] as? String == "Acme")
        #expect(lockbit["region"] as? String == "NA")
        #expect(lockbit["query"] as? String == "lockbit-decryptor.com")
        #expect((lockbit["traits"] as? [String])?.contains("ransomware") == true)
        #expect((lockbit["evidence"] as? [String: Any])?["line"] as? Int == 10)
        #expect(lockbit["time"] as? String == "2022-06-23T16:00:03.000000000Z")
        let emotet = try #require(objects.first { ($0["family"] as? String) == "Emotet" })
        #expect(emotet["matched_on"] as? String == "answer address 66.210.228.178")
    }

    @Test func foldersAreReadRecursivelyAndNonLogFilesSkipped() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logs = dir.appendingPathComponent("logs/2022")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: dir.appendingPathComponent("dns.log"), to: logs.appendingPathComponent("dns.log"))
        try "notes about these logs\n".write(to: logs.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)
        var c = AnalyzeConfiguration(inputs: [dir.appendingPathComponent("logs").path], snapshotPath: "/nonexistent")
        c.intelPaths = [dir.appendingPathComponent("intel").path]
        let s = try AnalyzeJob.run(c)
        #expect(s.events == 6 && s.detections == 4)
        #expect(s.failedInputs == 0)
        #expect(s.inputs.filter { $0.skipped != nil }.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["README.txt"])
    }

    @Test func storeIsWrittenOnceAndTheReportReadsIt() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let intel = ["--intel", dir.appendingPathComponent("intel").path, "--inventory", dir.appendingPathComponent("inventory.csv").path]
        let log = dir.appendingPathComponent("dns.log").path
        let store = dir.appendingPathComponent("store.sqlite").path
        let (first, text, err) = try Self.run(["analyze", "--store", store] + intel + [log])
        #expect(first == 0, "\(err)")
        #expect(text.contains("Stored in \(store)"))
        // The same file again: already stored, so nothing is counted twice.
        let (again, json, _) = try Self.run(["analyze", "--json", "--store", store] + intel + [log])
        #expect(again == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(obj["events"] as? Int == 0)
        let inputs = obj["inputs"] as! [[String: Any]]
        #expect(inputs.first?["skipped"] as? String == "already ingested into the store")
        // The report reads the store.
        let out = dir.appendingPathComponent("report.json").path
        let (rc, _, rerr) = try Self.run(["report", "--store", store, "--format", "json", "--out", out, "--min-devices", "1"])
        #expect(rc == 0, "\(rerr)")
        let report = try String(contentsOfFile: out, encoding: .utf8)
        #expect(report.contains("QakBot") && report.contains("LockBit"))
    }

    /// The built `dnsight` binary next to the test bundle.
    static var binary: URL { Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("dnsight") }

    static func run(_ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func commandExitCodesAndSummary() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let intel = ["--intel", dir.appendingPathComponent("intel").path, "--inventory", dir.appendingPathComponent("inventory.csv").path]
        let log = dir.appendingPathComponent("dns.log").path
        let (ok, text, _) = try Self.run(["analyze", "--no-store"] + intel + [log])
        #expect(ok == 0)
        #expect(text.contains("Read 6 DNS transactions from 1 input(s)"))
        #expect(text.contains("Affected: 3 of 5 devices seen (60.0%), 2 of 3 organisations (66.7%)"))
        #expect(text.contains("QakBot"))
        // A missing input: the others are still analysed, exit 1.
        let (missing, text2, _) = try Self.run(["analyze", "--no-store"] + intel + [log, dir.appendingPathComponent("nope.log").path])
        #expect(missing == 1)
        #expect(text2.contains("NOT READ"))
        // No intel at all: exit 2 with the reason.
        let (noIntel, _, err) = try Self.run(["analyze", "--no-store", "--snapshot", dir.appendingPathComponent("none.snapshot").path, log])
        #expect(noIntel == 2)
        #expect(err.contains("no intel snapshot"))
        // Bad usage: exit 64.
        let (usage, _, _) = try Self.run(["analyze", "--no-store", "--format", "nonsense", log])
        #expect(usage == 64)
        // CSV through a mapping file (--map @file).
        let csv = dir.appendingPathComponent("proxy.csv"), mapping = dir.appendingPathComponent("proxy.map")
        try Data("When,Who,Asked,Kind\n2026-11-28 10:00:00,10.1.0.5,a.example,A\n2026-11-28 10:00:01,10.1.0.6,b.example,AAAA\n".utf8).write(to: csv)
        try Data("# proxy export\ntime = When\nclient = Who\nqname = Asked\nqtype = Kind\n".utf8).write(to: mapping)
        let (mapped, text3, _) = try Self.run(["analyze", "--no-store", "--format", "csv", "--map", "@" + mapping.path, "--tz", "+09:00"] + intel + [csv.path])
        #expect(mapped == 0)
        #expect(text3.contains("Read 2 DNS transactions from 1 input(s)"))
        let (badTZ, _, _) = try Self.run(["analyze", "--no-store", "--tz", "Tokyo", log])
        #expect(badTZ == 64)
        // JSON summary for machines.
        let (_, json, _) = try Self.run(["analyze", "--no-store", "--json"] + intel + [log])
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(obj["detections"] as? Int == 4)
    }
}
