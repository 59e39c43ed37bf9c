import EventStore

/// The metrics of mission.md computed the slow, obvious way, straight from a list of observations — no roll-ups,
/// no store — so that tests can check the store and the analytics against it.
///
/// Every function takes a day range, a device predicate and a grouping function (returning the group's name) and
/// returns, per group, the numerator and the denominator of the metric's definition.
public struct GroundTruth: Sendable {
    /// The observations.
    public let observations: [TrafficObservation]
    /// Count only known-tier detections.
    public var knownOnly = false
    /// Multi-stage chain window, days.
    public var chainDays = 30
    /// Campaign gap, days.
    public var campaignGapDays = 30
    /// Newly-observed-domain window, days.
    public var nodWindowDays = 60

    /// A numerator and a denominator.
    public struct Pair: Hashable, Sendable, CustomStringConvertible {
        public var num: Int
        public var den: Int
        public init(_ num: Int, _ den: Int) { self.num = num; self.den = den }
        public var description: String { "\(num)/\(den)" }
    }

    /// Device predicate.
    public typealias Filter = (DeviceInfo) -> Bool
    /// Grouping function.
    public typealias Group = (DeviceInfo) -> String

    /// The ground truth of a list of observations.
    public init(_ observations: [TrafficObservation]) { self.observations = observations.sorted { $0.timeNanos < $1.timeNanos } }

    /// Everything passes.
    public static var everyone: Filter { { _ in true } }
    /// One group, "all".
    public static var ungrouped: Group { { _ in "all" } }

    func dets(_ o: TrafficObservation) -> [DetectionRecord] {
        knownOnly ? o.detections.filter { $0.tier == StoreVocabulary.known } : o.detections
    }

