import DNSightApp
import Detectors
import Foundation
import Testing

/// `dnsight analyze` with the behaviour detectors: a Zeek log with one device in a DGA NXDOMAIN burst, one
/// beaconing and one tunnelling, next to a benign device; the flags, the config file and the seen-set file.
@Suite(.serialized) struct DetectorsAnalyzeTests {
    static let t0 = 1_709_251_200

    static func fixture() throws -> URL {
        let dir = try AnalyzeTests.fixture()
        var rows: [(Double, String)] = []
        func row(_ t: Double, _ client: String, _ name: String, type: String = "A", code: Int = 1, rcode: Int = 0) {
            let rname = rcode == 3 ? "NXDOMAIN" : "NOERROR"
            rows.append((t, String(format: "%.6f", t) + "\tC\(rows.count)\t\(client)\t5353\t10.9.9.9\t53\tudp\t\(rows.count)\t0.001\t\(name)\t1\tC_INTERNET\t\(code)\t\(type)\t\(rcode)\t\(rname)\tF\tF\tT\tT\t0\t-\t-\tF"))
        }
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var seed: UInt64 = 42
        func rnd(_ n: Int, _ a: [Character] = letters) -> String {
            String((0..<n).map { _ in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return a[Int((seed >> 33) % UInt64(a.count))]
            })
        }
        let base = Double(Self.t0)
        for i in 0..<30 { row(base + Double(i) * 10, "10.0.0.21", rnd(15) + ".com", rcode: 3) }               // DGA burst
        for i in 0..<30 { row(base + Double(i) * 60 + Double(i % 3), "10.0.0.22", "sync.checkin-relay.net") }  // beacon
        let b32 = Array("abcdefghijklmnopqrstuvwxyz234567")
        for i in 0..<60 { row(base + Double(i) * 2, "10.0.0.23", rnd(56, b32) + "." + rnd(40, b32) + ".t.exfil-lab.net", type: "TXT", code: 16) }
        var t = base
        for i in 0..<50 {   // a person browsing: irregular gaps
            t += Double(5 + (i * i * 7919) % 400)
            row(t, "10.0.0.24", ["www.wikipedia.org", "www.bbc.co.uk", "github.com"][i % 3])
        }
        rows.sort { $0.0 < $1.0 }
        let header = try String(contentsOf: dir.appendingPathComponent("dns.log"), encoding: .utf8).split(separator: "\n").prefix { $0.hasPrefix("#") }
        try (header.joined(separator: "\n") + "\n" + rows.map(\.1).joined(separator: "\n") + "\n")
            .write(to: dir.appendingPathComponent("behaviour.log"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func detectorsFireWithEvidenceAndCountsInTheSummary() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = AnalyzeConfiguration(inputs: [dir.appendingPathComponent("behaviour.log").path], snapshotPath: "/nonexistent")
        c.intelPaths = [dir.appendingPathComponent("intel").path]
        c.inventoryPaths = [dir.appendingPathComponent("inventory.csv").path]
        c.detectionsPath = dir.appendingPathComponent("detections.jsonl").path
        c.detectors.newDomain.stateFile = dir.appendingPathComponent("seen.bin").path
        let s = try AnalyzeJob.run(c)
        let by = Dictionary(uniqueKeysWithValues: s.detectors.map { ($0.name, $0) })
        #expect(by["nxdomain"]!.alerts == 1 && by["nxdomain"]!.devices == 1)
        #expect(by["beacon"]!.alerts == 1 && by["beacon"]!.devices == 1)
        #expect(by["tunnel"]!.alerts == 1 && by["tunnel"]!.devices == 1)
        #expect(s.suspectedDetections > 0 && s.detections == s.suspectedDetections)
        #expect(s.newlyObservedDomains! > 0)
        #expect(s.seenSetSaved == c.detectors.newDomain.stateFile)
        #expect(FileManager.default.fileExists(atPath: c.detectors.newDomain.stateFile!))
        #expect(s.detectorMethodology?.detectors.count == 5)
        let objects = try String(contentsOf: URL(fileURLWithPath: c.detectionsPath!), encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let beacon = try #require(objects.first { $0["indicator"] as? String == "beacon" })
        #expect(beacon["tier"] as? String == "suspected" && beacon["category"] as? String == "c2" && beacon["matched_on"] as? String == "behaviour")
        #expect(beacon["device"] as? String == "10.0.0.22" && beacon["organisation"] as? String == "Acme")
        let evidence = try #require(beacon["detector"] as? [String: Any])
        #expect((evidence["rule"] as? String)?.contains("median interval") == true)
        #expect(((evidence["measures"] as? [String: Any])?["median_interval_s"] as? Double).map { abs($0 - 60) < 3 } == true)
        #expect((beacon["score"] as? Double)! >= (beacon["threshold"] as? Double)!)
        let tunnel = try #require(objects.first { $0["indicator"] as? String == "dns-tunnel" })
        #expect(tunnel["category"] as? String == "exfiltration" && tunnel["device"] as? String == "10.0.0.23")
        let burst = try #require(objects.first { $0["indicator"] as? String == "nxdomain-burst" })
        #expect(burst["device"] as? String == "10.0.0.21")
        #expect(((burst["detector"] as? [String: Any])?["names"] as? [[String: Any]])?.isEmpty == false)
        #expect(!objects.contains { $0["device"] as? String == "10.0.0.24" })
    }

    @Test func flagsConfigFileAndSettingsList() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let intel = ["--intel", dir.appendingPathComponent("intel").path]
        let log = dir.appendingPathComponent("behaviour.log").path
        let (ok, text, _) = try AnalyzeTests.run(["analyze", "--no-store"] + intel + [log])
        #expect(ok == 0)
        #expect(text.contains("Detectors (suspected tier)"))
        #expect(text.contains("beacon    1 fired, 1 devices"))
        #expect(text.contains("evicted at the cap"))
        let (_, none, _) = try AnalyzeTests.run(["analyze", "--no-store", "--detectors", "none"] + intel + [log])
        #expect(none.contains("Detectors: none enabled"))
        let (_, without, _) = try AnalyzeTests.run(["analyze", "--no-store", "--without-detector", "beacon"] + intel + [log])
        #expect(without.contains("beacon    off"))
        try "beacon:\n  threshold: 0.99\n  min_queries: 30\ntunnel.enabled: false\n".write(to: dir.appendingPathComponent("d.yaml"), atomically: true, encoding: .utf8)
        let (_, cfg, _) = try AnalyzeTests.run(["analyze", "--no-store", "--detectors-config", dir.appendingPathComponent("d.yaml").path] + intel + [log])
        #expect(cfg.contains("tunnel    off"))
        let (_, list, _) = try AnalyzeTests.run(["analyze", "--list-detector-settings", "--detectors-config", dir.appendingPathComponent("d.yaml").path])
        #expect(list.contains("beacon.threshold\t0.99\t") && list.contains("beacon.min_queries\t30\t") && list.contains("tunnel.enabled\tfalse\t"))
        try "beacon:\n  treshold: 0.9\n".write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let (bad, _, err) = try AnalyzeTests.run(["analyze", "--no-store", "--detectors-config", dir.appendingPathComponent("bad.yaml").path] + intel + [log])
        #expect(bad == 2 && err.contains("beacon.treshold"))
        let (usage, _, _) = try AnalyzeTests.run(["analyze", "--no-store", "--detectors", "beacons"] + intel + [log])
        #expect(usage == 64)
        let (_, json, _) = try AnalyzeTests.run(["analyze", "--no-store", "--json"] + intel + [log])
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect((obj["detectors"] as? [[String: Any]])?.count == 5)
        #expect(obj["detectorMethodology"] != nil)
    }

    @Test func configFilesParseNestedDottedAndLists() throws {
        let s = try DetectorConfigFile.parse("""
        {"beacon": {"threshold": 0.9}, "nod.window_days": 30, "common": {"benign_domains": ["a.com", "B.org"]}, "dga": {"threshold": null}}
        """, file: "x.json")
        #expect(s.beacon.threshold == 0.9 && s.newDomain.windowDays == 30 && s.common.benignDomains == ["a.com", "b.org"] && s.dga.threshold == nil)
        #expect(throws: AnalyzeError.self) { try DetectorConfigFile.parse("beacon: [1, 2]\n", file: "x.yaml") }
        #expect(throws: AnalyzeError.self) { try DetectorConfigFile.parse("beacon:\n  min_queries: 2\n", file: "x.yaml") }
    }
}
