import DNSWire
import DNSightCore

/// NXDOMAIN bursts per device: a device asking for many names that do not exist, in a short window.
///
/// A bot whose C2 rendezvous uses a DGA tries tens to thousands of generated domains a day, and all but the few
/// the operator registered come back NXDOMAIN. The detector keeps, per device, the distinct NXDOMAIN names of the
/// last `windowSeconds` (at most `maxNamesPerDevice`) grouped by registrable domain, and fires on the first branch
/// that holds:
///
/// 1. **known**: at least two of the names are produced by a known family's generator (QSnatch, Pykspa) around the
///    query's date (QSnatch-A's short names, which collide with real domains, need four);
/// 2. **dga**: at least `minDGADomains` distinct NXDOMAIN registrable domains score DGA-like, and they are at least
///    `minDGAFraction` of all distinct NXDOMAIN registrable domains in the window;
/// 3. **volume**: at least `volumeDomains` distinct NXDOMAIN registrable domains under at most `volumeMaxSuffixes`
///    public suffixes — word-list DGAs (suppobox, matsnu) score low but still spray one short TLD list;
/// 4. **random-subdomain**: at least `subdomainNames` distinct NXDOMAIN names under at most `subdomainMaxParents`
///    registrable domains whose leftmost labels look random (mean entropy ≥ `subdomainMinEntropy`) — a device taking
///    part in a random-subdomain ("water torture") flood.
///
/// Internal and special-use names (`.local`, `cluster.local` search-path expansions, `.arpa`), single-label names
/// (browser probes) and the benign list never count. While a burst lasts (a window after it last held), the
/// device's NXDOMAIN queries that are DGA-like or known-family, and any DGA-like name that *does* resolve (the
/// registered C2 domain), carry the verdict. Category: the family's (QSnatch → C2) when a generator names it,
/// otherwise malware.
public struct NXDomainBurstDetector: Sendable {
    /// The detector's name (the verdict's `matched`).
    public static let name = "nxdomain-burst"
    /// Evidence names kept per burst.
    static let sampleSize = 12

    struct Name: Sendable {
        var hash: UInt64
        var domain: UInt64
        var first: Int64
        var count: UInt32
        var dgaLike: Bool
        var known: UInt8          // 0 none, 1 weak, 2 strong
        var family: String?
        var leftEntropy: Float
    }

    struct Domain: Sendable {
        var names: Int
        var dgaLike: Bool
        var suffix: UInt64
    }

    struct State: Sendable {
        var names: [Name] = []
        var domains: [UInt64: Domain] = [:]
        var suffixes: [UInt64: Int] = [:]
        var dgaLikeDomains = 0
        var latchedUntil: Int64 = .min
        var branch = ""
        var samples: [(hash: UInt64, name: String)] = []
    }

    /// The settings in force.
    public let settings: DetectorSettings.NXDomain
    /// The DGA-like threshold in force.
    public let dgaThreshold: Double
    var table: ExpiringTable<State>
    /// One bit per device-hash prefix that has ever had a burst latched: most devices never have one, and looking
    /// each resolved query's device up in the table (to catch the burst's rendezvous domain) missed the cache.
    var latched = [UInt64](repeating: 0, count: 1024)

    /// Creates the detector.
    public init(settings: DetectorSettings.NXDomain, dgaThreshold: Double) {
        self.settings = settings
        self.dgaThreshold = dgaThreshold
        table = ExpiringTable(maxEntries: settings.maxDevices, idleSeconds: max(1, settings.windowSeconds), empty: State())
    }

    /// Devices held, and the table's eviction and expiry counts.
    public var tracked: Int { table.count }
    public var evictions: Int { table.evictions }
    public var expirations: Int { table.expirations }

