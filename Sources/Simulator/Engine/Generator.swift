/// Everything a simulation run holds: the world, its names and answers, the planned threats. Writers and the ground
/// truth read it; the generator adds names and answers as it goes.
final class SimState: @unchecked Sendable {
    let scenario: Scenario
    let seed: UInt64
    let period: DaySpan
    let world: World
    var names: NameTable
    var answers: AnswerStore
    let universe: Universe
    let threats: Threats
    /// Per organisation: its resolver and its region's index (for the writers).
    let resolvers: [UInt32]
    let orgRegion: [Int]
    /// Dotted-quad text of every device's address and every organisation's resolver, written once.
    let addressText: TextTable
    let resolverText: TextTable

    init(scenario: Scenario, seed: UInt64, dga: any DGANameSource) throws(SimulatorError) {
        self.scenario = scenario
        self.seed = seed
        let first = SimCalendar.parseDate(scenario.period.start)!, last = SimCalendar.parseDate(scenario.period.end)!
        period = DaySpan(first, last)
        world = try World.build(scenario, seed: seed)
        var names = NameTable(capacity: 1 << 17)
        var answers = AnswerStore()
        universe = Universe.build(scenario.traffic, regions: scenario.regions, seed: seed, names: &names, answers: &answers)
        threats = Planner(scenario: scenario, world: world, seed: seed, period: period, dga: dga).plan(names: &names, answers: &answers)
        self.names = names
        self.answers = answers
        resolvers = world.organisations.map(\.resolver)
        orgRegion = world.organisations.map(\.region)
        addressText = TextTable(world.devices.map(\.address))
        resolverText = TextTable(world.organisations.map(\.resolver))
    }
}

/// Generates the events of one day at a time: benign traffic for every device, then what each active infection and
/// phishing victim does; sorts them by time and gives each its transaction id, port and response delay.
struct TrafficGenerator {
    let state: SimState
    // Benign traffic settings.
    let perDay: [Double]
    let weekend: (enterprise: Double, home: Double)
    let diurnal: (enterprise: AliasTable, home: AliasTable)
    let popularShare, aaaaShare, httpsShare, chatterShare, typoShare, probeShare, internalShare: Double
    /// Internal names per enterprise, made on first use.
    var internalNames: [Int32: [Int32]] = [:]
    var internalAnswers: [Int32: Int32] = [:]
    /// TXT answers for tunnels.
    var txtAnswers: [Int32] = []
    var episodeCursor = 0
    var active: [Int] = []
    var clickCursor = 0

    static let defaultDiurnalHome: [Double] = [1.2, 0.7, 0.4, 0.3, 0.3, 0.4, 0.9, 1.6, 2.0, 2.0, 2.1, 2.2, 2.4, 2.3, 2.2, 2.3, 2.6, 3.0, 3.6, 4.1, 4.4, 4.2, 3.4, 2.2]
    static let defaultDiurnalEnterprise: [Double] = [0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.6, 1.6, 3.6, 4.6, 4.8, 4.6, 3.8, 4.4, 4.7, 4.5, 4.1, 3.2, 1.8, 1.0, 0.7, 0.5, 0.4, 0.3]

    init(state: SimState) {
        self.state = state
        let t = state.scenario.traffic
        let q = t?.queriesPerDay ?? [:]
        let defaults: [DeviceKind: Double] = [.phone: 0.5, .pc: 0.8, .tv: 0.3, .iot: 0.25, .nas: 0.2, .server: 0.6, .camera: 0.2]
        perDay = DeviceKind.allCases.map { q[$0.name] ?? defaults[$0]! }
        weekend = (t?.weekend?["enterprise"] ?? 0.35, t?.weekend?["home"] ?? 1.2)
        diurnal = (AliasTable(weights: t?.diurnal?["enterprise"] ?? Self.defaultDiurnalEnterprise),
                   AliasTable(weights: t?.diurnal?["home"] ?? Self.defaultDiurnalHome))
        popularShare = t?.popularShare ?? 0.45
        aaaaShare = t?.aaaaShare ?? 0.35
        httpsShare = t?.httpsShare ?? 0.08
        chatterShare = t?.chatterShare ?? 0.2
        typoShare = t?.typoShare ?? 0.01
        probeShare = t?.probeShare ?? 0.004
        internalShare = t?.internalShare ?? 0.06
    }

    // MARK: Helpers

    static let dayGuardNanos: Int64 = 3 * SimCalendar.nanosPerSecond

