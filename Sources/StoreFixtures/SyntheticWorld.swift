import EventStore
import Foundation

/// A small deterministic random generator (SplitMix64).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// Seeds the generator.
    public init(seed: UInt64) { state = seed }
    /// A generator for one (seed, a, b) cell, independent of every other cell.
    public init(seed: UInt64, _ a: Int, _ b: Int) {
        var s = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: a) &* 0x9E37_79B9_7F4A_7C15))
        state = s.next() ^ (UInt64(truncatingIfNeeded: b) &* 0xBF58_476D_1CE4_E5B9)
    }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }
}

/// A synthetic world of organisations, devices and their DNS traffic with infections that behave like their
/// families (QSnatch on NAS, IAB → ransomware hand-offs, Pykspa volume on home PCs, phishing campaigns by targeted
/// industry, exfiltration from servers) — a stand-in for the simulator, deterministic for a seed, used by tests
/// (with ``GroundTruth``) and benchmarks.
public struct SyntheticWorld: Sendable {
    /// The world's shape.
    public struct Config: Sendable, Hashable {
        /// Seed.
        public var seed: UInt64 = 1
        /// First day.
        public var start: Day = Day(year: 2026, month: 1, day: 1)!
        /// Number of days.
        public var days: Int = 365
        /// Enterprises per region.
        public var enterprisesPerRegion: Int = 6
        /// Devices per enterprise.
        public var devicesPerEnterprise: ClosedRange<Int> = 4...14
        /// ISPs per region.
        public var ispsPerRegion: Int = 1
        /// Home devices per ISP.
        public var devicesPerISP: Int = 40
        /// Probability a device is active on a day inside its organisation's active window.
        public var activeProbability: Double = 0.6
        /// Clean queries per active device-day.
        public var cleanQueries: ClosedRange<Int> = 2...8
        /// Size of the benign domain universe.
        public var benignDomains: Int = 5_000
        /// Brand-new benign domains appearing per day (for newly-observed-domain metrics).
        public var newDomainsPerDay: Int = 3
        /// Scales every infection probability.
        public var infectionScale: Double = 1
        /// Whether some detections come from detectors (suspected tier) as well as intel (known tier).
        public var suspectedDetections: Bool = true
        /// Creates the default (small, a year) world.
        public init() {}
    }

    /// One organisation.
    public struct Organisation: Sendable, Hashable {
        public var name: String
        public var segment: String
        public var region: String
        public var country: String
        public var industry: String
        /// Days the organisation sends traffic (some organisations have none in some quarters).
        public var active: DayRange
    }

    /// One infection of a device by a family over a window of days.
    public struct Infection: Sendable, Hashable {
        public var family: String
        public var category: String
        public var tags: [String]
        public var days: DayRange
        public var queriesPerDay: ClosedRange<Int>
        /// Probability of a detection being suspected-tier (a detector) rather than known.
        public var suspectedShare: Double
        /// How the domains are named.
        public var domainStem: String
        /// Whether its domains resolve.
        public var resolves: Bool
        public var detector: String
    }

    /// One phishing campaign.
    public struct PhishingCampaign: Sendable, Hashable {
        public var id: String
        public var brand: String
        public var industry: String
        public var kit: String
        public var days: DayRange
        /// Which identifying tags its detections carry: campaign id, kit, brand/industry only, or nothing.
        public var tagging: Int
    }

    /// The configuration.
    public let config: Config
    /// The organisations.
    public let organisations: [Organisation]
    /// The devices, with the index of their organisation.
    public let devices: [(info: DeviceInfo, org: Int)]
    /// Infections per device index.
    public let infections: [Int: [Infection]]
    /// The phishing campaigns.
    public let campaigns: [PhishingCampaign]

    static let countries = ["APAC": ["JP", "SG", "AU"], "NA": ["US", "CA"], "EMEA": ["DE", "GB", "FR"], "LATAM": ["BR", "MX"]]
    static let industries = ["manufacturing", "business-services", "high-tech", "commerce", "financial-services", "healthcare"]
    static let brands: [(String, String)] = [("megabank", "financial-services"), ("payfast", "financial-services"),
                                              ("shopmart", "commerce"), ("cloudmail", "high-tech"), ("parcelgo", "logistics")]

