import Analytics
import EventStore
import Foundation
import SQLiteStore
import StoreFixtures
import Testing
import TestSupport

/// Each metric on hand-built data whose answer is known exactly.
@Suite struct MetricTests {
    static func load(_ obs: [TrafficObservation], _ range: DayRange = DayRange(Day(iso: "2026-01-01")!, Day(iso: "2027-01-31")!),
                     options: AnalyticsOptions = AnalyticsOptions()) throws -> Analytics {
        let dir = TestScratch.path("metrics")
        let store = try SQLiteStore.open(path: dir + "/m.sqlite")
        try store.write(Build.batch(obs))
        return try Analytics.load(from: store.snapshot(), range: range, options: options)
    }

    func m(_ n: Int64, _ d: Int64, _ b: Int64) -> Measure { Measure(numerator: n, denominator: d, basis: b) }

    @Test func periodsHaveUTCBoundaries() {
        #expect(Period.quarter(2026, 1).range == DayRange(Day(iso: "2026-01-01")!, Day(iso: "2026-03-31")!))
        #expect(Period.quarter(2026, 4).range == DayRange(Day(iso: "2026-10-01")!, Day(iso: "2026-12-31")!))
        #expect(Period.half(2026, 1).range == DayRange(Day(iso: "2026-01-01")!, Day(iso: "2026-06-30")!))
        #expect(Period.half(2026, 2).range == DayRange(Day(iso: "2026-07-01")!, Day(iso: "2026-12-31")!))
        #expect(Period.month(2028, 2).range.count == 29)
        #expect(Day(timeNanos: Build.time("2026-04-01") - 1) == Day(iso: "2026-03-31"))
        #expect(Day(timeNanos: -1) == Day(index: -1))
        let cover = Period.covering(DayRange(Day(iso: "2026-02-15")!, Day(iso: "2026-08-10")!), by: .quarter)
        #expect(cover.map(\.label) == ["2026-Q1", "2026-Q2", "2026-Q3"])
        #expect(cover.map(\.partial) == [true, false, true])
        #expect(cover[0].range.first == Day(iso: "2026-02-15") && cover[2].range.last == Day(iso: "2026-08-10"))
        #expect(Period.covering(DayRange(Day(iso: "2026-01-01")!, Day(iso: "2026-12-31")!), by: .half).map(\.label) == ["2026-H1", "2026-H2"])
        for d in stride(from: -800, through: 40_000, by: 37) {
            let day = Day(index: Int32(d))
            #expect(Day(iso: day.description) == day)
        }
    }

    @Test func devicesSeenRespectQuarterAndHalfBoundaries() throws {
        let a = Build.device("o", "a"), b = Build.device("o", "b"), c = Build.device("o", "c", region: "NA")
        let d = Build.device("p", "d", region: "EMEA"), e = Build.device("p", "e", region: "EMEA")
        let x = try Self.load([
            Build.clean(a, Build.time("2026-03-31", 23, 59, 59, ns: 999_999_999)),
            Build.clean(b, Build.time("2026-04-01")),
            Build.clean(c, Build.time("2026-03-31", 12)), Build.clean(c, Build.time("2026-04-01", 12)),
            Build.clean(d, Build.time("2026-06-30", 23, 59, 59, ns: 999_999_999)),
            Build.clean(e, Build.time("2026-07-01")),
            Build.clean(e, Build.time("2027-01-01")),
        ])
        func seen(_ p: Period, _ dim: DeviceDimension? = nil) throws -> [String: Int64] { try x.devicesSeen(in: p, by: dim).mapValues(\.numerator) }
        #expect(try seen(.quarter(2026, 1)) == ["all": 2])
        #expect(try seen(.quarter(2026, 2)) == ["all": 3])
        #expect(try seen(.half(2026, 1)) == ["all": 4])
        #expect(try seen(.half(2026, 2)) == ["all": 1])
        #expect(try seen(.year(2026)) == ["all": 5])
        #expect(try seen(.quarter(2027, 1).clampedForTest) == ["all": 1])
        #expect(try seen(.month(2026, 3)) == ["all": 2])
        #expect(try seen(.day(Day(iso: "2026-04-01")!)) == ["all": 2])
        #expect(try seen(.quarter(2026, 2), .region) == ["APAC": 1, "NA": 1, "EMEA": 1])
        #expect(try x.devicesSeen(in: .quarter(2026, 2), by: .region)["NA"] == m(1, 3, 1))
        #expect(try seen(.quarter(2026, 3)) == ["all": 1])
        // A period outside the loaded range is refused rather than answered with zeros.
        #expect(throws: AnalyticsError.self) { try x.devicesSeen(in: .year(2025)) }
    }

