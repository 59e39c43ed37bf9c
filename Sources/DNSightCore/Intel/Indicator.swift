import DNSWire

/// What an indicator matches: a query name, an answer address, or one of the other RPZ triggers.
public enum IndicatorValue: Sendable, Hashable, CustomStringConvertible {
    /// A query name (RPZ QNAME trigger, blocklist entry, IOC domain or URL host).
    case domain(DNSName)
    /// An address that appears in an answer or that an IOC names (RPZ `rpz-ip`, IOC IPs, URL IP literals).
    case address(IPNetwork)
    /// The address of the client asking (RPZ `rpz-client-ip`).
    case clientAddress(IPNetwork)
    /// The name of an authoritative server on the resolution path (RPZ `rpz-nsdname`).
    case nameServerName(DNSName)
    /// The address of an authoritative server on the resolution path (RPZ `rpz-nsip`).
    case nameServerAddress(IPNetwork)

    /// A short name of the kind, as used in stats and JSON: `domain`, `ip`, `client-ip`, `nsdname`, `nsip`.
    public var kindName: String {
        switch self {
        case .domain: "domain"
        case .address: "ip"
        case .clientAddress: "client-ip"
        case .nameServerName: "nsdname"
        case .nameServerAddress: "nsip"
        }
    }

    /// The value in presentation form (names without the trailing dot).
    public var description: String {
        switch self {
        case .domain(let n), .nameServerName(let n): n.isRoot ? "." : String(n.presentation.dropLast())
        case .address(let a), .clientAddress(let a), .nameServerAddress(let a): a.description
        }
    }
}

/// Which names a name indicator covers, as its source declared.
public enum MatchScope: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Only the name itself (hosts files, RPZ `name CNAME .`, URL hosts).
    case exact
    /// The name and every name beneath it (adblock `||name^`, domain lists, IOC domains, Maltrail trails).
    case subdomain
    /// Only names strictly beneath it (RPZ `*.name`).
    case wildcard

    /// Whether an indicator on `entryLabels` labels with this scope covers a query that has `queryLabels` labels and ends with it.
    @inlinable
    public func covers(queryLabels: Int, entryLabels: Int) -> Bool {
        switch self {
        case .exact: queryLabels == entryLabels
        case .subdomain: queryLabels >= entryLabels
        case .wildcard: queryLabels > entryLabels
        }
    }

    public var description: String { rawValue }
}

/// What a source asks to be done when an indicator matches.
public enum IndicatorAction: Sendable, Hashable, CustomStringConvertible {
    /// Listed as bad; the resolver answers with its configured default.
    case block
    /// Allowlisted (an operator allowlist, RPZ PASSTHRU, a STIX "benign" indicator): it wins over any block.
    case allow
    /// Answer NXDOMAIN (RPZ `CNAME .`).
    case nxdomain
    /// Answer NODATA (RPZ `CNAME *.`).
    case nodata
    /// Drop the query (RPZ `CNAME rpz-drop.`).
    case drop
    /// Force TCP (RPZ `CNAME rpz-tcp-only.`).
    case tcpOnly
    /// Answer with these records instead (RPZ local data), each in presentation form, e.g. `A 192.0.2.1`.
    case localData([String])

    /// Whether this action lets the name through.
    public var isAllow: Bool { if case .allow = self { true } else { false } }

    /// A short name: `block`, `allow`, `nxdomain`, `nodata`, `drop`, `tcp-only`, `local-data`.
    public var name: String {
        switch self {
        case .block: "block"
        case .allow: "allow"
        case .nxdomain: "nxdomain"
        case .nodata: "nodata"
        case .drop: "drop"
        case .tcpOnly: "tcp-only"
        case .localData: "local-data"
        }
    }

    public var description: String {
        if case .localData(let rrs) = self { return "local-data(\(rrs.joined(separator: "; ")))" }
        return name
    }
}

/// Where in a source file an indicator was read.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as it was given (path or URL), or a name for in-memory input.
    public var file: String
    /// The 1-based line number.
    public var line: Int

    /// Creates a location.
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// One piece of threat intelligence: what it matches, what it means, and where it came from.
public struct Indicator: Sendable, Hashable, CustomStringConvertible {
    /// What is matched.
    public var value: IndicatorValue
    /// For name values: which names are covered.
    public var scope: MatchScope
    /// What the source asks to be done.
    public var action: IndicatorAction
    /// The category, when the source (or the family catalogue) gives one; `nil` means known-bad of unspecified category.
    public var category: ThreatCategory?
    /// Known (intel) or suspected.
    public var tier: Tier
    /// The threat family as named by the source, or its canonical name once enriched from a catalogue.
    public var family: String?
    /// Traits, targets and labels.
    public var tags: ThreatTags
    /// The source's confidence, 0…100, when it gives one.
    public var confidence: UInt8?
    /// First and last time the source saw it, in seconds since 1970 UTC.
    public var firstSeen: Int64?, lastSeen: Int64?
    /// The feed it came from (`maltrail`, `threatfox`, `urlhaus`, an operator's list name…).
    public var source: String
    /// A report, post or page that backs it (Maltrail `# Reference:`, ThreatFox `reference`, PhishTank detail URL).
    public var reference: String?
    /// The file and line it was read from.
    public var location: SourceLocation?

    /// Creates an indicator; only the value and source are required.
    public init(
        _ value: IndicatorValue, scope: MatchScope = .subdomain, action: IndicatorAction = .block,
        category: ThreatCategory? = nil, tier: Tier = .known, family: String? = nil, tags: ThreatTags = .none,
        confidence: UInt8? = nil, firstSeen: Int64? = nil, lastSeen: Int64? = nil,
        source: String, reference: String? = nil, location: SourceLocation? = nil
    ) {
        self.value = value
        self.scope = scope
        self.action = action
        self.category = category
        self.tier = tier
        self.family = family
        self.tags = tags
        self.confidence = confidence
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.source = source
        self.reference = reference
        self.location = location
    }

    /// The name for name-valued indicators (query names and name-server names).
    public var name: DNSName? {
        switch value {
        case .domain(let n), .nameServerName(let n): n
        default: nil
        }
    }

    /// The value as written in an RPZ-like notation: `*.name` for wildcards, `name` otherwise.
    public var pattern: String {
        switch (value, scope) {
        case (.domain, .wildcard), (.nameServerName, .wildcard): "*.\(value)"
        default: value.description
        }
    }

    public var description: String {
        var parts = ["\(value.kindName) \(pattern) [\(scope)]", action.name]
        if let category { parts.append(category.rawValue) }
        if let family { parts.append("family=\(family)") }
        if !tags.isEmpty { parts.append("tags=\(tags)") }
        parts.append("source=\(source)")
        return parts.joined(separator: " ")
    }
}
