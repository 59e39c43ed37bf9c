import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import Detectors
import TestSupport

@Suite struct NewDomainTests {
    static let settings = Behaviour.only("nod")
    static let day = 86_400.0

    @Test func flagsANewDomainThatLooksGenerated() throws {
        let events = [Behaviour.event("www.wikipedia.org", at: Behaviour.t0), Behaviour.event("xkqvbzrtwplmhd.com", at: Behaviour.t0 + 1),
                      Behaviour.event("mail.xkqvbzrtwplmhd.com", at: Behaviour.t0 + 2)]
        let (chain, verdicts) = Behaviour.run(Self.settings, events)
        #expect(verdicts.map(\.0) == [1, 2])
        let v = verdicts[0].1
        #expect(v.matched == NewDomainDetector.name && v.tier == .suspected && v.category == .malware && v.subject == .queryName)
        #expect(v.evidence!.key == "xkqvbzrtwplmhd.com")
        #expect(v.evidence!.measure("dga_score")! >= v.threshold!)
        let c = Behaviour.counters(chain, "nod")
        #expect(c.alerts == 1 && c.flaggedQueries == 2)
        #expect(chain.newDomains.count == 2 && chain.maliciousNewDomains.count == 1)
    }

    @Test func knownDomainsFromHistoryAreNotNewAndNewOnesAgeOut() throws {
        var history = NewDomainDetector.emptyHistory(DetectorSettings.NewDomain())
        _ = history.observe(StableHash.hash("xkqvbzrtwplmhd.com"), at: Int64(Behaviour.t0 - 90 * Self.day))
        _ = history.observe(StableHash.hash("seen-long-ago.com"), at: Int64(Behaviour.t0 - 90 * Self.day))
        _ = history.observe(StableHash.hash("later.example"), at: Int64(Behaviour.t0 - 20 * Self.day))   // ages the first two
        let events = [Behaviour.event("xkqvbzrtwplmhd.com", at: Behaviour.t0), Behaviour.event("qwzxkjvbnmplrt.net", at: Behaviour.t0 + 5),
                      Behaviour.event("qwzxkjvbnmplrt.net", at: Behaviour.t0 + 61 * Self.day)]
        let (chain, verdicts) = Behaviour.run(Self.settings, events, history: history)
        #expect(verdicts.map(\.0) == [1], "old domain quiet, new one flagged, then no longer new after 60 days")
        #expect(chain.newDomainHistory!.status(StableHash.hash("seen-long-ago.com"), at: Int64(Behaviour.t0)) == .old)
    }

    @Test func benignWordsAreRecordedButNotFlagged() {
        let names = ["shop.bakery-delights.com", "blog.mountainviewhiking.net", "www.citycouncil-news.org", "api.fastweather.io"]
        let events = names.enumerated().map { Behaviour.event($0.element, at: Behaviour.t0 + Double($0.offset)) }
        let (chain, verdicts) = Behaviour.run(Self.settings, events)
        #expect(verdicts.isEmpty)
        #expect(chain.newDomains.count == 4)
    }

    @Test func minimumHistorySuppressesFlagsInAFreshSet() {
        let s = Behaviour.only("nod") { $0.newDomain.minHistoryDays = 7 }
        let early = [Behaviour.event("www.wikipedia.org", at: Behaviour.t0), Behaviour.event("xkqvbzrtwplmhd.com", at: Behaviour.t0 + 100)]
        let late = [Behaviour.event("pzqxwvkbjtrnml.com", at: Behaviour.t0 + 8 * Self.day)]
        let (chain, v1) = Behaviour.run(s, early)
        #expect(v1.isEmpty)
        let (_, v2) = Behaviour.run(s, late, chain: chain)
        #expect(v2.count == 1)
    }

    @Test func internalNamesAreNotRecorded() {
        let events = [Behaviour.event("printer.local", at: Behaviour.t0), Behaviour.event("4.3.2.1.in-addr.arpa", at: Behaviour.t0, type: .ptr),
                      Behaviour.event("wpad", at: Behaviour.t0)]
        let (chain, _) = Behaviour.run(Self.settings, events)
        #expect(chain.newDomains.isEmpty && chain.newDomainHistory!.recentCount == 0)
    }

