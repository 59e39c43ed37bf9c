import Analytics
import EventStore

/// The report's language.
public enum ReportLanguage: String, Hashable, Sendable, Codable, CaseIterable {
    /// English.
    case en
    /// Japanese.
    case ja
}

/// What to report on and how.
public struct ReportOptions: Hashable, Sendable, Codable {
    /// The days covered; `nil` for everything the store holds.
    public var range: DayRange?
    /// The period of the trend tables and charts.
    public var periodKind: Period.Kind
    /// The language of labels and sentences.
    public var language: ReportLanguage
    /// Cells resting on fewer devices are suppressed (0 publishes everything).
    public var minimumDevices: Int
    /// The metric definitions' settings.
    public var analytics: AnalyticsOptions

    /// The defaults: the whole store, by quarter, English, minimum 5 devices.
    public init(range: DayRange? = nil, periodKind: Period.Kind = .quarter, language: ReportLanguage = .en, minimumDevices: Int = 5,
                analytics: AnalyticsOptions = AnalyticsOptions()) {
        self.range = range
        self.periodKind = periodKind
        self.language = language
        self.minimumDevices = minimumDevices
        self.analytics = analytics
    }
}

/// An error building or writing a report.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable {
        /// The store holds no traffic (in the range).
        case noData(String)
        /// A metric could not be computed.
        case analytics(String)
        /// The store could not be read.
        case store(String)
        /// The output could not be written.
        case output(String)
    }
    /// What went wrong.
    public var kind: Kind
    /// The file or step concerned.
    public var context: String

    /// Creates an error.
    public init(_ kind: Kind, context: String) {
        self.kind = kind
        self.context = context
    }

    public var description: String {
        switch kind {
        case .noData(let s): "\(context): no data: \(s)"
        case .analytics(let s): "\(context): \(s)"
        case .store(let s): "\(context): store: \(s)"
        case .output(let s): "\(context): cannot write: \(s)"
        }
    }
}

/// Builds ``ReportData`` from a store: every table of the report, computed with ``Analytics``, suppressed under the
/// minimum device count, plus the generated findings and the methodology facts.
public enum ReportBuilder {
    /// The region groups of the tables: the whole world, then each region.
    static let regionGroups = [Analytics.total] + StoreVocabulary.regions

    /// Builds the report.
    public static func build(from reader: any EventStoreReader, options: ReportOptions) throws(ReportError) -> ReportData {
        let summary: StoreSummary, runs: [IngestRun]
        do {
            summary = try reader.summary()
            runs = try reader.ingestRuns()
        } catch {
            throw ReportError(.store("\(error)"), context: "read store")
        }
        guard let f = summary.firstDay, let l = summary.lastDay else { throw ReportError(.noData("the store holds no traffic"), context: "report") }
        let range = options.range ?? DayRange(f, l)
        do {
            let a = try Analytics.load(from: reader, range: range, options: options.analytics)
            return try Builder(a: a, range: range, options: options, summary: summary, runs: runs).build()
        } catch let e as AnalyticsError {
            throw ReportError(.analytics(e.description), context: "compute metrics")
        } catch let e as ReportError {
            throw e
        } catch {
            throw ReportError(.analytics("\(error)"), context: "compute metrics")
        }
    }
}

struct Builder {
    let a: Analytics
    let range: DayRange
    let options: ReportOptions
    let summary: StoreSummary
    let runs: [IngestRun]

    var min: Int { options.minimumDevices }
    func cell(_ m: Measure) -> ReportCell { ReportCell(m, minimumDevices: min) }

    /// The whole range as one period: its calendar year (cut to the range, and marked partial, when the range lies in
    /// one year), else a custom period.
    var whole: Period {
        guard range.first.year == range.last.year else { return Period.custom(range) }
        return Period.covering(range, by: .year)[0]
    }

