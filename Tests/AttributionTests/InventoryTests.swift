import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import Attribution
import TestSupport

@Suite struct CSVReaderTests {
    func records(_ text: String) -> [Result<InventoryCSVReader.Record, InventoryCSVReader.SyntaxError>] {
        var r = InventoryCSVReader(bytes: Array(text.utf8))
        var out = [Result<InventoryCSVReader.Record, InventoryCSVReader.SyntaxError>]()
        while let x = r.next() { out.append(x) }
        return out
    }

    func ok(_ text: String) -> [([String], Int)] {
        records(text).compactMap { if case .success(let r) = $0 { return (r.fields, r.line) } else { return nil } }
    }

    @Test func rfc4180QuotingCommasDoubledQuotesAndLineBreaks() {
        let got = ok("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n")
        #expect(got.map(\.0) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["last", "", ""]])
        // The record after a quoted line break starts on line 4.
        #expect(got.map(\.1) == [1, 2, 4])
    }

    @Test func bomBlankLinesCommentsAndTrimming() {
        let got = ok("\u{FEFF}h1 , h2\n\n   \n# a comment, with a comma\n  v1 ,\" v2 \"\n")
        #expect(got.map(\.0) == [["h1", "h2"], ["v1", " v2 "]])
        #expect(got.map(\.1) == [1, 5])
    }

    @Test func unterminatedQuoteCostsOneLineOnly() {
        let got = records("h\n\"open,x\nnext\nafter\n")
        #expect(got.count == 4)
        guard case .failure(let e) = got[1] else { Issue.record("expected an error"); return }
        #expect(e.line == 2 && e.column == 1)
        let fine = got.compactMap { if case .success(let r) = $0 { return r.fields } else { return nil } }
        #expect(fine == [["h"], ["next"], ["after"]])
    }

    @Test func textAfterAClosingQuoteIsAnError() {
        let got = records("\"a\"b,c\nd\n")
        guard case .failure(let e) = got[0] else { Issue.record("expected an error"); return }
        #expect(e.line == 1 && e.column == 4)
        guard case .success(let r) = got[1] else { Issue.record("expected a record"); return }
        #expect(r.fields == ["d"] && r.line == 2)
    }
}

@Suite struct InventoryTests {
    static let sampleCSV = """
        site,organisation,cidr,segment,region,country,industry,device_type,owner_email,device_id
        HQ,Acme Corp,10.0.0.0/8,enterprise,NA,us,Manufacturing,PC,a@acme.example,
        Tokyo,Acme Corp,10.20.0.0/16,enterprise,APAC,JP,Manufacturing,,a@acme.example,
        ,"Example ISP, Inc.",203.0.113.0/24,home,apj,AU,Telecommunications,,,
        ,Example ISP,2001:db8::/32,home,EMEA,DE,Telecommunications,,,
        ,Example ISP,2001:db8:ab::/48,home,EMEA,FR,,,,
        NAS room,Acme Corp,10.20.30.40,enterprise,APAC,JP,Manufacturing,NAS,,nas-01
        ,Lonely Device Inc,,enterprise,LATAM,BR,Retail,mobile,,phone-7

        """

    func build(csv: String, file: String = "inv.csv") throws(AttributionError) -> Inventory {
        var b = InventoryBuilder()
        try b.add(csv: Array(csv.utf8), file: file)
        return b.build()
    }

