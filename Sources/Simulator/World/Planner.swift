import DNSightCore

/// Plans the malicious side of a scenario: family domain pools and intel entries, DGA name lists, infection episodes
/// (with hand-offs to ransomware), and phishing campaigns with their victims' clicks.
struct Planner {
    let scenario: Scenario
    let world: World
    let seed: UInt64
    let period: DaySpan
    let dga: any DGANameSource
    let unknownShare: Double
    let formats: Set<String>

    init(scenario: Scenario, world: World, seed: UInt64, period: DaySpan, dga: any DGANameSource) {
        self.scenario = scenario
        self.world = world
        self.seed = seed
        self.period = period
        self.dga = dga
        unknownShare = scenario.intel?.unknownShare ?? 0.1
        formats = Set(scenario.intel?.formats ?? ["maltrail", "phishtank", "threatfox"])
    }

    /// Calendar quarters overlapping the period, cut to it, with the share of the full quarter each covers.
    var quarters: [(span: DaySpan, scale: Double)] {
        var out: [(DaySpan, Double)] = []
        var d = period.first
        while d <= period.last {
            let c = SimCalendar.civil(d)
            let q = (c.month - 1) / 3
            let qStart = SimCalendar.day(year: c.year, month: q * 3 + 1, day: 1)
            let qEnd = (q == 3 ? SimCalendar.day(year: c.year + 1, month: 1, day: 1) : SimCalendar.day(year: c.year, month: q * 3 + 4, day: 1)) - 1
            let span = DaySpan(max(qStart, period.first), min(qEnd, period.last))
            out.append((span, Double(span.count) / Double(qEnd - qStart + 1)))
            d = qEnd + 1
        }
        return out
    }

    func feed(for family: String?, category: ThreatCategory?) -> IntelFeed {
        if category == .exfiltration || family == nil && category != nil { return formats.contains("threatfox") ? .threatfox : .maltrail }
        if category == .phishing { return formats.contains("phishtank") ? .phishtank : .threatfox }
        return formats.contains("maltrail") ? .maltrail : .threatfox
    }

    static func regionShare(_ map: [String: Double]?, _ region: String) -> Double {
        guard let map else { return 0 }
        return map[region] ?? map["default"] ?? 0
    }

    /// A family's pool: `count` names, each in use for an overlapping window of the period.
    func pool(count: Int, style: MaliciousStyle, family: String?, category: ThreatCategory?, key: String, share: Double,
              threats: inout Threats, names: inout NameTable, answers: inout AnswerStore) -> DomainPool {
        var rng = SimRandom(seed: seed, SimRandom.hash("pool/" + key))
        var out: [Int32] = [], windows: [DaySpan] = []
        let length = Double(period.count) / Double(count)
        let feedKind = feed(for: family, category: category)
        var attempts = 0
        while out.count < count && attempts < count * 20 {
            attempts += 1
            let name = Names.maliciousDomain(&rng, style: style)
            if names.find(name) != nil { continue }
            let id = names.intern(name)
            let i = out.count
            let first = period.first + Int(Double(i) * length) - Int(length * 0.25)
            let last = period.first + Int(Double(i + 1) * length) + Int(length * 0.25)
            let span = DaySpan(max(period.first, first), min(period.last, last))
            let listed = !Threats.unlisted(name, share: share, seed: seed)
            guard threats.addEntry(id, family: family, category: category, listed: listed, feed: feedKind, days: span) else { continue }
            let h = SimRandom.mix(SimRandom.hash(name) ^ seed)
            threats.answerByName[id] = answers.add([SimRecord(kind: .a, ttl: [60, 300, 600, 3600][Int(h & 3)],
                                                              data: Int64(AddressPlan.v4(provider: .shady, hash: h)))])
            out.append(id)
            windows.append(span)
        }
        return DomainPool(names: out, windows: windows)
    }

    func style(for family: String?, behaviour: Behaviour) -> MaliciousStyle {
        switch behaviour {
        case .tunnel: return .tunnel
        case .malware: return family == nil ? .random : .words
        case .ransomware: return .service
        default:
            let f = Threats.catalogue.family(named: family ?? "")
            if f?.tags.traits.contains(.remoteAccess) ?? false { return .dynamicDNS }
            if f?.tags.traits.contains(.c2Framework) ?? false { return .service }
            return .words
        }
    }

