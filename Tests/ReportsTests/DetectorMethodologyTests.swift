import EventStore
import Foundation
import Reports
import SQLiteStore
import Testing

/// The methodology section names the detectors that actually ran, with the thresholds in force: `dnsight analyze`
/// records them in the store's run record, and every report format and language shows them.
@Suite struct DetectorMethodologyTests {
    /// The scenario of the end-to-end test, one month long.
    static var scenario: String {
        EndToEndTests.scenario.replacingOccurrences(of: "end: \"2022-06-30\"", with: "end: \"2022-01-31\"")
    }

    @Test func reportsShowTheDetectorsAndThresholdsThatRan() throws {
        let bin = try dnsightBinary()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(Self.scenario.contains("2022-01-31"))
        try Self.scenario.write(toFile: dir + "/scenario.yaml", atomically: true, encoding: .utf8)
        try #require(try run(bin, ["simulate", "--scenario", dir + "/scenario.yaml", "--out", dir + "/sim", "--format", "zeek", "--quiet"]).0 == 0)
        // Four detectors of five, one threshold changed by a config file and one by nothing (its default).
        try "tunnel:\n  threshold: 0.65\nbeacon.min_queries: 15\n".write(toFile: dir + "/detectors.yaml", atomically: true, encoding: .utf8)
        let store = dir + "/store.sqlite"
        let (st, _, err) = try run(bin, ["analyze", dir + "/sim/traffic", "--intel", dir + "/sim/intel", "--inventory", dir + "/sim/inventory.csv",
                                         "--store", store, "--quiet", "--detectors", "dga,tunnel,beacon,nod", "--detectors-config", dir + "/detectors.yaml"])
        try #require(st == 0, "\(err)")

        // The store's run record.
        let runs = try SQLiteStore.openReadOnly(path: store).ingestRuns()
        let recorded = try #require(runs.last).detectors
        #expect(recorded.map(\.name) == ["dga", "tunnel", "beacon", "nod"])
        func parameter(_ d: String, _ k: String) -> String? {
            recorded.first { $0.name == d }?.parameters.first { $0.first == k }?.last
        }
        #expect(parameter("tunnel", "tunnel.threshold") == "0.65")
        #expect(parameter("beacon", "beacon.min_queries") == "15")
        #expect(parameter("beacon", "beacon.threshold") == "0.8")
        let dgaInForce = try #require(parameter("dga", "dga.threshold (in force)"))
        #expect(Double(dgaInForce).map { $0 > 0 && $0 < 1 } == true, "\(dgaInForce)")

        // Every format and language shows them (JSON carries the run records themselves).
        let expected = ["tunnel.threshold = 0.65", "beacon.min_queries = 15", "beacon.threshold = 0.8", "dga.threshold (in force) = \(dgaInForce)",
                        "nod.window_days = "]
        for lang in ["en", "ja"] {
            for format in ["html", "md", "json"] {
                let out = dir + "/report-\(lang).\(format)"
                let (rs, _, rerr) = try run(bin, ["report", "--store", store, "--format", format, "--out", out, "--lang", lang, "--min-devices", "0"])
                #expect(rs == 0, "\(rerr)")
                let text = try String(contentsOfFile: out, encoding: .utf8)
                if format == "json" {
                    let data = try JSONDecoder().decode(ReportData.self, from: Data(text.utf8))
                    #expect(data.context.runs.last?.detectors == recorded)
                    continue
                }
                // The detectors table of the methodology: its rows, one per detector that ran.
                let section: Substring
                let start = try #require(text.range(of: format == "html" ? "<table data-table=\"m-detectors\">" : (lang == "ja" ? "### 検知器" : "### Detectors")))
                let rest = text[start.upperBound...]
                section = rest[..<(rest.range(of: format == "html" ? "</table>" : "\n### ")?.lowerBound ?? rest.endIndex)]
                for d in ["dga", "tunnel", "beacon", "nod"] {
                    #expect(section.contains(format == "html" ? "<td>\(d)</td>" : "| \(d) |"), "\(format) \(lang): \(d)")
                }
                #expect(!section.contains("nxdomain"), "\(format) \(lang): nxdomain did not run")
                for e in expected { #expect(section.contains(e), "\(format) \(lang): \(e)") }
            }
        }

        // A run with every detector off adds no detector; the report says so instead of an empty table.
        let known = dir + "/known.sqlite"
        try #require(try run(bin, ["analyze", dir + "/sim/traffic", "--intel", dir + "/sim/intel", "--inventory", dir + "/sim/inventory.csv",
                                   "--store", known, "--quiet", "--detectors", "none"]).0 == 0)
        for lang in ["en", "ja"] {
            let out = dir + "/known-\(lang).md"
            #expect(try run(bin, ["report", "--store", known, "--format", "md", "--out", out, "--lang", lang]).0 == 0)
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(text.contains(lang == "ja" ? "検知器は使用されていません" : "No detector ran"), "\(lang)")
        }
    }
}
