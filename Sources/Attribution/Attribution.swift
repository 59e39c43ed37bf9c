import DNSightCore

/// The network vantage point a client belongs to, as the reference report splits its figures.
public enum Segment: String, Hashable, Sendable, CaseIterable, Codable {
    case enterprise, home

    /// Parses `enterprise` or `home`, in any case.
    public init?(text: some StringProtocol) {
        switch text.lowercased() {
        case "enterprise": self = .enterprise
        case "home": self = .home
        default: return nil
        }
    }
}

/// The world region a client belongs to, as the reference report splits its figures.
public enum Region: String, Hashable, Sendable, CaseIterable, Codable {
    case apac = "APAC", na = "NA", emea = "EMEA", latam = "LATAM"

    /// Parses `APAC` (or `APJ`), `NA`, `EMEA`, `LATAM`, in any case.
    public init?(text: some StringProtocol) {
        switch text.uppercased() {
        case "APAC", "APJ": self = .apac
        case "NA": self = .na
        case "EMEA": self = .emea
        case "LATAM": self = .latam
        default: return nil
        }
    }
}

/// The inventory rule that decided an attribution, so that every figure can be traced back to a line of a file.
public struct InventoryRule: Hashable, Sendable, CustomStringConvertible {
    /// What the rule keys on.
    public enum Key: Hashable, Sendable {
        /// An explicit device identifier.
        case deviceID(String)
        /// A CIDR prefix (host bits clear; IPv4-mapped IPv6 prefixes are stored as IPv4).
        case cidr(IPNetwork)
    }

    /// The key as stored: the module's own compact prefix, turned into an `IPNetwork` only when asked for.
    enum Storage: Hashable, Sendable {
        case device(String)
        case prefix(CIDRPrefix)
    }
    let storage: Storage
    /// The inventory file.
    public var file: String
    /// The 1-based line of the row (its first line when a quoted field spans lines).
    public var line: Int

    /// Creates a rule reference.
    public init(key: Key, file: String, line: Int) {
        switch key {
        case .deviceID(let id): storage = .device(id)
        case .cidr(let network): storage = .prefix(CIDRPrefix(network))
        }
        self.file = file
        self.line = line
    }

    init(storage: Storage, file: String, line: Int) {
        self.storage = storage
        self.file = file
        self.line = line
    }

    /// What the rule keys on.
    public var key: Key {
        switch storage {
        case .device(let id): return .deviceID(id)
        case .prefix(let p): return .cidr(p.network)
        }
    }

    public var description: String {
        switch key {
        case .deviceID(let id): return "device_id \(id) (\(file):\(line))"
        case .cidr(let c): return "cidr \(c.isHost ? "\(c)/\(c.prefixLength)" : c.description) (\(file):\(line))"
        }
    }
}

/// Where an attribution came from.
public enum AttributionSource: String, Hashable, Sendable, CaseIterable {
    /// The inventory, by the event's explicit device id.
    case device
    /// The inventory, by longest-prefix match on the client address.
    case cidr
    /// Only an MMDB database (country and/or ASN) knew the address.
    case mmdb
    /// Nothing knew the client.
    case unknown
}

/// Who sent a query: the organisation, segment, region and so on, and which rule or database said so.
///
/// Fields the sources did not know are nil; reports print them as `unknown`.
public struct Attribution: Hashable, Sendable {
    /// The organisation (an enterprise, or for home networks the ISP or subscriber group).
    public var organisation: String?
    /// Enterprise or home network.
    public var segment: Segment?
    /// World region.
    public var region: Region?
    /// ISO 3166-1 alpha-2 country code, upper-case (from the inventory, else from an MMDB database).
    public var country: String?
    /// Industry of the organisation.
    public var industry: String?
    /// The device type (NAS, IoT, mobile, PC, …).
    public var deviceType: String?
    /// The site (office, data centre, POP, …).
    public var site: String?
    /// The autonomous system number of the client address, from an MMDB database.
    public var asn: UInt32?
    /// The autonomous system's organisation, from an MMDB database.
    public var asOrganisation: String?
    /// The primary source of this attribution.
    public var source: AttributionSource
    /// The inventory rule that matched, when the source is `.device` or `.cidr`.
    public var rule: InventoryRule?
    /// Whether the country came from an MMDB database rather than the inventory.
    public var countryFromMMDB: Bool

    /// Creates an attribution.
    public init(organisation: String? = nil, segment: Segment? = nil, region: Region? = nil, country: String? = nil,
                industry: String? = nil, deviceType: String? = nil, site: String? = nil, asn: UInt32? = nil,
                asOrganisation: String? = nil, source: AttributionSource = .unknown, rule: InventoryRule? = nil,
                countryFromMMDB: Bool = false) {
        self.organisation = organisation
        self.segment = segment
        self.region = region
        self.country = country
        self.industry = industry
        self.deviceType = deviceType
        self.site = site
        self.asn = asn
        self.asOrganisation = asOrganisation
        self.source = source
        self.rule = rule
        self.countryFromMMDB = countryFromMMDB
    }

    /// The attribution of a client nothing knows.
    public static let unknown = Attribution()
}
