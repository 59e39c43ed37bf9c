import DNSWire
import DNSightCore
import Testing
@testable import Detectors
import TestSupport

/// The chain's per-event shortcuts give what the direct computation gives: the bulk lower-casing of wire names,
/// and the facts and device hash that `prefetch` works out ahead of `observe`.
@Suite struct DetectorChainPrefetchTests {
    /// The label-by-label copy the chain used before: the reference for `lowercased`.
    static func referenceLowercased(_ wire: [UInt8]) -> (bytes: [UInt8], lastDot: Int) {
        var out: [UInt8] = []
        var lastDot = -1
        var i = 0
        while i < wire.count, wire[i] != 0 {
            let n = Int(wire[i])
            if !out.isEmpty {
                lastDot = out.count
                out.append(UInt8(ascii: "."))
            }
            for b in wire[(i + 1)...(i + n)] { out.append(b &- 0x41 < 26 ? b | 0x20 : b) }
            i += n + 1
        }
        return (out, lastDot)
    }

    @Test func bulkLowercasingMatchesTheLabelByLabelCopy() throws {
        var rng = SeededRandom(seed: 7)
        // Any byte may appear in a label (dots and upper case included); names up to the 255-byte wire limit.
        for _ in 0..<5_000 {
            var labels: [[UInt8]] = []
            var wireLength = 1
            let count = 1 + Int(rng.next() % 6)
            for _ in 0..<count {
                let n = 1 + Int(rng.next() % (rng.next() % 4 == 0 ? 63 : 12))
                guard wireLength + n + 1 <= 255 else { break }
                labels.append((0..<n).map { _ in
                    switch rng.next() % 8 {
                    case 0: UInt8(truncatingIfNeeded: rng.next())
                    case 1, 2: UInt8(ascii: "A") + UInt8(rng.next() % 26)
                    case 3: UInt8(ascii: ".")
                    default: UInt8(ascii: "a") + UInt8(rng.next() % 26)
                    }
                })
                wireLength += n + 1
            }
            let name = try DNSName(labels: labels)
            let expected = Self.referenceLowercased(name.wire)
            let got = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buf -> ([UInt8], Int) in
                let (o, lastDot) = DetectorChain.lowercased(name.wire, into: buf)
                return (Array(buf[0..<o]), lastDot)
            }
            #expect(got.0 == expected.bytes && got.1 == expected.lastDot)
        }
    }

    /// A mixed stream: DGA-like and benign names, a tunnel, a beacon, NXDOMAIN bursts, internal and single-label
    /// names, several devices, names repeated so that the fast path and the tables come into play.
    static func mixedEvents() -> [(DNSEvent, String)] {
        var rng = SeededRandom(seed: 99)
        var out: [(DNSEvent, String)] = []
        let popular = (0..<40).map { "www.site\($0).com" }
        var t = Behaviour.t0
        for i in 0..<6_000 {
            t += Behaviour.exponential(mean: 2, &rng)
            let device = Int(rng.next() % 30)
            let client = "10.0.0.\(device)"
            let e: DNSEvent
            switch rng.next() % 10 {
            case 0:
                e = Behaviour.event(Behaviour.random(14, "abcdefghijklmnopqrstuvwxyz", &rng) + ".com", at: t, client: client, rcode: .nxDomain)
            case 1:
                e = Behaviour.event(Behaviour.random(40, "abcdefghijklmnopqrstuvwxyz234567", &rng) + ".xkqvbzrtwplmhd.com", at: t,
                                    client: "10.0.0.1", type: .txt)
            case 2: e = Behaviour.event("printer.local", at: t, client: client)
            case 3: e = Behaviour.event("Beacon.Example.ORG", at: Behaviour.t0 + Double(i / 10) * 60, client: "10.0.0.2")
            case 4: e = Behaviour.event("wpad", at: t, client: client)
            default: e = Behaviour.event(popular[Int(rng.next() % 40)], at: t, client: client)
            }
            out.append((e, "org|" + client))
        }
        return out.sorted { $0.0.timeNanos < $1.0.timeNanos }
    }

    static func summary(_ c: DetectorChain) -> [String] {
        c.detectorCounters.map { "\($0.detector) \($0.alerts) \($0.flaggedQueries) \($0.devices.sorted()) \($0.tracked)" }
            + ["fast \(c.fastHits) events \(c.events) new \(c.newDomains.sorted()) malicious \(c.maliciousNewDomains.sorted())"]
    }

    @Test func prefetchingChangesNoVerdictOrCounter() {
        let events = Self.mixedEvents()
        var plain = DetectorChain(settings: DetectorSettings(), scorer: Behaviour.scorer)
        var ahead = plain
        var stale = plain
        var plainVerdicts: [String] = [], aheadVerdicts: [String] = [], staleVerdicts: [String] = []
        func describe(_ o: DetectorOutcome) -> String {
            guard case .flag(let v, let newAlert) = o else { return "-" }
            return "\(v.matched) \(v.family ?? "") \(v.score ?? -1) \(v.evidence?.rule ?? "") \(newAlert)"
        }
        for (i, (e, device)) in events.enumerated() {
            let hash = { StableHash.hash(device) }
            plainVerdicts.append(describe(plain.observe(e, deviceHash: hash, device: { device })))
            ahead.prefetch(e)
            ahead.prefetch(deviceHash: hash)
            aheadVerdicts.append(describe(ahead.observe(e, deviceHash: hash, device: { device })))
            // Facts prefetched for another event are never used for this one.
            stale.prefetch(events[(i + 1) % events.count].0)
            stale.prefetch(deviceHash: { StableHash.hash(events[(i + 1) % events.count].1) })
            staleVerdicts.append(describe(stale.observe(e, deviceHash: hash, device: { device })))
        }
        #expect(plainVerdicts.contains { $0 != "-" })
        #expect(aheadVerdicts == plainVerdicts)
        #expect(staleVerdicts == plainVerdicts)
        #expect(Self.summary(ahead) == Self.summary(plain))
        #expect(Self.summary(stale) == Self.summary(plain))
    }
}
