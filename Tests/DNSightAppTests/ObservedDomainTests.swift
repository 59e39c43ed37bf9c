import DNSWire
import DNSightCore
import EventStore
import Testing
@testable import DNSightApp

/// The domain the store tracks for newly observed domains: the registrable domain (mission.md), lower-cased.
@Suite struct ObservedDomainTests {
    @Test(arguments: [
        ("www.example.com", "example.com"),
        ("a.b.c.Example.COM.", "example.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("example.com", "example.com"),
        ("x1.y2.s3.amazonaws.com", "y2.s3.amazonaws.com"),   // private-section rule
        ("co.uk", "co.uk"),                                   // a public suffix itself: the whole name
        ("LOCALHOST", "localhost"),
    ])
    func registrableDomain(query: String, expected: String) throws {
        #expect(AnalyzeWorker.observedDomain(try DNSName(parsing: query)) == expected)
    }
}

/// The worker's store-side caches: devices kept for the run (attributes built once, a slot per batch) and the
/// registrable domain of each query name (by fingerprint) with its slot in the open batch.
@Suite struct StoreCachesTests {
    func event(_ client: String, deviceID: String? = nil) -> DNSEvent {
        DNSEvent(timeNanos: 1_767_225_600_000_000_000, clientAddress: IPAddress(client), queryName: try! DNSName(parsing: "x.example"),
                 queryType: .a, rcode: .noError, deviceID: deviceID, position: SourcePosition(file: "t", line: 1, byteOffset: 0))
    }

    @Test func devicesAreBuiltOncePerRunAndRegisteredOncePerBatch() throws {
        var devices = AnalyzeWorker.StoreDevices()
        var built: [String] = []
        func slot(_ client: String, _ deviceID: String? = nil, in batch: inout IngestBatch) -> Int32 {
            let e = event(client, deviceID: deviceID)
            var v4: UInt32? = nil
            if deviceID == nil, case .v4(let a)? = e.clientAddress { v4 = a.rawValue }
            return devices.slot(v4: v4, key: DeviceKey(organisation: "acme", event: e), in: &batch) {
                built.append(deviceID ?? client)
                return DeviceInfo(event: e, organisation: "acme", segment: "home", region: "EMEA", country: "DE", industry: nil,
                                  deviceType: nil, site: nil)
            }.index
        }
        var first = IngestBatch()
        #expect([slot("10.0.0.1", in: &first), slot("10.0.0.2", in: &first), slot("10.0.0.1", in: &first),
                 slot("2001:db8::1", in: &first), slot("10.0.0.9", "laptop-7", in: &first), slot("2001:db8::1", in: &first)]
                == [0, 1, 0, 2, 3, 2])
        #expect(first.devices.map(\.deviceKey) == ["10.0.0.1", "10.0.0.2", "2001:db8::1", "laptop-7"])
        devices.forgetBatch()
        var second = IngestBatch()
        #expect([slot("10.0.0.2", in: &second), slot("10.0.0.9", "laptop-7", in: &second),
                 slot("10.0.0.3", in: &second), slot("10.0.0.2", in: &second)] == [0, 1, 2, 0])
        #expect(second.devices.map(\.deviceKey) == ["10.0.0.2", "laptop-7", "10.0.0.3"])
        // Each device's attributes were built on its first query of the run only.
        #expect(built == ["10.0.0.1", "10.0.0.2", "2001:db8::1", "laptop-7", "10.0.0.3"])
    }

    @Test func domainCacheMatchesTheDirectComputation() throws {
        var cache = AnalyzeWorker.ObservedDomainCache()
        var batch = IngestBatch()
        // Enough names for the table to grow several times; letter case makes another entry with the same domain.
        let names = (0..<5000).map { i in i % 7 == 0 ? "WWW.Site\(i % 900).COM" : "h\(i % 1500).site\(i % 900).com" }
        var slotOfDomain: [String: Int32] = [:]
        for round in 0..<2 {
            for n in names {
                let name = try DNSName(parsing: n)
                let expected = AnalyzeWorker.observedDomain(name)
                #expect(cache.domain(of: name).name == expected)
                // The worker's path: fingerprint computed (and the slot prefetched) when the event starts.
                let f = cache.prefetch(name)
                #expect(cache.domain(of: name, f).name == expected)
                let s = (round == 0 ? cache.slot(of: name, f, in: &batch) : cache.slot(of: name, in: &batch)).index
                #expect(slotOfDomain[expected, default: s] == s)
                slotOfDomain[expected] = s
            }
            #expect(slotOfDomain.count == 900)
            cache.forgetBatch()
            batch = IngestBatch()
            slotOfDomain = [:]
            #expect(round < 2)
        }
    }
}
