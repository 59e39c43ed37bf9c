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
        var i = input
        if options.allowlist {
            i.action = .allow
            i.category = nil
            i.family = nil
            return i
        }
        var familyName = i.family ?? options.family ?? defaults.family
        if familyName == nil {
            familyName = i.tags.labels.lazy.compactMap { families.family(named: $0)?.name }.first
        }
        let family = familyName.flatMap { families.family(named: $0) }
        i.family = family?.name ?? familyName
        if i.category == nil { i.category = options.category ?? family?.category ?? defaults.category }
        if defaults.tier == .suspected { i.tier = .suspected }
        var tags = i.tags.union(options.tags).union(defaults.tags)
        if let family { tags = tags.union(family.tags) }
        for b in tags.brands {
            if let brand = brands.brand(named: b), let industry = brand.industry, !tags.industries.contains(industry) {
                tags.industries.append(industry)
            }
        }
        i.tags = tags
        return i
    }
}