    @Test func persistedThroughAFileAcrossRuns() throws {
        let path = TestScratch.file("nod-chain.bin")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = [Behaviour.event("xkqvbzrtwplmhd.com", at: Behaviour.t0)]
        let (chain1, v1) = Behaviour.run(Self.settings, first)
        #expect(v1.count == 1)
        try chain1.newDomainHistory!.save(to: path)
        let loaded = try NewDomainHistory.load(from: path, windowSeconds: 60 * 86_400, maxRecent: 1000)
        // 70 days later the domain is no longer new; a fresh one still is
        let second = [Behaviour.event("zzwrt.example-later.com", at: Behaviour.t0 + 70 * Self.day),
                      Behaviour.event("xkqvbzrtwplmhd.com", at: Behaviour.t0 + 70 * Self.day + 1)]
        let (chain2, _) = Behaviour.run(Self.settings, second, history: loaded)
        #expect(chain2.newDomains.count == 1)
        #expect(chain2.newDomainHistory!.status(StableHash.hash("xkqvbzrtwplmhd.com"), at: Int64(Behaviour.t0 + 70 * Self.day)) == .old)
    }
}

@Suite struct DGAStageTests {
    static let settings = Behaviour.only("dga")

    @Test func attributesAGeneratedPykspaNameToItsFamily() throws {
        let day = UTCDay("2024-03-01")!
        let name = KnownDGAIndex.generate(.pykspaImprovedReal, days: day...day)[3].name
        let (_, verdicts) = Behaviour.run(Self.settings, [Behaviour.event(name, at: Behaviour.t0 + 600)])
        let v = try #require(verdicts.first?.1)
        #expect(v.family == "Pykspa" && v.matched == DGAQueryDetector.name && v.subject == .queryName)
        #expect(v.evidence!.rule.contains("pykspa generator"))
        #expect(v.traits.contains(.dga))
    }

    @Test func qsnatchNameOnItsDateIsC2() throws {
        let day = UTCDay("2024-03-01")!
        let name = KnownDGAIndex.generate(.qsnatchB, days: day...day)[7].name
        let (_, verdicts) = Behaviour.run(Self.settings, [Behaviour.event(name, at: Behaviour.t0 + 7200)])
        let v = try #require(verdicts.first?.1)
        #expect(v.family == "QSnatch" && v.category == .commandAndControl)
        // a year later the generator has moved on; the name is only as suspicious as it looks
        let (_, later) = Behaviour.run(Self.settings, [Behaviour.event(name, at: Behaviour.t0 + 365 * 86_400)])
        #expect(later.first?.1.family == nil)
    }

    @Test func aNewDomainThatManyDevicesQueryIsNotFlagged() throws {
        // 30 devices ask one new, generated-looking domain (a new CDN or app domain): the first devices' queries are
        // flagged until the domain counts as popular (`common.popular_devices`, 10), then no more.
        let events = (0..<30).map { Behaviour.event("assets.xkqvbzrtwplmhd.com", at: Behaviour.t0 + Double($0), client: "10.1.2.\($0 + 1)") }
        let (_, verdicts) = Behaviour.run(Behaviour.only("nod"), events)
        #expect(!verdicts.isEmpty, "while few devices ask, a new DGA-like domain is flagged")
        #expect(verdicts.count < 15, "once about ten devices ask, it is popular: \(verdicts.count) flagged")
        #expect(!verdicts.contains { $0.0 >= 20 })
        // with the popularity test off every query is flagged
        let off = Behaviour.only("nod") { $0.common.popularDevices = 0 }
        #expect(Behaviour.run(off, events).verdicts.count == 30)
    }

    @Test func aKnownGeneratorsNameIsFlaggedHoweverManyDevicesAsk() throws {
        let day = UTCDay("2024-03-01")!
        let name = KnownDGAIndex.generate(.qsnatchB, days: day...day)[7].name
        let events = (0..<30).map { Behaviour.event(name, at: Behaviour.t0 + 7200 + Double($0), client: "10.1.3.\($0 + 1)") }
        let (_, verdicts) = Behaviour.run(Behaviour.only("dga", "nod"), events)
        #expect(verdicts.count == 30)
        #expect(verdicts.allSatisfy { $0.1.family == "QSnatch" })
    }

    @Test func benignLookAlikesAreNotFlagged() {
        let names = ["www.google.com", "d1a2b3c4.cloudfront.net", "d3kx9qz7wpl2mv.cloudfront.net", "ec2-3-91-17-4.compute-1.amazonaws.com", "e1234.a.akamaiedge.net", "securepubads.g.doubleclick.net", "cdn.jsdelivr.net",
                     "web.prod.svc.cluster.local", "v10.events.data.microsoft.com", "1.0.0.10.in-addr.arpa", "www.bbc.co.uk", "github.com"]
        let events = names.enumerated().map { Behaviour.event($0.element, at: Behaviour.t0 + Double($0.offset)) }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }
}
