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
///
/// Inside, devices are dense indexes with coded attributes, strings of the roll-ups are interned, each roll-up is
/// sorted by day (a period is a slice) and device sets are bit sets: a quarterly report over 100,000 devices stays
/// within seconds.
public final class Analytics: Sendable {
    /// The group key of an ungrouped figure.
    public static let total = "all"

    /// The loaded range.
    public let range: DayRange
    /// The definitions' settings.
    public let options: AnalyticsOptions
    /// Tags seen per family (`ransomware`, `iab`, `category:c2`…).
    public let familyTags: [String: Set<String>]
    let reader: any EventStoreReader
    let devices: DeviceTable
    let activity: DeviceActivity
    let strings: Interner
    let threats: [ThreatRow]
    let tags: [TagRow]
    let phishing: [PhishRow]
    let flagged: [FlagRow]
    private let cache = Mutex(Cache())

    struct Cache {
        var seen: [DayRange: [Int32]] = [:]
        var queries: [DayRange: [Int64: Int64]] = [:]
    }

    /// Roll-up rows with the device as a dense index, strings as interned codes and the tier scope applied.
    struct ThreatRow: Sendable { var day: Day; var dev: Int32; var category: Int32; var family: Int32; var queries: Int64 }
    struct TagRow: Sendable { var day: Day; var dev: Int32; var tag: Int32; var first: Int64; var last: Int64 }
    struct PhishRow: Sendable { var day: Day; var dev: Int32; var campaign: Int32; var industry: Int32 }
    struct FlagRow: Sendable { var day: Day; var dev: Int32; var queries: Int64 }

