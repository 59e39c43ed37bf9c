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
    /// For detectors: what they saw (the window, its names and counts, the rule that fired); nil for intel matches.
    public var evidence: DetectorEvidence?

    /// Creates a verdict.
    public init(category: ThreatCategory?, tier: Tier, family: String?, traits: ThreatTraits, tags: ThreatTags, subject: MatchSubject,
                matched: String, source: String, reference: String? = nil, score: Double? = nil, threshold: Double? = nil,
                evidence: DetectorEvidence? = nil) {
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
        self.evidence = evidence
    }

    /// The category's short code for counters and output (`malware`, `phishing`, `c2`, `exfiltration`, `unspecified`).
    public var categoryCode: String { category?.rawValue ?? "unspecified" }
}

/// What a behaviour detector saw when it fired: the window, the rule in words, named counts and the window's names.
///
/// Plain values only, so that a detections log (JSON lines), a store or a report can carry it as it is.
public struct DetectorEvidence: Sendable, Hashable {
    /// One name seen in the window and how often.
    public struct NameCount: Sendable, Hashable {
        /// The name, presentation form without the trailing dot.
        public var name: String
        /// Queries for it in the window.
        public var count: Int
        /// Creates a name count.
        public init(name: String, count: Int) {
            self.name = name
            self.count = count
        }
    }

    /// The rule that fired, in words (`12 distinct NXDOMAIN domains in 600 s, 11 DGA-like`).
    public var rule: String
    /// The start and end of the window, in nanoseconds since 1970 UTC.
    public var windowStartNanos: Int64, windowEndNanos: Int64
    /// What the detector was looking at: a parent domain, a name, a device.
    public var key: String?
    /// Named measurements, in the detector's order (`distinct_names` → 40, `median_interval_s` → 60…).
    public var measures: [(name: String, value: Double)]
    /// A bounded sample of the window's names with their counts.
    public var names: [NameCount]

    /// Creates evidence.
    public init(rule: String, windowStartNanos: Int64, windowEndNanos: Int64, key: String? = nil,
                measures: [(name: String, value: Double)] = [], names: [NameCount] = []) {
        self.rule = rule
        self.windowStartNanos = windowStartNanos
        self.windowEndNanos = windowEndNanos
        self.key = key
        self.measures = measures
        self.names = names
    }

    /// The value of a named measurement.
    public func measure(_ name: String) -> Double? { measures.first { $0.name == name }?.value }

    public static func == (a: DetectorEvidence, b: DetectorEvidence) -> Bool {
        a.rule == b.rule && a.windowStartNanos == b.windowStartNanos && a.windowEndNanos == b.windowEndNanos && a.key == b.key
            && a.names == b.names && a.measures.map(\.name) == b.measures.map(\.name) && a.measures.map(\.value) == b.measures.map(\.value)
    }

    public func hash(into h: inout Hasher) {
        h.combine(rule)
        h.combine(windowStartNanos)
        h.combine(windowEndNanos)
        h.combine(key)
        h.combine(names)
        for m in measures {
            h.combine(m.name)
            h.combine(m.value)
        }
    }
}
