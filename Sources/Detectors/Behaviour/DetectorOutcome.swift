import DNSightCore

/// What a detector says about one query: nothing, or a suspected verdict (and whether it opened a new alert).
public enum DetectorOutcome: Sendable {
    /// Nothing to report.
    case none
    /// The query is part of suspicious behaviour. `newAlert` is true for the query that made the detector fire for
    /// its key (device, pair or domain); later queries of the same alert carry the same verdict with `false`.
    indirect case flag(Verdict, newAlert: Bool)

    /// The verdict, if any.
    public var verdict: Verdict? {
        if case .flag(let v, _) = self { return v }
        return nil
    }
}

/// Counters of one detector over a run, merged across workers for the summary.
public struct DetectorCounters: Sendable, Hashable, Codable {
    /// The detector's name.
    public var detector: String
    /// Alerts raised: distinct (key, episode) firings — a device's burst, a (device, parent) tunnel, a (device,
    /// name) beacon, a flagged domain.
    public var alerts = 0
    /// Queries that carried one of its verdicts (also those where intel had a verdict and won).
    public var flaggedQueries = 0
    /// Of those, queries that intel also listed (intel's verdict was kept).
    public var alsoKnown = 0
    /// Devices with at least one alert (`organisation|device` keys).
    public var devices = Set<String>()
    /// State entries evicted because a cap was hit, and entries expired after inactivity.
    public var evictions = 0, expirations = 0
    /// State entries held at the end.
    public var tracked = 0

    /// Creates empty counters.
    public init(detector: String) { self.detector = detector }

    /// Adds another worker's counters.
    public mutating func merge(_ o: DetectorCounters) {
        alerts += o.alerts
        flaggedQueries += o.flaggedQueries
        alsoKnown += o.alsoKnown
        devices.formUnion(o.devices)
        evictions += o.evictions
        expirations += o.expirations
        tracked += o.tracked
    }
}

enum BehaviourVerdict {
    /// The `source` of every detector verdict.
    static let source = "dnsight-detectors"

    static func make(_ detector: String, category: ThreatCategory, family: String? = nil, subject: MatchSubject = .behaviour,
                     score: Double, threshold: Double, evidence: DetectorEvidence) -> Verdict {
        var traits: ThreatTraits = []
        var tags = ThreatTags.none
        var cat = category
        var fam: String? = nil
        if let family {
            let c = DGAContext.catalogued(family)
            fam = c.name
            traits = c.traits
            tags = c.tags
            cat = c.category
        }
        return Verdict(category: cat, tier: .suspected, family: fam, traits: traits, tags: tags, subject: subject, matched: detector,
                       source: source, score: score, threshold: threshold, evidence: evidence)
    }

    static func seconds(_ s: Int64) -> Int64 { s &* 1_000_000_000 }

    /// `x` with `digits` decimals (no Foundation formatting on the hot path's rare branch).
    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let v = (abs(x) * p).rounded()
        let whole = Int64(v / p)
        var frac = String(Int64(v) - whole * Int64(p))
        while frac.count < digits { frac = "0" + frac }
        return (x < 0 && v != 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + frac : "")
    }
}
