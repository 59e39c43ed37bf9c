import Analytics
import EventStore
import Foundation
import Reports
import SQLiteStore
import StoreFixtures
import Testing
import TestSupport

func tempDir() -> String {
    let dir = TestScratch.path("report")
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A year of a small synthetic world, stored.
struct Fixture {
    let world: SyntheticWorld
    let observations: [TrafficObservation]
    let store: SQLiteStore

    init(seed: UInt64 = 11) throws {
        var c = SyntheticWorld.Config()
        c.seed = seed
        c.enterprisesPerRegion = 5
        c.devicesPerEnterprise = 3...9
        c.devicesPerISP = 24
        c.cleanQueries = 1...3
        c.infectionScale = 1.5
        world = SyntheticWorld(c)
        observations = world.allObservations()
        store = try SQLiteStore.open(path: tempDir() + "/r.sqlite")
        var b = IngestBatch()
        for (i, o) in observations.enumerated() {
            b.add(o)
            if i % 25_000 == 24_999 { try store.write(b); b = IngestBatch() }
        }
        try store.write(b)
    }
}

/// The JSON report — parsed back as a consumer would — equals the brute-force ground truth in every table, for
/// every period, region, segment and industry.
@Suite struct ReportGroundTruthTests {
    func pair(_ c: ReportCell) -> GroundTruth.Pair? {
        guard let n = c.numerator, let d = c.denominator else { return nil }
        return GroundTruth.Pair(Int(n), Int(d))
    }

    @Test(arguments: [TierScope.known, TierScope.all])
    func everyTableOfTheJSONReportEqualsTheGroundTruth(tiers: TierScope) throws {
        let fx = try Fixture()
        var truth = GroundTruth(fx.observations)
        truth.knownOnly = tiers == .known
        let data0 = try ReportBuilder.build(from: try fx.store.snapshot(),
                                            options: ReportOptions(minimumDevices: 0, analytics: AnalyticsOptions(tiers: tiers)))
        let json = try ReportRenderer.json(data0)
        let data = try JSONDecoder().decode(ReportData.self, from: Data(json.utf8))
        var ranges: [String: DayRange] = [:]
        for p in data.periods + data.halves + [data.summaryPeriod] { ranges[p.label] = DayRange(Day(iso: p.from)!, Day(iso: p.to)!) }
        #expect(data.periods.map(\.label) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"])
        #expect(data.summaryPeriod.label == "2026")
        func group(_ dim: String) -> GroundTruth.Group {
            switch dim {
            case "region": return { $0.region }
            case "segment": return { $0.segment }
            case "industry": return { $0.industry }
            default: return GroundTruth.ungrouped
            }
        }
        func regionFilter(_ r: String) -> GroundTruth.Filter { r == "all" ? GroundTruth.everyone : { $0.region == r } }
        var checked = Set<String>()
        var cells = 0
        func check(_ id: String, _ body: (ReportTable, ReportRow, DayRange) throws -> Void) throws {
            let t = try #require(data.table(id))
            #expect(!t.rows.isEmpty, "\(id) is empty")
            for r in t.rows {
                try body(t, r, ranges[r.labels[0]]!)
                cells += r.cells.count
            }
            checked.insert(id)
        }

        try check("devices-seen") { t, r, range in
            let want = truth.devicesSeen(range, GroundTruth.everyone, group(r.labels[1]))
            #expect(r.cells[0].numerator.map(Int.init) == want[r.labels[2]], "\(r.labels)")
            #expect(r.cells[0].denominator.map(Int.init) == want.values.reduce(0, +))
        }
        try check("affected-devices") { t, r, range in
            let c = r.labels[3] == "any" ? nil : r.labels[3]
            #expect(pair(r.cells[0]) == truth.affected(c, range, GroundTruth.everyone, group(r.labels[1]))[r.labels[2]], "\(r.labels)")
        }
        for (id, c) in [("organisations-c2", Optional("c2")), ("organisations-compromised", nil)] {
            try check(id) { t, r, range in
                let f: GroundTruth.Filter = r.labels[1] == "industry" ? { $0.segment == "enterprise" } : GroundTruth.everyone
                #expect(pair(r.cells[0]) == truth.organisations(c, range, f, group(r.labels[1]))[r.labels[2]], "\(id) \(r.labels)")
            }
        }
        try check("family-shares") { t, r, range in
            let fs = truth.familyShares(r.labels[2], range, regionFilter(r.labels[1]))["all"]
            let want = r.labels[3].isEmpty ? fs?.unattributed : fs?.families[r.labels[3]]
            #expect(pair(r.cells[0]) == want, "\(r.labels)")
        }
        // Every family of the truth is in the table.
        for p in data.periods {
            let fams = Set(data.table("family-shares")!.rows(where: ["period": p.label, "region": "all", "category": "c2"]).map { $0.labels[3] }.filter { !$0.isEmpty })
            #expect(fams == Set(truth.familyShares("c2", ranges[p.label]!)["all"]?.families.keys.map { $0 } ?? []))
        }
        try check("iab-reach") { t, r, range in
            #expect(pair(r.cells[0]) == truth.iabReach(range, regionFilter(r.labels[1]))["all"] ?? GroundTruth.Pair(0, 0), "\(r.labels)")
        }
        try check("chains") { t, r, range in
            #expect(pair(r.cells[0]) == truth.chains(range, regionFilter(r.labels[1]))["all"] ?? GroundTruth.Pair(0, 0), "\(r.labels)")
        }
        try check("top-threats") { t, r, range in
            let f: GroundTruth.Filter = { d in (r.labels[1] == "all" || d.region == r.labels[1]) && (r.labels[2] == "all" || d.segment == r.labels[2]) }
            let fams = truth.threats(range, f)["all"] ?? [:]
            let want = try #require(fams[r.labels[5]], "\(r.labels)")
            #expect(r.cells[0].numerator.map(Int.init) == want.devices && r.cells[1].numerator.map(Int.init) == want.queries, "\(r.labels)")
            #expect(pair(r.cells[2]) == want.organisations, "\(r.labels)")
            // The rank is the family's place in the truth's ordering.
            let order = fams.sorted { a, b in
                let (x, y) = r.labels[3] == "devices" ? ((a.value.devices, a.value.queries), (b.value.devices, b.value.queries))
                                                      : ((a.value.queries, a.value.devices), (b.value.queries, b.value.devices))
                return x != y ? x > y : a.key < b.key
            }.map(\.key)
            #expect(Int(r.labels[4]) == (order.firstIndex(of: r.labels[5]) ?? -1) + 1, "\(r.labels)")
            #expect(r.labels[7] == (["LockBit", "REvil"].contains(r.labels[5]) ? "yes" : "no"))
        }
        try check("top-c2-threats-by-organisations") { t, r, range in
            let f: GroundTruth.Filter = { d in (r.labels[1] == "all" || d.region == r.labels[1]) && (r.labels[2] == "all" || d.segment == r.labels[2]) }
            let fams = truth.c2ThreatsByOrganisations(range, f)["all"] ?? [:]
            let want = try #require(fams[r.labels[4]], "\(r.labels)")
            #expect(pair(r.cells[0]) == want.organisations && pair(r.cells[1]) == want.devices, "\(r.labels)")
            let order = fams.sorted { a, b in
                let x = (a.value.organisations.num, a.value.devices.num), y = (b.value.organisations.num, b.value.devices.num)
                return x != y ? x > y : a.key < b.key
            }.map(\.key)
            #expect(Int(r.labels[3]) == (order.firstIndex(of: r.labels[4]) ?? -1) + 1, "\(r.labels)")
        }
        try check("c2-organisations-by-industry") { t, r, range in
            let f: GroundTruth.Filter = r.labels[1] == "all" ? GroundTruth.everyone : { $0.segment == r.labels[1] }
            #expect(pair(r.cells[0]) == truth.c2OrganisationsByIndustry(range, f)[r.labels[2]], "\(r.labels)")
        }
        try check("flagged-queries") { t, r, range in
            let f: GroundTruth.Filter = r.labels[1] == "all" ? GroundTruth.everyone : { $0.segment == r.labels[1] }
            #expect(pair(r.cells[0]) == truth.flaggedQueries(range, f, { $0.region })[r.labels[2]], "\(r.labels)")
        }
        try check("flagged-query-ratios") { t, r, range in
            let f: GroundTruth.Filter = r.labels[1] == "all" ? GroundTruth.everyone : { $0.segment == r.labels[1] }
            let fq = truth.flaggedQueries(range, f, { $0.region })
            #expect(r.cells[0].numerator.map(Int.init) == fq[r.labels[2]]?.num && r.cells[0].denominator.map(Int.init) == fq[r.labels[3]]?.num)
            #expect((fq[r.labels[3]]?.num ?? 0) > 0)
            #expect((fq[r.labels[2]]?.num ?? 0) >= (fq[r.labels[3]]?.num ?? 0))
        }
        try check("phishing-campaigns") { t, r, range in #expect(pair(r.cells[0]) == truth.campaignShares(range)[r.labels[1]], "\(r.labels)") }
        try check("phishing-victims") { t, r, range in #expect(pair(r.cells[0]) == truth.phishingVictims(range)[r.labels[1]], "\(r.labels)") }
        try check("device-types") { t, r, range in
            #expect(pair(r.cells[0]) == truth.deviceTypes(r.labels[1] == "any" ? nil : r.labels[1], range)[r.labels[2]], "\(r.labels)")
        }
        try check("newly-observed-domains") { t, r, range in
            let n = truth.newlyObserved(asOf: range.last)
            #expect(pair(r.cells[0]) == GroundTruth.Pair(n.maliciousResolving, n.resolving) && pair(r.cells[1]) == GroundTruth.Pair(n.malicious, n.domains))
            #expect(r.labels[2] == range.last.description)
        }
        #expect(checked == Set(data.tables.map(\.id)), "every table is checked")
        #expect(cells > 1_500)
    }

    @Test func publishedOutputSuppressesCellsUnderTheMinimumDeviceCount() throws {
        // Region APAC has exactly 5 devices, NA exactly 4.
        var obs: [TrafficObservation] = []
        let t = Build.time("2026-02-01")
        for i in 0..<5 { obs.append(Build.hit(Build.device("ap", "d\(i)", region: "APAC"), t, "c2", family: "QSnatch")) }
        for i in 0..<4 { obs.append(Build.hit(Build.device("na", "d\(i)", region: "NA"), t, "c2", family: "QSnatch")) }
        let store = try SQLiteStore.open(path: tempDir() + "/s.sqlite")
        try store.write(Build.batch(obs))
        let data = try ReportBuilder.build(from: store, options: ReportOptions(minimumDevices: 5))
        let seen = data.table("affected-devices")!.rows(where: ["period": "2026-Q1", "dimension": "region", "category": "c2"])
        let ap = try #require(seen.first { $0.labels[2] == "APAC" }), na = try #require(seen.first { $0.labels[2] == "NA" })
        #expect(ap.cells[0] == ReportCell(Measure(numerator: 5, denominator: 5, basis: 5), minimumDevices: 5) && !ap.cells[0].suppressed)
        #expect(na.cells[0].suppressed && na.cells[0].numerator == nil && na.cells[0].share == nil)
        // The JSON and CSV carry no number for a suppressed cell.
        let json = try ReportRenderer.json(data)
        let decoded = try JSONDecoder().decode(ReportData.self, from: Data(json.utf8))
        #expect(decoded.table("affected-devices")!.rows(where: ["period": "2026-Q1", "dimension": "region", "group": "NA", "category": "c2"]).first?.cells[0].suppressed == true)
        let csv = try #require(ReportRenderer.csv(data)["affected-devices.csv"])
        #expect(csv.contains("2026-Q1,region,NA,c2,,,,true"))
        #expect(csv.contains("2026-Q1,region,APAC,c2,5,5,1.000000,false"))
        // With 0 everything is published.
        let all = try ReportBuilder.build(from: store, options: ReportOptions(minimumDevices: 0))
        #expect(all.tables.allSatisfy { $0.rows.allSatisfy { $0.cells.allSatisfy { !$0.suppressed } } })
    }
}
