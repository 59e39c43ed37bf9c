import DNSWire
import DNSightCore
import Foundation

/// DNS tunnelling and exfiltration per (device, parent domain): data carried in the labels of many unique, long,
/// random-looking names under one registrable domain, often with TXT/NULL/CNAME/MX answers for the way back.
///
/// Per (device, registrable domain) the detector keeps a tumbling window of `windowSeconds` with: the queries, an
/// estimate of the unique sub-domains (linear counting over a 512-bit map), the sub-domain bytes per query, the
/// mean Shannon entropy of long sub-domains (at least `longSubdomain` bytes), and the share of TXT, NULL, CNAME, MX,
/// KEY and ANY queries. Once the window holds `minQueries` queries it is scored:
///
///     score = wU·min(1, unique / uniqueTarget) + wL·ramp(meanBytes; lengthLow, lengthHigh)
///           + wE·ramp(meanEntropy; entropyLow, entropyHigh) + wT·min(1, rareTypeShare / 0.5)
///
/// and fires at `threshold` (ramp is 0 below the low bound, 1 above the high one, linear between). A CDN's hashed
/// host names (`d1a2b3c4.cloudfront.net`) are short and few per device; Google video hosts are short; ad-tech
/// cookie-sync names are long but few and not TXT. The detector never fires for internal names, `.arpa`, the
/// benign list (DNS blocklists and anti-virus reputation lookups are tunnels by design) or popular parents (queried
/// by `common.popularDevices` devices or more). Once fired, the pair's later queries in the window carry the verdict.
/// Category: exfiltration.
public struct TunnelDetector: Sendable {
    /// The detector's name (the verdict's `matched`).
    public static let name = "dns-tunnel"
    static let sampleSize = 5

    struct State: Sendable {
        var windowStart: Int64 = 0
        var queries: UInt32 = 0
        var longQueries: UInt32 = 0
        var rareTypes: UInt32 = 0
        var subdomainBytes: UInt64 = 0
        var entropySum: Float = 0
        var bits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var fired = false
        var samples: [String] = []
        var answerBytes: UInt64 = 0
    }

    /// The settings in force.
    public let settings: DetectorSettings.Tunnel
    let popularDevices: Int
    var table: ExpiringTable<State>
    /// One bit per pair-key prefix (2^16 bits): set when a pair is opened, so that short, common-type queries — most
    /// queries — learn that their pair is not tracked without probing the table.
    var opened = [UInt64](repeating: 0, count: 1024)

    /// Creates the detector.
    public init(settings: DetectorSettings.Tunnel, popularDevices: Int) {
        self.settings = settings
        self.popularDevices = popularDevices
        table = ExpiringTable(maxEntries: settings.maxPairs, idleSeconds: max(1, settings.windowSeconds), empty: State())
    }

    /// Pairs held, and the table's eviction and expiry counts.
    public var tracked: Int { table.count }
    public var evictions: Int { table.evictions }
    public var expirations: Int { table.expirations }

    static func isRareType(_ t: RecordType) -> Bool {
        switch t.rawValue {
        case 16, 10, 5, 15, 25, 255: return true   // TXT, NULL, CNAME, MX, KEY, ANY
        default: return false
        }
    }

    /// Looks at one query.
    public mutating func observe(_ f: QueryFacts, answers: [DNSAnswer]) -> DetectorOutcome {
        guard f.scope == .watched, f.subdomainLength > 0 else { return .none }
        let key = StableHash.pair(f.deviceHash, f.registrableHash)
        // Without a long sub-domain or a TXT/NULL/CNAME/MX/KEY/ANY type a pair can reach at most the unique and
        // type weights (0.5 by default, under any sensible threshold): such queries only add to a pair that a long
        // or rare-type query opened. Popular parents never fire, so they are not tracked either.
        if f.subdomainLength < settings.longSubdomain && !Self.isRareType(f.queryType) {
            if opened[Int(key >> 54)] & (1 << ((key >> 48) & 63)) == 0 || table.find(key, now: f.seconds) == nil { return .none }
        }
        if popularDevices > 0 && f.prevalence >= popularDevices { return .none }
        let (slot, isNew) = table.upsert(key, now: f.seconds)
        opened[Int(key >> 54)] |= 1 << ((key >> 48) & 63)
        if isNew || f.seconds - table[slot].windowStart >= settings.windowSeconds {
            table[slot] = State()
            table[slot].windowStart = f.seconds
        }
        let sub = UnsafeBufferPointer(rebasing: f.name[0..<f.subdomainLength])
        let bit = Int(truncatingIfNeeded: StableHash.hash(sub) >> 55)   // 0..<512
        let before = table[slot].queries
        table[slot].queries = before &+ 1
        table[slot].subdomainBytes &+= UInt64(sub.count)
        Self.setBit(&table[slot].bits, bit)
        if Self.isRareType(f.queryType) { table[slot].rareTypes &+= 1 }
        if sub.count >= settings.longSubdomain {
            table[slot].longQueries &+= 1
            table[slot].entropySum += Float(NameStatistics.entropy(sub))
            if table[slot].samples.count < Self.sampleSize { table[slot].samples.append(f.nameString) }
        }
        for a in answers { if let t = a.text { table[slot].answerBytes &+= UInt64(t.utf8.count) } }

        if table[slot].fired { return .flag(verdict(table[slot], f), newAlert: false) }
        guard Int(table[slot].queries) >= settings.minQueries, table[slot].longQueries > 0 else { return .none }
        // Score every query until the first alert; cheap (a few arithmetic operations and a popcount).
        let s = score(table[slot])
        guard s.total >= settings.threshold else { return .none }
        if popularDevices > 0 && f.prevalence >= popularDevices { return .none }
        table[slot].fired = true
        return .flag(verdict(table[slot], f), newAlert: true)
    }

