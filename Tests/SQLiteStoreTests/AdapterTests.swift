import Analytics
import DNSWire
import DNSightCore
import EventStore
import Foundation
import SQLiteStore
import Testing
import TestSupport

/// The taxonomy adapter: a classified DNSEvent becomes a stored detection and observation with the store's codes.
@Suite struct AdapterTests {
    func event(_ name: String, rcode: ResponseCode?, answers: Int) throws -> DNSEvent {
        let n = try DNSName(labels: name.split(separator: ".").map { Array($0.utf8) })
        return DNSEvent(timeNanos: 1_767_225_600_000_000_000, clientAddress: IPAddress("192.0.2.7"), queryName: n, queryType: .a, rcode: rcode,
                        answers: (0..<answers).map { _ in DNSAnswer(name: n, type: .a, address: IPAddress("198.51.100.1")) },
                        position: SourcePosition(file: "dns.log", line: 42, byteOffset: 4096))
    }

    @Test func verdictBecomesADetectionWithStoreCodes() throws {
        let e = try event("login.PayPal-secure.example", rcode: .noError, answers: 1)
        let dev = DeviceInfo(event: e, organisation: "acme", segment: "enterprise", region: "EMEA", country: "DE", industry: "commerce",
                             deviceType: "pc", site: nil)
        #expect(dev.deviceKey == "192.0.2.7" && dev.site == "")
        let v = Verdict(category: .phishing, tier: .known, family: "16shop", traits: [.phishingKit],
                        tags: ThreatTags(parsing: ["brand:PayPal", "campaign:spring-24"]), subject: .queryName,
                        matched: "paypal-secure.example", source: "openphish", reference: "https://example.org/ioc/1")
        let obs = TrafficObservation(event: e, device: dev, verdicts: [v])
        #expect(obs.resolved && obs.domain == "login.paypal-secure.example" && obs.timeNanos == e.timeNanos)
        let d = try #require(obs.detections.first)
        #expect(d.category == "phishing" && d.tier == "known" && d.family == "16shop")
        #expect(d.tags == ["phishing-kit", "targeted-industry:financial-services", "targeted-brand:PayPal", "campaign:spring-24"])
        #expect(d.indicator == "paypal-secure.example" && d.detector == "" && d.sourceFeed == "openphish")
        #expect(d.sourceFile == "dns.log" && d.sourceLine == 42 && d.sourceOffset == 4096 && d.queryType == "A" && d.rcode == "NOERROR")

        let c2 = Verdict(category: .commandAndControl, tier: .suspected, family: nil, traits: [.initialAccessBroker], tags: .none,
                         subject: .behaviour, matched: "beacon", source: "beacon", score: 0.93, threshold: 0.9)
        let nx = try event("x1.example", rcode: .nxDomain, answers: 0)
        let o2 = TrafficObservation(event: nx, device: dev, verdicts: [c2])
        #expect(!o2.resolved)
        #expect(o2.detections[0].category == "c2" && o2.detections[0].tags == ["iab"] && o2.detections[0].detector == "beacon")
        #expect(StoreVocabulary.category(nil) == "unspecified")

        // Stored and counted: the campaign key comes from the label, the industry from the brand catalogue.
        let dir = TestScratch.path("adapter")
        let store = try SQLiteStore.open(path: dir + "/a.sqlite")
        var b = IngestBatch()
        b.add(obs)
        b.add(o2)
        try store.write(b)
        let day = Day(timeNanos: e.timeNanos)
        let a = try Analytics.load(from: store, range: DayRange(day, day))
        #expect(try a.phishingCampaignList(in: .day(day)).map(\.key) == ["campaign:spring-24"])
        #expect(try a.phishingVictims(in: .day(day))["financial-services"]?.numerator == 1)
        #expect(try a.iabReach(in: .day(day))["all"] == Measure(numerator: 1, denominator: 1, basis: 1))
        #expect(try store.detections(in: DayRange(day, day), deviceID: nil, limit: 10).map(\.queryName) == ["login.paypal-secure.example", "x1.example"])
    }
}