    /// A UTC time on `day` for a local hour drawn from the rhythm of the device's segment and region.
    @inline(__always) func localTime(_ day: Int, _ device: Device, _ rng: inout SimRandom) -> Int64 {
        let hour = device.segment == .enterprise ? diurnal.enterprise.draw(&rng) : diurnal.home.draw(&rng)
        let offset = state.world.utcOffsetSeconds[Int(device.region)]
        var secs = hour * 3600 + rng.below(3600) - offset
        secs %= 86_400
        if secs < 0 { secs += 86_400 }
        return clampToDay(day, Int64(day) * SimCalendar.nanosPerDay + Int64(secs) * SimCalendar.nanosPerSecond + Int64(rng.below(1_000_000_000)))
    }

    @inline(__always) func clampToDay(_ day: Int, _ t: Int64) -> Int64 {
        let start = Int64(day) * SimCalendar.nanosPerDay
        let end = start + SimCalendar.nanosPerDay - Self.dayGuardNanos
        return min(max(t, start), end)
    }

    @inline(__always) mutating func emit(_ out: inout [SimEvent], _ time: Int64, _ device: Int32, _ name: Int32, _ qtype: UInt16, _ rcode: UInt8, _ answer: Int32) {
        out.append(SimEvent(time: time, device: device, name: name, answer: answer, rttMicros: 0, seq: Int32(out.count), qtype: qtype,
                            txid: 0, port: 0, rcode: rcode))
    }

    // MARK: One day

    mutating func generate(day: Int, into batch: inout DayBatch) {
        batch.day = day
        batch.events.removeAll(keepingCapacity: true)
        benign(day: day, &batch.events)
        infections(day: day, &batch.events)
        phishing(day: day, &batch.events)
        finish(day: day, &batch)
    }

    mutating func benign(day: Int, _ out: inout [SimEvent]) {
        let seed = state.seed
        let weekday = SimCalendar.weekday(day)
        let isWeekend = weekday >= 5
        let u = state.universe
        for (di, d) in state.world.devices.enumerated() {
            var rng = SimRandom(seed: seed, UInt64(di), UInt64(day))
            var mean = perDay[Int(d.kind.rawValue)] * Double(d.activity)
            if isWeekend { mean *= d.segment == .enterprise ? weekend.enterprise : weekend.home }
            let n = rng.poisson(mean)
            guard n > 0 else { continue }
            let region = Int(d.region)
            for _ in 0..<n {
                let t = localTime(day, d, &rng)
                let x = rng.unit()
                var name: Int32
                var rcode: UInt8 = 0
                if x < chatterShare, let table = u.chatterTables[Int(d.kind.rawValue)] {
                    name = u.chatterNames[Int(d.kind.rawValue)][table.draw(&rng)]
                } else if x < chatterShare + typoShare && !u.typos.isEmpty {
                    emit(&out, t, Int32(di), u.typos[rng.below(u.typos.count)], QType.a, 3, -1)
                    continue
                } else if x < chatterShare + typoShare + probeShare {
                    let probe = Names.letters(&rng, rng.int(7...15))
                    emit(&out, t, Int32(di), state.names.intern(probe), QType.a, 3, -1)
                    continue
                } else if x < chatterShare + typoShare + probeShare + internalShare && d.segment == .enterprise {
                    let names = internalNamesFor(d.organisation)
                    let id = names[rng.below(names.count)]
                    emit(&out, t, Int32(di), id, QType.a, 0, state.threats.answerByName[id] ?? internalAnswer(id))
                    continue
                } else {
                    let site: Universe.Site
                    if rng.chance(popularShare) {
                        site = u.sites[u.popularByRegion[region].draw(&rng)]
                    } else {
                        site = u.sites[u.popularCount + u.generatedByRegion[region].draw(&rng)]
                    }
                    name = site.hosts.count == 1 || rng.chance(0.6) ? site.hosts[0] : site.hosts[rng.below(site.hosts.count)]
                }
                let id = Int(name)
                let a = id < u.answerA.count ? u.answerA[id] : -1
                emit(&out, t, Int32(di), name, QType.a, rcode, a)
                if rng.chance(aaaaShare) {
                    let q = id < u.answerAAAA.count ? u.answerAAAA[id] : -1
                    emit(&out, t + 200_000 + Int64(rng.below(800_000)), Int32(di), name, QType.aaaa, 0, q)
                }
                if rng.chance(httpsShare) {
                    emit(&out, t + 300_000 + Int64(rng.below(900_000)), Int32(di), name, QType.https, 0, -1)
                }
                rcode = 0
            }
        }
    }