    @Test func readsColumnsInAnyOrderAndIgnoresUnknownOnes() throws {
        let inv = try build(csv: Self.sampleCSV)
        let r = inv.report
        #expect(r.rowsRead == 7 && r.rowsKept == 7 && r.rowsSkipped == 0)
        #expect(r.ipv4Prefixes == 4 && r.ipv6Prefixes == 2 && r.devices == 2)
        #expect(r.ignoredColumns == ["owner_email"])
        #expect(r.warnings.map(\.kind) == [.unknownColumn])

        let a = try #require(inv.lookup(address: IPAddress("10.20.1.2")!))
        #expect(a.organisation == "Acme Corp" && a.site == "Tokyo" && a.segment == .enterprise && a.region == .apac)
        #expect(a.country == "JP" && a.industry == "Manufacturing" && a.deviceType == nil && a.source == .cidr)
        #expect(a.rule == InventoryRule(key: .cidr(IPNetwork(parsing: "10.20.0.0/16")!), file: "inv.csv", line: 3))

        let isp = try #require(inv.lookup(address: IPAddress("203.0.113.77")!))
        #expect(isp.organisation == "Example ISP, Inc." && isp.region == .apac && isp.segment == .home)
        #expect(inv.lookup(address: IPAddress("10.1.1.1")!)?.country == "US")
        #expect(inv.lookup(address: IPAddress("2001:db8:ab:1::5")!)?.country == "FR")
        #expect(inv.lookup(address: IPAddress("2001:db8:ac::5")!)?.country == "DE")
        #expect(inv.lookup(address: IPAddress("2001:db9::1")!) == nil)
        #expect(inv.lookup(address: IPAddress("11.0.0.1")!) == nil)
        // A bare address is a host route, and IPv4-mapped IPv6 is looked up as IPv4.
        #expect(inv.lookup(address: IPAddress("10.20.30.40")!)?.deviceType == "NAS")
        #expect(inv.lookup(address: IPAddress("::ffff:10.20.30.40")!)?.deviceType == "NAS")
        #expect(inv.lookup(address: IPAddress("10.20.30.41")!)?.deviceType == nil)
    }

    @Test func deviceIDComesFirst() throws {
        let inv = try build(csv: Self.sampleCSV)
        let d = try #require(inv.lookup(deviceID: "phone-7", address: IPAddress("10.20.1.2")))
        #expect(d.organisation == "Lonely Device Inc" && d.source == .device && d.region == .latam)
        #expect(d.rule == InventoryRule(key: .deviceID("phone-7"), file: "inv.csv", line: 8))
        // An unknown device id falls back to the address.
        #expect(inv.lookup(deviceID: "nobody", address: IPAddress("10.20.1.2"))?.site == "Tokyo")
        // A row with both keys matches either way.
        #expect(inv.lookup(deviceID: "nas-01")?.deviceType == "NAS")
        #expect(inv.lookup(deviceID: nil, address: nil) == nil)
    }

    @Test func validationErrorsAreLineNumberedAndRowsSkipped() throws {
        let csv = """
            cidr,device_id,segment,region,country,organisation
            10.0.0.0/33,,enterprise,NA,US,Bad Length
            10.1.0.0/16,,corporate,NA,US,Bad Segment
            10.2.0.0/16,,home,Antarctica,US,Bad Region
            10.3.0.0/16,,home,NA,USA,Bad Country
            ,,home,NA,US,No Key
            not-an-ip,,home,NA,US,Not An IP
            10.4.0.0/16,,home,NA,US,Too,Many,Fields
            "10.5.0.0/16,,home,NA,US,Unterminated
            10.6.0.1/16,,Home,latam,br,Host Bits
            10.7.0.0/16,,,,,Fine

            """
        let inv = try build(csv: csv)
        let r = inv.report
        #expect(r.rowsRead == 10)
        #expect(r.rowsKept == 2 && r.rowsSkipped == 8)
        let errs = r.errors.map { ($0.kind, $0.line) }
        #expect(errs.map(\.0) == [.badCIDR, .unknownSegment, .unknownRegion, .badCountry, .missingKey, .badCIDR, .extraFields, .syntax])
        #expect(errs.map(\.1) == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect(r.skippedByKind[.badCIDR] == 2 && r.skippedByKind[.syntax] == 1)
        #expect(r.errors[1].description == "inv.csv:3: error: segment 'corporate' is not enterprise or home")
        #expect(r.warnings.map(\.kind) == [.hostBitsSet] && r.warnings[0].line == 10)
        let hb = try #require(inv.lookup(address: IPAddress("10.6.200.1")!))
        #expect(hb.region == .latam && hb.segment == .home && hb.country == "BR")
        #expect(hb.rule?.key == .cidr(IPNetwork(parsing: "10.6.0.0/16")!))
        #expect(inv.lookup(address: IPAddress("10.7.0.1")!)?.organisation == "Fine")
        #expect(inv.lookup(address: IPAddress("10.1.0.1")!) == nil)
        #expect(r.summary().contains("10 rows read, 2 kept, 8 skipped"))
    }

