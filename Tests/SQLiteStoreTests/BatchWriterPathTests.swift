import EventStore
@testable import SQLiteStore
import StoreFixtures
import Testing
import TestSupport

/// The writer's paths for devices and domains — a new row, a row this process stored (cached), a row another
/// process stored (not cached) — and batches built through ``IngestBatch/newDevice(_:)`` all leave the store as
/// one batch of everything written to a fresh store does.
@Suite struct BatchWriterPathTests {
    @Test func batchesAcrossReopenedStoresEqualOneBatch() throws {
        let d1 = Build.device("acme", "10.0.0.1"), d1moved = Build.device("acme", "10.0.0.1", region: "EMEA", country: "DE")
        let d2 = Build.device("acme", "10.0.0.2", segment: "home"), d3 = Build.device("isp", "10.9.0.3")
        let a = [Build.clean(d1, Build.time("2026-01-02", 10), domain: "a.example", resolved: false),
                 Build.clean(d2, Build.time("2026-01-02", 11), domain: "b.example")]
        // Another process: d1's attributes changed, a.example seen earlier than stored (not resolving), then
        // resolving; a new device and domain; a detection.
        let b = [Build.clean(d1moved, Build.time("2026-01-02", 5), domain: "a.example", resolved: false),
                 Build.clean(d1moved, Build.time("2026-01-03", 7), domain: "a.example"),
                 Build.clean(d3, Build.time("2026-01-03", 8), domain: "c.example"),
                 Build.hit(d3, Build.time("2026-01-03", 9), "c2", family: "Fam", name: "a.example")]
        // The same process again: a.example earlier still (a cached domain that changed), and sightings that change
        // nothing stored (skipped); these devices come in through `newDevice`.
        let c = [Build.clean(d1moved, Build.time("2026-01-02", 4), domain: "a.example"),
                 Build.clean(d3, Build.time("2026-01-03", 12), domain: "c.example"),
                 Build.clean(d2, Build.time("2026-01-02", 12), domain: "b.example"),
                 Build.hit(d2, Build.time("2026-01-04", 1), "phishing", family: "Kit", tags: ["campaign:x"], name: "d.example")]
        let dir = TestScratch.path("batch-paths")
        try SQLiteStore.open(path: dir + "/split.sqlite").write(Build.batch(a))
        let reopened = try SQLiteStore.open(path: dir + "/split.sqlite")
        try reopened.write(Build.batch(b))
        var slots: [String: DeviceSlot] = [:]
        var viaNew = IngestBatch()
        for o in c {
            let key = o.device.organisation + "/" + o.device.deviceKey
            let slot = slots[key] ?? viaNew.newDevice(o.device)
            slots[key] = slot
            viaNew.add(o, slot: slot)
        }
        #expect(viaNew.devices.count == 3 && viaNew.slot(of: d2.identity) != nil)
        try reopened.write(viaNew)
        let one = try SQLiteStore.open(path: dir + "/one.sqlite")
        try one.write(Build.batch(a + b + c))

        func devices(_ s: SQLiteStore) throws -> [String] {
            try s.devices().map { "\($0.id) \($0.info)" }.sorted()
        }
        #expect(try devices(reopened) == devices(one))
        #expect(try reopened.summary() == one.summary())
        // Newly observed domains in every window between the sightings: equal only if each domain's first, last,
        // first-resolved and first-malicious times are.
        let times = (a + b + c).map(\.timeNanos).sorted()
        for (i, from) in times.enumerated() {
            for to in times[i...] {
                #expect(try reopened.newlyObservedDomains(fromNanos: from, toNanos: to + 1) == one.newlyObservedDomains(fromNanos: from, toNanos: to + 1))
            }
        }
        let range = DayRange(Day(iso: "2026-01-01")!, Day(iso: "2026-01-05")!)
        #expect(try reopened.queriesPerDevice(in: range) == one.queriesPerDevice(in: range))
        #expect(try reopened.detections(in: range, deviceID: nil, limit: 10).map(\.device) == [d3, d2])
        #expect(try one.detections(in: range, deviceID: nil, limit: 10).map(\.device) == [d3, d2])
    }

