/// A simulated world: who is on the network, what their DNS traffic looks like, and which infections and phishing
/// campaigns run in it. Read from YAML (`Docs/scenario.md` describes every key; `Docs/scenario.schema.json` is the
/// JSON Schema the loader checks first).
public struct Scenario: Codable, Sendable, Equatable {
    /// A short name, printed in summaries and written into the ground truth.
    public var name: String
    /// Free text for people.
    public var description: String?
    /// The default seed (the command line's `--seed` wins).
    public var seed: UInt64?
    /// The simulated period.
    public var period: PeriodSpec
    /// Whether infections are already under way when the period starts (planned from the quarter before it; its
    /// traffic is not written). Default true.
    public var warmStart: Bool?
    /// The regions, with their countries and clock offsets.
    public var regions: [RegionSpec]
    /// Internet service providers (the home segment) and their subscriber households.
    public var isps: [ISPSpec]
    /// Mean devices per household, by kind (the whole part is certain, the fraction a chance of one more).
    public var household: [String: Double]?
    /// Enterprises (the enterprise segment): generated groups and named organisations.
    public var enterprises: [EnterpriseSpec]
    /// Benign traffic.
    public var traffic: TrafficSpec?
    /// The threat-intelligence set written with the traffic.
    public var intel: IntelSpec?
    /// Infections and what they do.
    public var infections: [InfectionSpec]?
    /// Phishing campaigns.
    public var phishing: PhishingSpec?

    /// Creates a scenario.
    public init(name: String, description: String? = nil, seed: UInt64? = nil, period: PeriodSpec, regions: [RegionSpec], isps: [ISPSpec] = [],
                household: [String: Double]? = nil, enterprises: [EnterpriseSpec] = [], traffic: TrafficSpec? = nil, intel: IntelSpec? = nil,
                infections: [InfectionSpec]? = nil, phishing: PhishingSpec? = nil) {
        self.name = name
        self.description = description
        self.seed = seed
        self.period = period
        self.regions = regions
        self.isps = isps
        self.household = household
        self.enterprises = enterprises
        self.traffic = traffic
        self.intel = intel
        self.infections = infections
        self.phishing = phishing
    }

    enum CodingKeys: String, CodingKey {
        case name, description, seed, period, warmStart, regions, isps, household, enterprises, traffic, intel, infections, phishing
    }

    /// Decodes a scenario; `isps` and `enterprises` may be left out.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        period = try c.decode(PeriodSpec.self, forKey: .period)
        warmStart = try c.decodeIfPresent(Bool.self, forKey: .warmStart)
        regions = try c.decode([RegionSpec].self, forKey: .regions)
        isps = try c.decodeIfPresent([ISPSpec].self, forKey: .isps) ?? []
        household = try c.decodeIfPresent([String: Double].self, forKey: .household)
        enterprises = try c.decodeIfPresent([EnterpriseSpec].self, forKey: .enterprises) ?? []
        traffic = try c.decodeIfPresent(TrafficSpec.self, forKey: .traffic)
        intel = try c.decodeIfPresent(IntelSpec.self, forKey: .intel)
        infections = try c.decodeIfPresent([InfectionSpec].self, forKey: .infections)
        phishing = try c.decodeIfPresent(PhishingSpec.self, forKey: .phishing)
    }
}

/// The first and last simulated day (UTC, both included), as `YYYY-MM-DD`.
public struct PeriodSpec: Codable, Sendable, Equatable {
    /// First day.
    public var start: String
    /// Last day.
    public var end: String
    /// Creates a period.
    public init(start: String, end: String) { self.start = start; self.end = end }
}

/// A region of the world, as the report splits its figures.
public struct RegionSpec: Codable, Sendable, Equatable {
    /// `APAC`, `NA`, `EMEA` or `LATAM`.
    public var name: String
    /// Two-letter country codes; organisations and ISPs without a country get one of these.
    public var countries: [String]
    /// The clock offset used for the daily rhythm of its devices (hours east of UTC).
    public var utcOffsetHours: Double?
    /// Creates a region.
    public init(name: String, countries: [String], utcOffsetHours: Double? = nil) {
        self.name = name
        self.countries = countries
        self.utcOffsetHours = utcOffsetHours
    }
}

