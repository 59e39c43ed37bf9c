import Analytics
import EventStore
import Foundation
import SQLiteStore
import StoreFixtures
import Testing
import TestSupport

/// Every metric, computed by ``Analytics`` from the SQLite store's roll-ups, equals the brute-force ground truth of
/// the generated observations — for every quarter, half, a month and a custom range; ungrouped and grouped by
/// region, segment and industry; unfiltered and filtered; all tiers and known only.
@Suite struct GroundTruthTests {
    static func makeWorld() -> SyntheticWorld {
        var c = SyntheticWorld.Config()
        c.seed = 42
        c.days = 365
        c.enterprisesPerRegion = 5
        c.devicesPerEnterprise = 3...9
        c.devicesPerISP = 24
        c.cleanQueries = 1...3
        c.infectionScale = 1.5
        return SyntheticWorld(c)
    }

    static func tempPath(_ name: String) -> String {
        let dir = TestScratch.folder("truth")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    func pairs(_ m: [String: Measure]) -> [String: GroundTruth.Pair] {
        m.mapValues { GroundTruth.Pair(Int($0.numerator), Int($0.denominator)) }
    }

    @Test(arguments: [TierScope.all, TierScope.known])
    func everyMetricEqualsGroundTruth(tiers: TierScope) throws {
        let world = Self.makeWorld()
        let obs = world.allObservations()
        #expect(obs.count > 20_000)
        let store = try SQLiteStore.open(path: Self.tempPath("gt.sqlite"))
        // Several batches, as an ingest would write them.
        var batch = IngestBatch()
        for (i, o) in obs.enumerated() {
            batch.add(o)
            if i % 20_000 == 19_999 { try store.write(batch); batch = IngestBatch() }
        }
        try store.write(batch)

        var truth = GroundTruth(obs)
        truth.knownOnly = tiers == .known
        let year = DayRange(world.config.start, world.config.start.advanced(by: world.config.days - 1))
        let a = try Analytics.load(from: try store.snapshot(), range: year, options: AnalyticsOptions(tiers: tiers))
        var periods = Period.covering(year, by: .quarter) + Period.covering(year, by: .half)
        periods += [Period.month(2026, 2), Period.custom(DayRange(Day(iso: "2026-03-15")!, Day(iso: "2026-05-20")!))]
        let groupings: [(DeviceDimension?, GroundTruth.Group)] = [(nil, GroundTruth.ungrouped), (.region, { $0.region }),
                                                            (.segment, { $0.segment }), (.industry, { $0.industry })]
        let filters: [(DeviceFilter, GroundTruth.Filter)] = [(.all, GroundTruth.everyone), (.only(.region, "APAC"), { $0.region == "APAC" }),
                                                             (.only(.segment, "home"), { $0.segment == "home" })]
        var checked = 0
        for p in periods {
            let r = p.range
            for (filter, tf) in filters {
                for (dim, tg) in groupings {
                    let seen = try a.devicesSeen(in: p, filter: filter, by: dim).mapValues { Int($0.numerator) }
                    #expect(seen == truth.devicesSeen(r, tf, tg), "devices seen \(p) \(filter) \(String(describing: dim))")
                    for c in [nil] + StoreVocabulary.categories {
                        #expect(pairs(try a.affectedDevices(category: c, in: p, filter: filter, by: dim)) == truth.affected(c, r, tf, tg),
                                "affected \(c ?? "any") \(p) \(filter) \(String(describing: dim))")
                    }
                    #expect(pairs(try a.organisations(with: "c2", in: p, filter: filter, by: dim)) == truth.organisations("c2", r, tf, tg))
                    #expect(pairs(try a.organisations(with: nil, in: p, filter: filter, by: dim)) == truth.organisations(nil, r, tf, tg))
                    for c in StoreVocabulary.categories {
                        let fs = try a.familyShares(category: c, in: p, filter: filter, by: dim)
                        let ts = truth.familyShares(c, r, tf, tg)
                        #expect(Set(fs.keys) == Set(ts.keys))
                        for (g, v) in ts {
                            #expect(fs[g].map { pairs($0.families) } == v.families, "family shares \(c) \(p) \(g)")
                            #expect(fs[g].map { GroundTruth.Pair(Int($0.unattributed.numerator), Int($0.unattributed.denominator)) } == v.unattributed)
                        }
                    }
                    #expect(pairs(try a.iabReach(in: p, filter: filter, by: dim)) == truth.iabReach(r, tf, tg), "IAB reach \(p)")
                    let top = try a.topThreats(in: p, filter: filter, by: dim, ranking: .devices, n: 1000)
                    let tt = truth.threats(r, tf, tg)
                    #expect(Set(top.keys) == Set(tt.keys))
                    for (g, fams) in tt {
                        var got: [String: [Int]] = [:]
                        for t in top[g] ?? [] {
                            got[t.family] = [Int(t.devices.numerator), Int(t.queries.numerator), Int(t.organisations.numerator), Int(t.organisations.denominator)]
                        }
                        let want: [String: [Int]] = fams.mapValues { [$0.devices, $0.queries, $0.organisations.num, $0.organisations.den] }
                        #expect(got == want, "threats \(p) \(g)")
                    }
                    #expect(pairs(try a.flaggedQueries(in: p, filter: filter, by: dim)) == truth.flaggedQueries(r, tf, tg), "flagged \(p)")
                    #expect(pairs(try a.chains(in: p, filter: filter, by: dim)) == truth.chains(r, tf, tg), "chains \(p)")
                    checked += 1
                }
                #expect(pairs(try a.phishingCampaigns(in: p, filter: filter)) == truth.campaignShares(r, tf), "campaigns \(p) \(filter)")
                #expect(pairs(try a.phishingVictims(in: p, filter: filter)) == truth.phishingVictims(r, tf), "victims \(p)")
                #expect(pairs(try a.deviceTypes(infectedBy: nil, in: p, filter: filter)) == truth.deviceTypes(nil, r, tf))
                #expect(pairs(try a.deviceTypes(infectedBy: "c2", in: p, filter: filter)) == truth.deviceTypes("c2", r, tf))
            }
            let nod = try a.newlyObservedDomains(asOf: p)
            let tn = truth.newlyObserved(asOf: r.last)
            let gotNOD: [Int] = [nod.counts.domains, nod.counts.resolving, nod.counts.malicious, nod.counts.maliciousResolving].map { Int($0) }
            let wantNOD: [Int] = [tn.domains, tn.resolving, tn.malicious, tn.maliciousResolving]
            #expect(gotNOD == wantNOD, "NOD \(p)")
        }
        #expect(checked == periods.count * filters.count * groupings.count)
    }