    private init(range: DayRange, options: AnalyticsOptions, reader: any EventStoreReader, devices: DeviceTable, activity: DeviceActivity,
                 strings: Interner, threats: [ThreatRow], tags: [TagRow], phishing: [PhishRow], flagged: [FlagRow],
                 familyTags: [String: Set<String>]) {
        self.range = range
        self.options = options
        self.reader = reader
        self.devices = devices
        self.activity = activity
        self.strings = strings
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
            let table = DeviceTable(try reader.devices())
            let tiers = options.tiers
            var s = Interner()
            func byDay<T>(_ rows: [T], _ day: (T) -> Day) -> [T] {
                var sorted = true
                for i in rows.indices.dropFirst() where day(rows[i - 1]) > day(rows[i]) { sorted = false; break }
                return sorted ? rows : rows.sorted { day($0) < day($1) }
            }
            var threats: [ThreatRow] = []
            for r in try reader.threatRollups(in: range) where tiers.includes(r.tier) {
                threats.append(ThreatRow(day: r.day, dev: table.dense(r.deviceID), category: s.code(r.category), family: s.code(r.family), queries: r.span.queries))
            }
            var tags: [TagRow] = []
            for r in try reader.tagRollups(in: range) where tiers.includes(r.tier) {
                tags.append(TagRow(day: r.day, dev: table.dense(r.deviceID), tag: s.code(r.tag), first: r.span.firstNanos, last: r.span.lastNanos))
            }
            var phishing: [PhishRow] = []
            for r in try reader.phishingRollups(in: range) where tiers.includes(r.tier) {
                phishing.append(PhishRow(day: r.day, dev: table.dense(r.deviceID), campaign: s.code(r.campaign), industry: s.code(r.industry)))
            }
            var flagged: [FlagRow] = []
            for r in try reader.flaggedRollups(in: range) {
                let q = tiers == .known ? r.knownQueries : r.queries
                if q > 0 { flagged.append(FlagRow(day: r.day, dev: table.dense(r.deviceID), queries: q)) }
            }
            return Analytics(range: range, options: options, reader: reader, devices: table, activity: try reader.activity(in: range),
                             strings: s, threats: byDay(threats, \.day), tags: byDay(tags, \.day), phishing: byDay(phishing, \.day),
                             flagged: byDay(flagged, \.day), familyTags: try reader.familyTags())
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

    /// The attributes of a device by the store's number (empty ones if the store has none).
    public func device(_ id: Int64) -> DeviceInfo {
        devices.index[id].map { devices.infos[Int($0)] } ?? DeviceInfo(organisation: "", deviceKey: "")
    }

    /// The rows of a day-sorted array that fall in `p`.
    func slice<T>(_ rows: [T], _ p: Period, _ day: (T) -> Day) -> ArraySlice<T> {
        func lower(_ d: Day) -> Int {
            var lo = 0, hi = rows.count
            while lo < hi { let m = (lo + hi) / 2; if day(rows[m]) < d { lo = m + 1 } else { hi = m } }
            return lo
        }
        return rows[lower(p.range.first)..<lower(p.range.last.advanced(by: 1))]
    }

    /// Devices (dense) with at least one query in `p` (unfiltered).
    func seen(_ p: Period) -> [Int32] {
        if let s = cache.withLock({ $0.seen[p.range] }) { return s }
        let s = activity.devices(activeIn: p.range).map { devices.dense($0) }
        cache.withLock { $0.seen[p.range] = s }
        return s
    }

    func seen(_ p: Period, _ f: Filter) -> [Int32] { f.all ? seen(p) : seen(p).filter { f.matches($0) } }

    func newSet() -> DeviceSet { DeviceSet(capacity: devices.count) }

    /// Devices with a detection of `category` (any category when nil) in `p`, matching `f`.
    func affected(_ p: Period, _ f: Filter, category: String?) -> DeviceSet {
        var out = newSet()
        let c = category.map { strings.lookup($0) }
        if case .some(nil) = c { return out }
        for r in slice(threats, p, \.day) where (c == nil || r.category == c!) && f.matches(r.dev) { out.insert(r.dev) }
        return out
    }

    /// Devices with a detection carrying `tag` (any category) in `p`, matching `f`.
    func tagged(_ p: Period, _ f: Filter, tag: String) -> DeviceSet {
        var out = newSet()
        guard let t = strings.lookup(tag) else { return out }
        for r in slice(tags, p, \.day) where r.tag == t && f.matches(r.dev) { out.insert(r.dev) }
        return out
    }

    /// The group of a device under a grouping (0 when ungrouped).
    @inline(__always)
    func group(_ dev: Int32, _ dim: DeviceDimension?) -> Int32 { dim.map { devices.code(dev, $0) } ?? 0 }

    /// The name of a group.
    func groupName(_ g: Int32, _ dim: DeviceDimension?) -> String { dim.map { devices.value($0, g) } ?? Analytics.total }

    /// The number of groups of a grouping.
    func groupCount(_ dim: DeviceDimension?) -> Int { dim.map { devices.valueCount($0) } ?? 1 }

    /// Counts devices per group.
    func countByGroup(_ ids: some Sequence<Int32>, _ dim: DeviceDimension?) -> [Int64] {
        var out = [Int64](repeating: 0, count: groupCount(dim))
        for id in ids { out[Int(group(id, dim))] += 1 }
        return out
    }

    /// Per-group measures for the groups whose denominator count is positive (or that `include` names).
    func measures(_ num: [Int64], _ den: [Int64], basis: [Int64], _ dim: DeviceDimension?, include: (Int) -> Bool = { _ in false }) -> [String: Measure] {
        var out: [String: Measure] = [:]
        for g in den.indices where den[g] > 0 || include(g) {
            out[groupName(Int32(g), dim)] = Measure(numerator: num[g], denominator: den[g], basis: basis[g])
        }
        return out
    }

    /// A filter compiled against the device table.
    func compile(_ f: DeviceFilter) -> Filter { Filter(f, devices) }

    /// Queries per device (store numbers) in `p`, from the store (cached per period).
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
        let ids = seen(p, compile(f))
        let by = countByGroup(ids, dim)
        let total = Int64(ids.count)
        return measures(by, by.map { $0 > 0 ? total : 0 }, basis: by, dim)
    }

