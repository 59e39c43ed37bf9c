import DNSightCore

/// What a parser needs to know besides the bytes: the file's name (for locations, and for Maltrail the family and
/// category its path implies) and optional overrides.
public struct FeedContext: Sendable {
    /// The path or URL the bytes came from, as the user gave it.
    public var file: String
    /// The feed name recorded as each indicator's source; each format has a default (`maltrail`, `threatfox`, …; the
    /// file's base name for plain lists and hosts files).
    public var source: String?
    /// The scope for entries whose format does not say (plain lists, hosts files); each format has a default.
    public var scope: MatchScope?

    /// Creates a context.
    public init(file: String, source: String? = nil, scope: MatchScope? = nil) {
        self.file = file
        self.source = source
        self.scope = scope
    }

    /// The file name without folders.
    public var fileName: Substring {
        let f = Substring(file)
        if let slash = f.lastIndex(where: { $0 == "/" || $0 == "\\" }) { return f[f.index(after: slash)...] }
        return f
    }

    /// The file name without folders and without its last extension.
    public var baseName: String {
        let n = fileName
        if let dot = n.lastIndex(of: "."), dot != n.startIndex { return String(n[..<dot]) }
        return String(n)
    }

    /// The name of the folder holding the file, if the path has one.
    public var folderName: String? {
        let parts = file.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        return parts.count >= 2 ? String(parts[parts.count - 2]) : nil
    }
}

/// Something a parser could not use, with where it is.
public struct FeedDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The file, as given in the ``FeedContext``.
    public var file: String
    /// The 1-based line.
    public var line: Int
    /// The byte offset of the line (or JSON value) in the file.
    public var offset: Int
    /// What was wrong.
    public var message: String
    /// The offending text, shortened to 80 characters.
    public var excerpt: String

    /// Creates a diagnostic; the excerpt is shortened to 80 characters.
    public init(file: String, line: Int, offset: Int, message: String, excerpt: some StringProtocol) {
        self.file = file
        self.line = line
        self.offset = offset
        self.message = message
        self.excerpt = excerpt.count > 80 ? String(excerpt.prefix(77)) + "..." : String(excerpt)
    }

    public var description: String {
        excerpt.isEmpty ? "\(file):\(line): \(message)" : "\(file):\(line): \(message): \(excerpt)"
    }
}

/// What a source says about all of its entries when they do not say it themselves (OpenPhish: phishing;
/// URLhaus: malware; a Maltrail file: its family and folder category).
public struct SourceDefaults: Sendable, Hashable {
    /// The category of every entry without one.
    public var category: ThreatCategory?
    /// The family of every entry without one.
    public var family: String?
    /// Tags added to every entry.
    public var tags: ThreatTags
    /// The tier of every entry.
    public var tier: Tier?

    /// Creates defaults.
    public init(category: ThreatCategory? = nil, family: String? = nil, tags: ThreatTags = .none, tier: Tier? = nil) {
        self.category = category
        self.family = family
        self.tags = tags
        self.tier = tier
    }
}

/// The outcome of parsing one feed file.
public struct FeedParseResult: Sendable {
    /// The format that was parsed.
    public var format: FeedFormat
    /// The feed name recorded in every indicator.
    public var source: String
    /// Every usable entry. Entries stay as specific as the source made them; source-wide defaults are in ``defaults``.
    public var indicators: [Indicator]
    /// What could not be read, with line numbers.
    public var diagnostics: [FeedDiagnostic]
    /// Entries left out on purpose, by reason (a file hash, a URL path without a host, a comment-only record…).
    /// Malformed entries are counted here too, under `malformed`.
    public var skipped: [String: Int]
    /// What the source says about all its entries.
    public var defaults: SourceDefaults
    /// Facts about the file itself: Maltrail `aliases`, a feed `title`, the `updated` time…
    public var notes: [String: String]

    /// Creates an empty result.
    public init(format: FeedFormat, source: String, defaults: SourceDefaults = SourceDefaults()) {
        self.format = format
        self.source = source
        self.indicators = []
        self.diagnostics = []
        self.skipped = [:]
        self.defaults = defaults
        self.notes = [:]
    }

    /// How many entries were kept.
    public var kept: Int { indicators.count }
    /// How many entries were left out, for any reason.
    public var skippedCount: Int { skipped.values.reduce(0, +) }

    /// Counts an entry left out on purpose.
    mutating func skip(_ reason: String) { skipped[reason, default: 0] += 1 }

    /// Records a malformed entry: a diagnostic, counted under `malformed`.
    mutating func malformed(_ message: String, line: Int, offset: Int, excerpt: some StringProtocol, file: String) {
        diagnostics.append(FeedDiagnostic(file: file, line: line, offset: offset, message: message, excerpt: excerpt))
        skipped["malformed", default: 0] += 1
    }
}
