import DNSightCore

/// The kinds of device the simulator knows, and the inventory device type each is written as.
public enum DeviceKind: UInt8, CaseIterable, Sendable, Codable {
    case phone, pc, tv, iot, nas, server, camera

    /// The scenario's name.
    public var name: String {
        switch self {
        case .phone: "phone"
        case .pc: "pc"
        case .tv: "tv"
        case .iot: "iot"
        case .nas: "nas"
        case .server: "server"
        case .camera: "camera"
        }
    }

    /// Parses a scenario name.
    public init?(name: String) {
        guard let k = DeviceKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = k
    }

    /// The inventory's `device_type` (the report's vocabulary: a phone is `mobile`, a smart TV `iot`).
    public var inventoryType: String {
        switch self {
        case .phone: "mobile"
        case .pc: "pc"
        case .tv: "iot"
        case .iot: "iot"
        case .nas: "nas"
        case .server: "server"
        case .camera: "camera"
        }
    }
}

/// Enterprise or home.
public enum SegmentKind: UInt8, Sendable, Codable {
    case enterprise, home
    /// The inventory's name.
    public var name: String { self == .enterprise ? "enterprise" : "home" }
}

/// One organisation: an enterprise, or an ISP (whose subscribers' devices are the home segment).
struct Organisation: Sendable {
    var name: String
    var segment: SegmentKind
    var region: Int
    var country: String
    /// Empty for ISPs.
    var industry: String
    /// Site names (enterprises) — households are numbered, not listed.
    var sites: [String]
    /// The resolver its devices ask.
    var resolver: UInt32
    /// Devices `firstDevice ..< firstDevice + deviceCount`.
    var firstDevice: Int
    var deviceCount: Int
    /// A domain of its own (enterprises: internal names live under `corp.<domain>`).
    var domain: String
}

/// One device.
struct Device: Sendable {
    var organisation: Int32
    var kind: DeviceKind
    var segment: SegmentKind
    var region: UInt8
    /// Site index (enterprise) or household number (home).
    var site: Int32
    var address: UInt32
    /// The device's own activity multiplier (some devices are chatty, some quiet).
    var activity: Float
}

/// The simulated world: regions, organisations and devices, built from a scenario and a seed.
struct World: Sendable {
    var regions: [RegionSpec]
    var organisations: [Organisation]
    var devices: [Device]
    /// Per region: clock offset in seconds.
    var utcOffsetSeconds: [Int]

    static let enterpriseBase: UInt32 = 0x0A00_0000  // 10.0.0.0/8, a /18 per organisation, a /22 per site
    static let homeBase: UInt32 = 0x6440_0000        // 100.64.0.0/10, a /14 per ISP, a /29 per household

    static func countryDefault(_ r: RegionSpec) -> String { r.countries.first ?? "US" }