    @Test func affectedSharesAndFamilySharesWithDevicesInSeveralFamilies() throws {
        let xx = Build.device("o", "x"), y = Build.device("o", "y"), z = Build.device("o", "z"), w = Build.device("o", "w")
        let clean = (0..<6).map { Build.device("o", "clean\($0)") }
        let t = Build.time("2026-02-01", 10)
        var obs = clean.map { Build.clean($0, t) }
        obs += [
            Build.hit(xx, t, "c2", family: "QSnatch"), Build.hit(xx, t + 1, "c2", family: "Emotet", tags: ["iab"]),
            Build.hit(y, t, "c2", family: "QSnatch"), Build.hit(y, t + 1, "malware", family: "Pykspa"),
            Build.hit(z, t, "c2"),
            Build.hit(w, t, "c2", family: "QSnatch"), Build.hit(w, t + 1, "c2"),
        ]
        let a = try Self.load(obs)
        let q = Period.quarter(2026, 1)
        #expect(try a.affectedDevices(category: "c2", in: q)["all"] == m(4, 10, 10))
        #expect(try a.affectedDevices(category: "malware", in: q)["all"] == m(1, 10, 10))
        #expect(try a.affectedDevices(category: "phishing", in: q)["all"] == m(0, 10, 10))
        #expect(try a.affectedDevices(category: nil, in: q)["all"] == m(4, 10, 10))
        let fs = try #require(try a.familyShares(category: "c2", in: q)["all"])
        #expect(fs.families == ["QSnatch": m(3, 4, 4), "Emotet": m(1, 4, 4)])
        #expect(fs.unattributed == m(1, 4, 4))  // z only: w also has an attributed family
        #expect(try a.familyShares(category: "malware", in: q)["all"]?.families == ["Pykspa": m(1, 1, 1)])
    }

    @Test func organisationsWithC2CountOnlyOrganisationsSeenInThePeriod() throws {
        let o1 = Build.device("org1", "a", industry: "manufacturing"), o2 = Build.device("org2", "a", industry: "high-tech")
        let o3 = Build.device("org3", "a", industry: "manufacturing"), o4 = Build.device("org4", "a", industry: "commerce")
        let o1b = Build.device("org1", "b", industry: "manufacturing")
        let q1 = Build.time("2026-02-01"), q2 = Build.time("2026-05-01")
        let a = try Self.load([
            Build.hit(o1, q1, "c2", family: "QSnatch"), Build.clean(o1b, q1), Build.clean(o1, q2),
            Build.clean(o2, q1),  // org2 has no traffic in Q2
            Build.hit(o3, q2, "c2", family: "REvil", tags: ["ransomware"]),  // org3 has none in Q1
            Build.clean(o4, q1), Build.clean(o4, q2), Build.hit(o4, q2, "phishing"),
        ])
        #expect(try a.organisations(in: .quarter(2026, 1))["all"] == m(1, 3, 4))
        #expect(try a.organisations(in: .quarter(2026, 2))["all"] == m(1, 3, 3))
        #expect(try a.organisations(in: .quarter(2026, 2), by: .industry) == ["manufacturing": m(1, 2, 2), "commerce": m(0, 1, 1)])
        #expect(try a.organisations(in: .half(2026, 1))["all"] == m(2, 4, 5))
        // Any category ("signs of compromise").
        #expect(try a.organisations(with: nil, in: .half(2026, 1))["all"] == m(3, 4, 5))
        // Filtered to one industry.
        #expect(try a.organisations(in: .half(2026, 1), filter: .only(.industry, "manufacturing"))["all"] == m(2, 2, 3))
    }