    /// **Affected devices (category c)**: distinct devices with at least one query in `p` classified `c` (any
    /// category when nil). Numerator: affected devices in the group; denominator: devices seen in the group (the
    /// share); basis: the denominator.
    public func affectedDevices(category c: String?, in p: Period, filter f: DeviceFilter = .all,
                                by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "affected devices")
        let cf = compile(f)
        let seenBy = countByGroup(seen(p, cf), dim)
        let affBy = countByGroup(affected(p, cf, category: c), dim)
        return measures(affBy, seenBy, basis: seenBy, dim)
    }

    /// **Organisations with category c** (C2 by default; any category when nil, "signs of compromise"):
    /// organisations with at least one device affected by `c` in `p` ÷ organisations seen in `p` (at least one device
    /// with a query). Grouped, an organisation counts in every group one of its seen devices falls in (by industry:
    /// the industry of its devices). Basis: devices seen in the group.
    public func organisations(with c: String? = StoreVocabulary.c2, in p: Period, filter f: DeviceFilter = .all,
                              by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "organisations")
        let cf = compile(f)
        let n = groupCount(dim)
        var orgsSeen = [Set<Int32>](repeating: [], count: n), orgsHit = [Set<Int32>](repeating: [], count: n)
        var devs = [Int64](repeating: 0, count: n)
        for id in seen(p, cf) {
            let g = Int(group(id, dim))
            orgsSeen[g].insert(devices.code(id, .organisation))
            devs[g] += 1
        }
        for id in affected(p, cf, category: c) { orgsHit[Int(group(id, dim))].insert(devices.code(id, .organisation)) }
        return measures(orgsHit.map { Int64($0.count) }, orgsSeen.map { Int64($0.count) }, basis: devs, dim)
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
        guard let cc = strings.lookup(c) else { return [:] }
        let cf = compile(f)
        var inCat: [Int32: DeviceSet] = [:], attributed: [Int32: DeviceSet] = [:], byFamily: [Int32: [Int32: DeviceSet]] = [:]
        for r in slice(threats, p, \.day) where r.category == cc && cf.matches(r.dev) {
            let g = group(r.dev, dim)
            inCat[g, default: newSet()].insert(r.dev)
            if r.family != Interner.empty {
                byFamily[g, default: [:]][r.family, default: newSet()].insert(r.dev)
                attributed[g, default: newSet()].insert(r.dev)
            }
        }
        var out: [String: FamilyShares] = [:]
        for (g, set) in inCat {
            let n = Int64(set.count)
            var fams: [String: Measure] = [:]
            for (fam, ds) in byFamily[g] ?? [:] { fams[strings.name(fam)] = Measure(numerator: Int64(ds.count), denominator: n, basis: n) }
            out[groupName(g, dim)] = FamilyShares(families: fams, unattributed: Measure(numerator: n - Int64(attributed[g]?.count ?? 0), denominator: n, basis: n))
        }
        return out
    }

    /// **IAB reach**: C2-affected devices that queried an IAB-tagged domain (any category) in `p` ÷ C2-affected
    /// devices in `p`. Basis: the C2-affected devices of the group.
    public func iabReach(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "IAB reach")
        let cf = compile(f)
        let c2 = affected(p, cf, category: StoreVocabulary.c2)
        let iab = tagged(p, cf, tag: StoreVocabulary.iabTag)
        let den = countByGroup(c2, dim), num = countByGroup(c2.intersection(iab), dim)
        return measures(num, den, basis: den, dim)
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
        /// Organisations with a device affected by the family ÷ organisations with any affected device (basis: the
        /// family's devices). In ``c2ThreatsByOrganisations(in:filter:by:n:)``: C2 detections of the family ÷
        /// organisations with C2.
        public var organisations: Measure
    }

    /// How to rank threats.
    public enum ThreatRanking: String, Sendable, Codable, CaseIterable {
        /// By affected devices (ties: queries, then name).
        case devices
        /// By queries (ties: devices, then name).
        case queries
    }

    /// Every attributed family of each group with its affected devices and queries in `p` (unsorted): the data of
    /// ``topThreats(in:filter:by:ranking:n:)``, for callers that rank the same families several ways.
    public func threatRanks(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: [ThreatRank]] {
        try check(p, "top threats")
        let cf = compile(f)
        // Flat storage: one device set per (group, family) pair, found through a dictionary of pair → slot.
        var slotOf: [Int64: Int] = [:], sets: [DeviceSet] = [], orgSets: [DeviceSet] = [], queries: [Int64] = [], pairs: [(group: Int32, family: Int32)] = []
        var anyOrgs: [Int32: DeviceSet] = [:]
        let orgCount = devices.valueCount(.organisation)
        // Categories seen per family, as bits over StoreVocabulary.categories (bit 4 for any other code).
        var catBit = [UInt8](repeating: 1 << 4, count: strings.count)
        for (i, c) in StoreVocabulary.categories.enumerated() { if let code = strings.lookup(c) { catBit[Int(code)] = 1 << UInt8(i) } }
        var famCats = [UInt8](repeating: 0, count: strings.count)
        var anyAffected: [Int32: DeviceSet] = [:]
        var lastGroupDev: Int32 = -1, lastGroup: Int32 = 0
        for r in slice(threats, p, \.day) where cf.matches(r.dev) {
            let g: Int32
            if r.dev == lastGroupDev { g = lastGroup } else { g = group(r.dev, dim); lastGroupDev = r.dev; lastGroup = g }
            anyAffected[g, default: newSet()].insert(r.dev)
            let org = devices.code(r.dev, .organisation)
            anyOrgs[g, default: DeviceSet(capacity: orgCount)].insert(org)
            guard r.family != Interner.empty else { continue }
            let key = Int64(g) << 32 | Int64(r.family)
            let slot: Int
            if let s = slotOf[key] { slot = s } else {
                slot = sets.count
                slotOf[key] = slot
                sets.append(newSet())
                orgSets.append(DeviceSet(capacity: orgCount))
                queries.append(0)
                pairs.append((g, r.family))
            }
            sets[slot].insert(r.dev)
            orgSets[slot].insert(org)
            queries[slot] += r.queries
            famCats[Int(r.family)] |= catBit[Int(r.category)]
        }
        var flaggedBy: [Int32: Int64] = [:]
        for r in slice(flagged, p, \.day) where cf.matches(r.dev) { flaggedBy[group(r.dev, dim), default: 0] += r.queries }
        var out: [String: [ThreatRank]] = [:]
        for (slot, pair) in pairs.enumerated() {
            let name = strings.name(pair.family)
            let t = familyTags[name] ?? []
            let nd = Int64(sets[slot].count)
            let bits = famCats[Int(pair.family)]
            out[groupName(pair.group, dim), default: []].append(ThreatRank(
                family: name, categories: StoreVocabulary.categories.indices.filter { bits & (1 << UInt8($0)) != 0 }.map { StoreVocabulary.categories[$0] },
                ransomware: t.contains(StoreVocabulary.ransomwareTag), iab: t.contains(StoreVocabulary.iabTag),
                devices: Measure(numerator: nd, denominator: Int64(anyAffected[pair.group]?.count ?? 0), basis: nd),
                queries: Measure(numerator: queries[slot], denominator: flaggedBy[pair.group] ?? 0, basis: nd),
                organisations: Measure(numerator: Int64(orgSets[slot].count), denominator: Int64(anyOrgs[pair.group]?.count ?? 0), basis: nd)))
        }
        return out
    }

    /// **Top C2 threats affecting organisations** ("among the top-5 C2 threats affecting organisations in APAC"):
    /// families with C2 detections in `p`, per group, ranked by organisations affected (ties: devices, then name).
    /// Organisations: those with a device with a C2 detection of the family ÷ organisations with C2; devices: devices
    /// with a C2 detection of the family ÷ C2-affected devices; queries as in ``threatRanks(in:filter:by:)``.
    public func c2ThreatsByOrganisations(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = nil,
                                         n: Int? = nil) throws(AnalyticsError) -> [String: [ThreatRank]] {
        let all = try threatRanks(in: p, filter: f, by: dim)
        guard let c2 = strings.lookup(StoreVocabulary.c2) else { return [:] }
        let cf = compile(f)
        let orgCount = devices.valueCount(.organisation)
        var c2Devices: [Int32: DeviceSet] = [:], c2Orgs: [Int32: DeviceSet] = [:]
        var famDevices: [Int64: DeviceSet] = [:], famOrgs: [Int64: DeviceSet] = [:]
        for r in slice(threats, p, \.day) where r.category == c2 && cf.matches(r.dev) {
            let g = group(r.dev, dim), org = devices.code(r.dev, .organisation)
            c2Devices[g, default: newSet()].insert(r.dev)
            c2Orgs[g, default: DeviceSet(capacity: orgCount)].insert(org)
            guard r.family != Interner.empty else { continue }
            let key = Int64(g) << 32 | Int64(r.family)
            famDevices[key, default: newSet()].insert(r.dev)
            famOrgs[key, default: DeviceSet(capacity: orgCount)].insert(org)
        }
        var out: [String: [ThreatRank]] = [:]
        for (key, ds) in famDevices {
            let g = Int32(truncatingIfNeeded: key >> 32), fam = Int32(truncatingIfNeeded: key)
            let name = strings.name(fam), gname = groupName(g, dim)
            guard var r = all[gname]?.first(where: { $0.family == name }) else { continue }
            let nd = Int64(ds.count)
            r.devices = Measure(numerator: nd, denominator: Int64(c2Devices[g]?.count ?? 0), basis: nd)
            r.organisations = Measure(numerator: Int64(famOrgs[key]?.count ?? 0), denominator: Int64(c2Orgs[g]?.count ?? 0), basis: nd)
            r.queries.basis = nd
            out[gname, default: []].append(r)
        }
        let limit = n ?? options.topN
        return out.mapValues { ranks in
            Array(ranks.sorted { a, b in
                let x = (a.organisations.numerator, a.devices.numerator), y = (b.organisations.numerator, b.devices.numerator)
                return x != y ? x > y : a.family < b.family
            }.prefix(limit))
        }
    }

    /// **Organisations with C2 by industry, as a split** (the reference report's "manufacturing > 30 %, business
    /// services 15 %…"): organisations with a C2-affected device of industry i ÷ organisations with a C2-affected
    /// device, in `p`. Basis: the C2-affected devices. (``organisations(with:in:filter:by:)`` grouped by industry
    /// gives the other reading: the share of each industry's organisations that had C2.)
    public func c2OrganisationsByIndustry(in p: Period, filter f: DeviceFilter = .all) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "C2 organisations by industry")
        let c2 = affected(p, compile(f), category: StoreVocabulary.c2)
        var all = Set<Int32>(), byIndustry: [Int32: Set<Int32>] = [:]
        for d in c2 {
            let org = devices.code(d, .organisation)
            all.insert(org)
            byIndustry[devices.code(d, .industry), default: []].insert(org)
        }
        var out: [String: Measure] = [:]
        for (i, orgs) in byIndustry {
            out[devices.value(.industry, i)] = Measure(numerator: Int64(orgs.count), denominator: Int64(all.count), basis: Int64(c2.count))
        }
        return out
    }

    /// Ranks threats: by affected devices (ties: queries, then name) or by queries (ties: devices, then name).
    public static func rank(_ threats: [ThreatRank], by ranking: ThreatRanking) -> [ThreatRank] {
        threats.sorted { a, b in
            let (x, y) = ranking == .devices ? ((a.devices.numerator, a.queries.numerator), (b.devices.numerator, b.queries.numerator))
                                             : ((a.queries.numerator, a.devices.numerator), (b.queries.numerator, b.devices.numerator))
            return x != y ? x > y : a.family < b.family
        }
    }

    /// **Top-N threats**: attributed families ranked by affected devices or by queries in `p`, per group, with
    /// ransomware (and IAB) marked; at most `n` (``AnalyticsOptions/topN`` by default) per group. A family's queries
    /// are summed over its categories.
    public func topThreats(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = nil, ranking: ThreatRanking = .devices,
                           n: Int? = nil) throws(AnalyticsError) -> [String: [ThreatRank]] {
        let limit = n ?? options.topN
        return try threatRanks(in: p, filter: f, by: dim).mapValues { Array(Analytics.rank($0, by: ranking).prefix(limit)) }
    }

    /// **Flagged queries**: malicious queries (each query once, however many detections) in `p` per group ÷ all
    /// queries of the group. Basis: devices with flagged queries in the group. Every group with a query is present
    /// (with 0 when none was flagged).
    public func flaggedQueries(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = .region) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "flagged queries")
        let cf = compile(f)
        let n = groupCount(dim)
        var num = [Int64](repeating: 0, count: n), den = [Int64](repeating: 0, count: n)
        var basisCount = [Int64](repeating: 0, count: n)
        var seenDev = newSet()
        for r in slice(flagged, p, \.day) where cf.matches(r.dev) {
            num[Int(group(r.dev, dim))] += r.queries
            if !seenDev.contains(r.dev) { seenDev.insert(r.dev); basisCount[Int(group(r.dev, dim))] += 1 }
        }
        for (id, q) in try queries(p) {
            let d = devices.dense(id)
            guard cf.matches(d) else { continue }
            den[Int(group(d, dim))] += q
        }
        var out: [String: Measure] = [:]
        for g in 0..<n where num[g] > 0 || den[g] > 0 {
            out[groupName(Int32(g), dim)] = Measure(numerator: num[g], denominator: den[g], basis: basisCount[g])
        }
        return out
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
    /// it (groups with flagged queries, ordered by them, largest first) — "APAC twice North America, the second
    /// region".
    public func flaggedQueryRatios(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension = .region) throws(AnalyticsError) -> [GroupRatio] {
        let byGroup = try flaggedQueries(in: p, filter: f, by: dim).filter { $0.value.numerator > 0 }.sorted { $0.value.numerator != $1.value.numerator ? $0.value.numerator > $1.value.numerator : $0.key < $1.key }
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
        let cf = compile(f)
        var byKey: [Int32: [Day: (industries: Set<Int32>, devices: Set<Int32>)]] = [:]
        for r in slice(phishing, p, \.day) where cf.matches(r.dev) {
            var e = byKey[r.campaign]?[r.day] ?? ([], [])
            if r.industry != Interner.empty { e.industries.insert(r.industry) }
            e.devices.insert(r.dev)
            byKey[r.campaign, default: [:]][r.day] = e
        }
        var out: [Campaign] = []
        for (k, days) in byKey {
            let sorted = days.keys.sorted()
            var start = 0
            for i in 0..<sorted.count where i == sorted.count - 1 || sorted[i].distance(to: sorted[i + 1]) > options.campaignGapDays {
                let run = sorted[start...i]
                var ind = Set<Int32>(), dev = Set<Int32>()
                for d in run { ind.formUnion(days[d]!.industries); dev.formUnion(days[d]!.devices) }
                out.append(Campaign(key: strings.name(k), days: DayRange(run.first!, run.last!), industries: ind.map { strings.name($0) }.sorted(),
                                    victims: Int64(dev.count)))
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
        let victims = Int64(affected(p, compile(f), category: StoreVocabulary.phishing).count)
        var by: [String: Int64] = [:]
        for c in list { for i in (c.industries.isEmpty ? [""] : c.industries) { by[i, default: 0] += 1 } }
        return by.mapValues { Measure(numerator: $0, denominator: Int64(list.count), basis: victims) }
    }

    /// **Phishing victims by targeted industry**: phishing-affected devices that reached a phishing domain targeting
    /// industry i ÷ phishing-affected devices, in `p` ("" for domains with no known target). Basis: the
    /// phishing-affected devices.
    public func phishingVictims(in p: Period, filter f: DeviceFilter = .all) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "phishing victims")
        let cf = compile(f)
        let all = Int64(affected(p, cf, category: StoreVocabulary.phishing).count)
        var by: [Int32: DeviceSet] = [:]
        for r in slice(phishing, p, \.day) where cf.matches(r.dev) { by[r.industry, default: newSet()].insert(r.dev) }
        var out: [String: Measure] = [:]
        for (i, set) in by { out[strings.name(i)] = Measure(numerator: Int64(set.count), denominator: all, basis: all) }
        return out
    }

    /// **Device types among infected devices**: devices of each type affected in `category` (any when nil) ÷ all
    /// such devices, in `p` ("" for devices the inventory gives no type). Basis: the infected devices.
    public func deviceTypes(infectedBy category: String? = nil, in p: Period, filter f: DeviceFilter = .all) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "device types")
        let ids = affected(p, compile(f), category: category)
        let n = Int64(ids.count)
        let by = countByGroup(ids, .deviceType)
        var out: [String: Measure] = [:]
        for g in by.indices where by[g] > 0 { out[groupName(Int32(g), .deviceType)] = Measure(numerator: by[g], denominator: n, basis: n) }
        return out
    }

    /// **Multi-stage chains**: devices that, within `p`, queried an IAB-tagged domain and later (strictly after, at
    /// most ``AnalyticsOptions/chainDays`` days later) a ransomware-tagged domain ÷ devices that queried an
    /// IAB-tagged domain in `p`. Basis: the IAB devices.
    ///
    /// Exact from the daily roll-up's first/last times: with a window of at least one day, if any pair of queries
    /// qualifies then a pair of first/last times of the same roll-up rows does. (A qualifying pair (t1, t2): if t1 is
    /// before the first time f2 of t2's row, (t1, f2) qualifies, else (t1, last time l2) does since l2 − t1 < 1 day;
    /// then with t2 fixed, the last time of t1's row qualifies if it is before t2, else its first time does.)
    public func chains(in p: Period, filter f: DeviceFilter = .all, by dim: DeviceDimension? = nil) throws(AnalyticsError) -> [String: Measure] {
        try check(p, "chains")
        let cf = compile(f)
        var iab: [Int32: [Int64]] = [:], ransom: [Int32: [Int64]] = [:]
        let ti = strings.lookup(StoreVocabulary.iabTag), tr = strings.lookup(StoreVocabulary.ransomwareTag)
        if ti != nil {
            for r in slice(tags, p, \.day) where (r.tag == ti || r.tag == tr) && cf.matches(r.dev) {
                if r.tag == ti { iab[r.dev, default: []] += [r.first, r.last] } else { ransom[r.dev, default: []] += [r.first, r.last] }
            }
        }
        let window = Int64(options.chainDays) * Day.nanosPerDay
        var chained = newSet()
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
        let den = countByGroup(iab.keys, dim), num = countByGroup(chained, dim)
        return measures(num, den, basis: den, dim)
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
        let cf = compile(f)
        var q: Int64 = 0, fl: Int64 = 0
        for (id, n) in try queries(p) where cf.matches(devices.dense(id)) { q += n }
        for r in slice(flagged, p, \.day) where cf.matches(r.dev) { fl += r.queries }
        return (q, fl)
    }
}

