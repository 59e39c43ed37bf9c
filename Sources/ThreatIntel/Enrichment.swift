import DNSightCore
import IntelFeeds

/// What the operator says about the files being imported (`dnsight intel import --category … --family … --tag …`).
public struct ImportOptions: Sendable, Hashable {
    /// The format, when it should not be detected.
    public var format: FeedFormat?
    /// The category of entries whose source gives none.
    public var category: ThreatCategory?
    /// The family of entries whose source gives none.
    public var family: String?
    /// Tags added to every entry.
    public var tags: ThreatTags
    /// The feed name to record instead of the format's default.
    public var source: String?
    /// The scope of entries whose format does not say (plain lists, hosts files).
    public var scope: MatchScope?
    /// Whether these files are allowlists: every entry becomes an allow entry.
    public var allowlist: Bool

    /// Options with nothing overridden.
    public init(format: FeedFormat? = nil, category: ThreatCategory? = nil, family: String? = nil, tags: ThreatTags = .none,
                source: String? = nil, scope: MatchScope? = nil, allowlist: Bool = false) {
        self.format = format
        self.category = category
        self.family = family
        self.tags = tags
        self.source = source
        self.scope = scope
        self.allowlist = allowlist
    }
}

/// Completes parsed indicators from what the source, the operator and the catalogues know.
///
/// Precedence: what an entry says itself; then the operator's `--category`/`--family`; then the family catalogue's
/// defaults for the family; then what the source implies (OpenPhish → phishing, a Maltrail `malware/` folder →
/// malware). Tags are the union of all of them; family names become their catalogue name (`sodinokibi` → `REvil`);
/// targeted brands add their industry (`SMBC` → `financial-services`). A family found only among a feed's labels
/// (`mirai` in URLhaus tags) is taken as the family.
public struct Enricher: Sendable {
    /// The family catalogue in use.
    public var families: FamilyCatalogue
    /// The brand catalogue in use.
    public var brands: BrandCatalogue

    /// An enricher with the given catalogues.
    public init(families: FamilyCatalogue = .builtIn, brands: BrandCatalogue = .builtIn) {
        self.families = families
        self.brands = brands
    }

    /// Applies source defaults, operator options and catalogue knowledge to one indicator.
    public func enrich(_ input: Indicator, defaults: SourceDefaults, options: ImportOptions) -> Indicator {
        var memo = Memo()
        return enrich(input, defaults: defaults, options: options, memo: &memo)
    }

    /// Enriches a whole parse result; catalogue look-ups are made once per distinct family, label and brand.
    public func enrich(_ inputs: [Indicator], defaults: SourceDefaults, options: ImportOptions) -> [Indicator] {
        var out = inputs
        enrich(&out, defaults: defaults, options: options)
        return out
    }

    /// Enriches a whole parse result in place.
    public func enrich(_ indicators: inout [Indicator], defaults: SourceDefaults, options: ImportOptions) {
        var memo = Memo()
        for k in indicators.indices { enrich(&indicators[k], defaults: defaults, options: options, memo: &memo) }
    }

    struct Memo {
        var families: [String: Family?] = [:]
        var last: (name: String, family: Family?)? = nil
        var industries: [String: Industry?] = [:]
        /// Merged tags for entries without tags of their own, by family.
        var tags: [String: ThreatTags] = [:]
    }

    func enrich(_ input: Indicator, defaults: SourceDefaults, options: ImportOptions, memo: inout Memo) -> Indicator {
        var i = input
        enrich(&i, defaults: defaults, options: options, memo: &memo)
        return i
    }

    /// Enriches in place (no copy of the indicator).
    func enrich(_ i: inout Indicator, defaults: SourceDefaults, options: ImportOptions, memo: inout Memo) {
        func family(_ name: String) -> Family? {
            if let last = memo.last, last.name == name { return last.family }
            defer { memo.last = (name, memo.families[name] ?? nil) }
            if let f = memo.families[name] { return f }
            let f = families.family(named: name)
            memo.families[name] = f
            return f
        }
        if options.allowlist {
            i.action = .allow
            i.category = nil
            i.family = nil
            return
        }
        var familyName = i.family ?? options.family ?? defaults.family
        if familyName == nil {
            for label in i.tags.labels {
                if let f = family(label) { familyName = f.name; break }
            }
        }
        let known = familyName.flatMap { family($0) }
        let canonical = known?.name ?? familyName
        if i.family != canonical { i.family = canonical }
        if i.category == nil { i.category = options.category ?? known?.category ?? defaults.category }
        if defaults.tier == .suspected { i.tier = .suspected }
        // The common case (no tags of its own): take the merged tags of the source and family once per file.
        if i.tags.isEmpty {
            let key = known?.name ?? ""
            if let cached = memo.tags[key] { i.tags = cached; return }
            var t = ThreatTags.none
            addTags(&t, options: options, defaults: defaults, family: known, memo: &memo)
            memo.tags[key] = t
            i.tags = t
            return
        }
        addTags(&i.tags, options: options, defaults: defaults, family: known, memo: &memo)
    }

    func addTags(_ tags: inout ThreatTags, options: ImportOptions, defaults: SourceDefaults, family known: Family?, memo: inout Memo) {
        if !options.tags.isEmpty { tags = tags.union(options.tags) }
        if !defaults.tags.isEmpty { tags = tags.union(defaults.tags) }
        if let known, !known.tags.isEmpty { tags = tags.union(known.tags) }
        for b in tags.brands {
            let industry: Industry?
            if let m = memo.industries[b] { industry = m } else {
                industry = brands.brand(named: b)?.industry
                memo.industries[b] = industry
            }
            if let industry, !tags.industries.contains(industry) { tags.industries.append(industry) }
        }
    }
}