    @Test func iabReachCountsC2DevicesThatReachedAnIABDomain() throws {
        let d = (0..<5).map { Build.device("o", "d\($0)", region: $0 < 3 ? "APAC" : "NA") }
        let t = Build.time("2026-03-01")
        let a = try Self.load([
            Build.hit(d[0], t, "c2", family: "Emotet", tags: ["iab"]),
            Build.hit(d[1], t, "c2", family: "QSnatch"), Build.hit(d[1], t + 1, "malware", family: "QakBot", tags: ["iab"]),
            Build.hit(d[2], t, "c2", family: "QSnatch"),
            Build.hit(d[3], t, "malware", family: "IcedID", tags: ["iab"]),  // IAB but not C2: outside the denominator
            Build.hit(d[4], t, "c2"),
        ])
        #expect(try a.iabReach(in: .quarter(2026, 1))["all"] == m(2, 4, 4))
        #expect(try a.iabReach(in: .quarter(2026, 1), by: .region) == ["APAC": m(2, 3, 3), "NA": m(0, 1, 1)])
        #expect(try a.iabReach(in: .quarter(2026, 2)).isEmpty)
    }

    @Test func topThreatsRankByDevicesOrQueriesAndMarkRansomware() throws {
        let d = (0..<4).map { Build.device("o", "d\($0)") }
        let t = Build.time("2026-01-10")
        var obs: [TrafficObservation] = []
        for i in 0..<3 { obs.append(Build.hit(d[i], t + Int64(i), "c2", family: "QSnatch")) }  // 3 devices, 3 queries
        for k in 0..<10 { obs.append(Build.hit(d[3], t + Int64(k), "malware", family: "Pykspa")) }  // 1 device, 10 queries
        obs.append(Build.hit(d[0], t + 50, "c2", family: "LockBit", tags: ["ransomware"]))
        obs.append(Build.hit(d[1], t + 51, "c2", family: "Emotet", tags: ["iab"]))
        obs.append(Build.hit(d[2], t + 52, "c2"))  // unattributed: never ranked
        let a = try Self.load(obs)
        let q = Period.quarter(2026, 1)
        let byDev = try #require(try a.topThreats(in: q, ranking: .devices)["all"])
        #expect(byDev.map(\.family) == ["QSnatch", "Pykspa", "Emotet", "LockBit"])  // ties broken by queries, then name
        #expect(byDev.map(\.ransomware) == [false, false, false, true])
        #expect(byDev.map(\.iab) == [false, false, true, false])
        #expect(byDev[0].devices == m(3, 4, 3) && byDev[0].queries == m(3, 16, 3))
        #expect(try a.topThreats(in: q, ranking: .queries)["all"]?.map(\.family) == ["Pykspa", "QSnatch", "Emotet", "LockBit"])
        #expect(try a.topThreats(in: q, ranking: .devices, n: 2)["all"]?.count == 2)
        #expect(byDev[1].categories == ["malware"])
    }

    @Test func c2ThreatsRankByOrganisationsAndC2OrganisationsSplitByIndustry() throws {
        let t = Build.time("2026-03-03")
        let o1a = Build.device("org1", "a", industry: "manufacturing"), o1b = Build.device("org1", "b", industry: "manufacturing")
        let o2 = Build.device("org2", "a", industry: "manufacturing"), o3 = Build.device("org3", "a", industry: "high-tech")
        let o3b = Build.device("org3", "b", industry: "high-tech")
        let a = try Self.load([
            Build.hit(o1a, t, "c2", family: "QSnatch"), Build.hit(o1b, t, "c2", family: "QSnatch"),
            Build.hit(o2, t, "c2", family: "LockBit", tags: ["ransomware"]),
            Build.hit(o3, t, "c2", family: "QSnatch"), Build.hit(o3b, t, "malware", family: "Emotet", tags: ["iab"]),
        ])
        let q = Period.quarter(2026, 1)
        let c2 = try #require(try a.c2ThreatsByOrganisations(in: q)["all"])
        #expect(c2.map(\.family) == ["QSnatch", "LockBit"])
        #expect(c2[0].organisations == m(2, 3, 3) && c2[0].devices == m(3, 4, 3))
        #expect(c2[1].organisations == m(1, 3, 1) && c2[1].devices == m(1, 4, 1) && c2[1].ransomware)
        #expect(try a.c2OrganisationsByIndustry(in: q) == ["manufacturing": m(2, 3, 4), "high-tech": m(1, 3, 4)])
        let ranks = try #require(try a.threatRanks(in: q)["all"])
        #expect(ranks.first { $0.family == "QSnatch" }?.organisations == m(2, 3, 3))
        #expect(ranks.first { $0.family == "Emotet" }?.organisations == m(1, 3, 1))
    }

