import DNSWire
import Foundation
import Testing
@testable import Detectors
import TestSupport

@Suite struct ExpiringTableTests {
    @Test func capEvictsLeastRecentlySeenAndCountsIt() {
        var t = ExpiringTable<Int>(maxEntries: 100, idleSeconds: 1_000_000, empty: 0)
        for k in 1...100 {
            let (s, isNew) = t.upsert(UInt64(k) &* 0x9E37_79B9_7F4A_7C15, now: Int64(k))
            #expect(isNew)
            t[s] = k
        }
        #expect(t.count == 100 && t.evictions == 0)
        let (_, isNew) = t.upsert(12345, now: 1000)
        #expect(isNew)
        // one entry made room: the least recently seen of those next to the new key's home slot
        #expect(t.count == 100 && t.evictions == 1)
        #expect(t.find(12345, now: 1000) != nil)
        // a long stream of keys never seen again stays at the cap, every insert evicting one
        for k in 1...10_000 { _ = t.upsert(UInt64(k) &* 0xD1B5_4A32_D192_ED03, now: 2000 + Int64(k)) }
        #expect(t.count == 100 && t.evictions == 10_001)
        let newest = t.find(UInt64(10_000) &* 0xD1B5_4A32_D192_ED03, now: 20_000)
        #expect(newest != nil)
    }

    @Test func idleEntriesExpireLazilyAndInSweeps() {
        var t = ExpiringTable<Int>(maxEntries: 1000, idleSeconds: 60, empty: 0)
        let (s, _) = t.upsert(7, now: 0)
        t[s] = 42
        #expect(t.find(7, now: 60).map { t[$0] } == 42)
        #expect(t.find(7, now: 61) == nil)
        let (s2, isNew) = t.upsert(7, now: 200)
        #expect(isNew && t[s2] == 0)
        #expect(t.expirations == 1)
        for k in 100..<200 { _ = t.upsert(UInt64(k), now: 300) }
        _ = t.upsert(1, now: 1000)   // a sweep drops the idle ones
        #expect(t.count == 1)
        #expect(t.expirations == 102)
    }

    @Test func removeKeepsProbeChainsAgainstADictionaryModel() {
        var t = ExpiringTable<Int>(maxEntries: 4096, idleSeconds: 1 << 40, empty: -1)
        var model: [UInt64: Int] = [:]
        var rng = SeededRandom(seed: 7)
        for step in 0..<20_000 {
            let k = rng.next() % 600 &* 0x1000_0000_0000   // clustered keys: long probe chains
            switch rng.next() % 3 {
            case 0, 1:
                let (s, _) = t.upsert(k, now: Int64(step))
                t[s] = step
                model[k] = step
            default:
                if let s = t.find(k, now: Int64(step)) { t.remove(slot: s) }
                model[k] = nil
            }
        }
        #expect(t.count == model.count)
        for (k, v) in model { #expect(t.find(k, now: 20_000).map { t[$0] } == v) }
        #expect(t.evictions == 0)
    }
}

@Suite struct StableHashTests {
    @Test func isStableAcrossRuns() {
        // Saved seen-sets depend on these values: a change here needs StableHash.version bumped.
        #expect(StableHash.hash("example.com") == StableHash.hash("example.com"))
        #expect(StableHash.hash("example.com") != StableHash.hash("example.org"))
        #expect(StableHash.hash("") != StableHash.hash("a"))
        #expect(StableHash.hash("www.example.com") == 0x91B5_0944_3266_AF62)
        #expect(StableHash.hash("abcdefghijklmnopq") == 0x0F34_A96D_8312_97DB)
    }

    /// The byte-at-a-time definition the word-wise tail must match.
    static func reference(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        while i < bytes.count {
            var w: UInt64 = 0
            for (k, b) in bytes[i..<min(i + 8, bytes.count)].enumerated() { w |= UInt64(b) << UInt64(8 * k) }
            h = (h ^ StableHash.fmix(w &* 0x87C3_7B91_1142_53D5)) &* 0x4CF5_AD43_2745_937F
            if i + 8 <= bytes.count { h = (h << 31) | (h >> 33) }
            i += 8
        }
        return StableHash.fmix(h)
    }

    @Test func matchesTheByteWiseDefinitionAtEveryLength() {
        var rng = SeededRandom(seed: 5)
        for n in 0..<48 {
            for _ in 0..<200 {
                let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                let seed: UInt64 = rng.next() % 2 == 0 ? 0 : 0x5EED
                #expect(bytes.withUnsafeBufferPointer { StableHash.hash($0, seed: seed) } == Self.reference(bytes, seed: seed))
            }
        }
    }

