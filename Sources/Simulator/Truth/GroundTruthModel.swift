/// A figure with its numerator and denominator.
public struct TruthMeasure: Codable, Sendable, Equatable {
    /// The counted part.
    public var numerator: Int
    /// What it is a share of.
    public var denominator: Int
    /// numerator ÷ denominator (6 decimals), nil when the denominator is 0.
    public var share: Double?

    /// Creates a measure.
    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
        share = denominator > 0 ? (Double(numerator) / Double(denominator) * 1_000_000).rounded() / 1_000_000 : nil
    }
}

/// The exact value of every metric of mission.md for a simulated scenario, computed from the generated events and
/// the intel files written with them (known-intel detections only). `Docs/ground-truth.md` defines each figure.
public struct GroundTruth: Codable, Sendable, Equatable {
    /// Format version of this file.
    public var version: Int
    /// What was simulated.
    public var scenario: ScenarioInfo
    /// The definitions' settings.
    public var definitions: Definitions
    /// Totals over the whole period.
    public var totals: Totals
    /// Every period (quarters, halves, years, the whole period), each grouped by region and segment.
    public var periods: [PeriodTruth]
    /// The reference report's headline figures, read off the periods above.
    public var headline: Headline
}

/// What was simulated.
public struct ScenarioInfo: Codable, Sendable, Equatable {
    public var name: String
    public var seed: UInt64
    public var start: String
    public var end: String
    public var dga: String
    public var organisations: Int
    public var devices: Int
}

/// The settings the figures were computed with.
public struct Definitions: Codable, Sendable, Equatable {
    /// Only detections from the intel files written (names they list, as their scopes cover them).
    public var tier: String
    /// Multi-stage chains: most days from an IAB query to a later ransomware query.
    public var chainDays: Int
    /// Phishing campaigns: runs of active days of one campaign key, split by gaps of more than this many days.
    public var campaignGapDays: Int
    /// Newly observed domains: days back from the end of a period.
    public var nodWindowDays: Int
    /// Top-N threats: how many.
    public var topN: Int
    /// Devices are `organisation` + client address; organisations are the inventory's.
    public var device: String
    /// Registered domains (for newly observed domains) are eTLD+1 by the simulator's suffix rules.
    public var registeredDomain: String
}

/// Whole-period totals.
public struct Totals: Codable, Sendable, Equatable {
    public var events: Int
    public var flaggedQueries: Int
    /// Malicious queries to names no intel lists (left for the detectors; not in any figure here).
    public var unlistedMaliciousQueries: Int
    public var queriesByCategory: [String: Int]
    public var intelEntries: Int
    public var intelEntriesListed: Int
}

/// One period's figures.
public struct PeriodTruth: Codable, Sendable, Equatable {
    /// `2022-Q1`, `2022-H2`, `2022`, or `2022-01-01..2022-12-31` for the whole period when it is no calendar year.
    public var label: String
    /// quarter, half, year or all.
    public var kind: String
    public var from: String
    public var to: String
    /// Whether the scenario's period cuts the calendar period short.
    public var partial: Bool
    /// By region (`all`, `APAC`, …) and segment (`all`, `enterprise`, `home`).
    public var groups: [GroupTruth]
    /// Per segment (`all`, `enterprise`, `home`): regions by flagged queries, largest first, and each one's ratio to
    /// the next.
    public var flaggedQueryRatios: [String: [RegionRatio]]
    /// Newly observed domains as of the period's end.
    public var newlyObservedDomains: NewlyObservedTruth
}

/// Flagged queries of one region against the next below it.
public struct RegionRatio: Codable, Sendable, Equatable {
    public var region: String
    public var versus: String
    public var measure: TruthMeasure
}

/// One group's figures.
public struct GroupTruth: Codable, Sendable, Equatable {
    public var region: String
    public var segment: String
    /// Devices with at least one query.
    public var devicesSeen: Int
    /// Per category (`malware`, `phishing`, `c2`, `exfiltration`, `any`): affected ÷ seen.
    public var affectedDevices: [String: TruthMeasure]
    public var organisations: OrganisationsTruth
    /// Per category: each family's devices ÷ the category's affected devices, and the unattributed ones.
    public var familyShares: [String: FamilySharesTruth]
    /// C2-affected devices that queried an IAB-tagged name ÷ C2-affected devices.
    public var iabReach: TruthMeasure
    public var topThreats: TopThreatsTruth
    /// Flagged queries ÷ all queries of the group.
    public var flaggedQueries: TruthMeasure
    public var phishing: PhishingTruth
    /// Per category and `any`: inventory device types among affected devices.
    public var deviceTypes: [String: [String: TruthMeasure]]
    /// Devices with an IAB query and a later ransomware query within `chainDays` ÷ devices with an IAB query.
    public var chains: TruthMeasure
}