/// An ISP and its subscribers (the home segment). The ISP is the organisation its subscribers' devices belong to.
public struct ISPSpec: Codable, Sendable, Equatable {
    /// The ISP's name (the organisation in the inventory).
    public var name: String
    /// Its region.
    public var region: String
    /// Its country (default: the region's first).
    public var country: String?
    /// How many subscriber households.
    public var households: Int
    /// Mean devices per household by kind, overriding the scenario's `household`.
    public var household: [String: Double]?
    /// Creates an ISP.
    public init(name: String, region: String, country: String? = nil, households: Int, household: [String: Double]? = nil) {
        self.name = name
        self.region = region
        self.country = country
        self.households = households
        self.household = household
    }
}

/// Enterprises: either `count` generated organisations of a region, or one named organisation (`name` with
/// `industry` and `sites`).
public struct EnterpriseSpec: Codable, Sendable, Equatable {
    /// The region.
    public var region: String
    /// Generated: how many organisations.
    public var count: Int?
    /// Generated: sites per organisation, `[min, max]`.
    public var sites: [Int]?
    /// Generated: devices per site, `[min, max]`.
    public var devicesPerSite: [Int]?
    /// Generated: device kinds by weight.
    public var deviceMix: [String: Double]?
    /// Generated: industries by weight.
    public var industries: [String: Double]?
    /// Named: the organisation's name.
    public var name: String?
    /// Named: its country (default: one of the region's).
    public var country: String?
    /// Named: its industry.
    public var industry: String?
    /// Named: its sites and their devices by kind (exact counts).
    public var siteList: [SiteSpec]?

    /// Creates a generated group.
    public init(region: String, count: Int, sites: [Int]? = nil, devicesPerSite: [Int]? = nil, deviceMix: [String: Double]? = nil,
                industries: [String: Double]? = nil) {
        self.region = region
        self.count = count
        self.sites = sites
        self.devicesPerSite = devicesPerSite
        self.deviceMix = deviceMix
        self.industries = industries
    }

    /// Creates a named organisation.
    public init(name: String, region: String, country: String? = nil, industry: String, siteList: [SiteSpec]) {
        self.name = name
        self.region = region
        self.country = country
        self.industry = industry
        self.siteList = siteList
    }
}

/// One site of a named organisation.
public struct SiteSpec: Codable, Sendable, Equatable {
    /// The site's name.
    public var name: String
    /// Devices by kind (exact counts).
    public var devices: [String: Int]
    /// Creates a site.
    public init(name: String, devices: [String: Int]) { self.name = name; self.devices = devices }
}

/// Benign traffic: volume, rhythm and what is asked.
public struct TrafficSpec: Codable, Sendable, Equatable {
    /// Mean benign queries per device per day, by device kind (the simulator samples: real devices ask far more).
    public var queriesPerDay: [String: Double]?
    /// Multiplier for Saturdays and Sundays, per segment (`enterprise`, `home`).
    public var weekend: [String: Double]?
    /// 24 relative weights per segment for the local hour of a query.
    public var diurnal: [String: [Double]]?
    /// Generated domains in the universe (besides the built-in popular names).
    public var domains: Int?
    /// The Zipf exponent of the universe's popularity.
    public var zipf: Double?
    /// Share of browsing lookups that go to the built-in popular names.
    public var popularShare: Double?
    /// Share of lookups that also ask AAAA.
    public var aaaaShare: Double?
    /// Share of lookups that also ask HTTPS (type 65).
    public var httpsShare: Double?
    /// Share of queries that are operating-system and application chatter.
    public var chatterShare: Double?
    /// Share of queries that are mistyped names (NXDOMAIN).
    public var typoShare: Double?
    /// Share of queries that are browser random-label probes (NXDOMAIN).
    public var probeShare: Double?
    /// Share of enterprise queries for internal names.
    public var internalShare: Double?
    /// Share of generated domains behind a CDN (CNAME chain).
    public var cdnShare: Double?
}

/// The threat-intelligence set the simulator writes: which formats, and how much of the malicious world it knows.
public struct IntelSpec: Codable, Sendable, Equatable {
    /// Share of malicious names that no intel file lists (for the detectors to find); infections may override.
    public var unknownShare: Double?
    /// Which intel formats to write: `maltrail` (trail files per family), `phishtank` (phishing URLs with target
    /// brands), `threatfox` (CSV with threat types: exfiltration and anything without a family).
    public var formats: [String]?
}