    @Test func spreadsShortKeys() {
        var buckets = [Int](repeating: 0, count: 64)
        for i in 0..<64_000 { buckets[Int(StableHash.hash("d\(i).example.com") >> 58)] += 1 }
        #expect(buckets.min()! > 800 && buckets.max()! < 1200)
    }
}

@Suite struct BloomFilterTests {
    @Test func noFalseNegativesAndRateNearTarget() {
        var b = BloomFilter(capacity: 50_000, falsePositiveRate: 0.01)
        var rng = SeededRandom(seed: 1)
        let keys = (0..<50_000).map { _ in rng.next() }
        for k in keys { b.insert(k) }
        #expect(keys.allSatisfy(b.contains))
        var fp = 0
        for _ in 0..<100_000 where b.contains(rng.next()) { fp += 1 }
        let rate = Double(fp) / 100_000
        #expect(rate < 0.02, "false-positive rate \(rate)")
        #expect(b.estimatedFalsePositiveRate < 0.02)
    }
}

@Suite struct NewDomainHistoryTests {
    static let day: Int64 = 86_400

    @Test func newThenOldAfterTheWindow() {
        var h = NewDomainHistory(windowSeconds: 60 * Self.day, maxRecent: 1000, bloomCapacity: 10_000, bloomFalsePositiveRate: 0.001)
        let a = StableHash.hash("fresh.example")
        #expect(h.status(a, at: 0) == nil)
        #expect(h.observe(a, at: 100) == .new(firstSeen: 100))
        #expect(h.observe(a, at: 100 + 59 * Self.day) == .new(firstSeen: 100))
        // time moves on (another domain seen 61 days later): a ages into the Bloom filter
        _ = h.observe(StableHash.hash("later.example"), at: 100 + 61 * Self.day)
        #expect(h.agedOut == 1)
        #expect(h.status(a, at: 100 + 61 * Self.day) == .old)
        #expect(h.recentCount == 1)
    }

    @Test func fullRecentTableMovesOldestEarlyAndCountsIt() {
        var h = NewDomainHistory(windowSeconds: 60 * Self.day, maxRecent: 64, bloomCapacity: 10_000, bloomFalsePositiveRate: 0.001)
        for i in 0..<200 { _ = h.observe(StableHash.hash("d\(i).example"), at: Int64(i)) }
        #expect(h.recentCount <= 64)
        #expect(h.evictedEarly > 0)
        #expect(h.status(StableHash.hash("d0.example"), at: 300) == .old)
        #expect(h.status(StableHash.hash("d199.example"), at: 300) == .new(firstSeen: 199))
    }