    @Test func flaggedQueriesCountEachQueryOnceAndRatiosCompareRegions() throws {
        let ap = Build.device("isp-ap", "h1", region: "APAC", segment: "home"), na = Build.device("isp-na", "h1", region: "NA", segment: "home")
        let eu = Build.device("isp-eu", "h1", region: "EMEA", segment: "home")
        let t = Build.time("2026-08-01")
        var obs: [TrafficObservation] = []
        for i in 0..<4 { obs.append(Build.clean(ap, t + Int64(i))) }
        for i in 0..<5 { obs.append(Build.hit(ap, t + 10 + Int64(i), "malware", family: "Pykspa")) }
        // One query with two detections: one flagged query.
        obs.append(TrafficObservation(timeNanos: t + 20, device: ap, domain: "2.bad", resolved: true, detections: [
            Build.detection(ap, t + 20, "malware", family: "Pykspa", name: "2.bad"), Build.detection(ap, t + 20, "c2", family: "Pykspa", name: "2.bad"),
        ]))
        for i in 0..<17 { obs.append(Build.clean(na, t + Int64(i))) }
        for i in 0..<3 { obs.append(Build.hit(na, t + 30 + Int64(i), "c2", family: "QSnatch")) }
        obs.append(Build.clean(eu, t))
        let a = try Self.load(obs)
        let h2 = Period.half(2026, 2)
        #expect(try a.flaggedQueries(in: h2, filter: .only(.segment, "home")) == ["APAC": m(6, 10, 1), "NA": m(3, 20, 1), "EMEA": m(0, 1, 0)])
        let ratios = try a.flaggedQueryRatios(in: h2, filter: .only(.segment, "home"))
        #expect(ratios.map(\.group) == ["APAC"] && ratios.map(\.versus) == ["NA"])
        #expect(ratios[0].measure.share == 2)
        // Known-only view: everything here is known, so nothing changes.
        let totals = try a.queryTotals(in: h2)
        #expect(totals.queries == 31 && totals.flagged == 9)
        // The two categories of the double detection both count in the threat roll-up (the family's queries sum them).
        #expect(try a.topThreats(in: h2, ranking: .queries)["all"]?.first?.queries.numerator == 7)
    }

