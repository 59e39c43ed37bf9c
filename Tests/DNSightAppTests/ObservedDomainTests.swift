import DNSWire
import DNSightCore
import EventStore
import TestSupport
import Testing
@testable import DNSightApp

/// The domain the store tracks for newly observed domains: the registrable domain (mission.md), lower-cased.
@Suite struct ObservedDomainTests {
    @Test(arguments: [
        ("www.example.com", "example.com"),
        ("a.b.c.Example.COM.", "example.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("example.com", "example.com"),
        ("x1.y2.s3.amazonaws.com", "y2.s3.amazonaws.com"),   // private-section rule
        ("co.uk", "co.uk"),                                   // a public suffix itself: the whole name
        ("LOCALHOST", "localhost"),
    ])
    func registrableDomain(query: String, expected: String) throws {
        #expect(AnalyzeWorker.observedDomain(try DNSName(parsing: query)) == expected)
    }
}

/// The worker's store-side tallies: devices kept for the run (attributes built once, a slot per batch) with their
/// clean queries of the day, and the registrable domain of each query name (by fingerprint) with its sighting. What
/// they hand to a batch must equal what the batch counts itself.
@Suite struct StoreTalliesTests {
    static let t0: Int64 = 1_767_225_600_000_000_000

    static let verdict = Verdict(category: .malware, tier: .known, family: "emotet", traits: [], tags: ThreatTags(parsing: []), subject: .queryName,
                                 matched: "x.example", source: "test feed")

    func event(_ client: String, deviceID: String? = nil) -> DNSEvent {
        DNSEvent(timeNanos: Self.t0, clientAddress: IPAddress(client), queryName: try! DNSName(parsing: "x.example"),
                 queryType: .a, rcode: .noError, deviceID: deviceID, position: SourcePosition(file: "t", line: 1, byteOffset: 0))
    }

    /// A batch's device-day counts, keyed by day and device key (slots differ between batches).
    static func trafficByDevice(_ b: IngestBatch) -> [String: TrafficCounts] {
        var out: [String: TrafficCounts] = [:]
        for (k, v) in b.traffic {
            let (day, slot) = IngestBatch.unpackKey(k)
            out["\(day.index)|\(b.devices[Int(slot)].deviceKey)"] = v
        }
        return out
    }

    /// A batch's domain sightings with the last query reduced to its day: the tallies keep only that (all the store
    /// keeps of it).
    static func sightingsByDay(_ b: IngestBatch) -> [String: DomainSighting] {
        b.domains.mapValues { s in
            var d = s
            d.lastNanos = Day(timeNanos: s.lastNanos).startNanos
            return d
        }
    }

    static func info(_ e: DNSEvent, _ deviceID: String?, _ client: String) -> DeviceInfo {
        DeviceInfo(event: e, organisation: "acme", segment: "home", region: "EMEA", country: "DE", industry: nil, deviceType: nil, site: nil)
    }

