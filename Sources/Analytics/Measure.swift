import EventStore

/// A figure with its numerator and denominator, and the number of devices it rests on (for suppression).
public struct Measure: Hashable, Sendable, Codable {
    /// The counted part (devices, organisations, queries or campaigns).
    public var numerator: Int64
    /// What it is a share of.
    public var denominator: Int64
    /// How many devices the figure rests on; a published cell is suppressed when this is below the minimum.
    public var basis: Int64

    /// Creates a measure.
    public init(numerator: Int64, denominator: Int64, basis: Int64) {
        self.numerator = numerator
        self.denominator = denominator
        self.basis = basis
    }

    /// numerator ÷ denominator, or `nil` when the denominator is 0.
    public var share: Double? { denominator > 0 ? Double(numerator) / Double(denominator) : nil }

    /// Whether the cell may be published under a minimum device count.
    public func isPublishable(minimumDevices: Int) -> Bool { basis >= Int64(minimumDevices) }
}

/// A device attribute to group or filter by.
public enum DeviceDimension: String, Hashable, Sendable, Codable, CaseIterable {
    case region, segment, industry, organisation, country, deviceType = "device-type", site

    /// The attribute's value for a device.
    public func value(of d: DeviceInfo) -> String {
        switch self {
        case .region: d.region
        case .segment: d.segment
        case .industry: d.industry
        case .organisation: d.organisation
        case .country: d.country
        case .deviceType: d.deviceType
        case .site: d.site
        }
    }
}

/// Which devices a metric looks at: every device whose attributes match all the given constraints (a constraint
/// left `nil` matches everything; an empty string value matches devices where the attribute is unknown).
public struct DeviceFilter: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Allowed values per dimension.
    public var constraints: [DeviceDimension: Set<String>]

    /// No constraint.
    public static let all = DeviceFilter(constraints: [:])

    /// Creates a filter.
    public init(constraints: [DeviceDimension: Set<String>] = [:]) { self.constraints = constraints }

    /// A filter on one dimension.
    public static func only(_ d: DeviceDimension, _ values: String...) -> DeviceFilter { DeviceFilter(constraints: [d: Set(values)]) }

    /// This filter with one more constraint.
    public func and(_ d: DeviceDimension, _ values: String...) -> DeviceFilter {
        var f = self
        f.constraints[d] = Set(values)
        return f
    }

    /// Whether a device matches.
    public func matches(_ d: DeviceInfo) -> Bool {
        for (dim, allowed) in constraints where !allowed.contains(dim.value(of: d)) { return false }
        return true
    }

    public var description: String {
        constraints.isEmpty ? "all" : constraints.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue)=\($0.value.sorted().joined(separator: "|"))" }.joined(separator: ",")
    }
}

/// Which detections count: all, or only those from threat intelligence (known).
public enum TierScope: String, Hashable, Sendable, Codable {
    /// Known and suspected.
    case all
    /// Known (threat-intelligence) detections only.
    case known

    func includes(_ tier: String) -> Bool { self == .all || tier == StoreVocabulary.known }
}

/// Settings of the metric definitions.
public struct AnalyticsOptions: Hashable, Sendable, Codable {
    /// Which tiers count.
    public var tiers: TierScope
    /// Multi-stage chains: the most days from an IAB query to a later ransomware query (≥ 1).
    public var chainDays: Int
    /// Phishing campaigns: a campaign key's activity with a gap of more than this many days starts a new campaign.
    public var campaignGapDays: Int
    /// Newly observed domains: how many days back "newly" reaches.
    public var nodWindowDays: Int
    /// Top-N threats: how many.
    public var topN: Int

    /// The defaults: all tiers, chains within 30 days, campaign gap 30 days, NOD window 60 days, top 5.
    public init(tiers: TierScope = .all, chainDays: Int = 30, campaignGapDays: Int = 30, nodWindowDays: Int = 60, topN: Int = 5) {
        self.tiers = tiers
        self.chainDays = chainDays
        self.campaignGapDays = campaignGapDays
        self.nodWindowDays = nodWindowDays
        self.topN = topN
    }
}

/// An error computing metrics, with the period and the operation.
public struct AnalyticsError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable {
        /// The store failed to answer.
        case store(String)
        /// A period lies outside the loaded range.
        case periodOutsideData(String)
        /// An option is out of range.
        case invalidOption(String)
    }
    /// What went wrong.
    public var kind: Kind
    /// What was being computed.
    public var operation: String

    /// Creates an error.
    public init(_ kind: Kind, operation: String) {
        self.kind = kind
        self.operation = operation
    }

    public var description: String {
        switch kind {
        case .store(let s): "\(operation): store error: \(s)"
        case .periodOutsideData(let s): "\(operation): period \(s) is outside the loaded range"
        case .invalidOption(let s): "\(operation): invalid option: \(s)"
        }
    }
}