    @Test func phishingCampaignsGroupByKeySplitOnGapsAndCountIndustries() throws {
        let d = (0..<5).map { Build.device("o", "d\($0)") }
        func phish(_ dev: DeviceInfo, _ day: String, tags: [String], family: String = "", name: String) -> TrafficObservation {
            Build.hit(dev, Build.time(day, 9), "phishing", family: family, tags: tags, name: name)
        }
        let fin = "targeted-industry:financial-services", com = "targeted-industry:commerce"
        let a = try Self.load([
            // Campaign id wins over brand: two domains, one campaign; gap of exactly 30 days keeps it one campaign.
            phish(d[0], "2026-01-01", tags: ["campaign:a", "targeted-brand:megabank", fin], name: "a1.bad"),
            phish(d[1], "2026-01-31", tags: ["campaign:a", fin], name: "a2.bad"),
            // A gap of 31 days splits a key into two campaigns.
            phish(d[2], "2026-01-01", tags: [com], family: "16shop", name: "b1.bad"),
            phish(d[2], "2026-02-01", tags: ["kit:16shop", com], name: "b2.bad"),
            // Brand only.
            phish(d[3], "2026-01-05", tags: ["targeted-brand:payfast", fin], name: "c1.bad"),
            phish(d[3], "2026-01-06", tags: ["targeted-brand:payfast", fin], name: "c2.bad"),
            // Nothing known: the domain is its own campaign, no industry.
            phish(d[4], "2026-01-07", tags: [], name: "lone.bad"),
        ])
        let q = Period.quarter(2026, 1)
        let list = try a.phishingCampaignList(in: q)
        #expect(list.map(\.key) == ["campaign:a", "kit:16shop", "brand:payfast", "domain:lone.bad", "kit:16shop"])
        #expect(list.map(\.industries) == [["financial-services"], ["commerce"], ["financial-services"], [], ["commerce"]])
        #expect(list.map(\.victims) == [2, 1, 1, 1, 1])
        #expect(try a.phishingCampaigns(in: q) == ["financial-services": m(2, 5, 5), "commerce": m(2, 5, 5), "": m(1, 5, 5)])
        #expect(try a.phishingVictims(in: q) == ["financial-services": m(3, 5, 5), "commerce": m(1, 5, 5), "": m(1, 5, 5)])
        // Campaigns are cut to the period: January alone has four (16shop once).
        #expect(try a.phishingCampaignList(in: .month(2026, 1)).count == 4)
        let wider = try Self.load([
            phish(d[2], "2026-01-01", tags: [com], family: "16shop", name: "b1.bad"), phish(d[2], "2026-02-01", tags: [com], family: "16shop", name: "b2.bad"),
        ], options: AnalyticsOptions(campaignGapDays: 31))
        #expect(try wider.phishingCampaignList(in: q).count == 1)
    }

    @Test func deviceTypesAmongInfectedDevices() throws {
        let t = Build.time("2026-05-05")
        let a = try Self.load([
            Build.hit(Build.device("o", "n1", type: "nas"), t, "c2", family: "QSnatch"),
            Build.hit(Build.device("o", "n2", type: "nas"), t, "c2", family: "QSnatch"),
            Build.hit(Build.device("o", "p1", type: "pc"), t, "malware"),
            Build.clean(Build.device("o", "m1", type: "mobile"), t),
            Build.hit(Build.device("o", "u1", type: ""), t, "phishing"),
        ])
        let q = Period.quarter(2026, 2)
        #expect(try a.deviceTypes(in: q) == ["nas": m(2, 4, 4), "pc": m(1, 4, 4), "": m(1, 4, 4)])
        #expect(try a.deviceTypes(infectedBy: "c2", in: q) == ["nas": m(2, 2, 2)])
    }

    @Test func chainsNeedAnIABQueryThenARansomwareQueryWithinTheWindow() throws {
        let d = (0..<7).map { Build.device("o", "d\($0)") }
        let day = Day.nanosPerDay
        let t = Build.time("2026-01-05", 12)
        var obs: [TrafficObservation] = []
        func iab(_ i: Int, _ at: Int64) { obs.append(Build.hit(d[i], at, "c2", family: "Emotet", tags: ["iab"])) }
        func ran(_ i: Int, _ at: Int64) { obs.append(Build.hit(d[i], at, "c2", family: "LockBit", tags: ["ransomware"])) }
        iab(0, t); ran(0, t + 30 * day)                 // exactly 30 days: a chain
        iab(1, t); ran(1, t + 30 * day + 1)             // one nanosecond too late
        ran(2, t); iab(2, t + day)                      // the wrong order
        obs.append(Build.hit(d[3], t, "c2", family: "X", tags: ["iab", "ransomware"]))  // the same instant is not "later"
        // Several IAB queries on one day: only the last is within 30 days of the ransomware query.
        iab(4, Build.time("2026-01-10", 10)); iab(4, Build.time("2026-01-10", 11)); iab(4, Build.time("2026-01-10", 12))
        ran(4, Build.time("2026-02-09", 11, 30))
        // Ransomware the same day, a few hours later.
        iab(5, Build.time("2026-01-20", 1)); ran(5, Build.time("2026-01-20", 5))
        ran(6, t)                                       // ransomware alone: not in the denominator
        let a = try Self.load(obs)
        let q = Period.quarter(2026, 1)
        #expect(try a.chains(in: q)["all"] == m(3, 6, 6))
        // With a 29-day window, device 0 and device 4 drop out.
        let narrow = try Self.load(obs, options: AnalyticsOptions(chainDays: 29))
        #expect(try narrow.chains(in: q)["all"] == m(1, 6, 6))
        // The ransomware query must fall in the period too.
        #expect(try a.chains(in: .month(2026, 1))["all"] == m(1, 6, 6))
        #expect(throws: AnalyticsError.self) { try Self.load(obs, options: AnalyticsOptions(chainDays: 0)) }
    }

