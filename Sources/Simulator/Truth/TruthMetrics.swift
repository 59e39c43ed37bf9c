import DNSightCore

extension TruthCollector {
    /// A reporting period: its quarters (which partition every longer period) and its days.
    struct PeriodDef { var label: String; var kind: String; var span: DaySpan; var quarters: [Int]; var partial: Bool }

    /// A device filter: a region (nil: all) and a segment (nil: all).
    struct Filter { var region: Int?; var segment: SegmentKind? }

    func periodDefs() -> [PeriodDef] {
        var out: [PeriodDef] = []
        let period = state.period
        func fullQuarter(_ span: DaySpan) -> DaySpan {
            let c = SimCalendar.civil(span.first)
            let qn = (c.month - 1) / 3
            let s = SimCalendar.day(year: c.year, month: qn * 3 + 1, day: 1)
            let e = (qn == 3 ? SimCalendar.day(year: c.year + 1, month: 1, day: 1) : SimCalendar.day(year: c.year, month: qn * 3 + 4, day: 1)) - 1
            return DaySpan(s, e)
        }
        for (i, span) in quarters.enumerated() {
            let c = SimCalendar.civil(span.first)
            out.append(PeriodDef(label: "\(c.year)-Q\((c.month - 1) / 3 + 1)", kind: "quarter", span: span, quarters: [i], partial: span != fullQuarter(span)))
        }
        // Halves and years from the quarters they hold.
        var halves: [(String, [Int])] = [], years: [(Int, [Int])] = []
        for (i, span) in quarters.enumerated() {
            let c = SimCalendar.civil(span.first)
            let label = "\(c.year)-H\(c.month <= 6 ? 1 : 2)"
            if halves.last?.0 == label { halves[halves.count - 1].1.append(i) } else { halves.append((label, [i])) }
            if years.last?.0 == c.year { years[years.count - 1].1.append(i) } else { years.append((c.year, [i])) }
        }
        for (label, qs) in halves {
            let span = DaySpan(quarters[qs.first!].first, quarters[qs.last!].last)
            let c = SimCalendar.civil(span.first)
            let full = c.month <= 6 ? DaySpan(SimCalendar.day(year: c.year, month: 1, day: 1), SimCalendar.day(year: c.year, month: 6, day: 30))
                                    : DaySpan(SimCalendar.day(year: c.year, month: 7, day: 1), SimCalendar.day(year: c.year, month: 12, day: 31))
            out.append(PeriodDef(label: label, kind: "half", span: span, quarters: qs, partial: span != full))
        }
        for (y, qs) in years {
            let span = DaySpan(quarters[qs.first!].first, quarters[qs.last!].last)
            let full = DaySpan(SimCalendar.day(year: y, month: 1, day: 1), SimCalendar.day(year: y, month: 12, day: 31))
            out.append(PeriodDef(label: "\(y)", kind: "year", span: span, quarters: qs, partial: span != full))
        }
        if years.count > 1 {
            out.append(PeriodDef(label: "\(SimCalendar.isoDate(period.first))..\(SimCalendar.isoDate(period.last))", kind: "all", span: period,
                                 quarters: Array(quarters.indices), partial: false))
        }
        return out
    }

