import Foundation
import Testing
@testable import Simulator

/// The ground truth of the tiny world (see ``Fixtures/tinyYAML``), worked out by hand from who is infected with what.
@Suite struct GroundTruthTests {
    static let truth: GroundTruth = {
        let dir = Fixtures.folder("truth-tiny")
        _ = try! Simulator.run(scenario: Fixtures.tiny(), outDir: dir, formats: [], seed: 7)
        return try! Simulator.loadGroundTruth(dir + "/ground-truth.json")
    }()

    @Test func periodsOfOneQuarter() throws {
        #expect(Self.truth.periods.map(\.label) == ["2022-Q1", "2022-H1", "2022"])
        #expect(Self.truth.period("2022-Q1")?.partial == false)
        #expect(Self.truth.period("2022-H1")?.partial == true)
        #expect(Self.truth.scenario.devices == 9)
        #expect(Self.truth.scenario.organisations == 3)
    }

    @Test func devicesAndCategories() throws {
        let g = try #require(Self.truth.period("2022-Q1")?.group("all", "all"))
        #expect(g.devicesSeen == 9)
        // C2: the NAS (QSnatch) and the bank PC (Emotet, then LockBit). Malware: the home PC with Pykspa (the
        // catalogue files Pykspa under malware). Phishing: the one phone that clicked.
        #expect(g.affectedDevices["c2"] == TruthMeasure(2, 9))
        #expect(g.affectedDevices["malware"] == TruthMeasure(1, 9))
        #expect(g.affectedDevices["phishing"] == TruthMeasure(1, 9))
        #expect(g.affectedDevices["exfiltration"] == TruthMeasure(0, 9))
        #expect(g.affectedDevices["any"] == TruthMeasure(4, 9))
    }

    @Test func organisations() throws {
        let g = try #require(Self.truth.period("2022-Q1")?.group("all", "all"))
        #expect(g.organisations.seen == 3)
        #expect(g.organisations.withC2 == TruthMeasure(2, 3))
        #expect(g.organisations.withAny == TruthMeasure(3, 3))
        #expect(g.organisations.withC2ByIndustry["manufacturing"] == TruthMeasure(1, 1))
        #expect(g.organisations.withC2ByIndustry["financial-services"] == TruthMeasure(1, 1))
        #expect(g.organisations.withC2ByIndustry[""] == TruthMeasure(0, 1))
        #expect(g.organisations.c2OrganisationsByIndustry == ["manufacturing": TruthMeasure(1, 2), "financial-services": TruthMeasure(1, 2)])
        let home = try #require(Self.truth.period("2022-Q1")?.group("NA", "home"))
        #expect(home.organisations.withC2 == TruthMeasure(0, 1))
    }

    @Test func familiesIABAndChains() throws {
        let g = try #require(Self.truth.period("2022-Q1")?.group("all", "all"))
        let c2 = try #require(g.familyShares["c2"])
        #expect(c2.families == ["QSnatch": TruthMeasure(1, 2), "Emotet": TruthMeasure(1, 2), "LockBit": TruthMeasure(1, 2)])
        #expect(c2.unattributed == TruthMeasure(0, 2))
        #expect(g.familyShares["malware"]?.families == ["Pykspa": TruthMeasure(1, 1)])
        #expect(g.familyShares["phishing"]?.unattributed == TruthMeasure(1, 1))
        #expect(g.iabReach == TruthMeasure(1, 2))
        #expect(g.chains == TruthMeasure(1, 1))
        let names = Set(g.topThreats.byDevices.map(\.family))
        #expect(names == ["QSnatch", "Emotet", "LockBit", "Pykspa"])
        #expect(g.topThreats.byDevices.first { $0.family == "LockBit" }?.ransomware == true)
        #expect(g.topThreats.byDevices.first { $0.family == "Emotet" }?.iab == true)
        #expect(g.topThreats.c2ByOrganisations.map(\.family).sorted() == ["Emotet", "LockBit", "QSnatch"])
    }

    @Test func phishingAndDeviceTypes() throws {
        let g = try #require(Self.truth.period("2022-Q1")?.group("all", "all"))
        #expect(g.phishing.campaigns.count == 1)
        #expect(g.phishing.campaigns.first?.key.hasPrefix("brand:") == true)
        #expect(g.phishing.campaigns.first?.industries == ["financial-services"])
        #expect(g.phishing.campaigns.first?.victims == 1)
        #expect(g.phishing.campaignsByIndustry == ["financial-services": TruthMeasure(1, 1)])
        #expect(g.phishing.victimsByIndustry == ["financial-services": TruthMeasure(1, 1)])
        #expect(g.deviceTypes["any"] == ["nas": TruthMeasure(1, 4), "pc": TruthMeasure(2, 4), "mobile": TruthMeasure(1, 4)])
        #expect(g.deviceTypes["c2"] == ["nas": TruthMeasure(1, 2), "pc": TruthMeasure(1, 2)])
    }

    @Test func regionsAndSegments() throws {
        let p = try #require(Self.truth.period("2022-Q1"))
        let apac = try #require(p.group("APAC", "enterprise"))
        #expect(apac.devicesSeen == 5)
        #expect(apac.affectedDevices["c2"] == TruthMeasure(2, 5))
        #expect(apac.affectedDevices["malware"] == TruthMeasure(0, 5))
        let home = try #require(p.group("NA", "home"))
        #expect(home.devicesSeen == 4)
        #expect(home.affectedDevices["malware"] == TruthMeasure(1, 4))
        #expect(home.affectedDevices["phishing"] == TruthMeasure(1, 4))
        #expect(p.group("APAC", "home")?.devicesSeen == 0)
        // The flagged queries of the groups add up.
        let all = try #require(p.group("all", "all")).flaggedQueries.numerator
        #expect(all == apac.flaggedQueries.numerator + home.flaggedQueries.numerator)
        #expect(all == Self.truth.totals.flaggedQueries)
        #expect(all == Self.truth.totals.queriesByCategory.values.reduce(0, +))
    }
}
