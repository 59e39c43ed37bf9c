import DNSWire

/// What in a transaction matched.
public enum MatchSubject: Sendable, Hashable, CustomStringConvertible {
    /// The query name.
    case queryName
    /// A CNAME/DNAME target in the answer.
    case cnameTarget(DNSName)
    /// An address in the answer.
    case answerAddress(IPAddress)
    /// The client's address (RPZ `rpz-client-ip`).
    case clientAddress(IPAddress)
    /// No single field: a behaviour over time (detectors).
    case behaviour

    public var description: String {
        switch self {
        case .queryName: return "query name"
        case .cnameTarget(let n): return "CNAME target \(n.presentation)"
        case .answerAddress(let a): return "answer address \(a)"
        case .clientAddress(let a): return "client address \(a)"
        case .behaviour: return "behaviour"
        }
    }
}

/// The classification of one transaction: category, tier, family, traits, and the indicator or detector that fired.
public struct Verdict: Sendable, Hashable {
    /// The category; nil for a known-bad entry whose source gave none.
    public var category: ThreatCategory?
    /// Known (intel) or suspected (detector).
    public var tier: Tier
    /// The family, canonical name.
    public var family: String?
    /// Traits of the threat (IAB, ransomware…).
    public var traits: ThreatTraits
    /// Targeted industries and brands, and other tags.
    public var tags: ThreatTags
    /// What matched.
    public var subject: MatchSubject
    /// The indicator entry that matched (its name or network, with its scope), or the detector's name.
    public var matched: String
    /// The feed (or detector) that supplied it.
    public var source: String
    /// A reference backing it.
    public var reference: String?
    /// For detectors: the score and threshold.
    public var score: Double?, threshold: Double?

    /// Creates a verdict.
    public init(category: ThreatCategory?, tier: Tier, family: String?, traits: ThreatTraits, tags: ThreatTags, subject: MatchSubject,
                matched: String, source: String, reference: String? = nil, score: Double? = nil, threshold: Double? = nil) {
        self.category = category
        self.tier = tier
        self.family = family
        self.traits = traits
        self.tags = tags
        self.subject = subject
        self.matched = matched
        self.source = source
        self.reference = reference
        self.score = score
        self.threshold = threshold
    }

    /// The category's short code for counters and output (`malware`, `phishing`, `c2`, `exfiltration`, `unspecified`).
    public var categoryCode: String { category?.rawValue ?? "unspecified" }
}