    /// The world is not degenerate: every metric has something to count, so the comparison above means something.
    @Test func generatedWorldExercisesEveryMetric() throws {
        let world = Self.makeWorld()
        let truth = GroundTruth(world.allObservations())
        let year = DayRange(world.config.start, world.config.start.advanced(by: world.config.days - 1))
        let q1 = Period.quarter(2026, 1).range
        for c in StoreVocabulary.categories { #expect((truth.affected(c, q1)["all"]?.num ?? 0) > 0, "no \(c) in Q1") }
        for c in StoreVocabulary.categories { #expect((truth.affected(c, year)["all"]?.num ?? 0) > 2, "too little \(c) in the year") }
        #expect((truth.iabReach(year)["all"]?.num ?? 0) > 0)
        #expect((truth.chains(year)["all"]?.num ?? 0) > 0)
        let chains = truth.chains(year)["all"]!
        #expect(chains.num < chains.den, "some IAB devices must not chain")
        #expect(truth.campaigns(year).count > 10)
        #expect(truth.campaignShares(year)[""] != nil, "some campaigns with no known target")
        #expect((truth.familyShares("c2", year)["all"]?.unattributed.num ?? 0) > 0)
        let orgsQ = Period.covering(year, by: .quarter).map { truth.organisations(nil, $0.range)["all"]!.den }
        #expect(Set(orgsQ).count > 1, "organisations seen should differ between quarters")
        #expect(truth.newlyObserved(asOf: q1.last).domains > 0)
    }
}
