/// Who sent a query: the device identity inside its organisation and the inventory's attributes for it.
///
/// `organisation` + `deviceKey` identify the device (mission.md: the explicit device id where the source has one,
/// else the client address). The attributes are plain strings so that any attribution source can fill them; an
/// empty string means "unknown".
public struct DeviceInfo: Hashable, Sendable, Codable {
    /// The organisation (an enterprise, or the ISP for home networks).
    public var organisation: String
    /// The device identity inside the organisation.
    public var deviceKey: String
    /// `enterprise` or `home` (``StoreVocabulary/segments``).
    public var segment: String
    /// `APAC`, `NA`, `EMEA` or `LATAM` (``StoreVocabulary/regions``).
    public var region: String
    /// ISO country code.
    public var country: String
    /// The organisation's industry, e.g. `manufacturing`.
    public var industry: String
    /// `nas`, `iot`, `mobile`, `pc`… (``StoreVocabulary/deviceTypes``).
    public var deviceType: String
    /// The site inside the organisation.
    public var site: String

    /// Creates a device description.
    public init(organisation: String, deviceKey: String, segment: String = "", region: String = "", country: String = "",
                industry: String = "", deviceType: String = "", site: String = "") {
        self.organisation = organisation
        self.deviceKey = deviceKey
        self.segment = segment
        self.region = region
        self.country = country
        self.industry = industry
        self.deviceType = deviceType
        self.site = site
    }

    /// The identity part (organisation and device key), used as the device's key.
    public var identity: DeviceIdentity { DeviceIdentity(organisation: organisation, deviceKey: deviceKey) }
}

/// The identity of a device: its key inside its organisation.
public struct DeviceIdentity: Hashable, Sendable, Codable {
    /// The organisation.
    public var organisation: String
    /// The device key inside the organisation.
    public var deviceKey: String
    /// Creates an identity.
    public init(organisation: String, deviceKey: String) {
        self.organisation = organisation
        self.deviceKey = deviceKey
    }
}

/// One malicious DNS transaction with its full evidence: who, what, which verdict, why, and where it was read.
///
/// Categories, tiers, families and tags are stable string codes (``StoreVocabulary``) so that any classifier can
/// fill them; the taxonomy types of `DNSightCore` convert to them with a small adapter.
public struct DetectionRecord: Hashable, Sendable, Codable {
    /// When the query was sent, nanoseconds since 1970 UTC.
    public var timeNanos: Int64
    /// The device that sent it.
    public var device: DeviceInfo
    /// The query name, lower-cased, without the trailing dot.
    public var queryName: String
    /// The query type as text (`A`, `TXT`, `TYPE65`…).
    public var queryType: String
    /// The response code as text (`NOERROR`, `NXDOMAIN`…); empty when no response was seen.
    public var rcode: String
    /// `malware`, `phishing`, `c2` or `exfiltration`.
    public var category: String
    /// `known` (threat intelligence) or `suspected` (a detector).
    public var tier: String
    /// The threat family; empty when unattributed.
    public var family: String
    /// Tags: `iab`, `ransomware`, `targeted-industry:financial-services`, `targeted-brand:…`, `campaign:…`, `kit:…`…
    public var tags: [String]
    /// The indicator that matched (the listed name, address or pattern), for known detections.
    public var indicator: String
    /// The detector that fired, for suspected detections (`dga`, `tunnel`, `nxd-burst`, `beacon`, `nod`…).
    public var detector: String
    /// Why, in words (`suffix match on evil.example`, `DGA score 0.97 ≥ 0.90`…).
    public var reason: String
    /// The intelligence feed the indicator came from.
    public var sourceFeed: String
    /// A reference for people (a URL, a report id).
    public var reference: String
    /// The detector's score, when a detector fired.
    public var score: Double?
    /// The detector's threshold, when a detector fired.
    public var threshold: Double?
    /// The input file (or stream) the query was read from.
    public var sourceFile: String
    /// The 1-based line in the input, 0 when not a text format.
    public var sourceLine: Int64
    /// The byte offset of the record in the (decompressed) input.
    public var sourceOffset: Int64

