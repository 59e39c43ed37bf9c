import DNSightCore
import IntelFeeds

/// The feed list `dnsight intel update` reads: which feeds to fetch (or read from disk) and how to import each.
///
/// ```
/// # ~/.config/dnsight/feeds.conf
/// [feed urlhaus]
/// url = https://urlhaus.abuse.ch/downloads/hostfile/
/// format = hosts          ; optional: detected when absent
/// category = malware      ; optional, for sources that carry none
/// family = …              ; optional
/// tags = iab, ransomware  ; optional
/// source = urlhaus        ; optional feed name
/// scope = exact           ; optional: exact | subdomain | wildcard
///
/// [feed local]
/// path = /etc/dnsight/blocklist.txt
///
/// [allow corporate]
/// path = /etc/dnsight/allowlist.txt
/// ```
/// `[feed NAME]` sections are block feeds, `[allow NAME]` sections allowlists. Each needs `url` or `path`.
/// Comments start with `#` or `;`.
public struct FeedConfig: Sendable, Hashable {
    /// One feed.
    public struct Feed: Sendable, Hashable {
        /// Its name (letters, digits, `.`, `_`, `-`), used for the cache file.
        public var name: String
        /// Where to fetch it, or where it is on disk.
        public var url: String?, path: String?
        /// How to import it.
        public var options: ImportOptions
        /// The line of its `[...]` header.
        public var line: Int
    }

    /// The feeds, in file order.
    public var feeds: [Feed]

    /// Reads a config file's text; `file` is used in errors.
    public init(text: String, file: String) throws(ThreatIntelError) {
        feeds = []
        var current: Feed? = nil
        func finish() throws(ThreatIntelError) {
            guard let f = current else { return }
            guard (f.url == nil) != (f.path == nil) else {
                throw ThreatIntelError(.badConfig("[\(f.name)] needs exactly one of url = … or path = …"), file: file, line: f.line)
            }
            feeds.append(f)
        }
        for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNo = k + 1
            var line = Substring(raw)
            if let c = line.firstIndex(where: { $0 == "#" || $0 == ";" }), line[..<c].allSatisfy({ $0 == " " || $0 == "\t" }) || line[line.index(before: c)] == " " {
                line = line[..<c]
            }
            let t = line.trimmingSpaces()
            if t.isEmpty { continue }
            if t.hasPrefix("[") {
                guard t.hasSuffix("]") else { throw ThreatIntelError(.badConfig("section header without ']'"), file: file, line: lineNo) }
                try finish()
                let parts = t.dropFirst().dropLast().split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count == 2, parts[0] == "feed" || parts[0] == "allow" else {
                    throw ThreatIntelError(.badConfig("expected [feed NAME] or [allow NAME]"), file: file, line: lineNo)
                }
                let name = String(parts[1])
                guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }), !name.hasPrefix(".") else {
                    throw ThreatIntelError(.badConfig("feed name '\(name)' may only hold letters, digits, '.', '_' and '-'"), file: file, line: lineNo)
                }
                if feeds.contains(where: { $0.name == name }) { throw ThreatIntelError(.badConfig("feed '\(name)' is defined twice"), file: file, line: lineNo) }
                current = Feed(name: name, url: nil, path: nil, options: ImportOptions(allowlist: parts[0] == "allow"), line: lineNo)
                continue
            }
            guard current != nil else { throw ThreatIntelError(.badConfig("a setting outside any [feed NAME] section"), file: file, line: lineNo) }
            guard let eq = t.firstIndex(of: "=") else { throw ThreatIntelError(.badConfig("expected key = value"), file: file, line: lineNo) }
            let key = t[..<eq].trimmingSpaces().lowercased(), value = t[t.index(after: eq)...].trimmingSpaces()
            switch key {
            case "url":
                guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                    throw ThreatIntelError(.badConfig("url must be http:// or https://"), file: file, line: lineNo)
                }
                current!.url = value
            case "path": current!.path = value
            case "format":
                guard let f = FeedFormat(name: value) else {
                    throw ThreatIntelError(.badConfig("unknown format '\(value)' (one of \(FeedFormat.allCases.map(\.rawValue).joined(separator: ", ")))"), file: file, line: lineNo)
                }
                current!.options.format = f
            case "category":
                guard let c = ThreatCategory(parsing: value) else { throw ThreatIntelError(.badConfig("unknown category '\(value)'"), file: file, line: lineNo) }
                current!.options.category = c
            case "family": current!.options.family = value.isEmpty ? nil : value
            case "tags", "tag": current!.options.tags = current!.options.tags.union(ThreatTags(parsing: [value]))
            case "source": current!.options.source = value.isEmpty ? nil : value
            case "scope":
                guard let s = MatchScope(rawValue: value.lowercased()) else { throw ThreatIntelError(.badConfig("scope is exact, subdomain or wildcard"), file: file, line: lineNo) }
                current!.options.scope = s
            default:
                throw ThreatIntelError(.badConfig("unknown setting '\(key)'"), file: file, line: lineNo)
            }
        }
        try finish()
    }
}
