/// The feed formats dnsight reads. The raw value is the name used by `--format` and in config files.
public enum FeedFormat: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// One name (or address, or URL) per line; `#`, `;` and `!` comments.
    case list
    /// Hosts file: an address followed by one or more names (`0.0.0.0 a.example b.example`); URLhaus host file.
    case hosts
    /// Adblock/AdGuard DNS rules: `||name^`, `@@||name^` exceptions.
    case adblock
    /// Response Policy Zone in master-file syntax.
    case rpz
    /// abuse.ch ThreatFox JSON: the export, the API answer, or a slimmed `iocs` list.
    case threatfoxJSON = "threatfox-json"
    /// abuse.ch ThreatFox CSV export (columns found by header name).
    case threatfoxCSV = "threatfox-csv"
    /// abuse.ch URLhaus CSV dump.
    case urlhausCSV = "urlhaus-csv"
    /// OpenPhish feed: one phishing URL per line.
    case openphish
    /// One URL per line, no implied category.
    case urls
    /// PhishTank CSV (`verified_online.csv`).
    case phishtank
    /// STIX 2.1 bundle (or a single indicator object).
    case stix
    /// MISP event (feed event file, REST answer, or attribute search answer).
    case misp
    /// Maltrail trail file: family from the file name, category from the folder, `# Reference:` lines kept.
    case maltrail

    /// The name people know the format by.
    public var displayName: String {
        switch self {
        case .list: "domain list"
        case .hosts: "hosts"
        case .adblock: "adblock"
        case .rpz: "RPZ zone"
        case .threatfoxJSON: "ThreatFox JSON"
        case .threatfoxCSV: "ThreatFox CSV"
        case .urlhausCSV: "URLhaus CSV"
        case .openphish: "OpenPhish"
        case .urls: "URL list"
        case .phishtank: "PhishTank CSV"
        case .stix: "STIX 2.1"
        case .misp: "MISP"
        case .maltrail: "Maltrail trail"
        }
    }

    public var description: String { rawValue }

    /// Reads a format name as `--format` takes it; a few synonyms are accepted (`domains`, `threatfox`, `urlhaus`,
    /// `hostfile`, `trail`).
    public init?(name: String) {
        let n = name.lowercased()
        if let f = FeedFormat(rawValue: n) { self = f; return }
        switch n {
        case "domains", "plain", "txt", "text": self = .list
        case "hostfile", "hostsfile", "urlhaus-hosts": self = .hosts
        case "adguard", "abp": self = .adblock
        case "zone", "response-policy-zone": self = .rpz
        case "threatfox": self = .threatfoxJSON
        case "urlhaus": self = .urlhausCSV
        case "url", "url-list": self = .urls
        case "stix2", "stix21": self = .stix
        case "trail", "trails": self = .maltrail
        default: return nil
        }
    }

    /// Guesses the format of `bytes` from its content (and, for URL lists, its file name). Returns `nil` with the reason
    /// when nothing fits.
    public static func detect(_ bytes: [UInt8], fileName: String = "") -> Result<FeedFormat, IntelFeedsError> {
        FormatDetector.detect(bytes, fileName: fileName)
    }
}

/// Parses feed bytes in a named or detected format.
public enum FeedParser {
    /// Parses `bytes` as `format`, or as the detected format when `format` is `nil`.
    ///
    /// Entries that cannot be read become diagnostics (with line numbers) and the rest is kept; a file that is not
    /// the format at all throws.
    public static func parse(_ bytes: [UInt8], format: FeedFormat? = nil, context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        let f: FeedFormat
        if let format {
            f = format
        } else {
            switch FeedFormat.detect(bytes, fileName: String(context.fileName)) {
            case .success(let d): f = d
            case .failure(let e):
                var e = e
                e.file = context.file
                throw e
            }
        }
        switch f {
        case .list: return try PlainListParser.parse(bytes, context: context)
        case .hosts: return try HostsParser.parse(bytes, context: context)
        case .adblock: return try AdblockParser.parse(bytes, context: context)
        case .rpz: return try RPZParser.parse(bytes, context: context)
        case .threatfoxJSON: return try ThreatFoxParser.parseJSON(bytes, context: context)
        case .threatfoxCSV: return try ThreatFoxParser.parseCSV(bytes, context: context)
        case .urlhausCSV: return try URLhausParser.parse(bytes, context: context)
        case .openphish: return try URLListParser.parse(bytes, format: .openphish, context: context)
        case .urls: return try URLListParser.parse(bytes, format: .urls, context: context)
        case .phishtank: return try PhishTankParser.parse(bytes, context: context)
        case .stix: return try STIXParser.parse(bytes, context: context)
        case .misp: return try MISPParser.parse(bytes, context: context)
        case .maltrail: return try MaltrailParser.parse(bytes, context: context)
        }
    }
}
