import EventStore
import Synchronization

/// The metrics of mission.md, computed exactly from a store's roll-ups for any period inside a loaded range, any
/// device filter and any grouping by a device attribute.
///
/// ``load(from:range:options:)`` reads the roll-ups of a range once (one committed state when given a snapshot
/// reader); every metric function then works in memory, except the two that need per-period totals from the store
/// (``flaggedQueries(in:filter:by:)`` for its denominators and ``newlyObservedDomains(asOf:)``).
///
/// Every figure is a ``Measure``: numerator, denominator and the device count it rests on. Group keys are the
/// attribute values (an empty string when the inventory did not say); ``total`` when not grouped.
public final class Analytics: Sendable {
    /// The group key of an ungrouped figure.
    public static let total = "all"

    /// The loaded range.
    public let range: DayRange
    /// The definitions' settings.
    public let options: AnalyticsOptions
    let reader: any EventStoreReader
    let deviceInfo: [Int64: DeviceInfo]
    let activity: DeviceActivity
    let threats: [ThreatRollupRow]
    let tags: [TagRollupRow]
    let phishing: [PhishingRollupRow]
    let flagged: [FlaggedRollupRow]
    /// Tags seen per family (`ransomware`, `iab`, `category:c2`…).
    public let familyTags: [String: Set<String>]
    private let cache = Mutex(Cache())

    struct Cache {
        var seen: [DayRange: [Int64]] = [:]
        var queries: [DayRange: [Int64: Int64]] = [:]
    }

    private init(range: DayRange, options: AnalyticsOptions, reader: any EventStoreReader, deviceInfo: [Int64: DeviceInfo],
                 activity: DeviceActivity, threats: [ThreatRollupRow], tags: [TagRollupRow], phishing: [PhishingRollupRow],
                 flagged: [FlaggedRollupRow], familyTags: [String: Set<String>]) {
        self.range = range
        self.options = options
        self.reader = reader
        self.deviceInfo = deviceInfo
        self.activity = activity
        self.threats = threats
        self.tags = tags
        self.phishing = phishing
        self.flagged = flagged
        self.familyTags = familyTags
    }

    /// Reads what the metrics need for `range` from `reader`.
    public static func load(from reader: any EventStoreReader, range: DayRange,
                            options: AnalyticsOptions = AnalyticsOptions()) throws(AnalyticsError) -> Analytics {
        guard options.chainDays >= 1 else { throw AnalyticsError(.invalidOption("chain window must be at least 1 day"), operation: "load") }
        guard options.campaignGapDays >= 0, options.nodWindowDays >= 1, options.topN >= 1 else {
            throw AnalyticsError(.invalidOption("campaign gap ≥ 0, NOD window ≥ 1, top-N ≥ 1"), operation: "load")
        }
        do {
            var info: [Int64: DeviceInfo] = [:]
            for d in try reader.devices() { info[d.id] = d.info }
            return Analytics(range: range, options: options, reader: reader, deviceInfo: info,
                             activity: try reader.activity(in: range),
                             threats: try reader.threatRollups(in: range).filter { options.tiers.includes($0.tier) },
                             tags: try reader.tagRollups(in: range).filter { options.tiers.includes($0.tier) },
                             phishing: try reader.phishingRollups(in: range).filter { options.tiers.includes($0.tier) },
                             flagged: try reader.flaggedRollups(in: range), familyTags: try reader.familyTags())
        } catch let e as AnalyticsError {
            throw e
        } catch {
            throw AnalyticsError(.store("\(error)"), operation: "load \(range)")
        }
    }

    // MARK: Building blocks

    func check(_ p: Period, _ op: String) throws(AnalyticsError) {
        guard p.range.clamped(to: range) == p.range else { throw AnalyticsError(.periodOutsideData("\(p) vs \(range)"), operation: op) }
    }

    /// The attributes of a device (empty ones if the store has none).
    public func device(_ id: Int64) -> DeviceInfo { deviceInfo[id] ?? DeviceInfo(organisation: "", deviceKey: "") }

    func key(_ id: Int64, _ dim: DeviceDimension?) -> String { dim.map { $0.value(of: device(id)) } ?? Analytics.total }