    static func setBit(_ b: inout (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64), _ i: Int) {
        let m = UInt64(1) << UInt64(i & 63)
        switch i >> 6 {
        case 0: b.0 |= m
        case 1: b.1 |= m
        case 2: b.2 |= m
        case 3: b.3 |= m
        case 4: b.4 |= m
        case 5: b.5 |= m
        case 6: b.6 |= m
        default: b.7 |= m
        }
    }

    /// Unique sub-domains estimated by linear counting over the 512-bit map.
    static func uniqueEstimate(_ s: State) -> Double {
        let b = s.bits
        let set = b.0.nonzeroBitCount + b.1.nonzeroBitCount + b.2.nonzeroBitCount + b.3.nonzeroBitCount
            + b.4.nonzeroBitCount + b.5.nonzeroBitCount + b.6.nonzeroBitCount + b.7.nonzeroBitCount
        let zero = 512 - set
        if zero == 0 { return 512 * log(512.0) }
        return min(-512 * log(Double(zero) / 512), Double(s.queries))
    }

    /// The score and its parts.
    func score(_ s: State) -> (total: Double, unique: Double, meanBytes: Double, meanEntropy: Double, rareShare: Double) {
        func ramp(_ x: Double, _ lo: Double, _ hi: Double) -> Double { min(1, max(0, (x - lo) / (hi - lo))) }
        let q = Double(max(1, s.queries))
        let unique = Self.uniqueEstimate(s)
        let meanBytes = Double(s.subdomainBytes) / q
        let meanEntropy = s.longQueries > 0 ? Double(s.entropySum) / Double(s.longQueries) : 0
        let rare = Double(s.rareTypes) / q
        let total = settings.weightUnique * min(1, unique / Double(max(1, settings.uniqueTarget)))
            + settings.weightLength * ramp(meanBytes, settings.lengthLow, settings.lengthHigh)
            + settings.weightEntropy * ramp(meanEntropy, settings.entropyLow, settings.entropyHigh)
            + settings.weightTypes * min(1, rare / 0.5)
        return (total, unique, meanBytes, meanEntropy, rare)
    }

    func verdict(_ s: State, _ f: QueryFacts) -> Verdict {
        let sc = score(s)
        let parent = f.registrableString
        let rule = "\(s.queries) queries under \(parent) in \(settings.windowSeconds) s: ~\(Int(sc.unique.rounded())) unique sub-domains, "
            + "\(BehaviourVerdict.fixed(sc.meanBytes, 1)) sub-domain bytes per query, long sub-domain entropy "
            + "\(BehaviourVerdict.fixed(sc.meanEntropy, 2)) bits/char, \(Int((sc.rareShare * 100).rounded()))% TXT/NULL/CNAME/MX/ANY"
        var names = s.samples.map { DetectorEvidence.NameCount(name: $0, count: 1) }
        let current = f.nameString
        if !s.samples.contains(current) { names.append(.init(name: current, count: 1)) }
        let evidence = DetectorEvidence(
            rule: rule, windowStartNanos: BehaviourVerdict.seconds(s.windowStart), windowEndNanos: f.timeNanos, key: parent,
            measures: [("queries", Double(s.queries)), ("unique_subdomains", sc.unique.rounded()), ("subdomain_bytes_per_query", sc.meanBytes),
                       ("long_subdomain_entropy", sc.meanEntropy), ("rare_type_share", sc.rareShare), ("long_queries", Double(s.longQueries)),
                       ("answer_text_bytes", Double(s.answerBytes))],
            names: names)
        return BehaviourVerdict.make(Self.name, category: .exfiltration, score: (sc.total * 1000).rounded() / 1000,
                                     threshold: settings.threshold, evidence: evidence)
    }
}