    mutating func internalNamesFor(_ org: Int32) -> [Int32] {
        if let n = internalNames[org] { return n }
        let domain = state.world.organisations[Int(org)].domain
        let list = ["intranet", "mail", "fileserver", "vpn", "wiki", "jira", "print", "dc01", "sharepoint", "git", "erp", "hr"].map {
            state.names.intern("\($0).corp.\(domain)")
        }
        internalNames[org] = list
        return list
    }

    mutating func internalAnswer(_ id: Int32) -> Int32 {
        if let a = internalAnswers[id] { return a }
        let h = SimRandom.mix(SimRandom.hash(state.names.string(id)) ^ state.seed)
        let a = state.answers.add([SimRecord(kind: .a, ttl: 3600, data: Int64(AddressPlan.v4(provider: .enterprise, hash: h)))])
        internalAnswers[id] = a
        return a
    }

    // MARK: Infections

    mutating func infections(day: Int, _ out: inout [SimEvent]) {
        let eps = state.threats.episodes
        let dayStart = Int64(day) * SimCalendar.nanosPerDay, dayEnd = dayStart + SimCalendar.nanosPerDay
        while episodeCursor < eps.count && eps[episodeCursor].start < dayEnd {
            active.append(episodeCursor)
            episodeCursor += 1
        }
        active.removeAll { eps[$0].end <= dayStart }
        for i in active {
            let ep = eps[i]
            let from = max(dayStart, ep.start), to = min(dayEnd - Self.dayGuardNanos, ep.end)
            guard from < to else { continue }
            var rng = SimRandom(seed: ep.seed, UInt64(day))
            let plan = state.threats.plans[ep.plan]
            switch plan.behaviour {
            case .qsnatch: qsnatch(day, ep, plan, from, to, &rng, &out)
            case .pykspa: pykspa(day, ep, plan, from, to, &rng, &out)
            case .beacon, .ransomware: beacon(day, ep, plan, from, to, &out)
            case .tunnel: tunnel(day, ep, plan, from, to, &rng, &out)
            case .malware: malware(day, ep, plan, from, to, &rng, &out)
            }
        }
    }

    @inline(__always) func count(_ mean: Double, _ fraction: Double, _ rng: inout SimRandom) -> Int {
        let m = mean * fraction
        var n = Int(m)
        if rng.chance(m - Double(n)) { n += 1 }
        return n
    }

    @inline(__always) func uniform(_ from: Int64, _ to: Int64, _ rng: inout SimRandom) -> Int64 {
        from + Int64(rng.unit() * Double(to - from))
    }

    mutating func qsnatch(_ day: Int, _ ep: Episode, _ plan: InfectionPlan, _ from: Int64, _ to: Int64, _ rng: inout SimRandom, _ out: inout [SimEvent]) {
        let fraction = Double(to - from) / Double(SimCalendar.nanosPerDay)
        for _ in 0..<count(plan.runsPerDay, fraction, &rng) {
            var t = uniform(from, to, &rng)
            let bucket = t / SimCalendar.nanosPerSecond / 1_296_000
            guard let list = state.threats.qsnatchNames[bucket], let live = state.threats.qsnatchLive[bucket] else { continue }
            for k in 0...live {
                let name = list[k]
                if k < live {
                    emit(&out, clampToDay(day, t), ep.device, name, QType.a, 3, -1)
                } else {
                    emit(&out, clampToDay(day, t), ep.device, name, QType.a, 0, state.threats.answerByName[name] ?? -1)
                }
                t += 300_000_000 + Int64(rng.below(1_700_000_000))
            }
            let contacts = count(plan.contactsPerDay, fraction, &rng)
            for _ in 0..<contacts {
                let tc = uniform(min(t, to - 1), to, &rng)
                emit(&out, clampToDay(day, tc), ep.device, list[live], QType.a, 0, state.threats.answerByName[list[live]] ?? -1)
            }
        }
    }