/// Strings of the roll-ups (categories, families, tags, campaign keys, industries) as small codes; code 0 is "".
struct Interner: Sendable {
    static let empty: Int32 = 0
    private var codes: [String: Int32] = ["": 0]
    private var names: [String] = [""]

    mutating func code(_ s: String) -> Int32 {
        if let c = codes[s] { return c }
        let c = Int32(names.count)
        names.append(s)
        codes[s] = c
        return c
    }

    /// The code of a string, or nil when no row has it.
    func lookup(_ s: String) -> Int32? { codes[s] }

    func name(_ c: Int32) -> String { names[Int(c)] }

    /// How many strings (codes run from 0 to count − 1).
    var count: Int { names.count }
}

/// A set of dense device indexes as a bit set.
struct DeviceSet: Sendable, Sequence {
    private var words: [UInt64]
    private(set) var count = 0

    init(capacity: Int) { words = [UInt64](repeating: 0, count: (capacity + 63) / 64) }

    func contains(_ i: Int32) -> Bool { words[Int(i) >> 6] & (1 << UInt64(Int(i) & 63)) != 0 }

    @inline(__always)
    mutating func insert(_ i: Int32) {
        let w = Int(i) >> 6, b: UInt64 = 1 << UInt64(Int(i) & 63)
        if words[w] & b == 0 { words[w] |= b; count += 1 }
    }