    func build() throws -> ReportData {
        let periods = Period.covering(range, by: options.periodKind)
        let halves = Period.covering(range, by: .half)
        let single = periods.count == 1 && periods[0].range == range
        let all = periods + (single ? [] : [whole])
        let summaryPeriod = single ? periods[0] : whole
        var tables: [ReportTable] = []
        let dims: [(String, DeviceDimension?)] = [("all", nil), ("region", .region), ("segment", .segment)]

        var seen = ReportTable(id: "devices-seen", labelColumns: ["period", "dimension", "group"], measureColumns: ["devices"])
        var affected = ReportTable(id: "affected-devices", labelColumns: ["period", "dimension", "group", "category"], measureColumns: ["share"])
        var orgsC2 = ReportTable(id: "organisations-c2", labelColumns: ["period", "dimension", "group"], measureColumns: ["share"])
        var orgsAny = ReportTable(id: "organisations-compromised", labelColumns: ["period", "dimension", "group"], measureColumns: ["share"])
        for p in all {
            for (dn, dim) in dims + [("industry", .industry)] {
                if dn != "industry" {
                    for (g, m) in try a.devicesSeen(in: p, by: dim).sorted(by: { $0.key < $1.key }) {
                        seen.rows.append(ReportRow(labels: [p.label, dn, g], cells: [cell(m)]))
                    }
                    for c in [nil] + StoreVocabulary.categories {
                        for (g, m) in try a.affectedDevices(category: c, in: p, by: dim).sorted(by: { $0.key < $1.key }) {
                            affected.rows.append(ReportRow(labels: [p.label, dn, g, c ?? "any"], cells: [cell(m)]))
                        }
                    }
                }
                let filter: DeviceFilter = dn == "industry" ? .only(.segment, "enterprise") : .all
                for (g, m) in try a.organisations(with: StoreVocabulary.c2, in: p, filter: filter, by: dim).sorted(by: { $0.key < $1.key }) {
                    orgsC2.rows.append(ReportRow(labels: [p.label, dn, g], cells: [cell(m)]))
                }
                for (g, m) in try a.organisations(with: nil, in: p, filter: filter, by: dim).sorted(by: { $0.key < $1.key }) {
                    orgsAny.rows.append(ReportRow(labels: [p.label, dn, g], cells: [cell(m)]))
                }
            }
        }
        tables += [seen, affected, orgsC2, orgsAny]

        var families = ReportTable(id: "family-shares", labelColumns: ["period", "region", "category", "family"], measureColumns: ["share"])
        var iab = ReportTable(id: "iab-reach", labelColumns: ["period", "region"], measureColumns: ["share"])
        var chains = ReportTable(id: "chains", labelColumns: ["period", "region"], measureColumns: ["share"])
        var top = ReportTable(id: "top-threats", labelColumns: ["period", "region", "segment", "ranking", "rank", "family", "categories", "ransomware", "iab"],
                              measureColumns: ["devices", "queries", "organisations"])
        var topC2 = ReportTable(id: "top-c2-threats-by-organisations",
                                labelColumns: ["period", "region", "segment", "rank", "family", "categories", "ransomware", "iab"],
                                measureColumns: ["organisations", "devices", "queries"])
        var c2Split = ReportTable(id: "c2-organisations-by-industry", labelColumns: ["period", "segment", "industry"], measureColumns: ["share"])
        for p in all {
            for c in [StoreVocabulary.c2, StoreVocabulary.malware] {
                let global = try a.familyShares(category: c, in: p)
                let byRegion = try a.familyShares(category: c, in: p, by: .region)
                for g in ReportBuilder.regionGroups {
                    guard let fs = g == Analytics.total ? global[Analytics.total] : byRegion[g] else { continue }
                    for (fam, m) in fs.families.sorted(by: { ($0.value.numerator, $1.key) > ($1.value.numerator, $0.key) }) {
                        families.rows.append(ReportRow(labels: [p.label, g, c, fam], cells: [cell(m)]))
                    }
                    families.rows.append(ReportRow(labels: [p.label, g, c, ""], cells: [cell(fs.unattributed)]))
                }
            }
            let reachAll = try a.iabReach(in: p), reachBy = try a.iabReach(in: p, by: .region)
            let chainAll = try a.chains(in: p), chainBy = try a.chains(in: p, by: .region)
            // Every region has a row (0 of 0 when it had no C2 / IAB device), so that the JSON states each figure.
            let zero = Measure(numerator: 0, denominator: 0, basis: 0)
            for g in ReportBuilder.regionGroups {
                iab.rows.append(ReportRow(labels: [p.label, g], cells: [cell((g == Analytics.total ? reachAll[g] : reachBy[g]) ?? zero)]))
                chains.rows.append(ReportRow(labels: [p.label, g], cells: [cell((g == Analytics.total ? chainAll[g] : chainBy[g]) ?? zero)]))
            }
            for seg in ["all"] + StoreVocabulary.segments {
                let f: DeviceFilter = seg == "all" ? .all : .only(.segment, seg)
                let global = try a.threatRanks(in: p, filter: f), byRegion = try a.threatRanks(in: p, filter: f, by: .region)
                for g in ReportBuilder.regionGroups {
                    let ranks = (g == Analytics.total ? global[Analytics.total] : byRegion[g]) ?? []
                    for ranking in Analytics.ThreatRanking.allCases {
                        for (i, t) in Analytics.rank(ranks, by: ranking).prefix(options.analytics.topN).enumerated() {
                            top.rows.append(ReportRow(labels: [p.label, g, seg, ranking.rawValue, String(i + 1), t.family,
                                                               t.categories.joined(separator: "+"), t.ransomware ? "yes" : "no", t.iab ? "yes" : "no"],
                                                      cells: [cell(t.devices), cell(t.queries), cell(t.organisations)]))
                        }
                    }
                }
                let c2Global = try a.c2ThreatsByOrganisations(in: p, filter: f), c2ByRegion = try a.c2ThreatsByOrganisations(in: p, filter: f, by: .region)
                for g in ReportBuilder.regionGroups {
                    for (i, t) in ((g == Analytics.total ? c2Global[Analytics.total] : c2ByRegion[g]) ?? []).enumerated() {
                        topC2.rows.append(ReportRow(labels: [p.label, g, seg, String(i + 1), t.family, t.categories.joined(separator: "+"),
                                                             t.ransomware ? "yes" : "no", t.iab ? "yes" : "no"],
                                                    cells: [cell(t.organisations), cell(t.devices), cell(t.queries)]))
                    }
                }
                if seg != "home" {
                    for (i, m) in try a.c2OrganisationsByIndustry(in: p, filter: f).sorted(by: { ($0.value.numerator, $1.key) > ($1.value.numerator, $0.key) }) {
                        c2Split.rows.append(ReportRow(labels: [p.label, seg, i], cells: [cell(m)]))
                    }
                }
            }
        }
        tables += [families, iab, top, topC2, c2Split, chains]

        var flagged = ReportTable(id: "flagged-queries", labelColumns: ["period", "segment", "region"], measureColumns: ["share"])
        var ratios = ReportTable(id: "flagged-query-ratios", labelColumns: ["period", "segment", "region", "versus"], measureColumns: ["ratio"])
        var flaggedPeriods = halves
        for p in all where !flaggedPeriods.contains(where: { $0.label == p.label }) { flaggedPeriods.append(p) }
        for p in flaggedPeriods {
            for seg in ["home", "enterprise", "all"] {
                let f: DeviceFilter = seg == "all" ? .all : .only(.segment, seg)
                var byRegion = try a.flaggedQueries(in: p, filter: f, by: .region)
                // Every region has a row (0 of 0 when it sent nothing in this segment).
                for r in StoreVocabulary.regions where byRegion[r] == nil { byRegion[r] = Measure(numerator: 0, denominator: 0, basis: 0) }
                for (g, m) in byRegion.sorted(by: { $0.key < $1.key }) {
                    flagged.rows.append(ReportRow(labels: [p.label, seg, g], cells: [cell(m)]))
                }
                for r in try a.flaggedQueryRatios(in: p, filter: f, by: .region) {
                    ratios.rows.append(ReportRow(labels: [p.label, seg, r.group, r.versus], cells: [cell(r.measure)]))
                }
            }
        }
        tables += [flagged, ratios]

        var campaigns = ReportTable(id: "phishing-campaigns", labelColumns: ["period", "industry"], measureColumns: ["share"])
        var victims = ReportTable(id: "phishing-victims", labelColumns: ["period", "industry"], measureColumns: ["share"])
        var types = ReportTable(id: "device-types", labelColumns: ["period", "category", "device-type"], measureColumns: ["share"])
        var nod = ReportTable(id: "newly-observed-domains", labelColumns: ["period", "window-from", "window-to"],
                              measureColumns: ["malicious-share-of-resolving", "malicious-share"])
        for p in all {
            let byShare: (Dictionary<String, Measure>.Element, Dictionary<String, Measure>.Element) -> Bool = {
                $0.value.numerator != $1.value.numerator ? $0.value.numerator > $1.value.numerator : $0.key < $1.key
            }
            for (i, m) in try a.phishingCampaigns(in: p).sorted(by: byShare) { campaigns.rows.append(ReportRow(labels: [p.label, i], cells: [cell(m)])) }
            for (i, m) in try a.phishingVictims(in: p).sorted(by: byShare) { victims.rows.append(ReportRow(labels: [p.label, i], cells: [cell(m)])) }
            for c in [nil] + StoreVocabulary.categories {
                for (t, m) in try a.deviceTypes(infectedBy: c, in: p).sorted(by: byShare) {
                    types.rows.append(ReportRow(labels: [p.label, c ?? "any", t], cells: [cell(m)]))
                }
            }
            let n = try a.newlyObservedDomains(asOf: p)
            nod.rows.append(ReportRow(labels: [p.label, n.window.first.description, n.window.last.description],
                                      cells: [cell(n.maliciousShareOfResolving), cell(n.maliciousShare)]))
        }
        tables += [campaigns, victims, types, nod]

        let totals = try a.queryTotals(in: summaryPeriod)
        let seenWhole = try a.devicesSeen(in: summaryPeriod)[Analytics.total]?.numerator ?? 0
        let orgsWhole = try a.organisations(with: nil, in: summaryPeriod)[Analytics.total]?.denominator ?? 0
        let context = ReportContext(runs: runs, store: summary, queriesInRange: totals.queries, flaggedInRange: totals.flagged,
                                    devicesInRange: seenWhole, organisationsInRange: orgsWhole)
        var data = ReportData(from: range.first.description, to: range.last.description, periodKind: options.periodKind.rawValue,
                              language: options.language.rawValue, minimumDevices: min, options: options.analytics,
                              periods: periods.map(ReportPeriod.init), summaryPeriod: ReportPeriod(summaryPeriod), halves: halves.map(ReportPeriod.init), tables: tables,
                              findings: [], context: context)
        data.findings = Findings(data: data, wholeLabel: summaryPeriod.label, loc: Localizer(options.language)).sentences()
        return data
    }
}
