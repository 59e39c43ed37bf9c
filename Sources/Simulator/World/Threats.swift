import DNSightCore

/// Where an intel entry is written.
enum IntelFeed: UInt8, Sendable, Codable {
    /// A Maltrail trail file per family.
    case maltrail
    /// PhishTank's verified-online CSV (phishing URLs with their target brand).
    case phishtank
    /// A ThreatFox CSV export (threat type, family, tags).
    case threatfox
}

/// One malicious name and what intel says about it — exactly what `dnsight intel import` makes of the written files
/// (category from the entry, else the family catalogue, else the feed; tags from the family and the brand).
struct IntelEntry: Sendable {
    var name: Int32
    /// PhishTank URL hosts match exactly; everything else covers subdomains.
    var exact: Bool
    var category: ThreatCategory
    var family: String?
    var traits: ThreatTraits
    var industries: [String]
    var brand: String?
    /// Whether an intel file lists it (else it is malicious but unknown to intel).
    var listed: Bool
    var feed: IntelFeed
    /// First and last day the name is in use (for the feeds' dates).
    var firstDay: Int
    var lastDay: Int
}

/// The behaviours the simulator plays.
enum Behaviour: String, Sendable {
    case qsnatch, beacon, pykspa, tunnel, malware, ransomware
}

/// A family's domains over the period, each in use for a window of days.
struct DomainPool: Sendable {
    var names: [Int32]
    var windows: [DaySpan]

    /// The names in use on a day (at least one: the nearest).
    func active(on day: Int) -> ArraySlice<Int32>.Indices {
        var lo = names.count, hi = 0
        for i in 0..<names.count where windows[i].contains(day) { lo = min(lo, i); hi = max(hi, i + 1) }
        if lo < hi { return lo..<hi }
        let i = windows.firstIndex { $0.first > day } ?? names.count - 1
        return i..<(i + 1)
    }
}

/// One infection of one device for a span of time.
struct Episode: Sendable {
    var plan: Int
    var device: Int32
    var start: Int64
    var end: Int64
    var seed: UInt64
}

/// A resolved infection entry: behaviour, family facts and parameters with their defaults.
struct InfectionPlan: Sendable {
    var name: String
    var behaviour: Behaviour
    var family: String?
    var pool: DomainPool
    var intervalMinutes: ClosedRange<Double>
    var jitter: Double
    var runsPerDay: Double
    var namesPerRun: ClosedRange<Int>
    var resolvingShare: Double
    var contactsPerDay: Double
    var sessionsPerDay: ClosedRange<Int>
    var queriesPerSession: ClosedRange<Int>
}

/// A phishing victim's clicks.
struct PhishingClick: Sendable {
    var day: Int
    var time: Int64
    var device: Int32
    var host: Int32
    var queries: Int
}

/// A phishing campaign as planned (the ground truth does not use this: it groups the events themselves).
struct PhishingCampaign: Sendable {
    var brand: String
    var industry: String
    var hosts: [Int32]
    var days: DaySpan
    var victims: Int
}

/// The malicious side of the world: intel entries, family domain pools, DGA name lists, infection episodes and
/// phishing clicks.
struct Threats: Sendable {
    var entries: [IntelEntry] = []
    var entryByName: [Int32: Int32] = [:]
    var plans: [InfectionPlan] = []
    var episodes: [Episode] = []
    var clicks: [PhishingClick] = []
    var campaigns: [PhishingCampaign] = []
    /// QSnatch: per 15-day bucket, the names in generation order, and the index of the one that resolves.
    var qsnatchNames: [Int64: [Int32]] = [:]
    var qsnatchLive: [Int64: Int] = [:]
    /// Pykspa: per set-1 period and per day (set 2), names in generation order.
    var pykspaSet1: [Int64: [Int32]] = [:]
    var pykspaSet2: [Int64: [Int32]] = [:]
    /// Answer set per malicious name that resolves.
    var answerByName: [Int32: Int32] = [:]
    /// Which DGA generator was used.
    var dgaName = ""

    static let catalogue = FamilyCatalogue.builtIn
    static let brands = BrandCatalogue.builtIn

    /// Adds a malicious name (once; a name already taken by another entry keeps its first owner).
    @discardableResult
    mutating func addEntry(_ name: Int32, exact: Bool = false, family: String?, category: ThreatCategory? = nil, brand: String? = nil,
                           listed: Bool, feed: IntelFeed, days: DaySpan) -> Bool {
        if entryByName[name] != nil { return false }
        let fam = family.flatMap { Self.catalogue.family(named: $0) }
        var cat: ThreatCategory
        switch feed {
        case .phishtank: cat = .phishing
        case .threatfox: cat = category ?? fam?.category ?? .malware
        case .maltrail: cat = fam?.category ?? category ?? .malware
        }
        if feed == .maltrail, fam == nil { cat = .malware }
        var traits = fam?.tags.traits ?? []
        var industries = Set(fam?.tags.industries.map(\.rawValue) ?? [])
        if let brand, let ind = Self.brands.brand(named: brand)?.industry { industries.insert(ind.rawValue) }
        if feed == .maltrail, family == nil { traits = [] }
        entryByName[name] = Int32(entries.count)
        entries.append(IntelEntry(name: name, exact: exact, category: cat, family: fam?.name ?? family, traits: traits,
                                  industries: industries.sorted(), brand: brand, listed: listed, feed: feed, firstDay: days.first, lastDay: days.last))
        return true
    }

    /// Whether a name is unknown to intel: a stable draw per name.
    static func unlisted(_ name: String, share: Double, seed: UInt64) -> Bool {
        guard share > 0 else { return false }
        let h = SimRandom.mix(SimRandom.hash(name) ^ seed ^ 0x554E_4B4E)
        return Double(h >> 11) * 0x1.0p-53 < share
    }
}
