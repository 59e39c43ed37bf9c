import DNSWire
import DNSightCore
import Testing
@testable import Detectors
import TestSupport

@Suite struct BeaconTests {
    static let settings = Behaviour.only("beacon")

    static func periodic(_ name: String, period: Double, jitter: Double, count: Int, seed: UInt64, client: String = "10.1.2.3",
                         type: RecordType = .a) -> [DNSEvent] {
        var rng = SeededRandom(seed: seed)
        var t = Behaviour.t0
        return (0..<count).map { _ in
            t += period * (1 + jitter * (2 * Behaviour.uniform(&rng) - 1))
            return Behaviour.event(name, at: t, client: client, type: type)
        }
    }

    @Test func firesOnAOneMinuteBeaconWithTwentyPercentJitter() throws {
        let (chain, verdicts) = Behaviour.run(Self.settings, Self.periodic("cdn-update.checkin-svc.com", period: 60, jitter: 0.2, count: 40, seed: 1))
        let (index, v) = try #require(verdicts.first)
        #expect(v.matched == BeaconDetector.name && v.category == .commandAndControl && v.subject == .behaviour && v.tier == .suspected)
        #expect(v.score! >= v.threshold!)
        let median = try #require(v.evidence?.measure("median_interval_s"))
        #expect(abs(median - 60) < 8)
        #expect(index >= 12 && index <= 24, "fired at query \(index + 1)")
        #expect(v.evidence!.names.first?.name == "cdn-update.checkin-svc.com")
        #expect(Behaviour.counters(chain, "beacon").alerts == 1)
    }

    @Test func firesOnAFiveMinuteBeaconWithAAndAAAA() throws {
        var events = Self.periodic("api.telemetry-sync.net", period: 300, jitter: 0.1, count: 30, seed: 2)
        events += events.map { e in
            var x = e
            x.queryType = .aaaa
            x.timeNanos += 200_000_000
            return x
        }
        events.sort { $0.timeNanos < $1.timeNanos }
        let (_, verdicts) = Behaviour.run(Self.settings, events)
        let v = try #require(verdicts.first?.1)
        #expect(abs(v.evidence!.measure("median_interval_s")! - 300) < 30)
    }

    @Test func scoresLikeRITA() {
        var perfect = [Double](repeating: 60, count: 30)
        let p = perfect.withUnsafeMutableBufferPointer { BeaconDetector.score(intervals: $0, targetIntervals: 24) }
        #expect(p.total == 1 && p.skew == 0 && p.mad == 0)
        var skewed: [Double] = [10, 10, 10, 10, 11, 12, 50, 90, 300, 600, 900, 1200]
        let s = skewed.withUnsafeMutableBufferPointer { BeaconDetector.score(intervals: $0, targetIntervals: 24) }
        #expect(s.skewScore < 0.5 && s.madScore < 0.5 && s.countScore == 0.5)
        #expect(s.total < 0.5)
    }

    // MARK: must not fire

    @Test func humanBrowsingDoesNotFire() {
        var rng = SeededRandom(seed: 5)
        var t = Behaviour.t0
        var events: [DNSEvent] = []
        for _ in 0..<200 {
            t += Behaviour.exponential(mean: 240, &rng)
            events.append(Behaviour.event("www.news-portal.com", at: t))
        }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    @Test func telemetryTimeAndUpdatePollsDoNotFire() {
        var events = Self.periodic("v10.events.data.microsoft.com", period: 900, jitter: 0.05, count: 40, seed: 6)
        events += Self.periodic("firebaseinstallations.googleapis.com", period: 300, jitter: 0.02, count: 60, seed: 7)
        events += Self.periodic("pool.ntp.org", period: 1024, jitter: 0, count: 40, seed: 8)
        events += Self.periodic("time.windows.com", period: 3600, jitter: 0.01, count: 20, seed: 9)
        events += Self.periodic("connectivity-check.ubuntu.com", period: 600, jitter: 0.1, count: 50, seed: 10)
        events += Self.periodic("clients2.google.com", period: 18_000, jitter: 0.1, count: 20, seed: 11)
        events += Self.periodic("1.0.168.192.in-addr.arpa", period: 120, jitter: 0.05, count: 50, seed: 12, type: .ptr)
        events += Self.periodic("kube-dns.kube-system.svc.cluster.local", period: 30, jitter: 0.05, count: 60, seed: 13)
        events.sort { $0.timeNanos < $1.timeNanos }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    @Test func aPeriodicServiceManyDevicesUseDoesNotFire() {
        var events: [DNSEvent] = []
        for d in 0..<30 {
            events += Self.periodic("push.chat-app-example.com", period: 120, jitter: 0.1, count: 30, seed: UInt64(100 + d), client: "10.5.0.\(d)")
        }
        events.sort { $0.timeNanos < $1.timeNanos }
        let (chain, verdicts) = Behaviour.run(Self.settings, events)
        // the first devices may be flagged before the service is seen to be popular; none after
        let flaggedDevices = Behaviour.counters(chain, "beacon").devices.count
        #expect(flaggedDevices < 20, "\(flaggedDevices) devices flagged")
        #expect(verdicts.allSatisfy { $0.0 < events.count / 2 })
    }

    @Test func tooFastAndTooFewDoNotFire() {
        var events = Self.periodic("retry.loop-example.com", period: 3, jitter: 0, count: 100, seed: 14)
        events += Self.periodic("rare.poll-example.com", period: 600, jitter: 0, count: 8, seed: 15)
        events.sort { $0.timeNanos < $1.timeNanos }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    @Test func idlePairsExpireAndStateIsCapped() {
        let s = Behaviour.only("beacon") {
            $0.beacon.maxPairs = 64
            $0.beacon.idleSeconds = 600
        }
        let events = (0..<2000).map { i in Behaviour.event("host\(i % 500).example-\(i % 3).org", at: Behaviour.t0 + Double(i) * 2) }
        let (chain, _) = Behaviour.run(s, events)
        let c = Behaviour.counters(chain, "beacon")
        #expect(c.tracked <= 64 && c.evictions > 0)
        // (twice: a pair enters the tables on its second sighting)
        let later = [Behaviour.event("late.example.org", at: Behaviour.t0 + 100_000), Behaviour.event("late.example.org", at: Behaviour.t0 + 100_060)]
        let (after, _) = Behaviour.run(s, later, chain: chain)
        #expect(Behaviour.counters(after, "beacon").tracked == 1)
        #expect(Behaviour.counters(after, "beacon").expirations > 0)
    }
}
