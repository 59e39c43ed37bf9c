import EventStore
import Foundation
import SQLiteStore
import StoreFixtures
import Testing
import TestSupport

func tempDir() -> String {
    TestScratch.path("store")
}

let apac = Build.device("acme", "10.0.0.1", region: "APAC", industry: "manufacturing", type: "nas")
let na = Build.device("globex", "10.1.0.7", region: "NA", industry: "high-tech", type: "pc")

@Suite struct SQLiteStoreTests {
    @Test func writesAndReadsBackEveryRollupAndDetection() throws {
        let store = try SQLiteStore.open(path: tempDir() + "/s.sqlite")
        let t1 = Build.time("2026-03-31", 23, 59, 59), t2 = Build.time("2026-04-01", 0, 0, 1)
        var obs = [
            Build.clean(apac, t1, domain: "a.example"),
            Build.hit(apac, t1 + 5, "c2", family: "QSnatch", tags: ["dga"], name: "q1.bad"),
            Build.hit(apac, t1 + 9, "c2", family: "QSnatch", tags: ["dga"], tier: "suspected", name: "q2.bad", resolved: false),
            Build.hit(na, t2, "phishing", tags: ["targeted-brand:megabank", "targeted-industry:financial-services", "campaign:x1"], name: "login.bad"),
            Build.clean(na, t2 + 1, domain: "a.example", resolved: false),
        ]
        // One query with two detections: counted once as flagged, once per roll-up key, known tier wins.
        obs.append(TrafficObservation(timeNanos: t2 + 2, device: na, domain: "two.bad", resolved: true, detections: [
            Build.detection(na, t2 + 2, "malware", family: "Emotet", tags: ["iab"], tier: "suspected", name: "two.bad"),
            Build.detection(na, t2 + 2, "malware", family: "Emotet", tags: ["iab", "loader"], tier: "known", name: "two.bad"),
        ]))
        try store.write(Build.batch(obs))

        let devices = try store.devices()
        #expect(devices.map(\.info) == [apac, na])
        let id = Dictionary(uniqueKeysWithValues: devices.map { ($0.info.deviceKey, $0.id) })
        let q1 = Day(iso: "2026-03-31")!, q2 = Day(iso: "2026-04-01")!
        let all = DayRange(q1, q2)
        #expect(try store.queriesPerDevice(in: all) == [id["10.0.0.1"]!: 3, id["10.1.0.7"]!: 3])
        #expect(try store.queriesPerDevice(in: DayRange(q2, q2)) == [id["10.1.0.7"]!: 3])
        let flagged = try store.flaggedRollups(in: all).sorted { $0.day < $1.day }
        #expect(flagged == [FlaggedRollupRow(day: q1, deviceID: id["10.0.0.1"]!, queries: 2, knownQueries: 1),
                            FlaggedRollupRow(day: q2, deviceID: id["10.1.0.7"]!, queries: 2, knownQueries: 2)])
        let threats = Set(try store.threatRollups(in: all))
        #expect(threats == [
            ThreatRollupRow(day: q1, deviceID: id["10.0.0.1"]!, category: "c2", tier: "known", family: "QSnatch", span: Span(queries: 1, firstNanos: t1 + 5, lastNanos: t1 + 5)),
            ThreatRollupRow(day: q1, deviceID: id["10.0.0.1"]!, category: "c2", tier: "suspected", family: "QSnatch", span: Span(queries: 1, firstNanos: t1 + 9, lastNanos: t1 + 9)),
            ThreatRollupRow(day: q2, deviceID: id["10.1.0.7"]!, category: "phishing", tier: "known", family: "", span: Span(queries: 1, firstNanos: t2, lastNanos: t2)),
            ThreatRollupRow(day: q2, deviceID: id["10.1.0.7"]!, category: "malware", tier: "known", family: "Emotet", span: Span(queries: 1, firstNanos: t2 + 2, lastNanos: t2 + 2)),
        ])
        let tags = try store.tagRollups(in: all)
        #expect(tags.filter { $0.tag == "iab" }.map(\.span.queries) == [1])
        #expect(tags.filter { $0.tag == "iab" }.map(\.tier) == ["known"])
        #expect(tags.contains { $0.tag == "loader" && $0.tier == "known" })
        let phish = try store.phishingRollups(in: all)
        #expect(phish == [PhishingRollupRow(day: q2, deviceID: id["10.1.0.7"]!, tier: "known", campaign: "campaign:x1",
                                            industry: "financial-services", span: Span(queries: 1, firstNanos: t2, lastNanos: t2))])
        let ft = try store.familyTags()
        #expect(ft["QSnatch"] == ["dga", "category:c2"])
        #expect(ft["Emotet"] == ["iab", "loader", "category:malware"])

        // Evidence round-trips field by field.
        let dets = try store.detections(in: all, deviceID: nil, limit: 100)
        #expect(dets.count == 5)
        #expect(dets == obs.flatMap(\.detections).sorted { $0.timeNanos < $1.timeNanos })
        #expect(try store.detections(in: all, deviceID: id["10.1.0.7"]!, limit: 2).count == 2)

        // Domains: first seen, first resolved, first malicious, as of a moment.
        let nod = try store.newlyObservedDomains(fromNanos: q1.startNanos, toNanos: all.endNanos)
        #expect(nod == NewlyObservedDomainCounts(domains: 5, resolving: 4, malicious: 4, maliciousResolving: 3))
        // Before t2 only a.example (resolved at t1) and the two QSnatch names (q2.bad never resolved) were seen.
        #expect(try store.newlyObservedDomains(fromNanos: q1.startNanos, toNanos: t2)
                == NewlyObservedDomainCounts(domains: 3, resolving: 2, malicious: 2, maliciousResolving: 1))
        let s = try store.summary()
        #expect(s.firstDay == q1 && s.lastDay == q2 && s.queries == 6 && s.detections == 5 && s.devices == 2 && s.domains == 5)
    }

    /// Writing the same observations in many batches (so that every upsert path is taken) stores exactly what one
    /// batch stores.
    @Test func manyBatchesEqualOneBatch() throws {
        var c = SyntheticWorld.Config()
        c.days = 40
        c.enterprisesPerRegion = 2
        c.devicesPerISP = 10
        let obs = SyntheticWorld(c).allObservations()
        let one = try SQLiteStore.open(path: tempDir() + "/one.sqlite")
        try one.write(Build.batch(obs))
        let many = try SQLiteStore.open(path: tempDir() + "/many.sqlite")
        // Shuffle the order too: roll-ups must not depend on it.
        var rng = SplitMix64(seed: 3)
        let shuffled = obs.shuffled(using: &rng)
        for chunk in stride(from: 0, to: shuffled.count, by: 997) {
            try many.write(Build.batch(Array(shuffled[chunk..<min(chunk + 997, shuffled.count)])))
        }
        let r = DayRange(c.start, c.start.advanced(by: c.days - 1))
        // Device numbers differ with the order of first sight; compare by identity.
        func key(_ s: SQLiteStore) throws -> [Int64: String] {
            Dictionary(uniqueKeysWithValues: try s.devices().map { ($0.id, "\($0.info.organisation)/\($0.info.deviceKey)") })
        }
        let k1 = try key(one), k2 = try key(many)
        #expect(Set(k1.values) == Set(k2.values))
        func threats(_ s: SQLiteStore, _ k: [Int64: String]) throws -> Set<String> {
            Set(try s.threatRollups(in: r).map { "\($0.day) \(k[$0.deviceID]!) \($0.category) \($0.tier) \($0.family) \($0.span)" })
        }
        #expect(try threats(one, k1) == threats(many, k2))
        func tags(_ s: SQLiteStore, _ k: [Int64: String]) throws -> Set<String> {
            Set(try s.tagRollups(in: r).map { "\($0.day) \(k[$0.deviceID]!) \($0.category) \($0.tier) \($0.tag) \($0.span)" })
        }
        #expect(try tags(one, k1) == tags(many, k2))
        func phish(_ s: SQLiteStore, _ k: [Int64: String]) throws -> Set<String> {
            Set(try s.phishingRollups(in: r).map { "\($0.day) \(k[$0.deviceID]!) \($0.campaign) \($0.industry) \($0.span)" })
        }
        #expect(try phish(one, k1) == phish(many, k2))
        func queries(_ s: SQLiteStore, _ k: [Int64: String], _ r: DayRange) throws -> [String: Int64] {
            Dictionary(uniqueKeysWithValues: try s.queriesPerDevice(in: r).map { (k[$0.key]!, $0.value) })
        }
        let partial = DayRange(c.start.advanced(by: 3), c.start.advanced(by: 33))
        #expect(try queries(one, k1, r) == queries(many, k2, r))
        #expect(try queries(one, k1, partial) == queries(many, k2, partial))
        func active(_ s: SQLiteStore, _ k: [Int64: String], _ sub: DayRange) throws -> Set<String> {
            Set(try s.activity(in: r).devices(activeIn: sub).map { k[$0]! })
        }
        for sub in [r, partial, DayRange(c.start, c.start)] { #expect(try active(one, k1, sub) == active(many, k2, sub)) }
        #expect(try one.newlyObservedDomains(fromNanos: 0, toNanos: r.endNanos) == many.newlyObservedDomains(fromNanos: 0, toNanos: r.endNanos))
        #expect(try one.newlyObservedDomains(fromNanos: partial.first.startNanos, toNanos: partial.endNanos)
                == many.newlyObservedDomains(fromNanos: partial.first.startNanos, toNanos: partial.endNanos))
        #expect(try one.summary().queries == Int64(obs.count))
        #expect(try many.summary().detections == Int64(obs.reduce(0) { $0 + $1.detections.count }))
    }

    /// The activity index answers "active in this range" exactly against the observations, for ranges that start
    /// and end inside months.
    @Test func activityIsExactForPartialMonths() throws {
        var c = SyntheticWorld.Config()
        c.days = 75
        c.start = Day(iso: "2026-01-20")!
        c.enterprisesPerRegion = 1
        c.devicesPerISP = 8
        c.activeProbability = 0.2
        let obs = SyntheticWorld(c).allObservations()
        let store = try SQLiteStore.open(path: tempDir() + "/act.sqlite")
        try store.write(Build.batch(obs))
        let names = Dictionary(uniqueKeysWithValues: try store.devices().map { ($0.id, $0.info.identity) })
        let truth = GroundTruth(obs)
        let full = DayRange(c.start, c.start.advanced(by: c.days - 1))
        let act = try store.activity(in: full)
        for (a, b) in [(0, 0), (5, 12), (11, 40), (0, 74), (40, 41), (70, 74)] {
            let sub = DayRange(c.start.advanced(by: a), c.start.advanced(by: b))
            #expect(act.devices(activeIn: sub).count == truth.devicesSeen(sub)["all"] ?? 0, "range \(sub)")
            let loaded = try store.activity(in: sub)
            #expect(Set(loaded.devices(activeIn: sub).map { names[$0]! }) == Set(act.devices(activeIn: sub).map { names[$0]! }))
        }
    }

    /// A batch that fails half-way leaves nothing behind: no roll-up, no detection, no checkpoint.
    @Test func failedBatchWritesNothing() throws {
        let dir = tempDir()
        let store = try SQLiteStore.open(path: dir + "/f.sqlite")
        let stream = StreamIdentity(path: "x.log", size: 100, headLength: 100, headHash: 1)
        var good = Build.batch([Build.clean(apac, Build.time("2026-01-01"))])
        good.setCheckpoint(IngestCheckpoint(stream: stream, byteOffset: 10, records: 1, complete: false))
        try store.write(good)
        // A detection whose device is not the observation's cannot be attributed: the write must fail as a whole.
        var bad = IngestBatch()
        bad.add(Build.clean(na, Build.time("2026-01-02")))
        bad.add(TrafficObservation(timeNanos: Build.time("2026-01-02", 1), device: na, domain: "z.bad", resolved: true, detections: [
            Build.detection(Build.device("stranger", "1.2.3.4"), Build.time("2026-01-02", 1), "c2", name: "z.bad"),
        ]))
        bad.setCheckpoint(IngestCheckpoint(stream: stream, byteOffset: 30, records: 3, complete: true))
        #expect(throws: SQLiteStoreError.self) { try store.write(bad) }
        #expect(try store.checkpoint(forKey: stream.key)?.records == 1)
        let s = try store.summary()
        #expect(s.queries == 1 && s.detections == 0 && s.devices == 1 && s.domains == 1)
        #expect(try store.flaggedRollups(in: DayRange(Day(iso: "2026-01-01")!, Day(iso: "2026-01-03")!)).isEmpty)
    }

    @Test func checkpointsDecideWhereToResume() throws {
        let dir = tempDir()
        let store = try SQLiteStore.open(path: dir + "/c.sqlite")
        let file = dir + "/dns.log"
        try Data(repeating: 0x41, count: 1000).write(to: URL(fileURLWithPath: file))
        let id = try StreamIdentity.of(file: file)
        #expect(id.size == 1000 && id.headLength == 1000 && id.inode != 0)
        #expect(try IngestLedger.resume(id, in: store) == .fromStart)

        var b = Build.batch([Build.clean(apac, Build.time("2026-01-01"))])
        b.setCheckpoint(IngestCheckpoint(stream: id, byteOffset: 400, records: 7, complete: false))
        try store.write(b)
        #expect(try IngestLedger.resume(id, in: store) == .after(records: 7, byteOffset: 400))
        try store.checkpoint(IngestCheckpoint(stream: id, byteOffset: 1000, records: 20, complete: true))
        #expect(try IngestLedger.resume(id, in: store) == .done)

        // A copy under another name is the same input.
        let copy = dir + "/copy.log"
        try FileManager.default.copyItem(atPath: file, toPath: copy)
        #expect(try IngestLedger.resume(StreamIdentity.of(file: copy), in: store) == .done)

        // The file grows (a log being appended to): resume after what was stored.
        let h = FileHandle(forWritingAtPath: file)!
        h.seekToEndOfFile()
        h.write(Data(repeating: 0x42, count: 500))
        try h.close()
        let grown = try StreamIdentity.of(file: file)
        #expect(grown.key != id.key)
        #expect(try IngestLedger.resume(grown, in: store) == .after(records: 20, byteOffset: 1000))

        // A different file in the same place (rotated: new content) starts from the beginning.
        try FileManager.default.removeItem(atPath: copy)
        try Data(repeating: 0x43, count: 1200).write(to: URL(fileURLWithPath: copy))
        #expect(try IngestLedger.resume(StreamIdentity.of(file: copy), in: store) == .fromStart)
        #expect(try store.allCheckpoints().count == 1)
    }

    @Test func snapshotSeesOneStateWhileAnotherConnectionWrites() throws {
        let path = tempDir() + "/snap.sqlite"
        let writer = try SQLiteStore.open(path: path)
        try writer.write(Build.batch([Build.clean(apac, Build.time("2026-01-01"))]))
        let reader = try SQLiteStore.openReadOnly(path: path)
        let snap = try reader.snapshot()
        try writer.write(Build.batch([Build.clean(na, Build.time("2026-01-02")), Build.hit(na, Build.time("2026-01-02", 1), "c2", name: "c.bad")]))
        // The snapshot still sees the first state; a fresh read sees the second.
        #expect(try snap.summary().queries == 1)
        #expect(try snap.devices().count == 1)
        #expect(try reader.summary().queries == 3)
        #expect(try reader.summary().detections == 1)
        // A read-only store cannot write.
        #expect(throws: SQLiteStoreError.self) { try reader.write(Build.batch([Build.clean(apac, Build.time("2026-01-03"))])) }
    }

    @Test func retentionDropsOldDaysAndKeepsTheRestExact() throws {
        var c = SyntheticWorld.Config()
        c.days = 90
        c.enterprisesPerRegion = 1
        c.devicesPerISP = 10
        let obs = SyntheticWorld(c).allObservations()
        let store = try SQLiteStore.open(path: tempDir() + "/r.sqlite")
        try store.write(Build.batch(obs))
        let cut = Day(iso: "2026-02-10")!
        let removed = try store.removeData(before: cut)
        #expect(removed.rollupRows > 0 && removed.detections > 0 && removed.domains > 0)
        let kept = obs.filter { $0.timeNanos >= cut.startNanos }
        let s = try store.summary()
        #expect(s.firstDay == cut)
        #expect(s.queries == Int64(kept.count))
        #expect(s.detections == Int64(kept.reduce(0) { $0 + $1.detections.count }))
        let rest = DayRange(cut, c.start.advanced(by: c.days - 1))
        let truth = GroundTruth(kept)
        #expect(try store.activity(in: rest).devices(activeIn: rest).count == truth.devicesSeen(rest)["all"])
        #expect(try store.queriesPerDevice(in: DayRange(cut, Day(iso: "2026-02-28")!)).values.reduce(0, +)
                == Int64(kept.filter { $0.timeNanos < Day(iso: "2026-03-01")!.startNanos }.count))
        #expect(try store.threatRollups(in: DayRange(c.start, cut.advanced(by: -1))).isEmpty)
        // Domains last seen before the cut are forgotten; the rest keep their first sighting.
        let lastSeen = kept.reduce(into: Set<String>()) { $0.insert($1.domain!) }
        #expect(try store.summary().domains == Int64(lastSeen.count))
    }

    @Test func schemaIsVersionedAndForeignFilesAreRefused() throws {
        let dir = tempDir()
        let path = dir + "/v.sqlite"
        _ = try SQLiteStore.open(path: path)
        // Opening again migrates nothing and keeps data.
        let again = try SQLiteStore.open(path: path)
        try again.write(Build.batch([Build.clean(apac, Build.time("2026-01-01"))]))
        #expect(try SQLiteStore.openReadOnly(path: path).summary().queries == 1)
        // Not a store.
        let other = dir + "/other.sqlite"
        try Data().write(to: URL(fileURLWithPath: other))
        #expect(throws: SQLiteStoreError.self) { try SQLiteStore.openReadOnly(path: other) }
        #expect(throws: SQLiteStoreError.self) { try SQLiteStore.openReadOnly(path: dir + "/missing.sqlite") }
        // The default path follows XDG.
        #expect(SQLiteStore.defaultPath.hasSuffix("/dnsight/store.sqlite"))
    }
}
