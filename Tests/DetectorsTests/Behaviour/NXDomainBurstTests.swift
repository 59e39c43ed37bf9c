import DNSWire
import DNSightCore
import Testing
@testable import Detectors
import TestSupport

@Suite struct NXDomainBurstTests {
    static let settings = Behaviour.only("nxdomain")

    /// `count` NXDOMAIN queries for random 14-character .com names, 20 s apart.
    static func dgaBurst(count: Int, seed: UInt64, client: String = "10.1.2.3", start: Double = Behaviour.t0) -> [DNSEvent] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { i in
            Behaviour.event(Behaviour.random(14, "abcdefghijklmnopqrstuvwxyz", &rng) + ".com", at: start + Double(i) * 20, client: client,
                            rcode: .nxDomain)
        }
    }

    @Test func firesOnARandomLookingBurst() throws {
        let (chain, verdicts) = Behaviour.run(Self.settings, Self.dgaBurst(count: 20, seed: 1))
        let first = try #require(verdicts.first)
        #expect(first.1.matched == NXDomainBurstDetector.name)
        #expect(first.1.tier == .suspected && first.1.subject == .behaviour && first.1.category == .malware)
        #expect(first.1.evidence!.rule.hasPrefix("dga branch"))
        #expect(first.1.evidence!.names.count >= 6)
        #expect(first.1.score! >= first.1.threshold!)
        #expect(first.0 <= 9, "fired after \(first.0 + 1) names")
        let c = Behaviour.counters(chain, "nxdomain")
        #expect(c.alerts == 1 && c.devices == ["org|10.1.2.3"])
        #expect(c.flaggedQueries >= 10)
    }

    @Test func attributesKnownQSnatchNamesWithCategoryC2() throws {
        let day = UTCDay("2024-03-01")!
        let names = KnownDGAIndex.generate(.qsnatchB, days: day...day).prefix(5).map(\.name)
        let events = names.enumerated().map { Behaviour.event($0.element, at: Behaviour.t0 + 3600 + Double($0.offset) * 30, rcode: .nxDomain) }
        let (_, verdicts) = Behaviour.run(Self.settings, events)
        let v = try #require(verdicts.first?.1)
        #expect(v.family == "QSnatch")
        #expect(v.category == .commandAndControl)
        #expect(v.evidence!.rule.hasPrefix("known branch"))
    }

    @Test func firesOnAWordListBurstByVolume() throws {
        let words = ["table", "river", "stone", "light", "grace", "money", "house", "music", "paper", "green", "night", "water", "plant"]
        var events: [DNSEvent] = []
        for i in 0..<40 {
            let a = i % words.count, b = (a + 1 + i / words.count) % words.count
            let name = words[a] + words[b] + ".net"
            events.append(Behaviour.event(name, at: Behaviour.t0 + Double(i) * 10, rcode: .nxDomain))
        }
        let (_, verdicts) = Behaviour.run(Self.settings, events)
        let v = try #require(verdicts.first?.1)
        #expect(v.evidence!.rule.hasPrefix("volume branch") || v.evidence!.rule.hasPrefix("dga branch"))
    }

    @Test func firesOnARandomSubdomainFlood() throws {
        var rng = SeededRandom(seed: 3)
        let events = (0..<80).map { i in
            Behaviour.event(Behaviour.random(12, "abcdefghijklmnopqrstuvwxyz0123456789", &rng) + ".victim-shop.com", at: Behaviour.t0 + Double(i),
                            rcode: .nxDomain)
        }
        let (_, verdicts) = Behaviour.run(Self.settings, events)
        let v = try #require(verdicts.first?.1)
        #expect(v.evidence!.rule.hasPrefix("random-subdomain branch"))
    }

    @Test func flagsTheDGANameThatResolvesDuringTheBurst() throws {
        var events = Self.dgaBurst(count: 15, seed: 9)
        events.append(Behaviour.event("qkxzvbnwtrplmq.com", at: Behaviour.t0 + 400, rcode: .noError))
        events.append(Behaviour.event("wikipedia.org", at: Behaviour.t0 + 401, rcode: .noError))
        let (_, verdicts) = Behaviour.run(Self.settings, events)
        let resolved = verdicts.filter { $0.0 >= 15 }
        #expect(resolved.count == 1 && resolved[0].0 == 15)
        #expect(resolved[0].1.evidence!.rule.contains("resolved during the burst"))
    }

    @Test func quietAfterTheWindowThenANewAlert() {
        var events = Self.dgaBurst(count: 12, seed: 4)
        events += Self.dgaBurst(count: 12, seed: 5, start: Behaviour.t0 + 7200)
        let (chain, _) = Behaviour.run(Self.settings, events)
        #expect(Behaviour.counters(chain, "nxdomain").alerts == 2)
    }

    // MARK: must not fire

    @Test func kubernetesSearchPathExpansionsDoNotFire() {
        var events: [DNSEvent] = []
        let hosts = ["api.github.com", "registry-1.docker.io", "s3.amazonaws.com", "pypi.org", "sts.amazonaws.com", "api.stripe.com"]
        for i in 0..<300 {
            let host = hosts[i % hosts.count]
            for suffix in ["payments.svc.cluster.local", "svc.cluster.local", "cluster.local", "ec2.internal"] {
                events.append(Behaviour.event("\(host).\(suffix)", at: Behaviour.t0 + Double(i) * 2, client: "10.244.1.17", rcode: .nxDomain))
            }
            events.append(Behaviour.event("redis-\(i % 9).cache.payments.svc.cluster.local", at: Behaviour.t0 + Double(i) * 2 + 1,
                                          client: "10.244.1.17", rcode: .nxDomain))
        }
        let (chain, verdicts) = Behaviour.run(Self.settings, events)
        #expect(verdicts.isEmpty)
        #expect(Behaviour.counters(chain, "nxdomain").tracked == 0)
    }

    @Test func reverseLookupsAndBrowserProbesDoNotFire() {
        var rng = SeededRandom(seed: 11)
        var events: [DNSEvent] = []
        for i in 0..<200 {
            let ptr = "\(i % 250).\(i / 250 + 7).168.192.in-addr.arpa"
            events.append(Behaviour.event(ptr, at: Behaviour.t0 + Double(i), type: .ptr, rcode: .nxDomain))
            // Chrome's intranet-redirect probes: random single labels
            events.append(Behaviour.event(Behaviour.random(10, "abcdefghijklmnopqrstuvwxyz", &rng), at: Behaviour.t0 + Double(i) + 0.5, rcode: .nxDomain))
        }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    @Test func typosAndDeadLinksDoNotFire() {
        let typos = ["gooogle.com", "facebok.com", "amazom.com", "wikipedai.org", "yotube.com", "linkedn.com", "old-blog-host.net",
                     "deadcampaign2019.com", "twiter.com", "netflx.com"]
        var events: [DNSEvent] = []
        for (i, t) in typos.enumerated() { events.append(Behaviour.event(t, at: Behaviour.t0 + Double(i) * 45, rcode: .nxDomain)) }
        // the same device's normal traffic around them
        for i in 0..<200 { events.append(Behaviour.event("www.example\(i % 20).com", at: Behaviour.t0 + Double(i) * 3)) }
        events.sort { $0.timeNanos < $1.timeNanos }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    @Test func cdnHashNamesThatDoNotExistDoNotFire() {
        var rng = SeededRandom(seed: 12)
        let events = (0..<40).map { i in
            Behaviour.event("d" + Behaviour.random(13, "0123456789abcdefghijklmnopqrstuvwxyz", &rng) + ".cloudfront.net", at: Behaviour.t0 + Double(i) * 12,
                            rcode: .nxDomain)
        }
        #expect(Behaviour.run(Self.settings, events).verdicts.isEmpty)
    }

    @Test func stateIsCappedAndEvictionsCounted() {
        let s = Behaviour.only("nxdomain") { $0.nxdomain.maxDevices = 50 }
        let events = (0..<400).map { i in
            Behaviour.event("gone\(i).example-shop.com", at: Behaviour.t0 + Double(i), client: "10.9.\(i / 200).\(i % 200)", rcode: .nxDomain)
        }
        let (chain, _) = Behaviour.run(s, events)
        let c = Behaviour.counters(chain, "nxdomain")
        #expect(c.tracked <= 50)
        #expect(c.evictions >= 300)
    }
}