    /// A batch written without remembering (a run's last) leaves later batches of the same process correct: here
    /// it moves a cached device (new attributes) and a cached domain (an earlier first sighting), and a later batch
    /// carries the device's first attributes again (the last write wins) and a sighting between the two. The store
    /// ends as one batch of everything does.
    @Test func aBatchNotRememberedLeavesLaterBatchesCorrect() throws {
        let d1 = Build.device("acme", "10.0.0.1"), d1moved = Build.device("acme", "10.0.0.1", region: "EMEA", country: "DE")
        let d2 = Build.device("isp", "10.9.0.2", segment: "home")
        let a = [Build.clean(d1, Build.time("2026-01-02", 10), domain: "a.example", resolved: false),
                 Build.hit(d2, Build.time("2026-01-02", 11), "c2", family: "Fam", name: "b.example")]
        let b = [Build.clean(d1moved, Build.time("2026-01-02", 5), domain: "a.example"),
                 Build.clean(d2, Build.time("2026-01-03", 8), domain: "b.example")]
        let c = [Build.clean(d1, Build.time("2026-01-02", 7), domain: "a.example", resolved: false),
                 Build.clean(d2, Build.time("2026-01-03", 9), domain: "c.example")]
        let dir = TestScratch.path("batch-not-remembered")
        let split = try SQLiteStore.open(path: dir + "/split.sqlite")
        try split.write(Build.batch(a), run: nil)
        try split.write(Build.batch(b), run: nil, remember: false)
        try split.write(Build.batch(c), run: nil)
        let one = try SQLiteStore.open(path: dir + "/one.sqlite")
        try one.write(Build.batch(a + b + c))
        #expect(try split.devices().map { "\($0.id) \($0.info)" }.sorted() == one.devices().map { "\($0.id) \($0.info)" }.sorted())
        #expect(try split.devices().first { $0.info.deviceKey == d1.deviceKey }?.info.region == d1.region)
        #expect(try split.summary() == one.summary())
        let times = (a + b + c).map(\.timeNanos).sorted()
        for (i, from) in times.enumerated() {
            for to in times[i...] {
                #expect(try split.newlyObservedDomains(fromNanos: from, toNanos: to + 1) == one.newlyObservedDomains(fromNanos: from, toNanos: to + 1))
            }
        }
    }