    @Test func duplicatesLaterLineWinsAndSaysSo() throws {
        let csv = """
            cidr,device_id,organisation
            10.0.0.0/8,,First
            10.0.0.0/8,,Second
            10.0.0.1/8,,"Third (host bits, same prefix)"
            ,dev-1,Dev First
            ,dev-1,Dev Second

            """
        let inv = try build(csv: csv)
        let r = inv.report
        #expect(r.duplicatesReplaced == 3 && r.rowsKept == 5 && r.ipv4Prefixes == 1 && r.devices == 1)
        let dups = r.warnings.filter { $0.kind == .duplicate }
        #expect(dups.map(\.line) == [3, 4, 6])
        #expect(dups[0].message == "cidr 10.0.0.0/8 repeats inv.csv:2; this line (3) wins")
        #expect(dups[2].message == "device_id 'dev-1' repeats inv.csv:5; this line (6) wins")
        #expect(inv.lookup(address: IPAddress("10.9.9.9")!)?.organisation == "Third (host bits, same prefix)")
        #expect(inv.lookup(deviceID: "dev-1")?.organisation == "Dev Second")
    }

    @Test func headerProblemsRejectTheFile() {
        #expect(throws: AttributionError.self) { try build(csv: "organisation,segment\nAcme,home\n") }
        #expect(throws: AttributionError.self) { try build(csv: "cidr,CIDR\n10.0.0.0/8,10.0.0.0/8\n") }
        #expect(throws: AttributionError.self) { try build(csv: "\n# only a comment\n") }
        do {
            _ = try build(csv: "organisation\nAcme\n", file: "x.csv")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .format && error.file == "x.csv" && error.line == 1)
        }
    }

    @Test func headerSpellingsAreForgiving() throws {
        let inv = try build(csv: "CIDR,Organization,Device-Type,device id\n192.0.2.0/24,Org,IoT,cam-1\n")
        #expect(inv.lookup(address: IPAddress("192.0.2.9")!)?.organisation == "Org")
        #expect(inv.lookup(deviceID: "cam-1")?.deviceType == "IoT")
    }

    @Test func yamlInventoryWithLineNumbers() throws {
        let yaml = """
            # dnsight inventory
            - cidr: 10.0.0.0/8
              organisation: Acme Corp
              segment: enterprise
              region: NA
              country: us
              site: 12
            - device_id: nas-01
              organisation: Acme Corp
              device_type: NAS
              colour: blue
            - cidr: 10.1.0.0/16
              segment: office
            - cidr: 2001:db8::/32
              region: EMEA
              country: ~
            - just a string
            - cidr: 10.0.0.0/8
              organisation: Acme Again

            """
        var b = InventoryBuilder()
        try b.add(yaml: Array(yaml.utf8), file: "inv.yaml")
        let inv = b.build()
        let r = inv.report
        #expect(r.rowsRead == 6 && r.rowsKept == 4 && r.rowsSkipped == 2)
        #expect(r.errors.map(\.kind) == [.syntax, .unknownSegment])
        #expect(r.errors.map(\.line) == [17, 13])
        #expect(r.errors[1].column == 12)
        #expect(r.ignoredColumns == ["colour"])
        #expect(r.warnings.first { $0.kind == .unknownColumn }?.line == 11)
        let dup = try #require(r.warnings.first { $0.kind == .duplicate })
        #expect(dup.line == 18 && dup.message.contains("inv.yaml:2"))
        let a = try #require(inv.lookup(address: IPAddress("10.1.2.3")!))
        #expect(a.organisation == "Acme Again" && a.country == nil && a.rule?.line == 18)
        #expect(inv.lookup(deviceID: "nas-01")?.deviceType == "NAS")
        #expect(inv.lookup(address: IPAddress("2001:db8::1")!)?.country == nil)
        #expect(inv.lookup(address: IPAddress("2001:db8::1")!)?.region == .emea)
    }

    @Test func yamlEntriesMappingAndSyntaxErrors() throws {
        var b = InventoryBuilder()
        try b.add(yaml: Array("entries:\n  - cidr: 192.0.2.0/24\n    organisation: X\n".utf8), file: "e.yaml")
        #expect(b.build().lookup(address: IPAddress("192.0.2.1")!)?.organisation == "X")
        var c = InventoryBuilder()
        do {
            try c.add(yaml: Array("- cidr: [unclosed\n- x: y\n".utf8), file: "bad.yaml")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.kind == .syntax && error.file == "bad.yaml" && error.line != nil)
        }
        #expect(throws: AttributionError.self) { try c.add(yaml: Array("cidr: 10.0.0.0/8\n".utf8), file: "map.yaml") }
    }

    @Test func loadsFilesDetectingTheFormat() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("inventory.txt"), yaml = dir.appendingPathComponent("inventory.data")
        try Data("cidr,organisation\n192.0.2.0/24,CSV Org\n".utf8).write(to: csv)
        try Data("# yaml\n- cidr: 192.0.2.0/24\n  organisation: YAML Org\n".utf8).write(to: yaml)
        #expect(try Inventory.load(path: csv.path).lookup(address: IPAddress("192.0.2.1")!)?.organisation == "CSV Org")
        #expect(try Inventory.load(path: yaml.path).lookup(address: IPAddress("192.0.2.1")!)?.organisation == "YAML Org")
        #expect(throws: AttributionError.self) { try Inventory.load(path: dir.appendingPathComponent("missing.csv").path) }
        #expect(throws: AttributionError.self) { try Inventory.load(path: dir.path) }
        let bad = dir.appendingPathComponent("bad.csv")
        try Data("cidr,segment\n10.0.0.0/8,nope\n".utf8).write(to: bad)
        #expect(try Inventory.load(path: bad.path).report.rowsSkipped == 1)
        #expect(throws: AttributionError.self) { try Inventory.load(path: bad.path, strict: true) }
    }

    /// Brute force: the longest of the given prefixes that covers the address.
    static func bruteForce(_ prefixes: [(CIDRPrefix, Int32)], _ address: U128, v4: Bool) -> Int32 {
        var best: (Int, Int32) = (-1, -1)
        for (p, v) in prefixes {
            let covers: Bool
            if v4 {
                let r = p.v4Range
                covers = UInt32(truncatingIfNeeded: address.low) >= r.lo && UInt32(truncatingIfNeeded: address.low) <= r.hi
            } else {
                covers = (address & U128.mask(p.length)) == p.bits
            }
            if covers && p.length > best.0 { best = (p.length, v) }
        }
        return best.1
    }

    /// The per-event path's organisation table (rules valued by organisation, neighbours merged) gives the same
    /// organisation and source as looking the entry up, for nested rules of a few organisations, rules without
    /// one, device ids, IPv6 and IPv4-mapped addresses.
    @Test func organisationMatchAgreesWithTheEntryLookUp() {
        var rng = SeededRandom(seed: 41)
        var b = InventoryBuilder()
        let organisations: [String?] = ["Org A", "Org B", "Org C", nil]
        for k in 0..<1_500 {
            let base = (0x0A00_0000 | UInt32.random(in: 0...0x3_FFFF, using: &rng))
            let len = [26, 24, 28, 20, 32, 16][k % 6]
            let cidr = "\(IPv4Address(rawValue: base & (len == 0 ? 0 : ~UInt32(0) << UInt32(32 - len))))/\(len)"
            _ = b.add(cidr: cidr, organisation: organisations.randomElement(using: &rng)!)
        }
        _ = b.add(cidr: "10.0.0.0/8", organisation: "Org Wide")
        _ = b.add(cidr: "2001:db8::/32", organisation: "Org Six")
        _ = b.add(cidr: "2001:db8:1::/48")
        _ = b.add(deviceID: "laptop-7", organisation: "Org Device")
        let inv = b.build()
        var addresses: [IPAddress?] = [nil, IPAddress("2001:db8::1"), IPAddress("2001:db8:1::1"), IPAddress("2001:db9::1"),
                                       IPAddress("::ffff:10.0.0.1"), IPAddress("11.0.0.1")]
        for _ in 0..<5_000 { addresses.append(.v4(IPv4Address(rawValue: 0x0A00_0000 | UInt32.random(in: 0...0x7_FFFF, using: &rng)))) }
        for address in addresses {
            for device in [nil, "laptop-7", "unknown-device"] as [String?] {
                let byEntry = inv.entry(deviceID: device, address: address).map { (inv.organisation(ofEntry: $0.index), $0.source) }
                let quick = inv.organisationMatch(deviceID: device, address: address)
                #expect(quick?.organisation == byEntry?.0 && quick?.source == byEntry?.1, "\(String(describing: address)) \(String(describing: device))")
                #expect((quick?.match ?? -1) >= 0 || quick == nil)
            }
        }
    }

    @Test func longestPrefixMatchAgreesWithBruteForceIPv4() {
        var rng = SeededRandom(seed: 11)
        var set = [CIDRPrefix: Int32]()
        // Clustered, heavily nested prefixes plus a default route and edge prefixes.
        let seeds = (0..<20).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) }
        for i in 0..<600 {
            let base = seeds.randomElement(using: &rng)! ^ (UInt32.random(in: 0...UInt32.max, using: &rng) >> UInt32.random(in: 4...32, using: &rng))
            let len = Int.random(in: 0...32, using: &rng)
            let p = CIDRPrefix(family: .v4, bits: U128(high: 0, low: UInt64(base)), length: len).masked
            set[p] = Int32(i)
        }
        set[CIDRPrefix(family: .v4, bits: .zero, length: 32)] = 9001          // 0.0.0.0/32
        set[CIDRPrefix(family: .v4, bits: U128(high: 0, low: 0xFFFF_FFFF), length: 32)] = 9002
        let prefixes = set.map { ($0.key, $0.value) }
        let table = PrefixTable(v4: prefixes.map { (prefix: $0.0, value: $0.1) }, v6: [])
        var probes = [UInt32](arrayLiteral: 0, 1, .max, .max - 1)
        for (p, _) in prefixes {
            let r = p.v4Range
            probes += [r.lo, r.hi, r.lo &- 1, r.hi &+ 1]
        }
        for _ in 0..<5_000 { probes.append(UInt32.random(in: 0...UInt32.max, using: &rng)) }
        for a in probes {
            #expect(table.lookup(v4: a) == Self.bruteForce(prefixes, U128(high: 0, low: UInt64(a)), v4: true), "\(IPv4Address(rawValue: a))")
        }
    }

    /// Dense /16s (hundreds of small prefixes, nested in /24s and /20s, some straddling /24 boundaries) go
    /// through the table's /24 index; sparse ones beside them do not.
    @Test func longestPrefixMatchInDenseBucketsAgreesWithBruteForce() {
        var rng = SeededRandom(seed: 29)
        var set = [CIDRPrefix: Int32]()
        func add(_ base: UInt32, _ len: Int) {
            set[CIDRPrefix(family: .v4, bits: U128(high: 0, low: UInt64(base)), length: len).masked] = Int32(set.count)
        }
        for k in 0..<900 {
            let bucket: UInt32 = [0x0A00, 0x0A01, 0xC0A8][k % 3] << 16
            add(bucket | UInt32.random(in: 0...0xFFFF, using: &rng), [26, 27, 28, 30, 32, 25, 23, 20][k % 8])
        }
        add(0x0A00_0000, 16)
        add(0x0A00_0000, 8)
        add(0xAC10_0100, 24)  // a sparse bucket
        let prefixes = set.map { ($0.key, $0.value) }
        let table = PrefixTable(v4: prefixes.map { (prefix: $0.0, value: $0.1) }, v6: [])
        var probes = [UInt32]()
        for (p, _) in prefixes {
            let r = p.v4Range
            probes += [r.lo, r.hi, r.lo &- 1, r.hi &+ 1, r.lo | 0xFF, r.lo & ~0xFF]
        }
        for _ in 0..<5_000 { probes.append(0x0A00_0000 | UInt32.random(in: 0...0x1_FFFF, using: &rng)) }
        for _ in 0..<2_000 { probes.append(0xC0A8_0000 | UInt32.random(in: 0...0xFFFF, using: &rng)) }
        for a in probes {
            #expect(table.lookup(v4: a) == Self.bruteForce(prefixes, U128(high: 0, low: UInt64(a)), v4: true), "\(IPv4Address(rawValue: a))")
        }
    }

    @Test func longestPrefixMatchAgreesWithBruteForceIPv6() {
        var rng = SeededRandom(seed: 12)
        var set = [CIDRPrefix: Int32]()
        let seeds = (0..<10).map { _ in U128(high: rng.next(), low: rng.next()) }
        for i in 0..<400 {
            let s = seeds.randomElement(using: &rng)!
            let noise = U128(high: rng.next(), low: rng.next()) & ~U128.mask(Int.random(in: 0...128, using: &rng))
            let p = CIDRPrefix(family: .v6, bits: U128(high: s.high ^ noise.high, low: s.low ^ noise.low), length: Int.random(in: 0...128, using: &rng)).masked
            set[p] = Int32(i)
        }
        set[CIDRPrefix(family: .v6, bits: .max, length: 128)] = 7777
        let prefixes = set.map { ($0.key, $0.value) }
        let table = PrefixTable(v4: [], v6: prefixes.map { (prefix: $0.0, value: $0.1) })
        var probes = [U128.zero, .max]
        for (p, _) in prefixes {
            let r = p.v6Range
            probes += [r.lo, r.hi, r.hi.successor]
        }
        for _ in 0..<3_000 { probes.append(U128(high: seeds.randomElement(using: &rng)!.high ^ (rng.next() >> 40), low: rng.next())) }
        for a in probes {
            #expect(table.lookup(v6: a) == Self.bruteForce(prefixes, a, v4: false))
        }
    }

    @Test func emptyInventoryMissesEverything() {
        let inv = Inventory()
        #expect(inv.lookup(address: IPAddress("1.2.3.4")!) == nil)
        #expect(inv.lookup(address: IPAddress("::1")!) == nil)
        #expect(inv.intervalCounts == (1, 1))
    }

    @Test func anonymisedInventoryMatchesAnonymisedAddresses() throws {
        let inv = try build(csv: Self.sampleCSV)
        let cp = try CryptoPAn(key: Array(100..<132))
        let anon = inv.anonymised(with: cp)
        var rng = SeededRandom(seed: 5)
        var probes = ["10.0.0.1", "10.20.3.4", "10.20.30.40", "10.20.30.41", "203.0.113.5", "11.1.1.1",
                      "2001:db8::1", "2001:db8:ab::9", "2001:db9::1"].map { IPAddress($0)! }
        for _ in 0..<2_000 {
            probes.append(.v4(IPv4Address(rawValue: 0x0A00_0000 | UInt32.random(in: 0...0x00FF_FFFF, using: &rng))))
        }
        for a in probes {
            let real = inv.lookup(address: a), other = anon.lookup(address: cp.anonymize(a))
            #expect(real?.organisation == other?.organisation && real?.site == other?.site && real?.rule?.line == other?.rule?.line, "\(a)")
        }
        #expect(anon.lookup(address: cp.anonymize(IPAddress("10.20.1.1")!))?.rule?.key != .cidr(IPNetwork(parsing: "10.20.0.0/16")!))
    }

    @Test func builderAPIForGeneratedInventories() {
        var b = InventoryBuilder()
        #expect(b.add(cidr: "198.51.100.0/24", organisation: "Sim Org", segment: "home", region: "NA").isEmpty)
        #expect(b.add(cidr: "198.51.100.0/99").first?.kind == .badCIDR)
        let inv = b.build()
        #expect(inv.count == 1 && inv.lookup(address: IPAddress("198.51.100.1")!)?.organisation == "Sim Org")
    }
}
