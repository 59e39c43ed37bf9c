import EventStore
import SQLiteStore
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
}