    func intersection(_ o: DeviceSet) -> DeviceSet {
        var r = self
        r.count = 0
        for k in r.words.indices {
            r.words[k] &= o.words[k]
            r.count += r.words[k].nonzeroBitCount
        }
        return r
    }

    func makeIterator() -> some IteratorProtocol<Int32> {
        var k = 0, w: UInt64 = words.first ?? 0
        let words = self.words
        return AnyIterator<Int32> {
            while w == 0 {
                k += 1
                guard k < words.count else { return nil }
                w = words[k]
            }
            let bit = w.trailingZeroBitCount
            w &= w - 1
            return Int32(k * 64 + bit)
        }
    }
}

/// The devices of a store as dense indexes with their attributes coded per dimension, so that filters and groupings
/// compare small integers instead of strings. The last index stands for devices the table does not know (written
/// after the devices were read, with a non-snapshot reader); its attributes are all empty.
struct DeviceTable: Sendable {
    /// Store number → dense index.
    let index: [Int64: Int32]
    /// Dense index → attributes.
    let infos: [DeviceInfo]
    /// Per dimension (in `DeviceDimension.allCases` order): dense index → value code.
    let codes: [[Int32]]
    /// Per dimension: value code → value.
    let values: [[String]]

    init(_ stored: [StoredDevice]) {
        var index: [Int64: Int32] = [:]
        var infos: [DeviceInfo] = []
        var codes = [[Int32]](repeating: [], count: DeviceDimension.allCases.count)
        var values = [[String]](repeating: [], count: DeviceDimension.allCases.count)
        var lookup = [[String: Int32]](repeating: [:], count: DeviceDimension.allCases.count)
        func add(_ info: DeviceInfo) {
            infos.append(info)
            for (k, dim) in DeviceDimension.allCases.enumerated() {
                let v = dim.value(of: info)
                let c: Int32
                if let x = lookup[k][v] { c = x } else { c = Int32(values[k].count); values[k].append(v); lookup[k][v] = c }
                codes[k].append(c)
            }
        }
        for d in stored {
            index[d.id] = Int32(infos.count)
            add(d.info)
        }
        add(DeviceInfo(organisation: "", deviceKey: ""))
        self.index = index
        self.infos = infos
        self.codes = codes
        self.values = values
    }

