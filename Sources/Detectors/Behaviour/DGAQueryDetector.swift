import DNSightCore

/// Per-query DGA stage: a name a known family's generator produces around the query's date (QSnatch, Pykspa), or
/// a registrable label that the DGA model scores at or above `threshold` (the model's 1-in-10,000 benign threshold
/// by default).
///
/// A generator hit names the family with certainty — except QSnatch-A's short names, which collide with real
/// domains and only count together with a DGA-like score (or inside an NXDOMAIN burst). Category: the family's
/// (QSnatch → C2, Pykspa → malware) or malware for an unattributed DGA-like name. Scores come from the worker's
/// ``DGAContext`` cache, so a popular domain is scored once.
public struct DGAQueryDetector: Sendable {
    /// The detector's name (the verdict's `matched`).
    public static let name = "dga"
    /// The threshold in force.
    public let threshold: Double
    private var flagged = Set<UInt64>()

    /// Creates the stage.
    public init(threshold: Double) { self.threshold = threshold }

    /// Looks at one query.
    public mutating func observe(_ f: QueryFacts, dga: inout DGAContext) -> DetectorOutcome {
        guard f.scope == .watched else { return .none }
        let known = dga.knownFamily(f)
        let score = dga.score(f)
        if let known, !known.isWeak || score >= threshold {
            let day = UTCDay(containing: f.seconds)
            let variants = known.variants.map(\.rawValue).joined(separator: ", ")
            let rule = "the \(known.family) generator (\(variants)) produces \(f.nameString) within \(dga.marginDays) day(s) of \(day)"
            return flag(f, family: known.family, score: score, rule: rule, knownVariants: known.variants.count)
        }
        guard score >= threshold else { return .none }
        let rule = "registrable label scores \(BehaviourVerdict.fixed(score, 3)) ≥ \(BehaviourVerdict.fixed(threshold, 3)) on the DGA model"
        return flag(f, family: nil, score: score, rule: rule, knownVariants: 0)
    }

    private mutating func flag(_ f: QueryFacts, family: String?, score: Double, rule: String, knownVariants: Int) -> DetectorOutcome {
        let isNew = flagged.insert(f.registrableHash).inserted
        let evidence = DetectorEvidence(rule: rule, windowStartNanos: f.timeNanos, windowEndNanos: f.timeNanos, key: f.registrableString,
                                        measures: [("dga_score", score), ("known_generators", Double(knownVariants))],
                                        names: [.init(name: f.nameString, count: 1)])
        let v = BehaviourVerdict.make(Self.name, category: .malware, family: family, subject: .queryName,
                                      score: (score * 1000).rounded() / 1000, threshold: threshold, evidence: evidence)
        return .flag(v, newAlert: isNew)
    }
}