    /// The first observation at or after `t` (observations are sorted by time).
    func lowerBound(_ t: Int64) -> Int {
        var lo = 0, hi = observations.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if observations[mid].timeNanos < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func each(_ r: DayRange, _ f: Filter, _ body: (TrafficObservation) -> Void) {
        for i in lowerBound(r.first.startNanos)..<lowerBound(r.endNanos) where f(observations[i].device) { body(observations[i]) }
    }

    func sets(_ r: DayRange, _ f: Filter, _ g: Group, _ pick: (TrafficObservation) -> Bool) -> [String: Set<DeviceIdentity>] {
        var out: [String: Set<DeviceIdentity>] = [:]
        each(r, f) { o in if pick(o) { out[g(o.device), default: []].insert(o.device.identity) } }
        return out
    }

    /// Devices with at least one query, per group.
    public func devicesSeen(_ r: DayRange, _ f: Filter = everyone, _ g: Group = ungrouped) -> [String: Int] {
        sets(r, f, g) { _ in true }.mapValues(\.count)
    }

    /// Devices affected by `category` (any when nil) ÷ devices seen, per group.
    public func affected(_ category: String?, _ r: DayRange, _ f: Filter = everyone, _ g: Group = ungrouped) -> [String: Pair] {
        let seen = sets(r, f, g) { _ in true }
        let hit = sets(r, f, g) { o in dets(o).contains { category == nil || $0.category == category } }
        return seen.mapValues { _ in Pair(0, 0) }.reduce(into: [:]) { out, e in
            out[e.key] = Pair(hit[e.key]?.count ?? 0, seen[e.key]!.count)
        }
    }

    /// Organisations with a device affected by `category` ÷ organisations seen, per group.
    public func organisations(_ category: String?, _ r: DayRange, _ f: Filter = everyone, _ g: Group = ungrouped) -> [String: Pair] {
        var seen: [String: Set<String>] = [:], hit: [String: Set<String>] = [:]
        each(r, f) { o in
            seen[g(o.device), default: []].insert(o.device.organisation)
            if dets(o).contains(where: { category == nil || $0.category == category }) { hit[g(o.device), default: []].insert(o.device.organisation) }
        }
        return seen.reduce(into: [:]) { out, e in out[e.key] = Pair(hit[e.key]?.count ?? 0, e.value.count) }
    }

    /// Per group: per family, devices ÷ devices affected in `category`; and unattributed devices.
    public func familyShares(_ category: String, _ r: DayRange, _ f: Filter = everyone, _ g: Group = ungrouped)
        -> [String: (families: [String: Pair], unattributed: Pair)] {
        var all: [String: Set<DeviceIdentity>] = [:], fam: [String: [String: Set<DeviceIdentity>]] = [:]
        each(r, f) { o in
            for d in dets(o) where d.category == category {
                all[g(o.device), default: []].insert(o.device.identity)
                if !d.family.isEmpty { fam[g(o.device), default: [:]][d.family, default: []].insert(o.device.identity) }
            }
        }
        return all.reduce(into: [:]) { out, e in
            let n = e.value.count
            let fs = fam[e.key] ?? [:]
            let attributed = fs.values.reduce(into: Set<DeviceIdentity>()) { $0.formUnion($1) }
            out[e.key] = (fs.mapValues { Pair($0.count, n) }, Pair(n - attributed.count, n))
        }
    }

    /// C2-affected devices that reached an IAB-tagged domain ÷ C2-affected devices, per group.
    public func iabReach(_ r: DayRange, _ f: Filter = everyone, _ g: Group = ungrouped) -> [String: Pair] {
        let c2 = sets(r, f, g) { o in dets(o).contains { $0.category == StoreVocabulary.c2 } }
        let iab = sets(r, f, g) { o in dets(o).contains { $0.tags.contains(StoreVocabulary.iabTag) } }
        return c2.reduce(into: [:]) { out, e in out[e.key] = Pair(e.value.intersection(iab[e.key] ?? []).count, e.value.count) }
    }

    /// Per group, per attributed family: affected devices, queries with a detection of the family (a query with the
    /// family in two categories counts twice, as in the roll-up) and organisations with an affected device ÷
    /// organisations with any affected device.
    public func threats(_ r: DayRange, _ f: Filter = everyone, _ g: Group = ungrouped)
        -> [String: [String: (devices: Int, queries: Int, organisations: Pair)]] {
        var devs: [String: [String: Set<DeviceIdentity>]] = [:], qs: [String: [String: Int]] = [:]
        var orgs: [String: [String: Set<String>]] = [:], anyOrgs: [String: Set<String>] = [:]
        each(r, f) { o in
            var seenKeys = Set<[String]>()
            if !dets(o).isEmpty { anyOrgs[g(o.device), default: []].insert(o.device.organisation) }
            for d in dets(o) where !d.family.isEmpty {
                devs[g(o.device), default: [:]][d.family, default: []].insert(o.device.identity)
                orgs[g(o.device), default: [:]][d.family, default: []].insert(o.device.organisation)
                if seenKeys.insert([d.category, d.family]).inserted { qs[g(o.device), default: [:]][d.family, default: 0] += 1 }
            }
        }
        return devs.reduce(into: [:]) { out, e in
            out[e.key] = e.value.reduce(into: [:]) { o2, fe in
                o2[fe.key] = (fe.value.count, qs[e.key]?[fe.key] ?? 0, Pair(orgs[e.key]?[fe.key]?.count ?? 0, anyOrgs[e.key]?.count ?? 0))
            }
        }
    }

    /// Per group, per family with C2 detections: organisations with a device with a C2 detection of the family ÷
    /// organisations with C2, and devices with a C2 detection of the family ÷ C2-affected devices.
    public func c2ThreatsByOrganisations(_ r: DayRange, _ f: Filter = everyone, _ g: Group = ungrouped)
        -> [String: [String: (organisations: Pair, devices: Pair)]] {
        var devs: [String: [String: Set<DeviceIdentity>]] = [:], orgs: [String: [String: Set<String>]] = [:]
        var c2Devs: [String: Set<DeviceIdentity>] = [:], c2Orgs: [String: Set<String>] = [:]
        each(r, f) { o in
            for d in dets(o) where d.category == StoreVocabulary.c2 {
                c2Devs[g(o.device), default: []].insert(o.device.identity)
                c2Orgs[g(o.device), default: []].insert(o.device.organisation)
                if !d.family.isEmpty {
                    devs[g(o.device), default: [:]][d.family, default: []].insert(o.device.identity)
                    orgs[g(o.device), default: [:]][d.family, default: []].insert(o.device.organisation)
                }
            }
        }
        return devs.reduce(into: [:]) { out, e in
            out[e.key] = e.value.reduce(into: [:]) { o2, fe in
                o2[fe.key] = (Pair(orgs[e.key]![fe.key]!.count, c2Orgs[e.key]?.count ?? 0), Pair(fe.value.count, c2Devs[e.key]?.count ?? 0))
            }
        }
    }

    /// Organisations with a C2-affected device of each industry ÷ organisations with a C2-affected device.
    public func c2OrganisationsByIndustry(_ r: DayRange, _ f: Filter = everyone) -> [String: Pair] {
        var all = Set<String>(), by: [String: Set<String>] = [:]
        each(r, f) { o in
            if dets(o).contains(where: { $0.category == StoreVocabulary.c2 }) {
                all.insert(o.device.organisation)
                by[o.device.industry, default: []].insert(o.device.organisation)
            }
        }
        return by.mapValues { Pair($0.count, all.count) }
    }

    /// Flagged queries ÷ all queries, per group with at least one query.
    public func flaggedQueries(_ r: DayRange, _ f: Filter = everyone, _ g: Group = ungrouped) -> [String: Pair] {
        var fl: [String: Int] = [:], all: [String: Int] = [:]
        each(r, f) { o in
            all[g(o.device), default: 0] += 1
            if !dets(o).isEmpty { fl[g(o.device), default: 0] += 1 }
        }
        return all.reduce(into: [:]) { out, e in out[e.key] = Pair(fl[e.key] ?? 0, e.value) }
    }

    /// The phishing campaigns of a range: per campaign key, runs of active days at most `campaignGapDays` apart.
    public func campaigns(_ r: DayRange, _ f: Filter = everyone) -> [(key: String, first: Day, last: Day, industries: Set<String>)] {
        var days: [String: [Day: Set<String>]] = [:]
        each(r, f) { o in
            for d in dets(o) where d.category == StoreVocabulary.phishing {
                let key = StoreVocabulary.campaignKey(tags: d.tags, family: d.family, queryName: d.queryName)
                let day = Day(timeNanos: o.timeNanos)
                days[key, default: [:]][day, default: []].formUnion(StoreVocabulary.values(prefix: StoreVocabulary.targetedIndustryPrefix, in: d.tags))
            }
        }
        var out: [(String, Day, Day, Set<String>)] = []
        for (k, byDay) in days {
            var cur: (Day, Day, Set<String>)? = nil
            for d in byDay.keys.sorted() {
                if let c = cur, c.1.distance(to: d) <= campaignGapDays {
                    cur = (c.0, d, c.2.union(byDay[d]!))
                } else {
                    if let c = cur { out.append((k, c.0, c.1, c.2)) }
                    cur = (d, d, byDay[d]!)
                }
            }
            if let c = cur { out.append((k, c.0, c.1, c.2)) }
        }
        return out.map { (key: $0.0, first: $0.1, last: $0.2, industries: $0.3) }
    }

    /// Campaigns targeting each industry ÷ campaigns ("" for none known).
    public func campaignShares(_ r: DayRange, _ f: Filter = everyone) -> [String: Pair] {
        let cs = campaigns(r, f)
        var by: [String: Int] = [:]
        for c in cs { for i in c.industries.isEmpty ? [""] : Array(c.industries) { by[i, default: 0] += 1 } }
        return by.mapValues { Pair($0, cs.count) }
    }

    /// Phishing-affected devices that reached a domain targeting each industry ÷ phishing-affected devices.
    public func phishingVictims(_ r: DayRange, _ f: Filter = everyone) -> [String: Pair] {
        var all = Set<DeviceIdentity>(), by: [String: Set<DeviceIdentity>] = [:]
        each(r, f) { o in
            for d in dets(o) where d.category == StoreVocabulary.phishing {
                all.insert(o.device.identity)
                let inds = StoreVocabulary.values(prefix: StoreVocabulary.targetedIndustryPrefix, in: d.tags)
                for i in inds.isEmpty ? [""] : inds { by[i, default: []].insert(o.device.identity) }
            }
        }
        return by.mapValues { Pair($0.count, all.count) }
    }

    /// Infected devices (by `category`, any when nil) of each device type ÷ infected devices.
    public func deviceTypes(_ category: String?, _ r: DayRange, _ f: Filter = everyone) -> [String: Pair] {
        let hit = sets(r, f, { $0.deviceType }) { o in dets(o).contains { category == nil || $0.category == category } }
        let n = hit.values.reduce(0) { $0 + $1.count }
        return hit.mapValues { Pair($0.count, n) }
    }

    /// Devices with an IAB query at t1 and a ransomware query at t2, t1 < t2 ≤ t1 + chainDays, both in the range ÷
    /// devices with an IAB query in the range.
    public func chains(_ r: DayRange, _ f: Filter = everyone, _ g: Group = ungrouped) -> [String: Pair] {
        var iab: [DeviceIdentity: [Int64]] = [:], rans: [DeviceIdentity: [Int64]] = [:], group: [DeviceIdentity: String] = [:]
        each(r, f) { o in
            for d in dets(o) {
                if d.tags.contains(StoreVocabulary.iabTag) { iab[o.device.identity, default: []].append(o.timeNanos); group[o.device.identity] = g(o.device) }
                if d.tags.contains(StoreVocabulary.ransomwareTag) { rans[o.device.identity, default: []].append(o.timeNanos) }
            }
        }
        let w = Int64(chainDays) * Day.nanosPerDay
        var out: [String: Pair] = [:]
        for (dev, ts) in iab {
            let chained = ts.contains { t1 in (rans[dev] ?? []).contains { t2 in t2 > t1 && t2 - t1 <= w } }
            var p = out[group[dev]!] ?? Pair(0, 0)
            p.den += 1
            if chained { p.num += 1 }
            out[group[dev]!] = p
        }
        return out
    }

    /// Newly observed domains as of the end of `lastDay`: first seen (over all observations) in the window of
    /// `nodWindowDays` days ending that day; how many resolved / were malicious before the window's end.
    public func newlyObserved(asOf lastDay: Day) -> (domains: Int, resolving: Int, malicious: Int, maliciousResolving: Int) {
        let window = DayRange(lastDay.advanced(by: -(nodWindowDays - 1)), lastDay)
        var first: [String: Int64] = [:], resolved: [String: Int64] = [:], malicious: [String: Int64] = [:]
        for o in observations {
            guard let d = o.domain else { continue }
            first[d] = min(first[d] ?? .max, o.timeNanos)
            if o.resolved { resolved[d] = min(resolved[d] ?? .max, o.timeNanos) }
            if !o.detections.isEmpty { malicious[d] = min(malicious[d] ?? .max, o.timeNanos) }
        }
        var n = 0, res = 0, mal = 0, both = 0
        for (d, t) in first where window.contains(timeNanos: t) {
            n += 1
            let r = (resolved[d] ?? .max) < window.endNanos, m = (malicious[d] ?? .max) < window.endNanos
            if r { res += 1 }
            if m { mal += 1 }
            if r && m { both += 1 }
        }
        return (n, res, mal, both)
    }
}