    /// Builds the world. Throws when the address plan cannot hold it.
    static func build(_ s: Scenario, seed: UInt64) throws(SimulatorError) -> World {
        var orgs: [Organisation] = []
        var devices: [Device] = []
        let regionIndex = Dictionary(uniqueKeysWithValues: s.regions.enumerated().map { ($1.name, $0) })
        var rng = SimRandom(seed: seed, 0x5749_524C_44)  // "WORLD"
        let defaultHousehold: [String: Double] = s.household ?? ["phone": 2, "pc": 1, "tv": 0.6, "iot": 1, "nas": 0.1]

        // Enterprises first: named ones, then generated groups in order.
        var enterpriseCount = 0
        var usedNames = Set(s.isps.map(\.name) + s.enterprises.compactMap(\.name))
        for (gi, e) in s.enterprises.enumerated() {
            let region = regionIndex[e.region]!
            let rspec = s.regions[region]
            if let name = e.name, let sites = e.siteList {
                guard enterpriseCount < 1024 else { throw SimulatorError(.scenario("more than 1,024 enterprises"), keyPath: "enterprises") }
                let base = enterpriseBase + UInt32(enterpriseCount) << 14
                var org = Organisation(name: name, segment: .enterprise, region: region, country: e.country ?? countryDefault(rspec),
                                       industry: Industry(rawValue: e.industry ?? "").rawValue, sites: sites.map(\.name),
                                       resolver: base + 2, firstDevice: devices.count, deviceCount: 0, domain: Names.orgDomain(name))
                guard sites.count <= 16 else { throw SimulatorError(.scenario("at most 16 sites per organisation"), keyPath: "enterprises[\(gi)].siteList") }
                for (si, site) in sites.enumerated() {
                    var k = 0
                    for kind in DeviceKind.allCases {
                        for _ in 0..<(site.devices[kind.name] ?? 0) {
                            guard k < 1000 else { throw SimulatorError(.scenario("at most 1,000 devices per site"), keyPath: "enterprises[\(gi)].siteList[\(si)]") }
                            devices.append(Device(organisation: Int32(orgs.count), kind: kind, segment: .enterprise, region: UInt8(region), site: Int32(si),
                                                  address: base + UInt32(si) << 10 + 16 + UInt32(k), activity: activity(&rng)))
                            k += 1
                        }
                    }
                }
                org.deviceCount = devices.count - org.firstDevice
                orgs.append(org)
                enterpriseCount += 1
                continue
            }
            let count = e.count ?? 0
            let sitesRange = e.sites ?? [1, 2]
            let perSite = e.devicesPerSite ?? [5, 30]
            guard sitesRange[1] <= 16 else { throw SimulatorError(.scenario("at most 16 sites per organisation"), keyPath: "enterprises[\(gi)].sites") }
            guard perSite[1] <= 1000 else { throw SimulatorError(.scenario("at most 1,000 devices per site"), keyPath: "enterprises[\(gi)].devicesPerSite") }
            let mix = e.deviceMix ?? ["pc": 70, "phone": 15, "server": 6, "iot": 4, "nas": 3, "camera": 2]
            let mixKinds = DeviceKind.allCases.filter { (mix[$0.name] ?? 0) > 0 }
            let mixWeights = mixKinds.map { mix[$0.name]! }
            let industries = (e.industries ?? ["business-services": 1]).sorted { $0.key < $1.key }
            for _ in 0..<count {
                guard enterpriseCount < 1024 else { throw SimulatorError(.scenario("more than 1,024 enterprises"), keyPath: "enterprises") }
                let base = enterpriseBase + UInt32(enterpriseCount) << 14
                let industry = Industry(rawValue: industries[rng.weighted(industries.map(\.value))].key).rawValue
                var name = Names.companyName(&rng, industry: industry)
                while usedNames.contains(name) { name = Names.companyName(&rng, industry: industry) }
                usedNames.insert(name)
                let nSites = rng.int(sitesRange[0]...sitesRange[1])
                var siteNames: [String] = []
                var org = Organisation(name: name, segment: .enterprise, region: region, country: rspec.countries[rng.below(rspec.countries.count)],
                                       industry: industry, sites: [], resolver: base + 2, firstDevice: devices.count, deviceCount: 0,
                                       domain: Names.orgDomain(name))
                for si in 0..<nSites {
                    siteNames.append(si == 0 ? "hq" : "site-\(si + 1)")
                    let n = rng.int(perSite[0]...perSite[1])
                    for k in 0..<n {
                        let kind = mixKinds[rng.weighted(mixWeights)]
                        devices.append(Device(organisation: Int32(orgs.count), kind: kind, segment: .enterprise, region: UInt8(region), site: Int32(si),
                                              address: base + UInt32(si) << 10 + 16 + UInt32(k), activity: activity(&rng)))
                    }
                }
                org.sites = siteNames
                org.deviceCount = devices.count - org.firstDevice
                orgs.append(org)
                enterpriseCount += 1
            }
        }
        // ISPs and their households.
        guard s.isps.count <= 16 else { throw SimulatorError(.scenario("at most 16 ISPs"), keyPath: "isps") }
        for (ii, isp) in s.isps.enumerated() {
            let region = regionIndex[isp.region]!
            guard isp.households <= 32_000 else { throw SimulatorError(.scenario("at most 32,000 households per ISP"), keyPath: "isps[\(ii)].households") }
            let base = homeBase + UInt32(ii) << 18
            var org = Organisation(name: isp.name, segment: .home, region: region, country: isp.country ?? countryDefault(s.regions[region]),
                                   industry: "", sites: [], resolver: base + 53, firstDevice: devices.count, deviceCount: 0, domain: Names.orgDomain(isp.name))
            let mix = isp.household ?? defaultHousehold
            for h in 0..<isp.households {
                var k = 0
                for kind in DeviceKind.allCases {
                    let mean = mix[kind.name] ?? 0
                    var n = Int(mean)
                    if rng.chance(mean - Double(n)) { n += 1 }
                    for _ in 0..<n where k < 8 {
                        devices.append(Device(organisation: Int32(orgs.count), kind: kind, segment: .home, region: UInt8(region), site: Int32(h),
                                              address: base + 64 + UInt32(h) << 3 + UInt32(k), activity: activity(&rng)))
                        k += 1
                    }
                }
            }
            org.deviceCount = devices.count - org.firstDevice
            orgs.append(org)
        }
        let offsets = s.regions.map { Int((($0.utcOffsetHours ?? 0) * 3600).rounded()) }
        return World(regions: s.regions, organisations: orgs, devices: devices, utcOffsetSeconds: offsets)
    }

    /// A device's activity multiplier: log-normal-ish around 1.
    static func activity(_ rng: inout SimRandom) -> Float {
        Float(max(0.15, min(4.0, expNeg(-0.55 * rng.normal()))))
    }

    /// The household label of a home device.
    func siteName(_ d: Device) -> String {
        let org = organisations[Int(d.organisation)]
        if d.segment == .home {
            var s = String(d.site)
            while s.count < 5 { s = "0" + s }
            return "hh-" + s
        }
        return org.sites[Int(d.site)]
    }
}
