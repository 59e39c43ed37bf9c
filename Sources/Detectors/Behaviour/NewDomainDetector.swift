import DNSightCore
import Foundation
import PublicSuffix

/// Newly observed domains: registrable domains first seen within the last `windowDays` days (60 by default, as the
/// reference report defines them), flagged when they also look generated.
///
/// Every query's registrable domain is looked up in the ``NewDomainHistory`` seen-set (once per domain: the chain
/// keeps the answer in its ``DomainTable``; under a platform whose host labels are random by design, the platform
/// suffix is the domain). A domain never seen is recorded as first seen now. A
/// query to a domain that is new *and* whose registrable label scores at least `dgaThreshold` (the model's
/// 1-in-1,000 benign threshold by default, looser than the per-query DGA stage's 1-in-10,000) carries a
/// suspected verdict — malware, or the family's category when a known generator produces the name. With
/// `minHistoryDays` > 0 nothing is flagged until the seen-set has watched that long (in a fresh set every domain is
/// new). Internal names are not recorded; benign-listed domains are recorded but never flagged.
public struct NewDomainDetector: Sendable {
    /// The detector's name (the verdict's `matched`).
    public static let name = "newly-observed-domain"

    /// The settings in force, and the DGA threshold.
    public let settings: DetectorSettings.NewDomain
    public let dgaThreshold: Double
    /// The seen-set.
    public private(set) var history: NewDomainHistory
    private var flagged = Set<UInt64>()

    /// Creates the detector over a history (loaded from the state file, or empty).
    public init(settings: DetectorSettings.NewDomain, dgaThreshold: Double, history: NewDomainHistory) {
        self.settings = settings
        self.dgaThreshold = dgaThreshold
        self.history = history
    }

    /// An empty history sized by the settings.
    public static func emptyHistory(_ s: DetectorSettings.NewDomain) -> NewDomainHistory {
        NewDomainHistory(windowSeconds: Int64(s.windowDays) * 86_400, maxRecent: s.maxRecent, bloomCapacity: s.bloomCapacity,
                         bloomFalsePositiveRate: s.bloomFalsePositiveRate)
    }

    /// Asks the seen-set about a domain seen at `t`, recording it if it was never seen (the chain remembers the
    /// answer per domain, so this runs about once per domain).
    public mutating func lookup(_ domainHash: UInt64, at t: Int64) -> NewDomainHistory.Status {
        history.observe(domainHash, at: t)
    }

    /// Looks at a query to a newly observed domain (first seen at `firstSeen`): flagged when it looks generated.
    public mutating func flag(_ f: QueryFacts, domainHash: UInt64, firstSeen: Int64, dga: inout DGAContext) -> DetectorOutcome {
        guard f.scope == .watched, let start = history.historyStart,
              f.seconds - start >= Int64(settings.minHistoryDays) * 86_400 else { return .none }
        let score = dga.score(f)
        guard score >= dgaThreshold else { return .none }
        let known = dga.knownFamily(f)
        let isNewAlert = flagged.insert(domainHash).inserted
        let domain = f.registrableString
        let ageDays = Double(f.seconds - firstSeen) / 86_400
        let historyDays = Double(f.seconds - start) / 86_400
        var rule = "\(domain) first seen \(BehaviourVerdict.fixed(ageDays, 1)) days ago (new for \(settings.windowDays) days; seen-set history "
        rule += "\(BehaviourVerdict.fixed(historyDays, 1)) days) and its DGA score \(BehaviourVerdict.fixed(score, 3)) ≥ \(BehaviourVerdict.fixed(dgaThreshold, 3))"
        if let known { rule += "; the \(known.family) generator produces \(f.nameString) for this date" }
        let evidence = DetectorEvidence(
            rule: rule, windowStartNanos: BehaviourVerdict.seconds(firstSeen), windowEndNanos: f.timeNanos, key: domain,
            measures: [("first_seen_unix", Double(firstSeen)), ("age_days", ageDays), ("dga_score", score), ("history_days", historyDays)],
            names: [.init(name: f.nameString, count: 1)])
        let v = BehaviourVerdict.make(Self.name, category: .malware, family: known.map(\.family), subject: .queryName,
                                      score: (score * 1000).rounded() / 1000, threshold: dgaThreshold, evidence: evidence)
        return .flag(v, newAlert: isNewAlert)
    }

    /// Reads seed lists (one name per line; `#` comments, hosts-file lines and blanks tolerated) into `history` as
    /// long-known registrable domains. Returns how many names were read.
    public static func seed(_ history: inout NewDomainHistory, files: [String], suffixes: PublicSuffixList) throws(DetectorsError) -> Int {
        var n = 0
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DetectorsError(.resourceMissing, file: path, detail: "cannot read the seed list")
            }
            for line in data.split(separator: UInt8(ascii: "\n")) {
                var words = line.split(whereSeparator: { $0 == 32 || $0 == 9 || $0 == 13 })
                if let f = words.first, f.first == UInt8(ascii: "#") { continue }
                if words.count >= 2 { words = [words[1]] }   // hosts file: address name
                guard let w = words.first else { continue }
                var name = String(decoding: w, as: UTF8.self).lowercased()
                while name.hasSuffix(".") { name.removeLast() }
                guard let r = suffixes.registrableDomain(of: name) else { continue }
                history.markOld(StableHash.hash(r))
                n += 1
            }
        }
        return n
    }

    /// Adds another worker's observations to the seen-set (before saving it).
    public mutating func mergeHistory(_ o: NewDomainHistory) { history.merge(o) }
}