    /// Looks at one query.
    public mutating func observe(_ f: QueryFacts, device: () -> String, dga: inout DGAContext) -> DetectorOutcome {
        guard f.scope == .watched, f.rcode != nil else { return .none }
        if !f.isNXDomain {
            // A DGA-like name that resolves while the device's burst lasts: the registered rendezvous domain.
            guard f.rcode == .noError, latched[Int(f.deviceHash >> 54)] & (1 << ((f.deviceHash >> 48) & 63)) != 0,
                  let slot = table.find(f.deviceHash, now: f.seconds), table[slot].latchedUntil >= f.seconds else {
                return .none
            }
            let score = dga.score(f)
            guard score >= dgaThreshold else { return .none }
            let known = dga.knownFamily(f)
            return .flag(verdict(table[slot], f, device, family: known?.family ?? majorityFamily(table[slot]), resolved: true), newAlert: false)
        }
        let (slot, _) = table.upsert(f.deviceHash, now: f.seconds)
        prune(slot, before: f.seconds - settings.windowSeconds)
        if let i = table[slot].names.firstIndex(where: { $0.hash == f.nameHash }) {
            table[slot].names[i].count &+= 1
            let n = table[slot].names[i]
            guard table[slot].latchedUntil >= f.seconds, n.dgaLike || n.known > 0 || table[slot].branch != "dga" else { return .none }
            return .flag(verdict(table[slot], f, device, family: majorityFamily(table[slot]), resolved: false), newAlert: false)
        }
        guard table[slot].names.count < settings.maxNamesPerDevice else { return .none }
        // Under a platform whose host labels are random by design (a CDN's distribution ids) every name is its own
        // registrable domain: group them under the platform suffix instead, and never as DGA-like.
        let domainKey = f.randomByDesign ? f.suffixHash : f.registrableHash
        // A new NXDOMAIN name in the window.
        var name = Name(hash: f.nameHash, domain: domainKey, first: f.seconds, count: 1, dgaLike: false, known: 0, family: nil,
                        leftEntropy: 0)
        if let hit = dga.knownFamily(f) {
            name.known = hit.isWeak ? 1 : 2
            name.family = hit.family
        }
        if let d = table[slot].domains[domainKey] {
            name.dgaLike = d.dgaLike
            table[slot].domains[domainKey]!.names += 1
        } else {
            name.dgaLike = dga.score(f) >= dgaThreshold
            table[slot].domains[domainKey] = Domain(names: 1, dgaLike: name.dgaLike, suffix: f.suffixHash)
            table[slot].suffixes[f.suffixHash, default: 0] += 1
            if name.dgaLike { table[slot].dgaLikeDomains += 1 }
        }
        if f.subdomainLength > 0 {
            var end = 0
            while end < f.name.count && f.name[end] != UInt8(ascii: ".") { end += 1 }
            name.leftEntropy = Float(NameStatistics.entropy(UnsafeBufferPointer(rebasing: f.name[0..<end])))
        }
        table[slot].names.append(name)
        if table[slot].samples.count < Self.sampleSize { table[slot].samples.append((f.nameHash, f.nameString)) }

        if let (branch, _, _) = evaluate(table[slot]) {
            let isNew = table[slot].latchedUntil < f.seconds
            table[slot].latchedUntil = f.seconds + settings.windowSeconds
            latched[Int(f.deviceHash >> 54)] |= 1 << ((f.deviceHash >> 48) & 63)
            table[slot].branch = branch
            return .flag(verdict(table[slot], f, device, family: majorityFamily(table[slot]), resolved: false), newAlert: isNew)
        }
        if table[slot].latchedUntil >= f.seconds, name.dgaLike || name.known > 0 || table[slot].branch != "dga" {
            return .flag(verdict(table[slot], f, device, family: majorityFamily(table[slot]), resolved: false), newAlert: false)
        }
        return .none
    }

