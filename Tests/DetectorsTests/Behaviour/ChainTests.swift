import DNSWire
import DNSightCore
import Testing
@testable import Detectors
import TestSupport

@Suite struct DetectorChainTests {
    @Test func intelVerdictsAreCountedAsAlsoKnownAndAllowlistedNamesNeverFlag() {
        var chain = DetectorChain(settings: Behaviour.only("dga"), scorer: Behaviour.scorer)
        let e = Behaviour.event("xkqvbzrtwplmhd.com", at: Behaviour.t0)
        #expect(chain.observe(e, device: "o|d", intelListed: true) != nil)
        #expect(chain.observe(e, device: "o|d", intelAllowed: true) == nil)
        let c = Behaviour.counters(chain, "dga")
        #expect(c.flaggedQueries == 1 && c.alsoKnown == 1)
    }

    @Test func prefersTheKnownFamilyThenTheStrongerBehaviour() throws {
        var rng = SeededRandom(seed: 31)
        // a device tunnelling through a DGA-looking parent: the tunnel verdict outranks the DGA-likeness one
        let events = (0..<40).map { i in
            Behaviour.event(Behaviour.random(50, "abcdefghijklmnopqrstuvwxyz234567", &rng) + ".xkqvbzrtwplmhd.com", at: Behaviour.t0 + Double(i), type: .txt)
        }
        let (chain, verdicts) = Behaviour.run(DetectorSettings(), events)
        #expect(verdicts.count == 40)
        #expect(verdicts[0].1.matched == DGAQueryDetector.name)
        #expect(verdicts.last!.1.matched == TunnelDetector.name)
        #expect(Behaviour.counters(chain, "dga").flaggedQueries == 40)
        #expect(Behaviour.counters(chain, "tunnel").alerts == 1)
    }

    @Test func withoutAScorerOnlyKnownFamiliesAndBehaviourRemain() {
        var chain = DetectorChain(settings: DetectorSettings(), scorer: nil)
        #expect(chain.queryDGAThreshold == .infinity)
        #expect(chain.observe(Behaviour.event("xkqvbzrtwplmhd.com", at: Behaviour.t0), device: "o|d") == nil)
    }

    @Test func rootAndEmptyNamesAreSkipped() {
        var chain = DetectorChain(settings: DetectorSettings(), scorer: Behaviour.scorer)
        let root = DNSEvent(timeNanos: 0, queryName: .root, queryType: .ns, position: SourcePosition(file: "x", byteOffset: 0))
        #expect(chain.observe(root, device: "o|d") == nil)
        #expect(chain.skipped == 1 && chain.events == 1)
    }
}

@Suite struct DetectorSettingsTests {
    @Test func everySettingReadsAndWrites() throws {
        var s = DetectorSettings()
        try s.apply(key: "beacon.threshold", value: .scalar("0.9"))
        try s.apply(key: "tunnel.enabled", value: .scalar("off"))
        try s.apply(key: "nxdomain.window_seconds", value: .scalar("1_200"))
        try s.apply(key: "dga.threshold", value: .scalar("0.97"))
        try s.apply(key: "dga.threshold", value: .null)
        try s.apply(key: "common.benign_domains", value: .list(["Example.COM", "corp.example"]))
        try s.apply(key: "nod.state_file", value: .scalar("/tmp/nod.bin"))
        #expect(s.beacon.threshold == 0.9 && !s.tunnel.enabled && s.nxdomain.windowSeconds == 1200 && s.dga.threshold == nil)
        #expect(s.common.benignDomains == ["example.com", "corp.example"] && s.newDomain.stateFile == "/tmp/nod.bin")
        #expect(s.enabledDetectors == ["dga", "beacon", "nxdomain", "nod"])
        let keys = DetectorSettings.entries.map(\.key)
        #expect(Set(keys).count == keys.count)
        #expect(DetectorSettings.entries.first { $0.key == "beacon.threshold" }!.value(in: s) == "0.9")
    }

    @Test func rejectsUnknownKeysAndBadValues() {
        var s = DetectorSettings()
        #expect(throws: DetectorsError.self) { try s.apply(key: "beacon.treshold", value: .scalar("1")) }
        #expect(throws: DetectorsError.self) { try s.apply(key: "beacon.enabled", value: .scalar("maybe")) }
        #expect(throws: DetectorsError.self) { try s.apply(key: "tunnel.min_queries", value: .scalar("-3")) }
        #expect(throws: DetectorsError.self) { try s.apply(key: "tunnel.threshold", value: .list(["1"])) }
        s.beacon.minQueries = 2
        #expect(throws: DetectorsError.self) { try s.validate() }
        #expect(throws: Never.self) { try DetectorSettings().validate() }
    }

    @Test func methodologyDescribesEveryDetector() {
        let m = DetectorSettings().methodology(chain: DetectorChain(settings: DetectorSettings(), scorer: Behaviour.scorer))
        #expect(m.detectors.map(\.name) == DetectorSettings.detectorNames)
        #expect(m.detectors.allSatisfy { !$0.rule.isEmpty && !$0.settings.isEmpty && $0.enabled })
        let beacon = m.detectors.first { $0.name == "beacon" }!
        #expect(beacon.settings.contains { $0.key == "beacon.threshold" && $0.value == "0.8" })
        #expect(m.resolvedThresholds.contains { $0.key == "dga.threshold" })
    }
}