    /// Two producers' batches merged into one store as the batch of all their observations does: devices they
    /// share (with attributes that changed in between), the same device-day, threat, tag and phishing keys on both
    /// sides, the same domains, detections and checkpoints.
    @Test(arguments: [1, 2, 3])
    func mergedBatchesStoreAsOneBatchOfEverything(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let devices = (0..<40).map { i in Build.device(i % 3 == 0 ? "isp" : "acme", "10.0.\(i / 10).\(i % 10)", segment: i % 3 == 0 ? "home" : "enterprise") }
        var all: [TrafficObservation] = []
        for _ in 0..<3000 {
            var d = devices[Int.random(in: 0..<devices.count, using: &rng)]
            if Int.random(in: 0..<200, using: &rng) == 0 { d.region = "EMEA" }
            let t = Build.time("2026-03-\(Int.random(in: 28...31, using: &rng))", Int.random(in: 0..<24, using: &rng), Int.random(in: 0..<60, using: &rng))
            let domain = "d\(Int.random(in: 0..<60, using: &rng)).example"
            switch Int.random(in: 0..<20, using: &rng) {
            case 0: all.append(Build.hit(d, t, "c2", family: "Emotet", tags: ["ransomware", "iab"], name: domain))
            case 1: all.append(Build.hit(d, t, "phishing", family: "Kit", tags: ["campaign:x", "targeted-industry:finance"], name: domain))
            case 2: all.append(Build.hit(d, t, "malware", tier: StoreVocabulary.suspected, name: domain))
            default: all.append(Build.clean(d, t, domain: domain, resolved: Bool.random(using: &rng)))
            }
        }
        var first: [TrafficObservation] = [], second: [TrafficObservation] = []
        for o in all { if Bool.random(using: &rng) { first.append(o) } else { second.append(o) } }
        var merged = Build.batch(first)
        let other = Build.batch(second)
        merged.merge(other)
        let whole = Build.batch(first + second)
        #expect(merged.observationCount == whole.observationCount)
        #expect(merged.detections.count == whole.detections.count)
        #expect(merged.domains == whole.domains)
        #expect(merged.familyTags == whole.familyTags)

        let dir = TestScratch.path("batch-merge-\(seed)")
        let a = try SQLiteStore.open(path: dir + "/merged.sqlite"), b = try SQLiteStore.open(path: dir + "/whole.sqlite")
        try a.write(merged)
        try b.write(whole)
        #expect(try a.summary() == b.summary())
        #expect(try a.devices().map { "\($0.info)" }.sorted() == b.devices().map { "\($0.info)" }.sorted())
        let range = DayRange(Day(iso: "2026-03-01")!, Day(iso: "2026-04-30")!)
        func byDevice(_ s: SQLiteStore) throws -> [String: Int64] {
            let names = Dictionary(uniqueKeysWithValues: try s.devices().map { ($0.id, $0.info.organisation + "/" + $0.info.deviceKey) })
            return Dictionary(uniqueKeysWithValues: try s.queriesPerDevice(in: range).map { (names[$0.key]!, $0.value) })
        }
        #expect(try byDevice(a) == byDevice(b))
        // Devices come into both batches in the same order (the first producer's, then the second's new ones), so
        // the roll-ups' device ids agree as well.
        #expect(try Set(a.threatRollups(in: range)) == Set(b.threatRollups(in: range)))
        #expect(try Set(a.tagRollups(in: range)) == Set(b.tagRollups(in: range)))
        #expect(try Set(a.phishingRollups(in: range)) == Set(b.phishingRollups(in: range)))
        #expect(try Set(a.flaggedRollups(in: range)) == Set(b.flaggedRollups(in: range)))
        #expect(try !a.phishingRollups(in: range).isEmpty && !a.tagRollups(in: range).isEmpty)
        #expect(try a.detections(in: range, deviceID: nil, limit: 10_000).map { "\($0.timeNanos) \($0.device) \($0.queryName)" }.sorted()
                == b.detections(in: range, deviceID: nil, limit: 10_000).map { "\($0.timeNanos) \($0.device) \($0.queryName)" }.sorted())
        let from = Build.time("2026-03-28"), to = Build.time("2026-04-01")
        #expect(try a.newlyObservedDomains(fromNanos: from, toNanos: to) == b.newlyObservedDomains(fromNanos: from, toNanos: to))
    }
}

/// The order domains are written in: their UTF-8 bytes, as SQLite compares a text key (not `String` order, which
/// compares Unicode-normalised text), whatever their length against the 8-byte prefix compared first.
@Suite struct ByteOrderTests {
    @Test func domainsAreOrderedByTheirBytes() {
        let names = ["b.example", "a", "ab", "a\u{0}b", "abcdefgh", "abcdefgh.x", "abcdefgg.zz", "é.example",
                     "e\u{301}.example", "Z.example", "abcdefghij", "abcdefghi", "xn--bcher-kva.example", ""]
        // Compared as bytes: composed and decomposed "é" are one text to `String` but two keys to SQLite.
        let ordered = BatchWriter.inByteOrder(names, by: { $0 }).map { Array($0.utf8) }
        #expect(ordered == names.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(ordered.firstIndex(of: Array("e\u{301}.example".utf8))! < ordered.firstIndex(of: Array("é.example".utf8))!)
    }
}