    /// Computes every figure.
    func finish(dgaName: String) -> GroundTruth {
        let world = state.world
        let devices = world.devices
        let rows: [Row] = rollup.map { k, v in
            Row(device: Int32(bitPattern: UInt32(k >> 32)), quarter: Int(k >> 24 & 0xFF), category: Int(k >> 20 & 0xF), family: Int(k & 0xFFFFF) - 1, queries: v)
        }.sorted { ($0.device, $0.quarter, $0.category, $0.family) < ($1.device, $1.quarter, $1.category, $1.family) }
        let phishRows = phish.sorted { ($0.day, $0.device, $0.campaign, $0.industry) < ($1.day, $1.device, $1.campaign, $1.industry) }
        let regionNames = world.regions.map(\.name)
        var filters: [(String, String, Filter)] = []
        for r in [nil] + Array(regionNames.indices).map({ Optional($0) }) {
            for s in [nil, SegmentKind.enterprise, SegmentKind.home] {
                filters.append((r.map { regionNames[$0] } ?? "all", s?.name ?? "all", Filter(region: r, segment: s)))
            }
        }
        func matches(_ d: Int32, _ f: Filter) -> Bool {
            let dev = devices[Int(d)]
            if let r = f.region, Int(dev.region) != r { return false }
            if let s = f.segment, dev.segment != s { return false }
            return true
        }
        let catNames = Self.categories.map(\.rawValue)
        let familyTraits: [ThreatTraits] = familyNames.map { Threats.catalogue.family(named: $0)?.tags.traits ?? [] }

        var periods: [PeriodTruth] = []
        for p in periodDefs() {
            let qset = Set(p.quarters)
            var groups: [GroupTruth] = []
            var flaggedByRegion: [String: [String: (Int, Int)]] = [:]  // segment → region → (flagged, devices)
            for (rname, sname, f) in filters {
                // Seen devices and queries.
                var seen: [Int32] = []
                var totalQueries = 0, totalFlagged = 0
                var flaggedDevices = 0
                for d in 0..<devices.count where matches(Int32(d), f) {
                    var qn = 0, fl = 0
                    for qi in p.quarters { qn += Int(queries[d * q + qi]); fl += Int(flagged[d * q + qi]) }
                    if qn > 0 { seen.append(Int32(d)) }
                    totalQueries += qn
                    totalFlagged += fl
                    if fl > 0 { flaggedDevices += 1 }
                }
                let seenCount = seen.count
                // Affected devices per category and family.
                var affected = [Set<Int32>](repeating: [], count: 4)
                var anyAffected = Set<Int32>()
                var famDevices: [Int: Set<Int32>] = [:], famQueries: [Int: Int64] = [:], famCats: [Int: Set<Int>] = [:]
                var catFamDevices = [[Int: Set<Int32>]](repeating: [:], count: 4)
                var catAttributed = [Set<Int32>](repeating: [], count: 4)
                for r in rows where qset.contains(r.quarter) && matches(r.device, f) {
                    affected[r.category].insert(r.device)
                    anyAffected.insert(r.device)
                    if r.family >= 0 {
                        famDevices[r.family, default: []].insert(r.device)
                        famQueries[r.family, default: 0] += r.queries
                        famCats[r.family, default: []].insert(r.category)
                        catFamDevices[r.category][r.family, default: []].insert(r.device)
                        catAttributed[r.category].insert(r.device)
                    }
                }
                var affectedOut: [String: TruthMeasure] = [:]
                for (ci, c) in catNames.enumerated() { affectedOut[c] = TruthMeasure(affected[ci].count, seenCount) }
                affectedOut["any"] = TruthMeasure(anyAffected.count, seenCount)

                // Organisations.
                var orgsSeen = Set<Int32>(), orgsC2 = Set<Int32>(), orgsAny = Set<Int32>()
                for d in seen { orgsSeen.insert(devices[Int(d)].organisation) }
                for d in affected[2] { orgsC2.insert(devices[Int(d)].organisation) }
                for d in anyAffected { orgsAny.insert(devices[Int(d)].organisation) }
                var seenByInd: [String: Int] = [:], c2ByInd: [String: Int] = [:]
                for o in orgsSeen { seenByInd[world.organisations[Int(o)].industry, default: 0] += 1 }
                for o in orgsC2 { c2ByInd[world.organisations[Int(o)].industry, default: 0] += 1 }
                var withC2ByIndustry: [String: TruthMeasure] = [:], c2Split: [String: TruthMeasure] = [:]
                for (ind, n) in seenByInd { withC2ByIndustry[ind] = TruthMeasure(c2ByInd[ind] ?? 0, n) }
                for (ind, n) in c2ByInd { c2Split[ind] = TruthMeasure(n, orgsC2.count) }
                let orgs = OrganisationsTruth(seen: orgsSeen.count, withC2: TruthMeasure(orgsC2.count, orgsSeen.count),
                                              withAny: TruthMeasure(orgsAny.count, orgsSeen.count), withC2ByIndustry: withC2ByIndustry,
                                              c2OrganisationsByIndustry: c2Split)

                // Family shares.
                var shares: [String: FamilySharesTruth] = [:]
                for (ci, c) in catNames.enumerated() where !affected[ci].isEmpty {
                    let n = affected[ci].count
                    var fams: [String: TruthMeasure] = [:]
                    for (fi, ds) in catFamDevices[ci] { fams[familyNames[fi]] = TruthMeasure(ds.count, n) }
                    shares[c] = FamilySharesTruth(families: fams, unattributed: TruthMeasure(n - catAttributed[ci].count, n))
                }

                // IAB reach: C2-affected devices with an IAB-tagged detection.
                var iabDevices = Set<Int32>()
                for d in 0..<devices.count {
                    var bits: UInt8 = 0
                    for qi in p.quarters { bits |= tagBits[d * q + qi] }
                    if bits & 1 != 0 && matches(Int32(d), f) { iabDevices.insert(Int32(d)) }
                }
                let iabReach = TruthMeasure(affected[2].intersection(iabDevices).count, affected[2].count)

                // Top threats.
                var ranks: [ThreatRankTruth] = []
                for (fi, ds) in famDevices {
                    var forgs = Set<Int32>()
                    for d in ds { forgs.insert(devices[Int(d)].organisation) }
                    ranks.append(ThreatRankTruth(family: familyNames[fi], categories: (famCats[fi] ?? []).sorted().map { catNames[$0] },
                                                 ransomware: familyTraits[fi].contains(.ransomware), iab: familyTraits[fi].contains(.initialAccessBroker),
                                                 devices: TruthMeasure(ds.count, anyAffected.count), queries: TruthMeasure(Int(famQueries[fi] ?? 0), totalFlagged),
                                                 organisations: TruthMeasure(forgs.count, orgsAny.count)))
                }
                let byDevices = ranks.sorted { a, b in
                    (a.devices.numerator, a.queries.numerator) != (b.devices.numerator, b.queries.numerator)
                        ? (a.devices.numerator, a.queries.numerator) > (b.devices.numerator, b.queries.numerator) : a.family < b.family
                }
                let byQueries = ranks.sorted { a, b in
                    (a.queries.numerator, a.devices.numerator) != (b.queries.numerator, b.devices.numerator)
                        ? (a.queries.numerator, a.devices.numerator) > (b.queries.numerator, b.devices.numerator) : a.family < b.family
                }
                var c2Ranks: [ThreatRankTruth] = []
                for (fi, ds) in catFamDevices[2] {
                    var forgs = Set<Int32>()
                    for d in ds { forgs.insert(devices[Int(d)].organisation) }
                    var r = ranks.first { $0.family == familyNames[fi] }!
                    r.organisations = TruthMeasure(forgs.count, orgsC2.count)
                    r.devices = TruthMeasure(ds.count, affected[2].count)
                    c2Ranks.append(r)
                }
                c2Ranks.sort { a, b in
                    (a.organisations.numerator, a.devices.numerator) != (b.organisations.numerator, b.devices.numerator)
                        ? (a.organisations.numerator, a.devices.numerator) > (b.organisations.numerator, b.devices.numerator) : a.family < b.family
                }
                let top = TopThreatsTruth(byDevices: Array(byDevices.prefix(Self.topN)), byQueries: Array(byQueries.prefix(Self.topN)),
                                          c2ByOrganisations: Array(c2Ranks.prefix(Self.topN)))

                // Phishing campaigns and victims.
                var byKey: [Int32: [Int32: (Set<Int32>, Set<Int32>)]] = [:]
                for r in phishRows where p.span.contains(Int(r.day)) && matches(r.device, f) {
                    var e = byKey[r.campaign]?[r.day] ?? ([], [])
                    e.0.insert(r.industry)
                    e.1.insert(r.device)
                    byKey[r.campaign, default: [:]][r.day] = e
                }
                var campaigns: [CampaignTruth] = []
                for (k, days) in byKey {
                    let sorted = days.keys.sorted()
                    var start = 0
                    for i in 0..<sorted.count where i == sorted.count - 1 || Int(sorted[i + 1] - sorted[i]) > Self.campaignGapDays {
                        var inds = Set<Int32>(), devs = Set<Int32>()
                        for d in sorted[start...i] { inds.formUnion(days[d]!.0); devs.formUnion(days[d]!.1) }
                        let names = inds.map { industryNames[Int($0)] }.filter { !$0.isEmpty }.sorted()
                        campaigns.append(CampaignTruth(key: campaignKeys[Int(k)], from: SimCalendar.isoDate(Int(sorted[start])),
                                                       to: SimCalendar.isoDate(Int(sorted[i])), industries: names, victims: devs.count))
                        start = i + 1
                    }
                }
                campaigns.sort { ($0.from, $0.key) < ($1.from, $1.key) }
                var campaignsByIndustry: [String: Int] = [:]
                for c in campaigns { for i in c.industries.isEmpty ? [""] : c.industries { campaignsByIndustry[i, default: 0] += 1 } }
                var victimsBy: [String: Set<Int32>] = [:]
                for r in phishRows where p.span.contains(Int(r.day)) && matches(r.device, f) { victimsBy[industryNames[Int(r.industry)], default: []].insert(r.device) }
                let phishing = PhishingTruth(campaigns: campaigns,
                                             campaignsByIndustry: campaignsByIndustry.mapValues { TruthMeasure($0, campaigns.count) },
                                             victimsByIndustry: victimsBy.mapValues { TruthMeasure($0.count, affected[1].count) })

                // Device types among affected devices.
                var types: [String: [String: TruthMeasure]] = [:]
                for (ci, c) in Array(catNames.enumerated().map { ($0.offset, $0.element) }) + [(4, "any")] {
                    let set = ci < 4 ? affected[ci] : anyAffected
                    guard !set.isEmpty else { continue }
                    var by: [String: Int] = [:]
                    for d in set { by[devices[Int(d)].kind.inventoryType, default: 0] += 1 }
                    types[c] = by.mapValues { TruthMeasure($0, set.count) }
                }

                // Chains: an IAB query, then a ransomware query at most chainDays later, both in the period.
                let window = Int64(Self.chainDays) * SimCalendar.nanosPerDay
                var chained = 0
                for d in iabDevices {
                    guard let rs = ransomTimes[d], let raw = iabTimes[d] else { continue }
                    let ts = raw.filter { $0 >= p.span.startNanos && $0 < p.span.endNanos }.sorted()
                    var hit = false
                    for t2 in rs where t2 >= p.span.startNanos && t2 < p.span.endNanos {
                        var lo = 0, hi = ts.count
                        while lo < hi { let mid = (lo + hi) / 2; if ts[mid] < t2 { lo = mid + 1 } else { hi = mid } }
                        if lo > 0 && t2 - ts[lo - 1] <= window { hit = true; break }
                    }
                    if hit { chained += 1 }
                }

                groups.append(GroupTruth(region: rname, segment: sname, devicesSeen: seenCount, affectedDevices: affectedOut, organisations: orgs,
                                         familyShares: shares, iabReach: iabReach, topThreats: top,
                                         flaggedQueries: TruthMeasure(totalFlagged, totalQueries), phishing: phishing, deviceTypes: types,
                                         chains: TruthMeasure(chained, iabDevices.count)))
                if f.region != nil && totalFlagged > 0 { flaggedByRegion[sname, default: [:]][rname] = (totalFlagged, flaggedDevices) }
            }
            var ratios: [String: [RegionRatio]] = [:]
            for (seg, byRegion) in flaggedByRegion {
                let sorted = byRegion.sorted { $0.value.0 != $1.value.0 ? $0.value.0 > $1.value.0 : $0.key < $1.key }
                var list: [RegionRatio] = []
                if sorted.count >= 2 {
                    for i in 0..<(sorted.count - 1) {
                        list.append(RegionRatio(region: sorted[i].key, versus: sorted[i + 1].key, measure: TruthMeasure(sorted[i].value.0, sorted[i + 1].value.0)))
                    }
                }
                ratios[seg] = list
            }
            periods.append(PeriodTruth(label: p.label, kind: p.kind, from: SimCalendar.isoDate(p.span.first), to: SimCalendar.isoDate(p.span.last),
                                       partial: p.partial, groups: groups, flaggedQueryRatios: ratios, newlyObservedDomains: nod(p.span)))
        }
        let info = ScenarioInfo(name: state.scenario.name, seed: state.seed, start: SimCalendar.isoDate(state.period.first),
                                end: SimCalendar.isoDate(state.period.last), dga: dgaName, organisations: world.organisations.count, devices: devices.count)
        let defs = Definitions(tier: "known", chainDays: Self.chainDays, campaignGapDays: Self.campaignGapDays, nodWindowDays: Self.nodWindowDays,
                               topN: Self.topN, device: "organisation + client address", registeredDomain: "registrable domain by the bundled Public Suffix List (ICANN and private sections)")
        var byCat: [String: Int] = [:]
        for (i, c) in catNames.enumerated() { byCat[c] = byCategory[i] }
        let totals = Totals(events: events, flaggedQueries: flaggedTotal, unlistedMaliciousQueries: unlisted, queriesByCategory: byCat,
                            intelEntries: state.threats.entries.count, intelEntriesListed: state.threats.entries.filter(\.listed).count)
        var truth = GroundTruth(version: 1, scenario: info, definitions: defs, totals: totals, periods: periods, headline: Headline(figures: []))
        truth.headline = Headline.compute(truth)
        return truth
    }

    func nod(_ span: DaySpan) -> NewlyObservedTruth {
        let first = max(state.period.first, span.last - Self.nodWindowDays + 1)
        let from = Int64(first) * SimCalendar.nanosPerDay, to = span.endNanos
        func counts(_ table: [Sight]) -> NODCounts {
            var n = 0, res = 0, mal = 0, both = 0
            for s in table where s.first >= from && s.first < to {
                n += 1
                let r = s.resolved < to, m = s.malicious < to
                if r { res += 1 }
                if m { mal += 1 }
                if r && m { both += 1 }
            }
            return NODCounts(domains: n, resolving: res, malicious: mal, maliciousResolving: both, maliciousShareOfResolving: TruthMeasure(both, res))
        }
        return NewlyObservedTruth(from: SimCalendar.isoDate(first), to: SimCalendar.isoDate(span.last),
                                  byRegisteredDomain: counts(domainSight), byQueryName: counts(qnameSight))
    }
}