    mutating func pykspa(_ day: Int, _ ep: Episode, _ plan: InfectionPlan, _ from: Int64, _ to: Int64, _ rng: inout SimRandom, _ out: inout [SimEvent]) {
        let fraction = Double(to - from) / Double(SimCalendar.nanosPerDay)
        for _ in 0..<count(plan.runsPerDay, fraction, &rng) {
            var t = uniform(from, to, &rng)
            let size = rng.int(plan.namesPerRun)
            let p1 = Int64(day) / 20
            guard let set1 = state.threats.pykspaSet1[p1], let set2 = state.threats.pykspaSet2[Int64(day)] else { continue }
            for k in 0..<size {
                let list = k % 2 == 0 ? set1 : set2
                let idx = min(k / 2, list.count - 1)
                let name = list[idx]
                if let a = state.threats.answerByName[name] {
                    emit(&out, clampToDay(day, t), ep.device, name, QType.a, 0, a)
                } else {
                    emit(&out, clampToDay(day, t), ep.device, name, QType.a, 3, -1)
                }
                t += 40_000_000 + Int64(rng.below(360_000_000))
            }
        }
    }

    mutating func beacon(_ day: Int, _ ep: Episode, _ plan: InfectionPlan, _ from: Int64, _ to: Int64, _ out: inout [SimEvent]) {
        guard !plan.pool.names.isEmpty else { return }
        var r0 = SimRandom(state: ep.seed)
        let minutes = plan.intervalMinutes.lowerBound + r0.unit() * (plan.intervalMinutes.upperBound - plan.intervalMinutes.lowerBound)
        let interval = Int64(minutes * 60) * SimCalendar.nanosPerSecond
        let range = plan.pool.active(on: day)
        var pick = SimRandom(seed: ep.seed, UInt64(day), 0x504B)
        let name = plan.pool.names[range.lowerBound + pick.below(range.count)]
        let answer = state.threats.answerByName[name] ?? -1
        var k = max(0, (from - ep.start) / interval - 1)
        while true {
            var jr = SimRandom(seed: ep.seed, UInt64(k), 0x4A49)
            let t = ep.start + k * interval + Int64((jr.unit() - 0.5) * plan.jitter * Double(interval))
            if t >= to { break }
            if t >= from { emit(&out, t, ep.device, name, QType.a, 0, answer) }
            k += 1
        }
    }

    mutating func tunnel(_ day: Int, _ ep: Episode, _ plan: InfectionPlan, _ from: Int64, _ to: Int64, _ rng: inout SimRandom, _ out: inout [SimEvent]) {
        guard !plan.pool.names.isEmpty else { return }
        if txtAnswers.isEmpty {
            var r = SimRandom(seed: state.seed, 0x5458_5441)
            for _ in 0..<64 {
                let payload = Array(Names.alnum(&r, r.int(16...60)).utf8)
                txtAnswers.append(state.answers.add([SimRecord(kind: .txt, ttl: 0, data: state.answers.addText(payload))]))
            }
        }
        let range = plan.pool.active(on: day)
        let parent = plan.pool.names[range.lowerBound + rng.below(range.count)]
        let parentText = state.names.string(parent)
        let sessions = rng.int(plan.sessionsPerDay)
        let base32 = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        for _ in 0..<sessions {
            var t = uniform(from, to, &rng)
            emit(&out, clampToDay(day, t), ep.device, parent, QType.a, 0, state.threats.answerByName[parent] ?? -1)
            let q = rng.int(plan.queriesPerSession)
            let session = Names.alnum(&rng, 4)
            for s in 0..<q {
                t += 20_000_000 + Int64(rng.below(400_000_000))
                var label = [UInt8]()
                let n = rng.int(40...110)
                for i in 0..<n {
                    if i == 60 { label.append(UInt8(ascii: ".")) }
                    label.append(base32[rng.below(32)])
                }
                let name = String(decoding: label, as: UTF8.self) + ".\(session)\(s).\(parentText)"
                emit(&out, clampToDay(day, t), ep.device, state.names.intern(name), QType.txt, 0, txtAnswers[rng.below(txtAnswers.count)])
            }
        }
    }

    mutating func malware(_ day: Int, _ ep: Episode, _ plan: InfectionPlan, _ from: Int64, _ to: Int64, _ rng: inout SimRandom, _ out: inout [SimEvent]) {
        guard !plan.pool.names.isEmpty else { return }
        let device = state.world.devices[Int(ep.device)]
        let range = plan.pool.active(on: day)
        for _ in 0..<rng.int(plan.sessionsPerDay) {
            var t = localTime(day, device, &rng)
            if t < from || t >= to { t = uniform(from, to, &rng) }
            let name = plan.pool.names[range.lowerBound + rng.below(range.count)]
            let answer = state.threats.answerByName[name] ?? -1
            for _ in 0..<rng.int(plan.queriesPerSession) {
                emit(&out, clampToDay(day, t), ep.device, name, QType.a, 0, answer)
                t += 100_000_000 + Int64(rng.below(2_900_000_000))
            }
        }
    }

