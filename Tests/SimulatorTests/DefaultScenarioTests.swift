import Foundation
import Testing
@testable import Simulator

/// The default scenario's ground truth lands where the reference report's figures are (mission.md), with the
/// tolerances the simulator issue sets.
@Suite struct DefaultScenarioTests {
    static let truth: GroundTruth = {
        let dir = Fixtures.folder("default")
        let s = try! Scenario.builtInDefault()
        _ = try! Simulator.run(scenario: s, outDir: dir, formats: [], seed: s.seed ?? 1)
        return try! Simulator.loadGroundTruth(dir + "/ground-truth.json")
    }()

    func share(_ m: TruthMeasure?) -> Double { m?.share ?? -1 }

    @Test func sizedForTheDemo() {
        let t = Self.truth
        #expect(t.scenario.start == "2022-01-01" && t.scenario.end == "2022-12-31")
        #expect((1_000_000...3_000_000).contains(t.totals.events))
        #expect(t.scenario.dga == "detectors")
    }

    @Test func organisationsWithC2EachQuarter() throws {
        let quarters = Self.truth.periods.filter { $0.kind == "quarter" }
        #expect(quarters.count == 4)
        for q in quarters {
            let m = try #require(q.group("all", "enterprise")?.organisations.withC2)
            #expect((0.10...0.16).contains(share(m)), "\(q.label): \(m)")
        }
    }

    @Test func devicesPerCategoryEachQuarter() throws {
        for q in Self.truth.periods where q.kind == "quarter" {
            let g = try #require(q.group("all", "all"))
            #expect((0.08...0.14).contains(share(g.affectedDevices["malware"])), "\(q.label)")
            #expect((0.035...0.065).contains(share(g.affectedDevices["phishing"])), "\(q.label)")
            #expect((0.006...0.011).contains(share(g.affectedDevices["c2"])), "\(q.label)")
        }
    }

    @Test func qsnatchAndIABReach() throws {
        let year = try #require(Self.truth.period("2022"))
        let all = try #require(year.group("all", "all")), apac = try #require(year.group("APAC", "all"))
        #expect((0.31...0.41).contains(share(all.familyShares["c2"]?.families["QSnatch"])))
        #expect((0.54...0.66).contains(share(apac.familyShares["c2"]?.families["QSnatch"])))
        #expect((0.21...0.31).contains(share(all.iabReach)))
        #expect((0.10...0.20).contains(share(apac.iabReach)))
    }

    @Test func ransomwareAmongTopC2ThreatsInAPAC() throws {
        let g = try #require(Self.truth.period("2022")?.group("APAC", "enterprise"))
        let top = g.topThreats.c2ByOrganisations.map(\.family)
        #expect(top.count == 5)
        #expect(top.contains("LockBit") && top.contains("REvil"), "\(top)")
        #expect(g.chains.numerator > 0)
    }

    @Test func homeFlaggedQueriesSecondHalf() throws {
        let h2 = try #require(Self.truth.period("2022-H2"))
        let ratios = try #require(h2.flaggedQueryRatios["home"])
        #expect(ratios.first?.region == "APAC" && ratios.first?.versus == "NA")
        #expect((1.7...2.5).contains(share(ratios.first?.measure)))
    }

    @Test func phishingOnFinancialBrands() throws {
        let g = try #require(Self.truth.period("2022")?.group("all", "all"))
        #expect(share(g.phishing.campaignsByIndustry["financial-services"]) > 0.40)
        #expect((0.60...0.85).contains(share(g.phishing.victimsByIndustry["financial-services"])))
    }

    @Test func organisationsWithC2ByIndustry() throws {
        let g = try #require(Self.truth.period("2022")?.group("all", "enterprise"))
        let split = g.organisations.c2OrganisationsByIndustry
        #expect(share(split["manufacturing"]) > 0.28)
        let top = split.sorted { ($0.value.numerator, $1.key) > ($1.value.numerator, $0.key) }.first?.key
        #expect(top == "manufacturing")
    }

    @Test func newlyObservedDomains() throws {
        let nod = try #require(Self.truth.period("2022")).newlyObservedDomains.byRegisteredDomain
        #expect((0.12...0.30).contains(share(nod.maliciousShareOfResolving)), "\(nod)")
    }
}