/// Organisations of a group.
public struct OrganisationsTruth: Codable, Sendable, Equatable {
    /// Organisations with at least one device seen.
    public var seen: Int
    /// Organisations with a C2-affected device ÷ organisations seen.
    public var withC2: TruthMeasure
    /// Organisations with any affected device ÷ organisations seen ("signs of compromise").
    public var withAny: TruthMeasure
    /// Per industry: organisations with C2 in the industry ÷ organisations seen in it.
    public var withC2ByIndustry: [String: TruthMeasure]
    /// Per industry: organisations with C2 in the industry ÷ all organisations with C2 (the reference's split).
    public var c2OrganisationsByIndustry: [String: TruthMeasure]
}

/// Family shares of one category.
public struct FamilySharesTruth: Codable, Sendable, Equatable {
    public var families: [String: TruthMeasure]
    public var unattributed: TruthMeasure
}

/// One ranked family.
public struct ThreatRankTruth: Codable, Sendable, Equatable {
    public var family: String
    public var categories: [String]
    public var ransomware: Bool
    public var iab: Bool
    /// Devices affected by the family ÷ devices affected in any category.
    public var devices: TruthMeasure
    /// The family's queries ÷ flagged queries of the group.
    public var queries: TruthMeasure
    /// Organisations with a device affected by the family ÷ organisations with any affected device.
    public var organisations: TruthMeasure
}

/// Top-N threats ranked three ways.
public struct TopThreatsTruth: Codable, Sendable, Equatable {
    /// By affected devices (ties: queries, then name).
    public var byDevices: [ThreatRankTruth]
    /// By queries (ties: devices, then name).
    public var byQueries: [ThreatRankTruth]
    /// C2 families by organisations affected (ties: devices, then name) — "top C2 threats affecting organisations".
    public var c2ByOrganisations: [ThreatRankTruth]
}

/// Phishing in a group.
public struct PhishingTruth: Codable, Sendable, Equatable {
    /// Campaigns: per campaign key, runs of active days split by gaps of more than `campaignGapDays`.
    public var campaigns: [CampaignTruth]
    /// Campaigns targeting each industry ÷ all campaigns (`""`: no known target).
    public var campaignsByIndustry: [String: TruthMeasure]
    /// Phishing-affected devices that reached a domain targeting each industry ÷ phishing-affected devices.
    public var victimsByIndustry: [String: TruthMeasure]
}

/// One campaign found in the events.
public struct CampaignTruth: Codable, Sendable, Equatable {
    public var key: String
    public var from: String
    public var to: String
    public var industries: [String]
    public var victims: Int
}

/// Newly observed domains as of a period's end.
public struct NewlyObservedTruth: Codable, Sendable, Equatable {
    /// The window's first and last day.
    public var from: String
    public var to: String
    /// By registered domain (eTLD+1) and by full query name.
    public var byRegisteredDomain: NODCounts
    public var byQueryName: NODCounts
}

/// Counts of newly observed domains.
public struct NODCounts: Codable, Sendable, Equatable {
    /// First queried in the window.
    public var domains: Int
    /// Of those, resolved (NOERROR with an answer) before the period's end.
    public var resolving: Int
    /// Of those, listed by intel (a query classified malicious before the end).
    public var malicious: Int
    public var maliciousResolving: Int
    /// maliciousResolving ÷ resolving.
    public var maliciousShareOfResolving: TruthMeasure
}

/// The reference report's findings, as this scenario's ground truth has them.
public struct Headline: Codable, Sendable, Equatable {
    /// One finding: what it is, the reference report's value, this world's value and the measures behind it.
    public struct Figure: Codable, Sendable, Equatable {
        public var finding: String
        public var reference: String
        public var value: String
        public var measures: [String: TruthMeasure]
    }
    public var figures: [Figure]
}