    /// Builds the world (organisations, devices, infections, campaigns) from the configuration.
    public init(_ c: Config) {
        config = c
        var rng = SplitMix64(seed: c.seed, 0, 0)
        let all = DayRange(c.start, c.start.advanced(by: c.days - 1))
        func window(minFraction: Double) -> DayRange {
            // Most organisations are active all the time; some start late or stop early.
            if rng.chance(0.7) { return all }
            let len = max(1, Int(Double(c.days) * (minFraction + (1 - minFraction) * rng.unit())))
            let off = Int(rng.next() % UInt64(max(1, c.days - len + 1)))
            return DayRange(c.start.advanced(by: off), c.start.advanced(by: off + len - 1))
        }
        var orgs: [Organisation] = []
        var devs: [(DeviceInfo, Int)] = []
        for region in StoreVocabulary.regions {
            let ctry = SyntheticWorld.countries[region]!
            for e in 0..<c.enterprisesPerRegion {
                let o = Organisation(name: "ent-\(region.lowercased())-\(e)", segment: "enterprise", region: region,
                                     country: ctry[e % ctry.count], industry: SyntheticWorld.industries[(e + region.count) % SyntheticWorld.industries.count],
                                     active: window(minFraction: 0.2))
                orgs.append(o)
                let n = c.devicesPerEnterprise.lowerBound + Int(rng.next() % UInt64(c.devicesPerEnterprise.count))
                for d in 0..<n {
                    let u = rng.unit()
                    let type = u < 0.55 ? "pc" : u < 0.75 ? "mobile" : u < 0.87 ? "server" : u < 0.95 ? "nas" : "iot"
                    devs.append((DeviceInfo(organisation: o.name, deviceKey: "10.\(orgs.count).\(d / 250).\(d % 250 + 1)",
                                            segment: o.segment, region: region, country: o.country, industry: o.industry,
                                            deviceType: type, site: "site-\(d % 3)"), orgs.count - 1))
                }
            }
            for i in 0..<c.ispsPerRegion {
                let o = Organisation(name: "isp-\(region.lowercased())-\(i)", segment: "home", region: region,
                                     country: ctry[i % ctry.count], industry: "", active: all)
                orgs.append(o)
                for d in 0..<c.devicesPerISP {
                    let u = rng.unit()
                    let type = u < 0.35 ? "mobile" : u < 0.65 ? "pc" : u < 0.80 ? "iot" : u < 0.90 ? "nas" : u < 0.95 ? "camera" : "router"
                    devs.append((DeviceInfo(organisation: o.name, deviceKey: "hh\(d / 4)-\(type)-\(d)", segment: "home", region: region,
                                            country: ctry[d % ctry.count], industry: "", deviceType: type), orgs.count - 1))
                }
            }
        }
        organisations = orgs
        devices = devs

        // Infections.
        func span(_ minLen: Int, _ maxLen: Int, startAfter: Int = 0) -> DayRange? {
            let s = startAfter + Int(rng.next() % UInt64(max(1, c.days - startAfter)))
            guard s < c.days else { return nil }
            let len = minLen + Int(rng.next() % UInt64(max(1, maxLen - minLen + 1)))
            return DayRange(c.start.advanced(by: s), c.start.advanced(by: min(c.days - 1, s + len - 1)))
        }
        let k = c.infectionScale
        var inf: [Int: [Infection]] = [:]
        for (i, (d, _)) in devs.enumerated() {
            var list: [Infection] = []
            if d.deviceType == "nas", rng.chance((d.region == "APAC" ? 0.5 : 0.2) * k), let w = span(10, 80) {
                list.append(Infection(family: "QSnatch", category: "c2", tags: ["dga"], days: w, queriesPerDay: 1...4,
                                      suspectedShare: 0.3, domainStem: "qsn", resolves: false, detector: "dga"))
            }
            if d.deviceType == "pc" || d.deviceType == "server", rng.chance((d.region == "APAC" ? 0.06 : 0.12) * k), let w = span(5, 40) {
                let fam = ["Emotet", "QakBot", "IcedID"][Int(rng.next() % 3)]
                list.append(Infection(family: fam, category: "c2", tags: ["iab", "botnet"], days: w, queriesPerDay: 1...3,
                                      suspectedShare: 0.1, domainStem: fam.lowercased(), resolves: true, detector: "beacon"))
                if rng.chance(0.6) {
                    // The hand-off: some within the chain window, some later, some the same day.
                    let delay = [0, 3, 12, 25, 29, 31, 45, 70][Int(rng.next() % 8)]
                    let s = w.first.advanced(by: delay)
                    if s <= all.last {
                        let fam2 = rng.chance(0.5) ? "LockBit" : "REvil"
                        list.append(Infection(family: fam2, category: "c2", tags: ["ransomware"],
                                              days: DayRange(s, min(all.last, s.advanced(by: 2 + Int(rng.next() % 10)))),
                                              queriesPerDay: 1...2, suspectedShare: 0, domainStem: fam2.lowercased(), resolves: true, detector: ""))
                    }
                }
            }
            if d.segment == "home", d.deviceType == "pc", rng.chance(0.25 * k), let w = span(20, 120) {
                let busy = d.region == "APAC" ? 20...60 : 4...12
                list.append(Infection(family: "Pykspa", category: "malware", tags: ["dga", "worm"], days: w, queriesPerDay: busy,
                                      suspectedShare: 0.4, domainStem: "pyk", resolves: false, detector: "dga"))
            }
            if rng.chance(0.05 * k), let w = span(3, 30) {
                let fam = d.deviceType == "mobile" ? "FluBot" : ["Ramnit", "AgentTesla", "Virut"][Int(rng.next() % 3)]
                list.append(Infection(family: fam, category: "malware", tags: fam == "AgentTesla" ? ["stealer"] : [], days: w,
                                      queriesPerDay: 1...3, suspectedShare: 0, domainStem: fam.lowercased(), resolves: true, detector: ""))
            }
            if rng.chance(0.02 * k), let w = span(3, 20) {
                list.append(Infection(family: "", category: "c2", tags: [], days: w, queriesPerDay: 1...2,
                                      suspectedShare: 1, domainStem: "beacon", resolves: true, detector: "beacon"))
            }
            if d.deviceType == "server", rng.chance(0.5 * k), let w = span(2, 12) {
                list.append(Infection(family: rng.chance(0.5) ? "dnscat2" : "", category: "exfiltration", tags: [], days: w,
                                      queriesPerDay: 5...20, suspectedShare: 1, domainStem: "tun", resolves: true, detector: "tunnel"))
            }
            if !list.isEmpty { inf[i] = list }
        }
        infections = inf

        var camps: [PhishingCampaign] = []
        let nCamp = max(4, c.days / 12)
        for j in 0..<nCamp {
            let b = SyntheticWorld.brands[Int(rng.next() % UInt64(SyntheticWorld.brands.count))]
            // Some campaigns come back after a pause longer than the campaign gap (two campaigns under one key).
            guard let w = span(3, 20) else { continue }
            camps.append(PhishingCampaign(id: "pc\(j)", brand: b.0, industry: b.1, kit: ["16shop", "evilproxy"][j % 2], days: w, tagging: j % 4))
            if j % 5 == 0, w.last.advanced(by: 40) <= all.last {
                camps.append(PhishingCampaign(id: "pc\(j)", brand: b.0, industry: b.1, kit: ["16shop", "evilproxy"][j % 2],
                                              days: DayRange(w.last.advanced(by: 40), min(all.last, w.last.advanced(by: 45))), tagging: j % 4))
            }
        }
        campaigns = camps
    }