/// One kind of infection in the world: which devices get it, for how long, and how it behaves.
public struct InfectionSpec: Codable, Sendable, Equatable {
    /// A unique name for this entry.
    public var name: String
    /// `qsnatch`, `beacon`, `pykspa`, `tunnel` or `malware`.
    public var behaviour: String
    /// The family (a name from the family catalogue); may be left out for `malware` (unattributed) and `tunnel`.
    public var family: String?
    /// `enterprise`, `home` or `any` (default).
    public var segment: String?
    /// Device kinds that can be infected.
    public var deviceTypes: [String]
    /// Share of eligible devices newly infected per quarter, by region (`default` for the others).
    public var devicesPerQuarter: [String: Double]?
    /// Enterprise: share of organisations newly compromised per quarter, by region (`default` for the others).
    public var organisationsPerQuarter: [String: Double]?
    /// With `organisationsPerQuarter`: devices infected per organisation, `[min, max]`.
    public var devicesPerOrganisation: [Int]?
    /// With `organisationsPerQuarter`: relative propensity by industry (default 1).
    public var industryWeights: [String: Double]?
    /// How long an infection lasts, in days, `[min, max]`.
    public var days: [Int]
    /// Share of this infection's names that no intel lists (overrides `intel.unknownShare`).
    public var unknownShare: Double?
    /// beacon/tunnel/malware: how many domains the family uses over the period.
    public var domains: Int?
    /// beacon: minutes between beacons, `[min, max]`.
    public var intervalMinutes: [Double]?
    /// beacon: relative jitter of each interval (0…1).
    public var jitter: Double?
    /// qsnatch/pykspa: DGA runs per day (fractions are a chance of one more).
    public var runsPerDay: Double?
    /// qsnatch: the index of the name that resolves in each bucket, `[min, max]`; pykspa: names per burst.
    public var namesPerRun: [Int]?
    /// pykspa: share of generated names that resolve.
    public var resolvingShare: Double?
    /// qsnatch: C2 contacts per day once the live name resolved.
    public var contactsPerDay: Double?
    /// tunnel: sessions per day `[min, max]`; malware: visits per day `[min, max]`.
    public var sessionsPerDay: [Int]?
    /// tunnel: queries per session; malware: queries per visit. `[min, max]`.
    public var queriesPerSession: [Int]?
    /// beacon: hand-off of some infected devices to ransomware operators.
    public var handoff: HandoffSpec?
}

/// Access sold on: some devices of an initial-access broker infection later beacon to a ransomware group's C2.
public struct HandoffSpec: Codable, Sendable, Equatable {
    /// Share of infected devices handed off, by region (`default` for the others).
    public var share: [String: Double]
    /// Ransomware families by weight.
    public var families: [String: Double]
    /// Days from the infection's start to the hand-off, `[min, max]`.
    public var delayDays: [Int]
    /// How long the ransomware C2 traffic lasts, in days, `[min, max]`.
    public var days: [Int]
    /// Minutes between ransomware beacons, `[min, max]`.
    public var intervalMinutes: [Double]?
    /// Domains per ransomware family over the period.
    public var domains: Int?
}

/// Phishing campaigns: brands by targeted industry, domains, duration and victims.
public struct PhishingSpec: Codable, Sendable, Equatable {
    /// Campaigns started per quarter.
    public var campaignsPerQuarter: Double
    /// Targeted industries by weight (brands are picked from the brand catalogue's brands of the industry).
    public var industries: [String: Double]
    /// Domains per campaign, `[min, max]`.
    public var domainsPerCampaign: [Int]?
    /// Campaign length in days, `[min, max]`.
    public var days: [Int]?
    /// Victims per campaign, `[min, max]`, by targeted industry (`default` for the others).
    public var victims: [String: [Int]]
    /// Relative chance of a victim being in each region (`default` for the others).
    public var regionWeights: [String: Double]?
    /// Device kinds that click.
    public var deviceTypes: [String]?
    /// Queries per victim, `[min, max]`.
    public var queriesPerVictim: [Int]?
    /// Share of phishing domains no intel lists (overrides `intel.unknownShare`).
    public var unknownShare: Double?
}