    @Test func saveAndLoadRoundTrip() throws {
        var h = NewDomainHistory(windowSeconds: 60 * Self.day, maxRecent: 10_000, bloomCapacity: 10_000, bloomFalsePositiveRate: 0.001)
        for i in 0..<500 { _ = h.observe(StableHash.hash("old\(i).example"), at: Int64(i)) }
        for i in 0..<300 { _ = h.observe(StableHash.hash("new\(i).example"), at: 70 * Self.day + Int64(i)) }
        #expect(h.agedOut == 500)
        let path = TestScratch.file("nod.bin")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try h.save(to: path)
        let back = try NewDomainHistory.load(from: path, windowSeconds: 60 * Self.day, maxRecent: 10_000)
        #expect(back.historyStart == 0 && back.clock == h.clock)
        #expect(back.recentCount == 300 && back.bloom == h.bloom)
        let t = 70 * Self.day + 1000
        for i in 0..<500 { #expect(back.status(StableHash.hash("old\(i).example"), at: t) == .old) }
        for i in 0..<300 { #expect(back.status(StableHash.hash("new\(i).example"), at: t) == .new(firstSeen: 70 * Self.day + Int64(i))) }
        #expect(back.status(StableHash.hash("never.example"), at: t) == nil)
        try h.save(to: path)   // replaces an existing file
        #expect(try NewDomainHistory.load(from: path, windowSeconds: 60 * Self.day, maxRecent: 10).recentCount == 300)
    }

    @Test func rejectsDamagedFiles() throws {
        var h = NewDomainHistory(windowSeconds: 60 * Self.day, maxRecent: 100, bloomCapacity: 1000, bloomFalsePositiveRate: 0.01)
        _ = h.observe(1234, at: 5)
        let path = TestScratch.file("nod.bin")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try h.save(to: path)
        let good = [UInt8](FileManager.default.contents(atPath: path)!)
        #expect(throws: DetectorsError.self) { try NewDomainHistory.decode(Array(good.dropLast()), file: "x", windowSeconds: 1, maxRecent: 1) }
        var badMagic = good
        badMagic[0] = 0
        #expect(throws: DetectorsError.self) { try NewDomainHistory.decode(badMagic, file: "x", windowSeconds: 1, maxRecent: 1) }
        var hugeCount = good
        for i in 64..<72 { hugeCount[i] = 0xFF }
        #expect(throws: DetectorsError.self) { try NewDomainHistory.decode(hugeCount, file: "x", windowSeconds: 1, maxRecent: 1) }
        var zeroK = good
        for i in 48..<52 { zeroK[i] = 0 }
        #expect(throws: DetectorsError.self) { try NewDomainHistory.decode(zeroK, file: "x", windowSeconds: 1, maxRecent: 1) }
        #expect(throws: DetectorsError.self) { try NewDomainHistory.load(from: path + ".missing", windowSeconds: 1, maxRecent: 1) }
    }

    @Test func mergeKeepsTheEarlierFirstSighting() {
        let base = NewDomainHistory(windowSeconds: 60 * Self.day, maxRecent: 100, bloomCapacity: 1000, bloomFalsePositiveRate: 0.01)
        var a = base, b = base
        _ = a.observe(1, at: 500)
        _ = b.observe(1, at: 200)
        _ = b.observe(2, at: 300)
        a.merge(b)
        #expect(a.status(1, at: 600) == .new(firstSeen: 200))
        #expect(a.status(2, at: 600) == .new(firstSeen: 300))
        #expect(a.historyStart == 200)
    }
}

@Suite struct ChainSetTests {
    /// The chain's hash set agrees with `Set` on inserts, membership and elements, 0 and colliding slots included.
    @Test func uint64SetMatchesSet() {
        var s = UInt64Set()
        var reference = Set<UInt64>()
        var x: UInt64 = 0x1234_5678
        for i in 0..<20_000 {
            // A third of the keys repeat, some share their low bits, and 0 comes up too.
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let k: UInt64 = i % 3 == 0 ? UInt64(i % 500) : (i % 7 == 0 ? (x << 20) : x)
            #expect(s.insert(k) == reference.insert(k).inserted)
        }
        #expect(s.count == reference.count)
        #expect(Set(s.elements) == reference)
        #expect(s.elements.count == reference.count)
        for k in reference { #expect(s.contains(k)) }
        #expect(!s.contains(0xDEAD_BEEF_0000_0001))
    }

    /// The process-wide known-family days are the generators' names of the day, built once.
    @Test func knownDaysAreBuiltOnce() {
        let day: Int64 = 19_300
        var expected: [(UInt64, UInt8)] = []
        for (bit, variant) in KnownDGAVariant.allCases.enumerated() {
            for g in KnownDGAIndex.generate(variant, days: UTCDay(daysSinceEpoch: day)...UTCDay(daysSinceEpoch: day)) {
                expected.append((StableHash.hash(g.name), UInt8(1) << UInt8(bit)))
            }
        }
        let first = KnownDGADays.shared.names(for: day)
        let again = KnownDGADays.shared.names(for: day)
        #expect(!again.1)
        #expect(first.0.map(\.0) == expected.map(\.0) && first.0.map(\.1) == expected.map(\.1))
        #expect(again.0.map(\.0) == expected.map(\.0))
    }
}

@Suite struct SharedScoresTests {
    /// Copies of one context (the workers of a run) share scores: the second scores nothing the first scored, and
    /// gets the same values.
    @Test func copiesShareScores() throws {
        let scorer = try DGAScorer.bundled()
        var a = DGAContext(scorer: scorer, knownFamilies: false)
        var b = a
        let labels = ["example", "xkqjzvplwqe", "google", "q8r7t6y5u4", "bbc"]
        var first: [Float] = []
        for l in labels { first.append(Self.score(&a, "www.\(l).com", scorer)) }
        #expect(a.scored == labels.count)
        for (l, s) in zip(labels, first) { #expect(Self.score(&b, "mail.\(l).net", scorer) == s) }
        #expect(b.scored == 0)
        // A context made afresh has its own table.
        var c = DGAContext(scorer: scorer, knownFamilies: false)
        #expect(Self.score(&c, "www.example.com", scorer) == first[0])
        #expect(c.scored == 1)
        for (l, s) in zip(labels, first) { #expect(Array(l.utf8).withUnsafeBufferPointer { Float(scorer.model.score(label: $0)) } == s) }
    }

    static func score(_ ctx: inout DGAContext, _ name: String, _ scorer: DGAScorer) -> Float {
        let bytes = Array(name.utf8)
        return bytes.withUnsafeBufferPointer { buf -> Float in
            let split = scorer.suffixes.split(buf)!
            let f = QueryFacts(deviceHash: 1, timeNanos: 0, name: buf, nameHash: StableHash.hash(buf), suffixStart: split.suffixStart,
                               registrableStart: split.registrableStart!, registrableHash: 0, suffixHash: 0, queryType: .a, rcode: nil,
                               scope: .watched, prevalence: 0)
            return ctx.computeScore(f)
        }
    }
}