    @Test func newlyObservedDomainsUseTheWindowEndingWithThePeriod() throws {
        let dv = Build.device("o", "a")
        let a = try Self.load([
            Build.clean(dv, Build.time("2026-01-01"), domain: "old.example"),
            Build.clean(dv, Build.time("2026-01-31"), domain: "edge.example"),           // first day of the window
            Build.clean(dv, Build.time("2026-02-10"), domain: "new.example", resolved: false),
            Build.clean(dv, Build.time("2026-03-31", 23), domain: "new.example"),         // resolves before the end
            Build.hit(dv, Build.time("2026-03-01"), "phishing", name: "bad.example"),
            Build.clean(dv, Build.time("2026-03-02"), domain: "later-bad.example"),
            Build.hit(dv, Build.time("2026-04-02"), "c2", name: "later-bad.example"),      // malicious only after the period
            Build.clean(dv, Build.time("2026-04-01"), domain: "future.example"),
            Build.clean(dv, Build.time("2026-03-20"), domain: "old.example"),             // old: first seen long ago
        ])
        let n = try a.newlyObservedDomains(asOf: .quarter(2026, 1))
        #expect(n.window == DayRange(Day(iso: "2026-01-31")!, Day(iso: "2026-03-31")!))
        #expect(n.counts == NewlyObservedDomainCounts(domains: 4, resolving: 4, malicious: 1, maliciousResolving: 1))
        #expect(n.maliciousShareOfResolving == m(1, 4, 4))
        let apr = try a.newlyObservedDomains(asOf: .month(2026, 4))
        // The window is now 2026-03-02…04-30: later-bad (malicious by then) and future.
        #expect(apr.counts == NewlyObservedDomainCounts(domains: 2, resolving: 2, malicious: 1, maliciousResolving: 1))
    }

    @Test func knownOnlyScopeIgnoresSuspectedDetections() throws {
        let d = (0..<3).map { Build.device("o", "d\($0)") }
        let t = Build.time("2026-01-02")
        let obs = [
            Build.hit(d[0], t, "c2", family: "QSnatch"),
            Build.hit(d[1], t, "c2", family: "QSnatch", tier: "suspected"),
            Build.clean(d[2], t),
        ]
        let q = Period.quarter(2026, 1)
        #expect(try Self.load(obs).affectedDevices(category: "c2", in: q)["all"] == m(2, 3, 3))
        let known = try Self.load(obs, options: AnalyticsOptions(tiers: .known))
        #expect(try known.affectedDevices(category: "c2", in: q)["all"] == m(1, 3, 3))
        #expect(try known.flaggedQueries(in: q, by: nil)["all"] == m(1, 3, 1))
    }

    @Test func suppressionIsDecidedByTheDeviceBasis() {
        #expect(!m(1, 4, 4).isPublishable(minimumDevices: 5))
        #expect(m(1, 5, 5).isPublishable(minimumDevices: 5))
        #expect(m(0, 0, 0).isPublishable(minimumDevices: 0))
        #expect(m(3, 4, 4).share == 0.75 && m(1, 0, 0).share == nil)
    }
}

extension Period {
    /// Q1 2027 cut to the test's loaded range (which ends on 2027-01-31).
    var clampedForTest: Period {
        var p = self
        p.range = DayRange(range.first, Day(iso: "2027-01-31")!)
        return p
    }
}
