import DNSWire
import DNSightCore
import Testing
@testable import Detectors
import TestSupport

@Suite struct TunnelTests {
    static let settings = Behaviour.only("tunnel")
    static let base32 = "abcdefghijklmnopqrstuvwxyz234567"

    @Test func firesOnIodineLikeNullQueries() throws {
        var rng = SeededRandom(seed: 21)
        let events = (0..<120).map { i in
            let labels = [Behaviour.random(57, Self.base32, &rng), Behaviour.random(57, Self.base32, &rng), Behaviour.random(30, Self.base32, &rng)]
            return Behaviour.event(labels.joined(separator: ".") + ".t.exfil-lab.net", at: Behaviour.t0 + Double(i) * 0.5, type: .null)
        }
        let (chain, verdicts) = Behaviour.run(Self.settings, events)
        let (index, v) = try #require(verdicts.first)
        #expect(index == 19, "scored from min_queries on")
        #expect(v.matched == TunnelDetector.name && v.category == .exfiltration && v.tier == .suspected && v.subject == .behaviour)
        #expect(v.evidence!.key == "exfil-lab.net")
        #expect(v.evidence!.measure("rare_type_share") == 1)
        #expect(v.score! >= v.threshold!)
        #expect(verdicts.last!.1.score! >= 0.95)
        #expect(verdicts.count == 101)
        let c = Behaviour.counters(chain, "tunnel")
        #expect(c.alerts == 1 && c.flaggedQueries == 101)
    }

    @Test func firesOnDnscatLikeHexTXT() throws {
        var rng = SeededRandom(seed: 22)
        let events = (0..<60).map { i in
            Behaviour.event(Behaviour.random(62, "0123456789abcdef", &rng) + "." + Behaviour.random(40, "0123456789abcdef", &rng) + ".cmd.updates-cdn.org",
                            at: Behaviour.t0 + Double(i) * 5, type: .txt)
        }
        let (_, verdicts) = Behaviour.run(Self.settings, events)
        #expect(verdicts.first?.1.category == .exfiltration)
    }

    @Test func firesOnSlowExfiltrationOverAQueries() throws {
        var rng = SeededRandom(seed: 23)
        // 150 A queries with one 52-character base32 label each, over 50 minutes
        let events = (0..<150).map { i in
            Behaviour.event(Behaviour.random(52, Self.base32, &rng) + ".c.pastebin-mirror.info", at: Behaviour.t0 + Double(i) * 20)
        }
        #expect(!Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    // MARK: must not fire

    @Test func cdnHashesDoNotFire() {
        var rng = SeededRandom(seed: 24)
        var events: [DNSEvent] = []
        for i in 0..<300 {
            events.append(Behaviour.event("d" + Behaviour.random(13, "0123456789abcdefghijklmnopqrstuvwxyz", &rng) + ".cloudfront.net", at: Behaviour.t0 + Double(i) * 6))
            events.append(Behaviour.event("e\(Behaviour.random(5, "0123456789", &rng)).a.akamaiedge.net", at: Behaviour.t0 + Double(i) * 6 + 1))
            events.append(Behaviour.event("rr\(i % 5)---sn-\(Behaviour.random(8, "abcdefghijklmnopqrstuvwxyz0123456789", &rng)).googlevideo.com",
                                          at: Behaviour.t0 + Double(i) * 6 + 2))
        }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    @Test func adTechCookieSyncDoesNotFire() {
        var rng = SeededRandom(seed: 25)
        var events: [DNSEvent] = []
        for i in 0..<200 {
            // per-impression tracking hosts: uuid-like, A/AAAA only
            let uuid = [8, 4, 4, 4, 12].map { Behaviour.random($0, "0123456789abcdef", &rng) }.joined(separator: "-")
            events.append(Behaviour.event("\(uuid).trk.adexchange-metrics.com", at: Behaviour.t0 + Double(i) * 9))
            events.append(Behaviour.event("cs\(i % 40).sync.adsrvr-example.net", at: Behaviour.t0 + Double(i) * 9 + 3, type: .aaaa))
            events.append(Behaviour.event("securepubads.g.doubleclick.net", at: Behaviour.t0 + Double(i) * 9 + 4))
        }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    @Test func kubernetesReverseAndBlocklistLookupsDoNotFire() {
        var rng = SeededRandom(seed: 26)
        var events: [DNSEvent] = []
        for i in 0..<300 {
            let pod = "\(Behaviour.random(10, "abcdef0123456789", &rng))-\(Behaviour.random(5, "abcdefghijklmnopqrstuvwxyz0123456789", &rng))"
            events.append(Behaviour.event("\(pod).web.prod.svc.cluster.local", at: Behaviour.t0 + Double(i), type: .srv))
            events.append(Behaviour.event("\(i % 256).\(i / 256).10.10.in-addr.arpa", at: Behaviour.t0 + Double(i), type: .ptr))
            events.append(Behaviour.event("\(i % 256).\((i * 7) % 256).113.203.zen.spamhaus.org", at: Behaviour.t0 + Double(i), type: .txt))
            events.append(Behaviour.event(Behaviour.random(40, "0123456789abcdef", &rng) + ".3.0.1.0.0.4.0.sfi.sophosxl.net", at: Behaviour.t0 + Double(i), type: .txt))
        }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    @Test func telemetryHostsDoNotFire() {
        var events: [DNSEvent] = []
        let hosts = ["v10.events.data.microsoft.com", "eu-v20.events.data.microsoft.com", "self.events.data.microsoft.com",
                     "settings-win.data.microsoft.com", "oauth2.googleapis.com", "firebaseinstallations.googleapis.com",
                     "play.googleapis.com", "update.googleapis.com"]
        for i in 0..<400 { events.append(Behaviour.event(hosts[i % hosts.count], at: Behaviour.t0 + Double(i) * 30, type: i % 5 == 0 ? .txt : .a)) }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    @Test func aPopularParentDoesNotFire() {
        var rng = SeededRandom(seed: 27)
        var events: [DNSEvent] = []
        // 30 devices each resolving long random names under one service: a shared, benign design (not on the list)
        for i in 0..<900 {
            events.append(Behaviour.event(Behaviour.random(48, Self.base32, &rng) + ".lookup.reputation-service.com", at: Behaviour.t0 + Double(i),
                                          client: "10.2.0.\(i % 30)", type: .txt))
        }
        let s = Behaviour.only("tunnel") { $0.tunnel.minQueries = 25 }
        #expect(Behaviour.run(s, events).verdicts.isEmpty)
    }

    @Test func windowsRestartAndStateIsCapped() {
        var rng = SeededRandom(seed: 28)
        let s = Behaviour.only("tunnel") {
            $0.tunnel.maxPairs = 100
            $0.common.popularDevices = 0
        }
        let events = (0..<1000).map { i in
            Behaviour.event("static-assets-cdn-\(i).example-\(i % 7).com", at: Behaviour.t0 + Double(i), client: "10.3.\(i % 4).\(Behaviour.random(1, "123456789", &rng))")
        }
        let (chain, _) = Behaviour.run(s, events)
        let c = Behaviour.counters(chain, "tunnel")
        #expect(c.tracked <= 100 && c.evictions > 0)
        // short sub-domains of common types open no pair
        let short = (0..<200).map { i in Behaviour.event("www.site\(i).example.com", at: Behaviour.t0 + Double(i)) }
        #expect(Behaviour.counters(Behaviour.run(s, short).chain, "tunnel").tracked == 0)
    }
}