    /// Plans everything.
    func plan(names: inout NameTable, answers: inout AnswerStore) -> Threats {
        var t = Threats()
        t.dgaName = dga.name
        var pools: [String: DomainPool] = [:]
        let infections = scenario.infections ?? []
        var planIndexByName: [String: Int] = [:]

        // DGA name lists first (their names are the families' own).
        var qsnatchMax = 0, pykspaMax = 0
        var qsnatchShare = unknownShare, pykspaShare = unknownShare
        var qsnatchRange = 1...1
        for inf in infections {
            if inf.behaviour == "qsnatch" {
                qsnatchMax = max(qsnatchMax, (inf.namesPerRun ?? [5, 20])[1] + 1)
                qsnatchShare = inf.unknownShare ?? unknownShare
                let r = inf.namesPerRun ?? [5, 20]
                qsnatchRange = r[0]...r[1]
            }
            if inf.behaviour == "pykspa" {
                pykspaMax = max(pykspaMax, (inf.namesPerRun ?? [40, 120])[1] / 2 + 1)
                pykspaShare = inf.unknownShare ?? unknownShare
            }
        }
        if qsnatchMax > 0 {
            let fam = "QSnatch"
            var b = Int64(period.first) * 86_400 / 1_296_000
            let lastBucket = Int64(period.last) * 86_400 / 1_296_000
            while b <= lastBucket {
                // Names the malware cannot query (variant A's `.com.bn` entry makes `x..com.bn`) are left out.
                let list = dga.qsnatchA(unixTime: b * 1_296_000, count: qsnatchMax + 1).filter { !$0.contains("..") }.prefix(qsnatchMax).map { $0 }
                let days = DaySpan(max(period.first, Int(b * 15)), min(period.last, Int(b * 15 + 14)))
                var ids: [Int32] = []
                for n in list {
                    let id = names.intern(n)
                    t.addEntry(id, family: fam, listed: !Threats.unlisted(n, share: qsnatchShare, seed: seed), feed: feed(for: fam, category: nil), days: days)
                    ids.append(id)
                }
                var r = SimRandom(seed: seed, 0x5153_4E41, UInt64(bitPattern: b))
                let live = min(ids.count - 1, r.int(qsnatchRange))
                t.qsnatchNames[b] = ids
                t.qsnatchLive[b] = live
                let h = SimRandom.mix(SimRandom.hash(list[live]) ^ seed)
                t.answerByName[ids[live]] = answers.add([SimRecord(kind: .a, ttl: 600, data: Int64(AddressPlan.v4(provider: .shady, hash: h)))])
                b += 1
            }
        }
        if pykspaMax > 0 {
            let fam = "Pykspa"
            var resolving = 0.02
            for inf in infections where inf.behaviour == "pykspa" { resolving = inf.resolvingShare ?? 0.02 }
            func add(_ list: [String], _ days: DaySpan, _ t: inout Threats) -> [Int32] {
                var ids: [Int32] = []
                for n in list {
                    let id = names.intern(n)
                    t.addEntry(id, family: fam, listed: !Threats.unlisted(n, share: pykspaShare, seed: seed), feed: feed(for: fam, category: nil), days: days)
                    let h = SimRandom.mix(SimRandom.hash(n) ^ seed ^ 0x5245_534F)
                    if Double(h >> 11) * 0x1.0p-53 < resolving, t.answerByName[id] == nil {
                        t.answerByName[id] = answers.add([SimRecord(kind: .a, ttl: 300, data: Int64(AddressPlan.v4(provider: .shady, hash: h)))])
                    }
                    ids.append(id)
                }
                return ids
            }
            var p = Int64(period.first) / 20
            while p <= Int64(period.last) / 20 {
                let days = DaySpan(max(period.first, Int(p * 20)), min(period.last, Int(p * 20 + 19)))
                t.pykspaSet1[p] = add(dga.pykspa(set: 1, unixTime: p * 1_728_000, count: pykspaMax), days, &t)
                p += 1
            }
            for d in period.first...period.last {
                t.pykspaSet2[Int64(d)] = add(dga.pykspa(set: 2, unixTime: Int64(d) * 86_400, count: pykspaMax), DaySpan(d, d), &t)
            }
        }

        // Plans and pools.
        func planFor(_ inf: InfectionSpec, behaviour: Behaviour, family: String?, poolKey: String, poolSize: Int, share: Double) -> Int {
            let category: ThreatCategory? = behaviour == .tunnel ? .exfiltration : (family == nil ? .malware : nil)
            if pools[poolKey] == nil {
                pools[poolKey] = behaviour == .qsnatch || behaviour == .pykspa ? DomainPool(names: [], windows: [])
                    : pool(count: poolSize, style: style(for: family, behaviour: behaviour), family: family, category: category,
                           key: poolKey, share: share, threats: &t, names: &names, answers: &answers)
            }
            t.plans.append(InfectionPlan(
                name: inf.name, behaviour: behaviour, family: family, pool: pools[poolKey]!,
                intervalMinutes: (inf.intervalMinutes ?? [30, 120])[0]...(inf.intervalMinutes ?? [30, 120])[1],
                jitter: inf.jitter ?? 0.2, runsPerDay: inf.runsPerDay ?? 1,
                namesPerRun: (inf.namesPerRun ?? [5, 20])[0]...(inf.namesPerRun ?? [5, 20])[1],
                resolvingShare: inf.resolvingShare ?? 0.02, contactsPerDay: inf.contactsPerDay ?? 4,
                sessionsPerDay: (inf.sessionsPerDay ?? [1, 2])[0]...(inf.sessionsPerDay ?? [1, 2])[1],
                queriesPerSession: (inf.queriesPerSession ?? [1, 3])[0]...(inf.queriesPerSession ?? [1, 3])[1]))
            return t.plans.count - 1
        }
        var handoffPlans: [Int: [(plan: Int, weight: Double)]] = [:]
        for inf in infections {
            let behaviour = Behaviour(rawValue: inf.behaviour) ?? .malware
            let family = inf.family.flatMap { Threats.catalogue.family(named: $0)?.name }
            let key = (family ?? "generic:" + inf.name) + "/" + behaviour.rawValue
            let p = planFor(inf, behaviour: behaviour, family: family, poolKey: key, poolSize: inf.domains ?? 12, share: inf.unknownShare ?? unknownShare)
            planIndexByName[inf.name] = p
            if let h = inf.handoff {
                var list: [(Int, Double)] = []
                for (f, w) in h.families.sorted(by: { $0.key < $1.key }) {
                    let fam = Threats.catalogue.family(named: f)?.name ?? f
                    var spec = inf
                    spec.name = inf.name + "→" + fam
                    spec.intervalMinutes = h.intervalMinutes ?? [60, 240]
                    let rp = planFor(spec, behaviour: .ransomware, family: fam, poolKey: fam + "/ransomware", poolSize: h.domains ?? 8,
                                     share: inf.unknownShare ?? unknownShare)
                    list.append((rp, w))
                }
                handoffPlans[p] = list
            }
        }

        // Episodes, quarter by quarter, starting a quarter before the period so that its first quarter already has
        // infections under way (their traffic before the period is not generated).
        let regionNames = world.regions.map(\.name)
        let leadIn: (span: DaySpan, scale: Double) = {
            let c = SimCalendar.civil(period.first)
            let q = (c.month - 1) / 3
            let start = q == 0 ? SimCalendar.day(year: c.year - 1, month: 10, day: 1) : SimCalendar.day(year: c.year, month: (q - 1) * 3 + 1, day: 1)
            return (DaySpan(start, SimCalendar.day(year: c.year, month: q * 3 + 1, day: 1) - 1), 1.0)
        }()
        let planning = (scenario.warmStart ?? true) ? [leadIn] + quarters : quarters
        for (ii, inf) in infections.enumerated() {
            let p = planIndexByName[inf.name]!
            let kinds = Set(inf.deviceTypes.compactMap { DeviceKind(name: $0) })
            let segment: SegmentKind? = inf.segment == "enterprise" ? .enterprise : inf.segment == "home" ? .home : nil
            var busyUntil: [Int32: Int64] = [:]
            for (qi, q) in planning.enumerated() {
                var rng = SimRandom(seed: seed, 0x4550_4953, UInt64(ii), UInt64(qi + (planning.count == quarters.count ? 1 : 0)))
                var starts: [(Int32, Int64)] = []
                if let orgShares = inf.organisationsPerQuarter {
                    for (ri, rname) in regionNames.enumerated() {
                        let orgs = world.organisations.indices.filter { world.organisations[$0].segment == .enterprise && world.organisations[$0].region == ri }
                        let expected = Self.regionShare(orgShares, rname) * Double(orgs.count) * q.scale
                        var n = Int(expected)
                        if rng.chance(expected - Double(n)) { n += 1 }
                        var pool = orgs
                        var weights = pool.map { inf.industryWeights?[world.organisations[$0].industry] ?? inf.industryWeights?["default"] ?? 1 }
                        var chosen = 0
                        while chosen < n && !pool.isEmpty {
                            guard weights.contains(where: { $0 > 0 }) else { break }
                            let k = rng.weighted(weights)
                            let oi = pool.remove(at: k)
                            weights.remove(at: k)
                            let org = world.organisations[oi]
                            let eligible = (org.firstDevice..<(org.firstDevice + org.deviceCount)).filter { kinds.contains(world.devices[$0].kind) }
                            if eligible.isEmpty { continue }
                            let range = inf.devicesPerOrganisation ?? [1, 2]
                            let m = min(eligible.count, rng.int(range[0]...range[1]))
                            let orgStart = Int64(q.span.first + rng.below(q.span.count)) * SimCalendar.nanosPerDay
                            for di in rng.sample(m, of: eligible.count) {
                                let offset = Int64(rng.below(3 * 86_400)) * SimCalendar.nanosPerSecond
                                starts.append((Int32(eligible[di]), orgStart + offset))
                            }
                            chosen += 1
                        }
                    }
                } else if let devShares = inf.devicesPerQuarter {
                    for (ri, rname) in regionNames.enumerated() {
                        let share = Self.regionShare(devShares, rname)
                        guard share > 0 else { continue }
                        var eligible: [Int32] = []
                        for (i, d) in world.devices.enumerated() where Int(d.region) == ri && kinds.contains(d.kind) && (segment == nil || d.segment == segment) {
                            eligible.append(Int32(i))
                        }
                        let expected = share * Double(eligible.count) * q.scale
                        var n = Int(expected)
                        if rng.chance(expected - Double(n)) { n += 1 }
                        for di in rng.sample(n, of: eligible.count) {
                            let start = Int64(q.span.first) * SimCalendar.nanosPerDay + Int64(rng.below(q.span.count * 86_400)) * SimCalendar.nanosPerSecond
                            starts.append((eligible[di], start))
                        }
                    }
                }
                for (device, start) in starts {
                    if let busy = busyUntil[device], busy > start { continue }
                    let days = rng.int(inf.days[0]...inf.days[1])
                    let end = min(start + Int64(days) * SimCalendar.nanosPerDay, period.endNanos)
                    guard start < end, end > period.startNanos else { continue }
                    busyUntil[device] = end
                    let epSeed = SimRandom.mix(rng.next())
                    t.episodes.append(Episode(plan: p, device: device, start: start, end: end, seed: epSeed))
                    if let h = inf.handoff, let targets = handoffPlans[p] {
                        let region = regionNames[Int(world.devices[Int(device)].region)]
                        if rng.chance(Self.regionShare(h.share, region)) {
                            let rp = targets[rng.weighted(targets.map(\.weight))].plan
                            let hs = start + Int64(rng.int(h.delayDays[0]...h.delayDays[1])) * SimCalendar.nanosPerDay
                                + Int64(rng.below(86_400)) * SimCalendar.nanosPerSecond
                            let he = min(hs + Int64(rng.int(h.days[0]...h.days[1])) * SimCalendar.nanosPerDay, period.endNanos)
                            if hs < he, he > period.startNanos { t.episodes.append(Episode(plan: rp, device: device, start: hs, end: he, seed: SimRandom.mix(rng.next()))) }
                        }
                    }
                }
            }
        }
        t.episodes.sort { ($0.start, $0.device, $0.plan) < ($1.start, $1.device, $1.plan) }

        if let ph = scenario.phishing { planPhishing(ph, &t, &names, &answers) }
        return t
    }