    /// Calls `body` with every observation of every day, in time order within each day, days in order.
    public func forEachObservation(_ body: (TrafficObservation) throws -> Void) rethrows {
        for dayOffset in 0..<config.days {
            let day = config.start.advanced(by: dayOffset)
            var todays: [TrafficObservation] = []
            for (i, d) in devices.enumerated() { observations(device: i, info: d.info, org: organisations[d.org], day: day, dayOffset: dayOffset, into: &todays) }
            todays.sort { ($0.timeNanos, $0.device.organisation, $0.device.deviceKey) < ($1.timeNanos, $1.device.organisation, $1.device.deviceKey) }
            for o in todays { try body(o) }
        }
    }

    /// Every observation, in time order.
    public func allObservations() -> [TrafficObservation] {
        var out: [TrafficObservation] = []
        forEachObservation { out.append($0) }
        return out
    }

    private func observations(device i: Int, info: DeviceInfo, org: Organisation, day: Day, dayOffset: Int, into out: inout [TrafficObservation]) {
        guard org.active.contains(day) else { return }
        var rng = SplitMix64(seed: config.seed, i + 1, dayOffset)
        guard rng.chance(config.activeProbability) else { return }
        func time() -> Int64 { day.startNanos + Int64(rng.next() % UInt64(Day.nanosPerDay)) }
        let n = config.cleanQueries.lowerBound + Int(rng.next() % UInt64(config.cleanQueries.count))
        for _ in 0..<n {
            let name: String
            if config.newDomainsPerDay > 0, rng.chance(0.05) {
                name = "fresh\(dayOffset)-\(rng.next() % UInt64(config.newDomainsPerDay)).example"
            } else {
                // Zipf-like popularity: rank ≈ N^u.
                let rank = Int(pow(Double(config.benignDomains), rng.unit()))
                name = "site\(rank).example"
            }
            let typo = rng.chance(0.03)
            out.append(TrafficObservation(timeNanos: time(), device: info, domain: typo ? "typo-" + name : name, resolved: !typo))
        }
        for inf in infections[i] ?? [] where inf.days.contains(day) {
            let q = inf.queriesPerDay.lowerBound + Int(rng.next() % UInt64(inf.queriesPerDay.count))
            for _ in 0..<q {
                let suspected = config.suspectedDetections && rng.chance(inf.suspectedShare)
                let name = "\(inf.domainStem)\(rng.next() % (suspected ? 1000 : 40)).\(inf.category)-\(inf.domainStem).bad"
                let tier = suspected || (inf.suspectedShare >= 1) ? StoreVocabulary.suspected : StoreVocabulary.known
                let t = time()
                let det = DetectionRecord(timeNanos: t, device: info, queryName: name, queryType: inf.category == "exfiltration" ? "TXT" : "A",
                                          rcode: inf.resolves ? "NOERROR" : "NXDOMAIN", category: inf.category, tier: tier,
                                          family: inf.family, tags: inf.tags, indicator: tier == StoreVocabulary.known ? "\(inf.category)-\(inf.domainStem).bad" : "",
                                          detector: tier == StoreVocabulary.known ? "" : inf.detector,
                                          reason: tier == StoreVocabulary.known ? "suffix match" : "\(inf.detector) score 0.95 ≥ 0.9",
                                          sourceFeed: tier == StoreVocabulary.known ? "synthetic-intel" : "", score: tier == StoreVocabulary.known ? nil : 0.95,
                                          threshold: tier == StoreVocabulary.known ? nil : 0.9, sourceFile: "synthetic", sourceLine: Int64(dayOffset))
                out.append(TrafficObservation(timeNanos: t, device: info, domain: name, resolved: inf.resolves, detections: [det]))
            }
        }
        // Phishing clicks: a small chance per active campaign per device-day.
        for c in campaigns where c.days.contains(day) && rng.chance(0.004 * config.infectionScale) {
            var tags = ["targeted-brand:\(c.brand)", "targeted-industry:\(c.industry)"]
            var family = ""
            switch c.tagging {
            case 0: tags.append("campaign:\(c.id)")
            case 1: family = c.kit
            case 2: break
            default: tags = []
            }
            let name = "login-\(c.brand)\(c.tagging == 3 ? c.id : "").phish.bad"
            let t = time()
            let det = DetectionRecord(timeNanos: t, device: info, queryName: name, rcode: "NOERROR", category: "phishing", tier: "known",
                                      family: family, tags: tags, indicator: name, reason: "exact match", sourceFeed: "synthetic-phish",
                                      sourceFile: "synthetic", sourceLine: Int64(dayOffset))
            out.append(TrafficObservation(timeNanos: t, device: info, domain: name, resolved: true, detections: [det]))
        }
    }
}