    /// Devices, including the "unknown" one.
    var count: Int { infos.count }

    static func slot(_ dim: DeviceDimension) -> Int {
        switch dim {
        case .region: 0
        case .segment: 1
        case .industry: 2
        case .organisation: 3
        case .country: 4
        case .deviceType: 5
        case .site: 6
        }
    }

    func dense(_ id: Int64) -> Int32 { index[id] ?? Int32(infos.count - 1) }
    @inline(__always)
    func code(_ dev: Int32, _ dim: DeviceDimension) -> Int32 { codes[Self.slot(dim)][Int(dev)] }
    func value(_ dim: DeviceDimension, _ code: Int32) -> String { values[Self.slot(dim)][Int(code)] }
    func valueCount(_ dim: DeviceDimension) -> Int { values[Self.slot(dim)].count }
}

/// A ``DeviceFilter`` compiled against a device table: per constrained dimension, which value codes pass.
struct Filter: Sendable {
    let checks: [(codes: [Int32], allowed: [Bool])]
    var all: Bool { checks.isEmpty }

    init(_ f: DeviceFilter, _ t: DeviceTable) {
        checks = f.constraints.map { dim, allowedValues in
            let k = DeviceTable.slot(dim)
            return (t.codes[k], t.values[k].map { allowedValues.contains($0) })
        }
    }

    @inline(__always)
    func matches(_ dev: Int32) -> Bool {
        for c in checks where !c.allowed[Int(c.codes[Int(dev)])] { return false }
        return true
    }
}