    func planPhishing(_ ph: PhishingSpec, _ t: inout Threats, _ names: inout NameTable, _ answers: inout AnswerStore) {
        let industries = ph.industries.sorted { $0.key < $1.key }
        let share = ph.unknownShare ?? unknownShare
        let kinds = Set((ph.deviceTypes ?? ["phone", "pc"]).compactMap { DeviceKind(name: $0) })
        let regionNames = world.regions.map(\.name)
        var candidates: [Int32] = []
        var candidateWeights: [Double] = []
        for (i, d) in world.devices.enumerated() where kinds.contains(d.kind) {
            candidates.append(Int32(i))
            candidateWeights.append(ph.regionWeights?[regionNames[Int(d.region)]] ?? ph.regionWeights?["default"] ?? 1)
        }
        guard !candidates.isEmpty else { return }
        let victimTable = AliasTable(weights: candidateWeights)
        let feedKind = feed(for: nil, category: .phishing)
        for (qi, q) in quarters.enumerated() {
            var rng = SimRandom(seed: seed, 0x5048_4953, UInt64(qi))
            let expected = ph.campaignsPerQuarter * q.scale
            var n = Int(expected)
            if rng.chance(expected - Double(n)) { n += 1 }
            for _ in 0..<n {
                let industry = Industry(rawValue: industries[rng.weighted(industries.map(\.value))].key).rawValue
                let brands = Threats.brands.brands.filter { $0.industry?.rawValue == industry }
                guard !brands.isEmpty else { continue }
                let brand = brands[rng.below(brands.count)].name
                let startDay = q.span.first + rng.below(q.span.count)
                let dr = ph.days ?? [3, 14]
                let days = DaySpan(startDay, min(period.last, startDay + rng.int(dr[0]...dr[1]) - 1))
                let dc = ph.domainsPerCampaign ?? [1, 4]
                var hosts: [Int32] = []
                for _ in 0..<rng.int(dc[0]...dc[1]) {
                    var host = Names.phishingHost(&rng, brand: brand)
                    var tries = 0
                    while names.find(host) != nil && tries < 10 { host = Names.phishingHost(&rng, brand: brand); tries += 1 }
                    let id = names.intern(host)
                    guard t.addEntry(id, exact: feedKind == .phishtank, family: nil, category: .phishing, brand: brand,
                                     listed: !Threats.unlisted(host, share: share, seed: seed), feed: feedKind, days: days) else { continue }
                    let h = SimRandom.mix(SimRandom.hash(host) ^ seed)
                    t.answerByName[id] = answers.add([SimRecord(kind: .a, ttl: 300, data: Int64(AddressPlan.v4(provider: .shady, hash: h)))])
                    hosts.append(id)
                }
                guard !hosts.isEmpty else { continue }
                let vr = ph.victims[industry] ?? ph.victims["default"] ?? [3, 12]
                let victims = rng.int(vr[0]...vr[1])
                var chosen = Set<Int32>()
                let qr = ph.queriesPerVictim ?? [1, 3]
                for _ in 0..<victims {
                    let device = candidates[victimTable.draw(&rng)]
                    if !chosen.insert(device).inserted { continue }
                    let offset = min(days.count - 1, Int(rng.exponential(mean: Double(days.count) / 3)))
                    let day = days.first + offset
                    let time = Int64(day) * SimCalendar.nanosPerDay + Int64(rng.below(86_000)) * SimCalendar.nanosPerSecond
                    t.clicks.append(PhishingClick(day: day, time: time, device: device, host: hosts[rng.below(hosts.count)], queries: rng.int(qr[0]...qr[1])))
                }
                t.campaigns.append(PhishingCampaign(brand: brand, industry: industry, hosts: hosts, days: days, victims: chosen.count))
            }
        }
        t.clicks.sort { ($0.time, $0.device) < ($1.time, $1.device) }
    }
}