    mutating func phishing(day: Int, _ out: inout [SimEvent]) {
        let clicks = state.threats.clicks
        while clickCursor < clicks.count && clicks[clickCursor].day < day { clickCursor += 1 }
        var i = clickCursor
        while i < clicks.count && clicks[i].day == day {
            let c = clicks[i]
            var t = c.time
            var rng = SimRandom(seed: state.seed, UInt64(UInt32(bitPattern: c.device)), UInt64(c.time))
            for _ in 0..<c.queries {
                emit(&out, clampToDay(day, t), c.device, c.host, QType.a, 0, state.threats.answerByName[c.host] ?? -1)
                t += 1_000_000_000 + Int64(rng.below(19_000_000_000))
            }
            i += 1
        }
        clickCursor = i
    }

    // MARK: Finishing a day

    mutating func finish(day: Int, _ batch: inout DayBatch) {
        // Sort by (time, generation order) through packed 64-bit keys: nanoseconds into the day (< 2^47) and the index.
        let dayStart = Int64(day) * SimCalendar.nanosPerDay
        guard batch.events.count < 1 << 17 else {
            // A very busy day: sort the events themselves.
            for i in batch.events.indices { batch.events[i].seq = Int32(i) }
            batch.events.sort { $0.time != $1.time ? $0.time < $1.time : $0.seq < $1.seq }
            assignTransport(day: day, &batch)
            batch.responseOrder = Array(0..<Int32(batch.events.count))
            batch.events.withUnsafeBufferPointer { ev in
                batch.responseOrder.sort { a, b in
                    let x = ev[Int(a)].responseTime, y = ev[Int(b)].responseTime
                    return x != y ? x < y : a < b
                }
            }
            return
        }
        var keys = [UInt64](repeating: 0, count: batch.events.count)
        for (i, e) in batch.events.enumerated() { keys[i] = UInt64(e.time - dayStart) << 17 | UInt64(i) }
        keys.sort()
        let unsorted = batch.events
        unsorted.withUnsafeBufferPointer { src in
            batch.events.withUnsafeMutableBufferPointer { dst in
                for (i, k) in keys.enumerated() { dst[i] = src[Int(k & 0x1FFFF)] }
            }
        }
        assignTransport(day: day, &batch)
        for (i, e) in batch.events.enumerated() { keys[i] = UInt64(e.responseTime - dayStart) << 17 | UInt64(i) }
        keys.sort()
        batch.responseOrder = keys.map { Int32(truncatingIfNeeded: $0 & 0x1FFFF) }
    }

    /// Gives each event (in time order) its transaction id, port and response delay.
    func assignTransport(day: Int, _ batch: inout DayBatch) {
        var rng = SimRandom(seed: state.seed, 0x4649_4E49, UInt64(day))
        let u = state.universe
        for i in batch.events.indices {
            let r = rng.next()
            batch.events[i].seq = Int32(i)
            batch.events[i].txid = UInt16(truncatingIfNeeded: r)
            batch.events[i].port = UInt16(truncatingIfNeeded: r >> 16) | 0x0400
            // Popular names mostly come from the resolver's cache; the rest take a recursive lookup.
            let id = Int(batch.events[i].name)
            let cached = id < u.answerA.count && u.answerA[id] >= 0 && (r >> 40) & 3 != 0
            let micros: UInt64 = cached ? 80 + (r >> 42) % 1500 : 8_000 + (r >> 42) % 140_000
            batch.events[i].rttMicros = Int32(micros)
        }
    }
}

/// Texts written once and appended many times (addresses of devices and resolvers).
struct TextTable: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [Int32] = [0]

    /// The dotted-quad text of each address.
    init(_ addresses: [UInt32]) {
        var b = OutBuffer(capacity: addresses.count * 16)
        for a in addresses {
            b.ipv4(a)
            offsets.append(Int32(b.count))
        }
        bytes = Array(b.view)
        b.deallocate()
    }

    /// Appends text `i`.
    @inline(__always) func write(_ i: Int, to out: inout OutBuffer) {
        let s = Int(offsets[i]), e = Int(offsets[i + 1])
        bytes.withUnsafeBytes { out.append(UnsafeRawBufferPointer(rebasing: $0[s..<e])) }
    }
}
