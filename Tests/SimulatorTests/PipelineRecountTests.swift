import Attribution
import Classifier
import DNSWire
import DNSightCore
import DomainMatcher
import Foundation
import LogReaders
import Testing
import ThreatIntel
@testable import Simulator

/// An independent recount of the ground truth from the written files with dnsight's own reader, intel importer,
/// classifier and inventory (everything but the store and the metrics): devices seen, affected devices per category,
/// flagged queries and organisations with C2, per quarter, region and segment.
@Suite struct PipelineRecountTests {
    struct Counts: Equatable, CustomStringConvertible {
        var seen = Set<String>(), queries = 0, flagged = 0
        var affected: [String: Set<String>] = [:]
        var orgsSeen = Set<String>(), orgsC2 = Set<String>()
        var familyDevices: [String: Set<String>] = [:]
        var description: String { "seen \(seen.count) queries \(queries) flagged \(flagged) affected \(affected.mapValues(\.count)) orgs \(orgsSeen.count)/\(orgsC2.count)" }
    }

    @Test(arguments: [OutputFormat.zeek, .dnstap])
    func recountMatchesTheGroundTruth(_ format: OutputFormat) throws {
        var scenario = try Fixtures.tinyWithTunnel()
        scenario.intel = IntelSpec(unknownShare: 0.25, formats: nil)
        let dir = Fixtures.folder("recount-\(format.rawValue)")
        let summary = try Simulator.run(scenario: scenario, outDir: dir, formats: [format], seed: 3)
        let truth = try Simulator.loadGroundTruth(dir + "/ground-truth.json")
        #expect(truth.totals.unlistedMaliciousQueries > 0)

        var importer = IntelImporter()
        _ = try importer.importPath(dir + "/intel")
        let classifier = Classifier(snapshot: try MatcherSnapshot(image: try importer.buildImage(created: 0)))
        let inventory = try Inventory.load(path: dir + "/inventory.csv", strict: true)

        // quarter label → (region, segment) → counts
        var counts: [String: [String: Counts]] = [:]
        let output = try #require(summary.formats.first)
        for file in output.files {
            var reader = try LogFormat(name: format.readerName)!.makeReader()
            var diagnostics = ReaderDiagnostics()
            try reader.read(try ByteInput(path: dir + "/" + file), diagnostics: &diagnostics) { e in
                let who = inventory.lookup(deviceID: e.deviceID, address: e.clientAddress)
                let org = who?.organisation ?? "?"
                let device = org + "|" + (e.deviceKey ?? "?")
                let day = Int(e.timeNanos / SimCalendar.nanosPerDay)
                let c = SimCalendar.civil(day)
                let quarter = "\(c.year)-Q\((c.month - 1) / 3 + 1)"
                var verdict: Verdict? = nil
                if case .detected(let v) = classifier.classify(e), v.tier == .known { verdict = v }
                for key in ["all|all", "all|\(who?.segment?.rawValue ?? "?")", "\(who?.region?.rawValue ?? "?")|all",
                            "\(who?.region?.rawValue ?? "?")|\(who?.segment?.rawValue ?? "?")"] {
                    var k = counts[quarter]?[key] ?? Counts()
                    k.seen.insert(device); k.queries += 1; k.orgsSeen.insert(org)
                    if let v = verdict {
                        k.flagged += 1
                        k.affected[v.categoryCode, default: []].insert(device)
                        if v.category == .commandAndControl { k.orgsC2.insert(org) }
                        if let f = v.family, v.category == .commandAndControl { k.familyDevices[f, default: []].insert(device) }
                    }
                    counts[quarter, default: [:]][key] = k
                }
            }
            #expect(diagnostics.malformedCount == 0)
        }
        var compared = 0
        for p in truth.periods where p.kind == "quarter" {
            for g in p.groups where g.devicesSeen > 0 {
                let k = try #require(counts[p.label]?["\(g.region)|\(g.segment)"], "\(p.label) \(g.region) \(g.segment)")
                #expect(g.devicesSeen == k.seen.count, "\(p.label) \(g.region)/\(g.segment): \(k)")
                #expect(g.flaggedQueries.numerator == k.flagged, "\(p.label) \(g.region)/\(g.segment): \(k)")
                #expect(g.flaggedQueries.denominator == k.queries, "\(p.label) \(g.region)/\(g.segment): \(k)")
                for cat in ["malware", "phishing", "c2", "exfiltration"] {
                    #expect(g.affectedDevices[cat]?.numerator == (k.affected[cat]?.count ?? 0), "\(p.label) \(g.region)/\(g.segment) \(cat)")
                }
                #expect(g.organisations.seen == k.orgsSeen.count)
                #expect(g.organisations.withC2.numerator == k.orgsC2.count)
                let shares = g.familyShares["c2"]?.families.mapValues(\.numerator) ?? [:]
                #expect(shares == k.familyDevices.mapValues(\.count), "\(p.label) \(g.region)/\(g.segment)")
                compared += 1
            }
        }
        #expect(compared >= 6)
    }
}
