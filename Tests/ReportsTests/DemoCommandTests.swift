import Foundation
import Reports
import Testing

/// `dnsight demo` in a format other than dnstap: the JSON lines the simulator writes as Packetbeat does are read
/// through the Packetbeat column mapping, so every simulated transaction reaches the store.
@Suite struct DemoCommandTests {
    @Test func demoInPacketbeatJSONReadsEveryTransaction() throws {
        let bin = try dnsightBinary()
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try DetectorMethodologyTests.scenario.write(toFile: dir + "/scenario.yaml", atomically: true, encoding: .utf8)
        let (status, out, err) = try run(bin, ["demo", "--scenario", dir + "/scenario.yaml", "--format", "json", "--out", dir + "/demo"])
        #expect(status == 0, "\(err)")
        #expect(!err.contains("note: analyze read"), "\(err)")
        #expect(out.contains("The report: "))
        // The store holds every simulated transaction.
        let sim = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/demo/data/simulation.json"))) as? [String: Any])
        let events = try #require(sim["events"] as? Int)
        let report = try JSONDecoder().decode(ReportData.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/demo/report.json")))
        #expect(events > 10_000)
        #expect(report.context.store.queries == Int64(events))
        #expect(report.context.runs.first?.sources.allSatisfy { $0.format == "json" && $0.malformed == 0 } == true)
        #expect(report.context.runs.first?.sources.count == (sim["formats"] as? [[String: Any]])?.first?["files"].map { ($0 as? [Any])?.count ?? -1 })
    }
}