    /// Devices with at least one query in `p` (unfiltered).
    func seen(_ p: Period) -> [Int64] {
        if let s = cache.withLock({ $0.seen[p.range] }) { return s }
        let s = activity.devices(activeIn: p.range)
        cache.withLock { $0.seen[p.range] = s }
        return s
    }

    func seen(_ p: Period, _ f: DeviceFilter) -> [Int64] {
        f.constraints.isEmpty ? seen(p) : seen(p).filter { f.matches(device($0)) }
    }

    /// Devices with a detection of `category` (any category when nil) in `p`, matching `f`.
    func affected(_ p: Period, _ f: DeviceFilter, category: String?, family: String? = nil) -> Set<Int64> {
        var out = Set<Int64>()
        for r in threats where p.range.contains(r.day) && (category == nil || r.category == category)
            && (family == nil || r.family == family) && f.matches(device(r.deviceID)) {
            out.insert(r.deviceID)
        }
        return out
    }

    /// Devices with a detection carrying `tag` (any category) in `p`, matching `f`.
    func tagged(_ p: Period, _ f: DeviceFilter, tag: String) -> Set<Int64> {
        var out = Set<Int64>()
        for r in tags where r.tag == tag && p.range.contains(r.day) && f.matches(device(r.deviceID)) { out.insert(r.deviceID) }
        return out
    }

    func groupCount(_ ids: some Sequence<Int64>, _ dim: DeviceDimension?) -> [String: Int64] {
        var out: [String: Int64] = [:]
        for id in ids { out[key(id, dim), default: 0] += 1 }
        return out
    }

    /// Queries per device in `p`, from the store (cached per period).
    func queries(_ p: Period) throws(AnalyticsError) -> [Int64: Int64] {
        if let q = cache.withLock({ $0.queries[p.range] }) { return q }
        let q: [Int64: Int64]
        do { q = try reader.queriesPerDevice(in: p.range) } catch {
            throw AnalyticsError(.store("\(error)"), operation: "queries per device \(p)")
        }
        cache.withLock { $0.queries[p.range] = q }
        return q
    }

    // MARK: Metrics (mission.md)

