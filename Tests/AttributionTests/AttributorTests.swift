import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import Attribution
import TestSupport

@Suite struct AttributorTests {
    static let inventoryCSV = """
        cidr,device_id,organisation,segment,region,country,industry,device_type,site
        10.0.0.0/8,,Acme Corp,enterprise,NA,,Manufacturing,,HQ
        10.9.0.0/16,,Acme Corp,enterprise,APAC,JP,Manufacturing,,Tokyo
        ,nas-01,Acme Corp,enterprise,APAC,JP,Manufacturing,NAS,Tokyo
        2001:db8:1::/48,,Example ISP,home,EMEA,DE,Telecommunications,,

        """

    func inventory() throws -> Inventory {
        var b = InventoryBuilder()
        try b.add(csv: Array(Self.inventoryCSV.utf8), file: "inv.csv")
        return b.build()
    }

    /// A GeoLite2-like database: 1.2.0.0/16 → JP + AS2497, 10.0.0.0/8 → US + AS64500, 2001:db8::/32 → DE + AS64496.
    func database(_ dir: URL) throws -> MMDBReader {
        let db = dir.appendingPathComponent("geo.mmdb").path
        _ = try Support.python("mmdb_tool.py", ["raw", db, "--record-size", "28", "--ip-version", "6", "--scenario", "alltypes"])
        return try MMDBReader(path: db)
    }

    func event(_ client: String?, device: String? = nil) -> DNSEvent {
        DNSEvent(timeNanos: 0, clientAddress: client.flatMap { IPAddress($0) }, queryName: try! DNSName(parsing: "example.com"),
                 queryType: .a, deviceID: device, position: SourcePosition(file: "t", byteOffset: 0))
    }

    @Test func sourcesInOrderDeviceCIDRMMDBUnknown() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var at = Attributor(AttributorConfiguration(inventory: try inventory(), databases: [try database(dir)]))

        var e = event("10.9.1.1", device: "nas-01")
        let byDevice = at.attribute(&e)
        #expect(byDevice.source == .device && byDevice.deviceType == "NAS" && byDevice.rule?.line == 4)
        #expect(e.clientAddress == IPAddress("10.9.1.1"))   // no anonymiser: the address is kept

        e = event("10.9.1.1")
        let byCIDR = at.attribute(&e)
        #expect(byCIDR.source == .cidr && byCIDR.site == "Tokyo" && byCIDR.country == "JP" && !byCIDR.countryFromMMDB)
        #expect(byCIDR.rule == InventoryRule(key: .cidr(IPNetwork(parsing: "10.9.0.0/16")!), file: "inv.csv", line: 3))

        // The inventory matched but has no country: the MMDB fills it (10.0.0.0/8 → US in the test database).
        e = event("10.1.1.1")
        let filled = at.attribute(&e)
        #expect(filled.source == .cidr && filled.organisation == "Acme Corp" && filled.country == "US" && filled.countryFromMMDB)

        // Only the MMDB knows 1.2.3.4 (JP, AS2497) — also when the client is written IPv4-mapped.
        for client in ["1.2.200.1", "::ffff:1.2.200.1"] {
            e = event(client)
            let geo = at.attribute(&e)
            #expect(geo.source == .mmdb && geo.country == "JP" && geo.asn == 2497 && geo.asOrganisation == "Internet Initiative Japan")
            #expect(geo.organisation == nil && geo.rule == nil)
        }

        e = event("2001:db8:1::99")
        #expect(at.attribute(&e).region == .emea)
        e = event("2001:db8:2::99")
        let v6 = at.attribute(&e)
        #expect(v6.source == .mmdb && v6.country == "DE" && v6.asn == 64496)

        e = event("8.8.8.8")
        #expect(at.attribute(&e) == .unknown)
        e = event(nil)
        #expect(at.attribute(&e).source == .unknown)

        let c = at.counters
        #expect(c.events == 9 && c.byDevice == 1 && c.byCIDR == 3 && c.byMMDB == 3 && c.unknown == 2)
        #expect(c.countryFilledFromMMDB == 1 && c.withASN == 3 && c.noClientAddress == 1 && c.anonymised == 0 && c.mmdbErrors == 0)
        #expect(c.bySource.map(\.1) == [1, 3, 3, 2])
    }

    @Test func anonymisationReplacesTheAddressAndRealInventoryStillMatches() throws {
        let cp = try CryptoPAn(key: Array(0..<32))
        var at = Attributor(AttributorConfiguration(inventory: try inventory(), inventoryAddressSpace: .real, anonymiser: cp))
        var e = event("10.9.1.1")
        let a = at.attribute(&e)
        #expect(a.site == "Tokyo")
        #expect(e.clientAddress == cp.anonymize(IPAddress("10.9.1.1")!) && e.clientAddress != IPAddress("10.9.1.1"))
        #expect(e.deviceKey == cp.anonymize(IPAddress("10.9.1.1")!).description)
        e = event("::ffff:192.0.2.1")
        _ = at.attribute(&e)
        #expect(e.clientAddress?.description == "2.90.93.17")
        #expect(at.counters.anonymised == 2)
    }

    @Test func anonymisedInventorySpaceGivesTheSameAnswers() throws {
        let cp = try CryptoPAn(key: Array(50..<82))
        let real = try inventory()
        var onReal = Attributor(AttributorConfiguration(inventory: real, inventoryAddressSpace: .real, anonymiser: cp))
        var onAnon = Attributor(AttributorConfiguration(inventory: real.anonymised(with: cp), inventoryAddressSpace: .anonymised, anonymiser: cp))
        var rng = SeededRandom(seed: 9)
        for i in 0..<2_000 {
            let client: String
            switch i % 4 {
            case 0: client = "10.9.\(Int.random(in: 0...255, using: &rng)).\(Int.random(in: 0...255, using: &rng))"
            case 1: client = "10.\(Int.random(in: 0...255, using: &rng)).1.1"
            case 2: client = "2001:db8:\(Int.random(in: 0...3, using: &rng))::\(Int.random(in: 1...999, using: &rng))"
            default: client = "\(IPv4Address(rawValue: UInt32.random(in: 0...UInt32.max, using: &rng)))"
            }
            var e1 = event(client, device: i % 10 == 0 ? "nas-01" : nil), e2 = e1
            let a1 = onReal.attribute(&e1), a2 = onAnon.attribute(&e2)
            #expect(e1.clientAddress == e2.clientAddress)
            #expect(a1.organisation == a2.organisation && a1.site == a2.site && a1.source == a2.source && a1.rule?.line == a2.rule?.line, "\(client)")
        }
        #expect(onReal.counters == onAnon.counters)
        let total = onReal.counters + onAnon.counters
        #expect(total.events == 4_000 && total.byDevice == 400)
    }

    @Test func corruptDatabaseIsCountedAndSkipped() throws {
        // A database whose only record is a pointer to a pointer: every lookup fails, attribution goes on.
        let bytes = MMDBTests.oneNodeToData([0x20, 0x02, 0x20, 0x00])
        let bad = try MMDBReader(bytes: bytes, name: "bad.mmdb")
        var at = Attributor(AttributorConfiguration(inventory: try inventory(), databases: [bad]))
        var e = event("192.0.2.1")
        #expect(at.attribute(&e).source == .unknown)
        e = event("10.9.0.1")
        #expect(at.attribute(&e).source == .cidr)
        // Both events asked the database (the second for its ASN, which the inventory lacks).
        #expect(at.counters.mmdbErrors == 2 && at.counters.unknown == 1)
    }
}