    /// Creates a record.
    public init(timeNanos: Int64, device: DeviceInfo, queryName: String, queryType: String = "A", rcode: String = "",
                category: String, tier: String = StoreVocabulary.known, family: String = "", tags: [String] = [],
                indicator: String = "", detector: String = "", reason: String = "", sourceFeed: String = "",
                reference: String = "", score: Double? = nil, threshold: Double? = nil, sourceFile: String = "",
                sourceLine: Int64 = 0, sourceOffset: Int64 = 0) {
        self.timeNanos = timeNanos
        self.device = device
        self.queryName = queryName
        self.queryType = queryType
        self.rcode = rcode
        self.category = category
        self.tier = tier
        self.family = family
        self.tags = tags
        self.indicator = indicator
        self.detector = detector
        self.reason = reason
        self.sourceFeed = sourceFeed
        self.reference = reference
        self.score = score
        self.threshold = threshold
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
        self.sourceOffset = sourceOffset
    }

    /// Whether the record carries `tag`.
    public func has(tag: String) -> Bool { tags.contains(tag) }
}

/// One DNS query as the roll-ups see it: when, who, which domain (for newly-observed-domain tracking), whether it
/// resolved, and the detections it produced (none for clean traffic).
///
/// The roll-ups use the observation's time and device; each detection is stored with its own fields, which the
/// producer keeps equal to the observation's.
public struct TrafficObservation: Hashable, Sendable, Codable {
    /// When the query was sent, nanoseconds since 1970 UTC.
    public var timeNanos: Int64
    /// The device that sent it.
    public var device: DeviceInfo
    /// The domain whose first sighting is tracked for newly-observed-domain metrics (the registered domain where the
    /// producer knows it, else the query name); `nil` to leave this query out of that tracking.
    public var domain: String?
    /// Whether the query resolved (NOERROR with at least one answer).
    public var resolved: Bool
    /// What the query was classified as; empty for clean traffic.
    public var detections: [DetectionRecord]

    /// Creates an observation.
    public init(timeNanos: Int64, device: DeviceInfo, domain: String?, resolved: Bool, detections: [DetectionRecord] = []) {
        self.timeNanos = timeNanos
        self.device = device
        self.domain = domain
        self.resolved = resolved
        self.detections = detections
    }

    /// Whether any detection flagged the query as malicious.
    public var isFlagged: Bool { !detections.isEmpty }
}

/// The stable string codes the store and the metrics use.
public enum StoreVocabulary {
    /// Category codes, in report order.
    public static let categories = ["malware", "phishing", "c2", "exfiltration"]
    /// The malware category.
    public static let malware = "malware"
    /// The phishing category.
    public static let phishing = "phishing"
    /// The command-and-control category.
    public static let c2 = "c2"
    /// The DNS exfiltration category.
    public static let exfiltration = "exfiltration"
    /// Tier: listed by threat intelligence.
    public static let known = "known"
    /// Tier: inferred by a detector.
    public static let suspected = "suspected"
    /// Segments.
    public static let segments = ["enterprise", "home"]
    /// Regions, in report order.
    public static let regions = ["APAC", "NA", "EMEA", "LATAM"]
    /// Device types the report groups by.
    public static let deviceTypes = ["nas", "router", "camera", "iot", "mobile", "pc", "server"]
    /// Tag: an initial-access broker.
    public static let iabTag = "iab"
    /// Tag: ransomware.
    public static let ransomwareTag = "ransomware"
    /// Tag prefix: the industry a phishing domain targets (`targeted-industry:financial-services`).
    public static let targetedIndustryPrefix = "targeted-industry:"
    /// Tag prefix: the brand a phishing domain impersonates.
    public static let targetedBrandPrefix = "targeted-brand:"
    /// Tag prefix: a campaign id.
    public static let campaignPrefix = "campaign:"
    /// Tag prefix: a phishing kit.
    public static let kitPrefix = "kit:"

    /// The values of every tag with `prefix`, in tag order.
    public static func values(prefix: String, in tags: [String]) -> [String] {
        tags.compactMap { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : nil }
    }

    /// The key that groups a phishing detection into a campaign (mission.md: "a group of phishing domains sharing a
    /// campaign id, kit or target brand"): the campaign id if tagged, else the kit (a `kit:` tag, else the family),
    /// else the targeted brand, else the query name itself (a campaign of one domain).
    public static func campaignKey(tags: [String], family: String, queryName: String) -> String {
        if let c = values(prefix: campaignPrefix, in: tags).first { return "campaign:" + c }
        if let k = values(prefix: kitPrefix, in: tags).first { return "kit:" + k }
        if !family.isEmpty { return "kit:" + family }
        if let b = values(prefix: targetedBrandPrefix, in: tags).first { return "brand:" + b }
        return "domain:" + queryName
    }
}