    /// **Devices seen**: distinct devices with at least one query in `p`. Numerator: devices seen in the group;
    /// denominator: devices seen under the filter (all groups); basis: the numerator.
    public func devicesSeen(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "devices seen")
        let ids = seen(p, f)
        let total = Int64(ids.count)
        return groupCount(ids, dim).mapValues { Measure(numerator: $0, denominator: total, basis: $0) }
    }

    /// **Affected devices (category c)**: distinct devices with at least one query in `p` classified `c` (any
    /// category when nil). Numerator: affected devices in the group; denominator: devices seen in the group (the
    /// share); basis: the denominator.
    public func affectedDevices(category c: String?, in p: Period, filter f: DeviceFilter = .all,
                                by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "affected devices")
        let seenBy = groupCount(seen(p, f), dim)
        let affBy = groupCount(affected(p, f, category: c), dim)
        return seenBy.reduce(into: [:]) { out, e in
            out[e.key] = Measure(numerator: affBy[e.key] ?? 0, denominator: e.value, basis: e.value)
        }
    }

    /// **Organisations with category c** (C2 by default; any category when nil, "signs of compromise"):
    /// organisations with at least one device affected by `c` in `p` ÷ organisations seen in `p` (at least one device
    /// with a query). Grouped, an organisation counts in every group one of its seen devices falls in (by industry:
    /// the industry of its devices). Basis: devices seen in the group.
    public func organisations(with c: String? = StoreVocabulary.c2, in p: Period, filter f: DeviceFilter = .all,
                              by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "organisations")
        var orgsSeen: [String: Set<String>] = [:], devs: [String: Int64] = [:], orgsHit: [String: Set<String>] = [:]
        for id in seen(p, f) {
            let k = key(id, dim)
            orgsSeen[k, default: []].insert(device(id).organisation)
            devs[k, default: 0] += 1
        }
        for id in affected(p, f, category: c) { orgsHit[key(id, dim), default: []].insert(device(id).organisation) }
        return orgsSeen.reduce(into: [:]) { out, e in
            out[e.key] = Measure(numerator: Int64(orgsHit[e.key]?.count ?? 0), denominator: Int64(e.value.count), basis: devs[e.key] ?? 0)
        }
    }

    /// The family-share result of one group: each family's share of the category's affected devices, and the
    /// devices with no attributed family ("other/unattributed").
    public struct FamilyShares: Hashable, Sendable, Codable {
        /// Per family: devices affected by the family ÷ devices affected in the category.
        public var families: [String: Measure]
        /// Devices affected in the category with no attributed family ÷ devices affected in the category.
        public var unattributed: Measure
    }

    /// **Family share**: devices affected by family f in category `c` ÷ devices affected in `c`, in `p`. A device may
    /// count for several families; devices with only unattributed detections are "unattributed". Basis: the
    /// category's affected devices in the group.
    public func familyShares(category c: String = StoreVocabulary.c2, in p: Period, filter f: DeviceFilter = .all,
                             by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: FamilyShares] {
        try check(p, "family shares")
        var inCat: [String: Set<Int64>] = [:], byFamily: [String: [String: Set<Int64>]] = [:], attributed: [String: Set<Int64>] = [:]
        for r in threats where r.category == c && p.range.contains(r.day) && f.matches(device(r.deviceID)) {
            let k = key(r.deviceID, dim)
            inCat[k, default: []].insert(r.deviceID)
            if !r.family.isEmpty {
                byFamily[k, default: [:]][r.family, default: []].insert(r.deviceID)
                attributed[k, default: []].insert(r.deviceID)
            }
        }
        return inCat.reduce(into: [:]) { out, e in
            let n = Int64(e.value.count)
            let fams = (byFamily[e.key] ?? [:]).mapValues { Measure(numerator: Int64($0.count), denominator: n, basis: n) }
            let un = n - Int64(attributed[e.key]?.count ?? 0)
            out[e.key] = FamilyShares(families: fams, unattributed: Measure(numerator: un, denominator: n, basis: n))
        }
    }

    /// **IAB reach**: C2-affected devices that queried an IAB-tagged domain (any category) in `p` ÷ C2-affected
    /// devices in `p`. Basis: the C2-affected devices of the group.
    public func iabReach(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "IAB reach")
        let c2 = affected(p, f, category: StoreVocabulary.c2)
        let iab = tagged(p, f, tag: StoreVocabulary.iabTag)
        let den = groupCount(c2, dim), num = groupCount(c2.intersection(iab), dim)
        return den.reduce(into: [:]) { out, e in out[e.key] = Measure(numerator: num[e.key] ?? 0, denominator: e.value, basis: e.value) }
    }

    /// One ranked threat (family) of a group.
    public struct ThreatRank: Hashable, Sendable, Codable {
        /// The family.
        public var family: String
        /// The categories its detections fell in.
        public var categories: [String]
        /// Whether any detection of the family was tagged ransomware.
        public var ransomware: Bool
        /// Whether any detection of the family was tagged IAB.
        public var iab: Bool
        /// Devices affected by the family ÷ devices affected in any category (basis: the family's devices).
        public var devices: Measure
        /// Queries with a detection of the family ÷ flagged queries of the group (basis: the family's devices).
        public var queries: Measure
    }

    /// How to rank threats.
    public enum ThreatRanking: String, Sendable, Codable, CaseIterable {
        /// By affected devices (ties: queries, then name).
        case devices
        /// By queries (ties: devices, then name).
        case queries
    }

    /// **Top-N threats**: attributed families ranked by affected devices or by queries in `p`, per group, with
    /// ransomware (and IAB) marked; at most `n` (``AnalyticsOptions/topN`` by default) per group. A family's queries
    /// are summed over its categories.
    public func topThreats(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = nil, ranking: ThreatRanking = .devices,
                           n: Int? = nil) throws(AnalyticsError) -> [String: [ThreatRank]] {
        try check(p, "top threats")
        var devs: [String: [String: Set<Int64>]] = [:], qs: [String: [String: Int64]] = [:], cats: [String: Set<String>] = [:]
        var anyAffected: [String: Set<Int64>] = [:]
        for r in threats where p.range.contains(r.day) && f.matches(device(r.deviceID)) {
            let k = key(r.deviceID, dim)
            anyAffected[k, default: []].insert(r.deviceID)
            guard !r.family.isEmpty else { continue }
            devs[k, default: [:]][r.family, default: []].insert(r.deviceID)
            qs[k, default: [:]][r.family, default: 0] += r.span.queries
            cats[r.family, default: []].insert(r.category)
        }
        var flaggedBy: [String: Int64] = [:]
        for r in flagged where p.range.contains(r.day) && f.matches(device(r.deviceID)) {
            flaggedBy[key(r.deviceID, dim), default: 0] += options.tiers == .known ? r.knownQueries : r.queries
        }
        let limit = n ?? options.topN
        return devs.reduce(into: [:]) { out, e in
            let totalDevs = Int64(anyAffected[e.key]?.count ?? 0), totalQ = flaggedBy[e.key] ?? 0
            var ranks = e.value.map { fam, ids -> ThreatRank in
                let t = familyTags[fam] ?? []
                let nd = Int64(ids.count)
                return ThreatRank(family: fam, categories: StoreVocabulary.categories.filter { cats[fam]?.contains($0) ?? false },
                                  ransomware: t.contains(StoreVocabulary.ransomwareTag), iab: t.contains(StoreVocabulary.iabTag),
                                  devices: Measure(numerator: nd, denominator: totalDevs, basis: nd),
                                  queries: Measure(numerator: qs[e.key]?[fam] ?? 0, denominator: totalQ, basis: nd))
            }
            ranks.sort { a, b in
                let (x, y) = ranking == .devices ? ((a.devices.numerator, a.queries.numerator), (b.devices.numerator, b.queries.numerator))
                                                 : ((a.queries.numerator, a.devices.numerator), (b.queries.numerator, b.devices.numerator))
                return x != y ? x > y : a.family < b.family
            }
            out[e.key] = Array(ranks.prefix(limit))
        }
    }

    /// **Flagged queries**: malicious queries (each query once, however many detections) in `p` per group ÷ all
    /// queries of the group. Basis: devices with flagged queries in the group. Groups with no flagged query are
    /// absent.
    public func flaggedQueries(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = .region) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "flagged queries")
        var num: [String: Int64] = [:], basis: [String: Set<Int64>] = [:]
        for r in flagged where p.range.contains(r.day) && f.matches(device(r.deviceID)) {
            let q = options.tiers == .known ? r.knownQueries : r.queries
            guard q > 0 else { continue }
            let k = key(r.deviceID, dim)
            num[k, default: 0] += q
            basis[k, default: []].insert(r.deviceID)
        }
        var den: [String: Int64] = [:]
        for (id, q) in try queries(p) where f.matches(device(id)) {
            let k = key(id, dim)
            if num[k] != nil { den[k, default: 0] += q }
        }
        return num.reduce(into: [:]) { out, e in
            out[e.key] = Measure(numerator: e.value, denominator: den[e.key] ?? 0, basis: Int64(basis[e.key]?.count ?? 0))
        }
    }

    /// A ratio of one group's flagged queries to another's.
    public struct GroupRatio: Hashable, Sendable, Codable {
        /// The group in the numerator.
        public var group: String
        /// The group in the denominator.
        public var versus: String
        /// Flagged queries of `group` ÷ flagged queries of `versus`; basis: the smaller of the two groups' bases.
        public var measure: Measure
    }

    /// **Flagged-query ratios between groups**: each group's flagged queries ÷ those of the group ranked next below
    /// it (groups ordered by flagged queries, largest first) — "APAC twice North America, the second region".
    public func flaggedQueryRatios(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension = .region) throws(AnalyticsError) -> [GroupRatio] {
        let byGroup = try flaggedQueries(in: p, filter: f, by: dim).sorted { $0.value.numerator != $1.value.numerator ? $0.value.numerator > $1.value.numerator : $0.key < $1.key }
        guard byGroup.count >= 2 else { return [] }
        return (0..<(byGroup.count - 1)).map { i in
            let a = byGroup[i], b = byGroup[i + 1]
            return GroupRatio(group: a.key, versus: b.key, measure: Measure(numerator: a.value.numerator, denominator: b.value.numerator,
                                                                              basis: min(a.value.basis, b.value.basis)))
        }
    }

    /// A phishing campaign found in a period.
    public struct Campaign: Hashable, Sendable, Codable {
        /// The campaign key (`campaign:…`, `kit:…`, `brand:…` or `domain:…`).
        public var key: String
        /// Its first and last active day in the period.
        public var days: DayRange
        /// The industries its domains target (empty when none is known).
        public var industries: [String]
        /// The devices that reached it.
        public var victims: Int64
    }

    /// The phishing campaigns of `p`: per campaign key, the maximal runs of active days within `p` whose consecutive
    /// active days are at most ``AnalyticsOptions/campaignGapDays`` apart, from the devices matching the filter.
    public func phishingCampaignList(in p: Period, filter f: DeviceFilter = .all) throws(AnalyticsError) -> [Campaign] {
        try check(p, "phishing campaigns")
        var byKey: [String: [Day: (industries: Set<String>, devices: Set<Int64>)]] = [:]
        for r in phishing where p.range.contains(r.day) && f.matches(device(r.deviceID)) {
            var e = byKey[r.campaign]?[r.day] ?? ([], [])
            if !r.industry.isEmpty { e.industries.insert(r.industry) }
            e.devices.insert(r.deviceID)
            byKey[r.campaign, default: [:]][r.day] = e
        }
        var out: [Campaign] = []
        for (k, days) in byKey {
            let sorted = days.keys.sorted()
            var start = 0
            for i in 0..<sorted.count where i == sorted.count - 1 || sorted[i].distance(to: sorted[i + 1]) > options.campaignGapDays {
                let run = sorted[start...i]
                var ind = Set<String>(), dev = Set<Int64>()
                for d in run { ind.formUnion(days[d]!.industries); dev.formUnion(days[d]!.devices) }
                out.append(Campaign(key: k, days: DayRange(run.first!, run.last!), industries: ind.sorted(), victims: Int64(dev.count)))
                start = i + 1
            }
        }
        return out.sorted { ($0.days.first, $0.key) < ($1.days.first, $1.key) }
    }

    /// **Phishing campaigns by targeted industry**: campaigns targeting industry i ÷ all campaigns in `p` (a campaign
    /// targeting several industries counts for each; "" collects campaigns with no known target). Basis: the
    /// phishing-affected devices under the filter.
    public func phishingCampaigns(in p: Period, filter f: DeviceFilter = .all) throws(AnalyticsError) -> [String: Measure] {
        let list = try phishingCampaignList(in: p, filter: f)
        let victims = Int64(affected(p, f, category: StoreVocabulary.phishing).count)
        var by: [String: Int64] = [:]
        for c in list { for i in (c.industries.isEmpty ? [""] : c.industries) { by[i, default: 0] += 1 } }
        return by.mapValues { Measure(numerator: $0, denominator: Int64(list.count), basis: victims) }
    }

    /// **Phishing victims by targeted industry**: phishing-affected devices that reached a phishing domain targeting
    /// industry i ÷ phishing-affected devices, in `p` ("" for domains with no known target). Basis: the
    /// phishing-affected devices.
    public func phishingVictims(in p: Period, filter f: DeviceFilter = .all) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "phishing victims")
        let all = Int64(affected(p, f, category: StoreVocabulary.phishing).count)
        var by: [String: Set<Int64>] = [:]
        for r in phishing where p.range.contains(r.day) && f.matches(device(r.deviceID)) { by[r.industry, default: []].insert(r.deviceID) }
        return by.mapValues { Measure(numerator: Int64($0.count), denominator: all, basis: all) }
    }

    /// **Device types among infected devices**: devices of each type affected in `category` (any when nil) ÷ all
    /// such devices, in `p` ("" for devices the inventory gives no type). Basis: the infected devices.
    public func deviceTypes(infectedBy category: String? = nil, in p: Period, filter f: DeviceFilter = .all) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "device types")
        let ids = affected(p, f, category: category)
        let n = Int64(ids.count)
        return groupCount(ids, .deviceType).mapValues { Measure(numerator: $0, denominator: n, basis: n) }
    }

    /// **Multi-stage chains**: devices that, within `p`, queried an IAB-tagged domain and later (strictly after, at
    /// most ``AnalyticsOptions/chainDays`` days later) a ransomware-tagged domain ÷ devices that queried an
    /// IAB-tagged domain in `p`. Basis: the IAB devices.
    ///
    /// Exact from the daily roll-up's first/last times: with a window of at least one day, if any pair of queries
    /// qualifies then a pair of first/last times of the same roll-up rows does.
    public func chains(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "chains")
        var iab: [Int64: [Int64]] = [:], ransom: [Int64: [Int64]] = [:]
        for r in tags where p.range.contains(r.day) && f.matches(device(r.deviceID)) {
            if r.tag == StoreVocabulary.iabTag { iab[r.deviceID, default: []] += [r.span.firstNanos, r.span.lastNanos] }
            if r.tag == StoreVocabulary.ransomwareTag { ransom[r.deviceID, default: []] += [r.span.firstNanos, r.span.lastNanos] }
        }
        let window = Int64(options.chainDays) * Day.nanosPerDay
        var chained = Set<Int64>()
        for (id, ts) in iab {
            guard let rs = ransom[id] else { continue }
            let sorted = ts.sorted()
            for t2 in rs {
                // The latest IAB time strictly before t2 gives the smallest gap.
                var lo = 0, hi = sorted.count
                while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < t2 { lo = mid + 1 } else { hi = mid } }
                if lo > 0, t2 - sorted[lo - 1] <= window { chained.insert(id); break }
            }
        }
        let den = groupCount(iab.keys, dim), num = groupCount(chained, dim)
        return den.reduce(into: [:]) { out, e in out[e.key] = Measure(numerator: num[e.key] ?? 0, denominator: e.value, basis: e.value) }
    }

    /// Newly observed domains as of the end of a period.
    public struct NewlyObserved: Hashable, Sendable, Codable {
        /// The window `[end − window days, end)`.
        public var window: DayRange
        /// Domains first seen in the window (numerator) ÷ domains seen in the window's days… see the fields.
        public var counts: NewlyObservedDomainCounts
        /// Resolving newly observed domains that were malicious ÷ resolving newly observed domains (basis: resolving).
        public var maliciousShareOfResolving: Measure
        /// Newly observed domains that were malicious ÷ newly observed domains (basis: domains).
        public var maliciousShare: Measure
    }

    /// **Newly observed domains** as of the end of `p`: domains whose first sighting in the whole store falls in the
    /// last ``AnalyticsOptions/nodWindowDays`` days of `p` (UTC days, ending with `p`'s last day), how many resolved
    /// and how many were classified malicious before the end of `p`. A property of the whole vantage point, so device
    /// filters do not apply; the basis is a number of domains, not devices.
    public func newlyObservedDomains(asOf p: Period) throws(AnalyticsError) -> NewlyObserved {
        let end = p.range.last
        let window = DayRange(end.advanced(by: -(options.nodWindowDays - 1)), end)
        let c: NewlyObservedDomainCounts
        do { c = try reader.newlyObservedDomains(fromNanos: window.first.startNanos, toNanos: window.endNanos) } catch {
            throw AnalyticsError(.store("\(error)"), operation: "newly observed domains \(p)")
        }
        return NewlyObserved(window: window, counts: c,
                             maliciousShareOfResolving: Measure(numerator: c.maliciousResolving, denominator: c.resolving, basis: c.resolving),
                             maliciousShare: Measure(numerator: c.malicious, denominator: c.domains, basis: c.domains))
    }

    /// Queries and flagged queries in `p` under a filter (for the methodology's counts).
    public func queryTotals(in p: Period, filter f: DeviceFilter = .all) throws(AnalyticsError) -> (queries: Int64, flagged: Int64) {
        var q: Int64 = 0, fl: Int64 = 0
        for (id, n) in try queries(p) where f.matches(device(id)) { q += n }
        for r in flagged where p.range.contains(r.day) && f.matches(device(r.deviceID)) {
            fl += options.tiers == .known ? r.knownQueries : r.queries
        }
        return (q, fl)
    }
}