    /// The branch that holds for a state, with its score and threshold.
    func evaluate(_ s: State) -> (branch: String, score: Double, threshold: Double)? {
        let strong = s.names.reduce(0) { $0 + ($1.known == 2 ? 1 : 0) }
        let weak = s.names.reduce(0) { $0 + ($1.known == 1 ? 1 : 0) }
        if strong >= 2 { return ("known", Double(strong), 2) }
        if weak >= 4 { return ("known", Double(weak), 4) }
        let r = s.domains.count
        let d = s.dgaLikeDomains
        if d >= settings.minDGADomains && Double(d) >= settings.minDGAFraction * Double(r) {
            return ("dga", Double(d), Double(settings.minDGADomains))
        }
        if r >= settings.volumeDomains && s.suffixes.count <= settings.volumeMaxSuffixes {
            return ("volume", Double(r), Double(settings.volumeDomains))
        }
        if s.names.count >= settings.subdomainNames {
            let top = s.domains.sorted { $0.value.names > $1.value.names }.prefix(settings.subdomainMaxParents)
            let parents = Set(top.map(\.key))
            let under = s.names.filter { parents.contains($0.domain) }
            if under.count >= settings.subdomainNames {
                let mean = under.reduce(0.0) { $0 + Double($1.leftEntropy) } / Double(under.count)
                if mean >= settings.subdomainMinEntropy { return ("random-subdomain", Double(under.count), Double(settings.subdomainNames)) }
            }
        }
        return nil
    }

    private mutating func prune(_ slot: Int, before cutoff: Int64) {
        var drop = 0
        while drop < table[slot].names.count && table[slot].names[drop].first < cutoff { drop += 1 }
        guard drop > 0 else { return }
        for n in table[slot].names[0..<drop] {
            guard var d = table[slot].domains[n.domain] else { continue }
            d.names -= 1
            if d.names <= 0 {
                table[slot].domains[n.domain] = nil
                if d.dgaLike { table[slot].dgaLikeDomains -= 1 }
                let left = (table[slot].suffixes[d.suffix] ?? 1) - 1
                table[slot].suffixes[d.suffix] = left > 0 ? left : nil
            } else {
                table[slot].domains[n.domain] = d
            }
        }
        let gone = Set(table[slot].names[0..<drop].map(\.hash))
        table[slot].names.removeFirst(drop)
        table[slot].samples.removeAll { gone.contains($0.hash) }
    }

    func majorityFamily(_ s: State) -> String? {
        var counts: [String: Int] = [:]
        for n in s.names { if let f = n.family { counts[f, default: 0] += n.known == 2 ? 4 : 1 } }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    func verdict(_ s: State, _ f: QueryFacts, _ device: () -> String, family: String?, resolved: Bool) -> Verdict {
        let (branch, score, threshold) = evaluate(s) ?? (s.branch, Double(s.domains.count), 0)
        let start = s.names.first?.first ?? f.seconds
        let strong = s.names.reduce(0) { $0 + ($1.known == 2 ? 1 : 0) }
        let counts = Dictionary(s.names.map { ($0.hash, Int($0.count)) }, uniquingKeysWith: +)
        var rule = "\(branch) branch: \(s.domains.count) distinct NXDOMAIN registrable domains (\(s.dgaLikeDomains) DGA-like) and "
        rule += "\(s.names.count) distinct NXDOMAIN names under \(s.suffixes.count) public suffixes in \(settings.windowSeconds) s"
        if resolved { rule += "; this DGA-like name resolved during the burst" }
        let evidence = DetectorEvidence(
            rule: rule, windowStartNanos: BehaviourVerdict.seconds(start), windowEndNanos: f.timeNanos, key: device(),
            measures: [("distinct_nxdomain_names", Double(s.names.count)), ("distinct_nxdomain_domains", Double(s.domains.count)),
                       ("dga_like_domains", Double(s.dgaLikeDomains)), ("public_suffixes", Double(s.suffixes.count)),
                       ("known_family_names", Double(strong)), ("dga_threshold", dgaThreshold)],
            names: s.samples.map { DetectorEvidence.NameCount(name: $0.name, count: counts[$0.hash] ?? 1) })
        return BehaviourVerdict.make(Self.name, category: .malware, family: family, score: score, threshold: threshold, evidence: evidence)
    }
}