    @Test func devicesAreBuiltOncePerRunAndRegisteredOncePerBatch() throws {
        var devices = AnalyzeWorker.StoreDevices()
        var built: [String] = []
        func slot(_ client: String, _ deviceID: String? = nil, in batch: inout IngestBatch) -> Int32 {
            let e = event(client, deviceID: deviceID)
            var v4: UInt32? = nil
            if deviceID == nil, case .v4(let a)? = e.clientAddress { v4 = a.rawValue }
            let key = DeviceKey(organisation: "acme", event: e)
            if let r = devices.find(v4: v4, key: key) { return devices.slot(r, in: &batch).index }
            built.append(deviceID ?? client)
            return devices.slot(devices.add(v4: v4, key: key, info: Self.info(e, deviceID, client)), in: &batch).index
        }
        var first = IngestBatch()
        #expect([slot("10.0.0.1", in: &first), slot("10.0.0.2", in: &first), slot("10.0.0.1", in: &first),
                 slot("2001:db8::1", in: &first), slot("10.0.0.9", "laptop-7", in: &first), slot("2001:db8::1", in: &first)]
                == [0, 1, 0, 2, 3, 2])
        #expect(first.devices.map(\.deviceKey) == ["10.0.0.1", "10.0.0.2", "2001:db8::1", "laptop-7"])
        devices.flush(into: &first)
        var second = IngestBatch()
        #expect([slot("10.0.0.2", in: &second), slot("10.0.0.9", "laptop-7", in: &second),
                 slot("10.0.0.3", in: &second), slot("10.0.0.2", in: &second)] == [0, 1, 2, 0])
        #expect(second.devices.map(\.deviceKey) == ["10.0.0.2", "laptop-7", "10.0.0.3"])
        // Each device's attributes were built on its first query of the run only.
        #expect(built == ["10.0.0.1", "10.0.0.2", "2001:db8::1", "laptop-7", "10.0.0.3"])
        // The table is the worker's set of devices seen: every device met, keyed by address or else by its key.
        #expect(devices.count == 5)
        #expect(Set(devices.v4Addresses) == Set(["10.0.0.1", "10.0.0.2", "10.0.0.3"].map { IPv4Address($0)!.rawValue }))
        #expect(Set(devices.otherKeys.map(\.name)).count == 2)
    }

    @Test func domainCacheMatchesTheDirectComputation() throws {
        var cache = AnalyzeWorker.ObservedDomainCache()
        var batch = IngestBatch()
        // Enough names for the table to grow several times; letter case makes another entry with the same domain.
        let names = (0..<5000).map { i in i % 7 == 0 ? "WWW.Site\(i % 900).COM" : "h\(i % 1500).site\(i % 900).com" }
        for n in names {
            let name = try DNSName(parsing: n)
            #expect(cache.domain(of: name, cache.prefetch(name), in: &batch).name == AnalyzeWorker.observedDomain(name))
        }
    }

    /// The one-pass fingerprint keeps names apart in each of its halves (a collision in both would merge two names'
    /// sightings): 200,000 names that differ in one character, in length, or only in a word's later bytes.
    @Test func fingerprintHalvesAreDistinctAcrossSimilarNames() throws {
        var keys = Set<UInt64>(), checks = Set<UInt64>()
        var count = 0
        for i in 0..<50_000 {
            for n in ["h\(i).example.com", "h\(i)x.example.com", "abcdefg\(i).cdn.example.net", "\(i).a"] {
                let f = AnalyzeWorker.ObservedDomainCache.fingerprint(try DNSName(parsing: n))
                #expect(f.key != 0)
                keys.insert(f.key)
                checks.insert(f.check)
                count += 1
            }
        }
        #expect(keys.count == count)
        #expect(checks.count == count)
        // Letter case is part of the bytes: another entry (with the same domain).
        #expect(AnalyzeWorker.ObservedDomainCache.fingerprint(try DNSName(parsing: "A.example")).key
                != AnalyzeWorker.ObservedDomainCache.fingerprint(try DNSName(parsing: "a.example")).key)
    }

    /// Random traffic through both paths: the batch counting every clean query itself (`addQuery`), and the worker's
    /// tallies handing their counts and sightings over when a device's day changes, when the name cache is emptied
    /// (a small limit here) and before the batch is stored. Flagged queries go into the batch on both paths. One
    /// query in ten is older than the one before (out of time order), and one in 500 is 150 years later (beyond the
    /// days a tally holds); the clients include 255.255.255.255 (keyed like an IPv6 client).
    @Test(arguments: [1, 2, 3])
    func talliesHandTheBatchWhatItWouldHaveCounted(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let clients = (0..<700).map { "10.\($0 / 250).\($0 % 250).7" } + (0..<20).map { "2001:db8::\($0 + 1)" } + ["255.255.255.255", "0.0.0.0"]
        let names = try (0..<400).map { i in try DNSName(parsing: i % 5 == 0 ? "WWW.D\(i % 90).CO.uk" : "n\(i).d\(i % 90).co.uk") }
        var devices = AnalyzeWorker.StoreDevices()
        var cache = AnalyzeWorker.ObservedDomainCache(limit: 150)
        var direct = IngestBatch(), tallied = IngestBatch()
        var t = Self.t0
        for _ in 0..<20_000 {
            t += Int64.random(in: 0...30_000_000_000, using: &rng)
            var at = t
            switch Int.random(in: 0..<500, using: &rng) {
            case 0: at = t + 150 * 365 * 86_400 * 1_000_000_000
            case 1..<50: at = t - Int64.random(in: 0...3 * 86_400_000_000_000, using: &rng)
            default: break
            }
            let c = clients[Int.random(in: 0..<clients.count, using: &rng)]
            let deviceID: String? = Int.random(in: 0..<10, using: &rng) == 0 ? "dev-\(Int.random(in: 0..<30, using: &rng))" : nil
            let name = names[Int.random(in: 0..<names.count, using: &rng)]
            let resolved = Bool.random(using: &rng)
            let flagged = Int.random(in: 0..<50, using: &rng) == 0
            var e = event(c, deviceID: deviceID)
            e.timeNanos = at
            e.queryName = name
            let info = Self.info(e, deviceID, c)
            let domain = AnalyzeWorker.observedDomain(name)
            let observation = TrafficObservation(event: e, device: info, verdicts: [Self.verdict],
                                                 domain: domain)
            // The batch counting itself.
            if flagged { direct.add(observation) } else { direct.addQuery(timeNanos: at, device: direct.device(info), domain: domain, resolved: resolved) }
            // The worker's path.
            var v4: UInt32? = nil
            if deviceID == nil, case .v4(let a)? = e.clientAddress { v4 = a.rawValue }
            let key = DeviceKey(organisation: "acme", event: e)
            let day = Day(timeNanos: at).index
            let r = devices.find(v4: v4, key: key) ?? devices.add(v4: v4, key: key, info: info)
            let f = cache.prefetch(name)
            if flagged {
                #expect(cache.domain(of: name, f, in: &tallied).name == domain)
                tallied.add(observation, slot: devices.slot(r, in: &tallied))
            } else {
                devices.count(r, day: day, in: &tallied)
                cache.sight(name, f, at: at, day: day, resolved: resolved, in: &tallied)
                tallied.addCountedElsewhere()
            }
        }
        devices.flush(into: &tallied)
        cache.flush(into: &tallied)
        #expect(tallied.observationCount == direct.observationCount)
        #expect(Set(tallied.devices) == Set(direct.devices))
        #expect(Self.trafficByDevice(tallied) == Self.trafficByDevice(direct))
        #expect(Self.sightingsByDay(tallied) == Self.sightingsByDay(direct))
        #expect(tallied.domains.values.allSatisfy { $0.lastNanos >= $0.firstNanos })
        #expect(tallied.domains.count == 90)
    }

    /// A device's count of one day is 16 bits in its tally: more queries than that are handed over in parts.
    @Test func aDayOfMoreQueriesThanATallyHoldsIsCountedWhole() throws {
        var devices = AnalyzeWorker.StoreDevices()
        var batch = IngestBatch()
        let e = event("10.1.2.3")
        let key = DeviceKey(organisation: "acme", event: e)
        let v4 = IPv4Address("10.1.2.3")!.rawValue
        let r = devices.add(v4: v4, key: key, info: Self.info(e, nil, "10.1.2.3"))
        let day = Day(timeNanos: Self.t0).index
        for _ in 0..<150_000 { devices.count(r, day: day, in: &batch) }
        devices.count(r, day: day + 1, in: &batch)
        devices.flush(into: &batch)
        let counts = batch.traffic.map { (IngestBatch.unpackKey($0.key).0.index - day, $0.value.queries) }.sorted { $0.0 < $1.0 }
        #expect(counts.map(\.0) == [0, 1])
        #expect(counts.map(\.1) == [150_000, 1])
    }

    /// Many batches in a row, each stored after 7,000 queries: the tallies must be reset by every flush (a count or a
    /// sighting left over would join the next batch). 3,000 clients and 6,000 names make both tables grow while
    /// batches are open; seed 4 also empties the name cache (500 names) within batches.
    @Test(arguments: [1, 2, 3, 4])
    func everyBatchOfManyMatchesTheDirectCount(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let clients = (0..<3000).map { "10.\($0 / 250).\($0 % 250).7" } + (0..<20).map { "2001:db8::\($0 + 1)" } + ["255.255.255.255", "0.0.0.0"]
        let names = try (0..<6000).map { i in try DNSName(parsing: "n\(i).d\(i % 900).co.uk") }
        var devices = AnalyzeWorker.StoreDevices()
        var cache = AnalyzeWorker.ObservedDomainCache(limit: seed == 4 ? 500 : 1 << 18)
        var direct = IngestBatch(), tallied = IngestBatch()
        var t = Self.t0
        var batches = 0
        for q in 0..<60_000 {
            t += Int64.random(in: 0...3_000_000_000, using: &rng)
            var at = t
            if Int.random(in: 0..<10, using: &rng) == 0 { at = t - Int64.random(in: 0...2 * 86_400_000_000_000, using: &rng) }
            let c = clients[Int.random(in: 0..<clients.count, using: &rng)]
            let name = names[Int.random(in: 0..<(q < 30_000 ? 200 : names.count), using: &rng)]
            let resolved = Int.random(in: 0..<4, using: &rng) == 0
            var e = event(c)
            e.timeNanos = at
            e.queryName = name
            let info = Self.info(e, nil, c)
            let domain = AnalyzeWorker.observedDomain(name)
            direct.addQuery(timeNanos: at, device: direct.device(info), domain: domain, resolved: resolved)
            var v4: UInt32? = nil
            if case .v4(let a)? = e.clientAddress { v4 = a.rawValue }
            let key = DeviceKey(organisation: "acme", event: e)
            let r = devices.find(v4: v4, key: key) ?? devices.add(v4: v4, key: key, info: info)
            let f = cache.prefetch(name)
            let day = Day(timeNanos: at).index
            devices.count(r, day: day, in: &tallied)
            cache.sight(name, f, at: at, day: day, resolved: resolved, in: &tallied)
            tallied.addCountedElsewhere()
            if q % 7_000 == 6_999 || q == 59_999 {
                devices.flush(into: &tallied)
                cache.flush(into: &tallied)
                #expect(Self.trafficByDevice(tallied) == Self.trafficByDevice(direct))
                #expect(Self.sightingsByDay(tallied) == Self.sightingsByDay(direct))
                #expect(tallied.observationCount == direct.observationCount)
                direct = IngestBatch(); tallied = IngestBatch()
                batches += 1
            }
        }
        #expect(batches == 9)
    }

    /// 0.0.0.0 and 255.255.255.255 are devices like any other (the second is kept by its key: its complement is the
    /// empty entry's 0).
    @Test func extremeAddressesAreDevicesOfTheirOwn() throws {
        var devices = AnalyzeWorker.StoreDevices()
        var batch = IngestBatch()
        var refs: [AnalyzeWorker.StoreDevices.Ref] = []
        for c in ["0.0.0.0", "255.255.255.255", "255.255.255.254", "0.0.0.1"] {
            let e = event(c)
            var v4: UInt32? = nil
            if case .v4(let a)? = e.clientAddress { v4 = a.rawValue }
            let key = DeviceKey(organisation: "acme", event: e)
            #expect(devices.find(v4: v4, key: key) == nil)
            refs.append(devices.add(v4: v4, key: key, info: Self.info(e, nil, c)))
            #expect(devices.find(v4: v4, key: key) == refs.last)
        }
        #expect(devices.count == 4)
        #expect(devices.v4Addresses.count == 3)
        for r in refs { devices.count(r, day: 100, in: &batch) }
        devices.flush(into: &batch)
        #expect(batch.traffic.values.map(\.queries).reduce(0, +) == 4)
    }
}
