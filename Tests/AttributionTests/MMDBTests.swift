import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import Attribution
import TestSupport

/// The canonical text of a record, identical to `canonical()` in Tools/attribution/mmdb_tool.py.
func canonical(_ v: MMDBValue) -> String {
    func decimal(_ high: UInt64, _ low: UInt64) -> String {
        if high == 0 { return String(low) }
        var h = high, l = low, digits = [Character]()
        while h != 0 || l != 0 {
            let (qh, rh) = h.quotientAndRemainder(dividingBy: 10)
            let (ql, r) = UInt64(10).dividingFullWidth((rh, l))
            digits.append(Character(String(r)))
            h = qh; l = ql
        }
        return String(digits.reversed())
    }
    switch v {
    case .bool(let b): return b ? "T" : "F"
    case .uint16(let x): return "i\(x)"
    case .uint32(let x): return "i\(x)"
    case .uint64(let x): return "i\(x)"
    case .int32(let x): return "i\(x)"
    case .uint128(let h, let l): return "i" + decimal(h, l)
    case .double(let d): return "f" + hexString(withUnsafeBytes(of: d.bitPattern.bigEndian) { Array($0) })
    case .float(let f): return "f" + hexString(withUnsafeBytes(of: Double(f).bitPattern.bigEndian) { Array($0) })
    case .string(let s): return "s" + hexString(Array(s.utf8))
    case .bytes(let b): return "b" + hexString(b)
    case .array(let a): return "[" + a.map(canonical).joined(separator: ",") + "]"
    case .map(let m):
        let keys = m.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return "{" + keys.map { hexString(Array($0.utf8)) + ":" + canonical(m[$0]!) }.joined(separator: ",") + "}"
    }
}

@Suite struct MMDBTests {
    /// Looks every address up with Python's `maxminddb` and with `MMDBReader`, and compares record and prefix.
    func compareWithReference(_ path: String, _ addresses: [IPAddress], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Int {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("addresses.txt")
        try Data(addresses.map(\.description).joined(separator: "\n").utf8).write(to: list)
        let out = try Support.python("mmdb_tool.py", ["lookup", path, list.path])
        let reader = try MMDBReader(path: path)
        var found = 0
        let lines = out.split(separator: "\n")
        #expect(lines.count == addresses.count, sourceLocation: sourceLocation)
        for (line, address) in zip(lines, addresses) {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            let tree = try reader.find(address)
            let mine = try reader.lookup(address).map(canonical) ?? "NONE"
            #expect(mine == String(f[2]), "\(address) in \(path)", sourceLocation: sourceLocation)
            #expect(tree.prefixLength == Int(f[1])!, "prefix of \(address)", sourceLocation: sourceLocation)
            if mine != "NONE" { found += 1 }
        }
        return found
    }

    /// Addresses around the networks of the test scenarios, plus random ones.
    func probes(ipv6: Bool, seed: UInt64) -> [IPAddress] {
        var rng = SeededRandom(seed: seed)
        var out = ["1.2.3.4", "1.2.3.0", "1.2.3.255", "1.2.4.0", "1.1.255.255", "1.0.0.0", "1.255.255.255", "2.0.0.0",
                   "10.0.0.0", "10.10.10.10", "10.10.10.11", "10.10.10.9", "10.10.255.255", "10.11.0.0", "192.0.2.1",
                   "192.0.2.127", "192.0.2.128", "192.0.2.255", "0.0.0.0", "255.255.255.255", "100.0.0.1", "100.63.255.255",
                   "100.64.0.0"].map { IPAddress($0)! }
        for i in 0..<64 { out.append(IPAddress("100.\(i).\(Int.random(in: 0...255, using: &rng)).1")!) }
        for _ in 0..<200 { out.append(.v4(IPv4Address(rawValue: UInt32.random(in: 0...UInt32.max, using: &rng)))) }
        if ipv6 {
            out += ["2001:db8::1", "2001:db8:1::1", "2001:db8:1:2::1", "2001:db8:1:3::1", "2001:db8:ffff::1", "2001:db9::",
                    "2400:cb00::1", "::", "::1", "::ffff:1.2.3.4", "ffff::1"].map { IPAddress($0)! }
            for _ in 0..<100 { out.append(.v6(IPv6Address(high: 0x2001_0DB8_0000_0000 | (rng.next() >> 32), low: rng.next()))) }
            for _ in 0..<100 { out.append(.v6(IPv6Address(high: rng.next(), low: rng.next()))) }
        }
        return out
    }

    @Test(arguments: [24, 28, 32], [4, 6])
    func everyTypeAndRecordSizeAgreesWithMaxminddb(recordSize: Int, ipVersion: Int) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.mmdb").path
        _ = try Support.python("mmdb_tool.py", ["raw", db, "--record-size", "\(recordSize)", "--ip-version", "\(ipVersion)", "--scenario", "alltypes"])
        let reader = try MMDBReader(path: db)
        #expect(reader.metadata.recordSize == recordSize && reader.metadata.ipVersion == ipVersion)
        #expect(reader.metadata.databaseType == "dnsight-raw-alltypes" && reader.metadata.languages == ["en"])
        #expect(reader.metadata.description["en"] == "dnsight raw test database" && reader.metadata.binaryFormatMajorVersion == 2)
        let found = try compareWithReference(db, probes(ipv6: ipVersion == 6, seed: UInt64(recordSize * 10 + ipVersion)))
        #expect(found > 10)
        // Every type decoded to the right Swift value.
        let r = try #require(try reader.lookup(IPAddress("1.2.3.4")!))
        #expect(r["u16"] == .uint16(7) && r["u32"] == .uint32(.max) && r["u64"] == .uint64(.max))
        #expect(r["u128"] == .uint128(high: .max, low: .max) && r["i32"] == .int32(.min) && r["i32pos"] == .int32(300))
        #expect(r["f32"] == .float(1.5) && r["dbl"] == .double(-0.000123) && r["t"] == .bool(true) && r["f"] == .bool(false))
        #expect(r["bytes"] == .bytes([0, 1, 0xFE]) && r["empty"] == .map([:]) && r["emptyarr"] == .array([]))
        #expect(r["emptystr"] == .string("") && r["zero"] == .uint64(0) && r["unicode"] == .string("Zürich 東京"))
        #expect(r["long"]?.stringValue?.count == 300 && r["longer"]?.stringValue?.count == 70_000)
        #expect(r[path: ["nested"]] == .array([.array([.uint32(1), .array([.uint32(2), .array([.uint32(3), .map(["deep": .string("yes")])])])]),
                                               .map(["a": .array([.uint16(1), .uint16(2)])])]))
    }

    @Test(arguments: [(28, 6, false), (32, 4, true), (24, 6, true)])
    func pointersOfEverySizeAgreeWithMaxminddb(recordSize: Int, ipVersion: Int, ss3: Bool) throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("p.mmdb").path
        _ = try Support.python("mmdb_tool.py", ["raw", db, "--record-size", "\(recordSize)", "--ip-version", "\(ipVersion)",
                                                "--scenario", "pointers"] + (ss3 ? ["--ss3"] : []))
        #expect(try compareWithReference(db, probes(ipv6: ipVersion == 6, seed: 99)) >= 64)
        let reader = try MMDBReader(path: db)
        let g = try #require(try reader.geo(IPAddress("100.5.7.7")!))
        #expect(g.country == "NO" && g.prefixLength == 16)
        #expect(try reader.lookup(IPAddress("100.5.7.7")!)?["label"] == .string("net5"))
    }

    /// A GeoLite2-shaped database of 3,000 networks built with PyPI's mmdb-writer.
    func buildWithMMDBWriter(_ dir: URL, seed: UInt64) throws -> (path: String, expected: [(IPAddress, String, UInt32)]) {
        var rng = SeededRandom(seed: seed)
        var networks = [[Any]]()
        var expected = [(IPAddress, String, UInt32)]()
        let countries = ["US", "JP", "AU", "DE", "BR", "IN", "SG", "GB", "FR", "KR"]
        var used = Set<UInt32>()
        for i in 0..<3_000 {
            var base: UInt32
            repeat { base = UInt32.random(in: 0...UInt32.max, using: &rng) & 0xFFFF_FF00 } while !used.insert(base >> 8).inserted
            let cc = countries[i % countries.count]
            let asn = UInt32(64_512 + i)
            networks.append(["\(IPv4Address(rawValue: base))/24",
                             ["country": ["iso_code": cc, "names": ["en": "Country \(cc)", "ja": "国 \(cc)"], "geoname_id": 1000 + i % 10],
                              "continent": ["code": "XX"], "autonomous_system_number": asn,
                              "autonomous_system_organization": "AS Org \(i % 50)", "location": ["latitude": 1.25 * Double(i % 7)]]])
            expected.append((.v4(IPv4Address(rawValue: base | UInt32.random(in: 0...255, using: &rng))), cc, asn))
        }
        for i in 0..<500 {
            let high = 0x2001_0000_0000_0000 | (UInt64(i) << 16)
            networks.append(["\(IPv6Address(high: high, low: 0))/48",
                             ["registered_country": ["iso_code": countries[i % 10]], "autonomous_system_number": UInt32(200_000 + i)]])
            expected.append((.v6(IPv6Address(high: high | 0x1234, low: rng.next())), countries[i % 10], UInt32(200_000 + i)))
        }
        let spec: [String: Any] = ["ip_version": 6, "ipv4_compatible": true, "database_type": "GeoLite2-Test", "networks": networks]
        let specURL = dir.appendingPathComponent("spec.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: specURL)
        let db = dir.appendingPathComponent("w.mmdb").path
        _ = try Support.python("mmdb_tool.py", ["writer", db, specURL.path])
        return (db, expected)
    }

    @Test func mmdbWriterDatabaseAgreesWithMaxminddbAndGivesCountryAndASN() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (db, expected) = try buildWithMMDBWriter(dir, seed: 4)
        var addrs = expected.map(\.0)
        addrs += probes(ipv6: true, seed: 5)
        #expect(try compareWithReference(db, addrs) >= expected.count)
        let reader = try MMDBReader(path: db)
        #expect(reader.metadata.databaseType == "GeoLite2-Test")
        for (a, cc, asn) in expected {
            let g = try #require(try reader.geo(a), "\(a)")
            #expect(g.country == cc && g.asn == asn, "\(a)")
        }
        let g = try #require(try reader.geo(expected[0].0))
        #expect(g.asOrganisation == "AS Org 0" && g.prefixLength == 24)
    }

    @Test func ipinfoStyleFieldsAndStringASNs() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.mmdb").path
        _ = try Support.python("mmdb_tool.py", ["raw", db, "--record-size", "24", "--ip-version", "4", "--scenario", "alltypes"])
        let reader = try MMDBReader(path: db)
        #expect(try reader.geo(IPAddress("192.0.2.1")!) == MMDBReader.Geo(country: "NL", asn: 64500, asOrganisation: "Doc Net", prefixLength: 25))
        #expect(try reader.geo(IPAddress("192.0.2.200")!) == MMDBReader.Geo(country: "BE", asn: 64501, asOrganisation: "Doc Net B", prefixLength: 25))
        #expect(try reader.geo(IPAddress("1.2.200.1")!) == MMDBReader.Geo(country: "JP", asn: 2497, asOrganisation: "Internet Initiative Japan", prefixLength: 17))
        // (1.2.0.0/16 is split at bit 17 in the tree because 1.2.3.0/24 lies inside it; maxminddb says 17 too.)
        #expect(try reader.geo(IPAddress("8.8.8.8")!) == nil)
        // An IPv6 address has no answer in an IPv4 database.
        #expect(try reader.find(IPAddress("2001:db8::1")!).dataOffset == nil)
    }

    // MARK: hostile input

    @Test func filesThatAreNotDatabases() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.mmdb"), text = dir.appendingPathComponent("text.mmdb")
        try Data().write(to: empty)
        try Data(String(repeating: "not a database\n", count: 1000).utf8).write(to: text)
        for (path, kind) in [(empty.path, AttributionError.Kind.format), (text.path, .format), (dir.path, .io),
                             (dir.appendingPathComponent("missing").path, .io)] {
            do { _ = try MMDBReader(path: path); Issue.record("opened \(path)") } catch { #expect(error.kind == kind, "\(path)") }
        }
    }

    /// A minimal MMDB assembler for crafted files: raw tree bytes, raw data bytes, metadata from a dictionary.
    static func assemble(tree: [UInt8], data: [UInt8], nodeCount: UInt32, recordSize: Int = 24, ipVersion: Int = 4,
                         extraMeta: [UInt8] = [], omit: String? = nil) -> [UInt8] {
        func str(_ s: String) -> [UInt8] { [0x40 | UInt8(s.utf8.count)] + Array(s.utf8) }
        func u32(_ v: UInt32) -> [UInt8] { [0xC4] + withUnsafeBytes(of: v.bigEndian) { Array($0) } }
        func u16(_ v: UInt16) -> [UInt8] { [0xA2] + withUnsafeBytes(of: v.bigEndian) { Array($0) } }
        var pairs: [(String, [UInt8])] = [("node_count", u32(nodeCount)), ("record_size", u16(UInt16(recordSize))),
                                          ("ip_version", u16(UInt16(ipVersion))), ("database_type", str("crafted")),
                                          ("binary_format_major_version", u16(2)), ("binary_format_minor_version", u16(0))]
        pairs.removeAll { $0.0 == omit }
        var meta: [UInt8] = [0xE0 | UInt8(pairs.count)]
        for (k, v) in pairs { meta += str(k) + v }
        return tree + [UInt8](repeating: 0, count: 16) + data + [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8) + meta + extraMeta
    }

    /// One 24-bit node whose two records both point to data offset 0.
    static func oneNodeToData(_ data: [UInt8], offset: Int = 0) -> [UInt8] {
        let v = 1 + 16 + offset
        let r = [UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
        return assemble(tree: r + r, data: data, nodeCount: 1)
    }

    func expectCorrupt(_ bytes: [UInt8], _ why: Comment, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            let r = try MMDBReader(bytes: bytes, name: "crafted")
            _ = try r.lookup(IPAddress("1.2.3.4")!)
            Issue.record("no error: \(why)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == .corruptDatabase || error.kind == .format, "\(why): \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func craftedCorruptionsAreErrorsNotCrashes() {
        // Sanity: the assembler makes a valid file.
        #expect((try? MMDBReader(bytes: Self.oneNodeToData([0x43] + Array("abc".utf8))).lookup(IPAddress("1.2.3.4")!)) == .string("abc"))
        // A pointer to a pointer.
        expectCorrupt(Self.oneNodeToData([0x20, 0x02, 0x20, 0x00]), "pointer to pointer")
        // A pointer past the end of the data section.
        expectCorrupt(Self.oneNodeToData([0x27, 0xFF]), "pointer out of range")
        // A record pointing past the data section.
        expectCorrupt(Self.oneNodeToData([0x40], offset: 500), "record out of range")
        // A record value between node_count and node_count + 16.
        expectCorrupt(Self.assemble(tree: [0, 0, 5, 0, 0, 5], data: [0x40], nodeCount: 1), "record inside the separator")
        // A string longer than the data left.
        expectCorrupt(Self.oneNodeToData([0x5D, 0xFF, 0x41]), "string past end")
        // A map claiming 16 million pairs.
        expectCorrupt(Self.oneNodeToData([0xFF, 0xFF, 0xFF, 0xFF]), "huge map")
        // An array claiming more entries than bytes.
        expectCorrupt(Self.oneNodeToData([0x1F, 0x04, 0xFF, 0xFF, 0xFF]), "huge array")
        // An unknown extended type (7 + 9 = 16).
        expectCorrupt(Self.oneNodeToData([0x01, 0x09]), "extended type 16")
        // A double of 4 bytes, a uint16 of 3 bytes, a boolean of size 2.
        expectCorrupt(Self.oneNodeToData([0x64, 0, 0, 0, 0]), "short double")
        expectCorrupt(Self.oneNodeToData([0xA3, 1, 2, 3]), "long uint16")
        expectCorrupt(Self.oneNodeToData([0x02, 0x07]), "boolean size 2")
        // A map key that is not a string.
        expectCorrupt(Self.oneNodeToData([0xE1, 0xA1, 0x01, 0x40]), "non-string key")
        // A map whose value points back to the map: nesting without end.
        expectCorrupt(Self.oneNodeToData([0xE1, 0x41, 0x61, 0x20, 0x00]), "pointer cycle")
        // A "billion laughs": an array of 2 pointers to itself… each level doubles; the value budget stops it.
        expectCorrupt(Self.oneNodeToData([0x02, 0x04, 0x20, 0x00, 0x20, 0x00]), "pointer bomb")
        // Data cache container and end marker where a value is expected.
        expectCorrupt(Self.oneNodeToData([0x00, 0x05]), "container")
        expectCorrupt(Self.oneNodeToData([0x00, 0x06]), "end marker")
        // A node that points to itself: the tree is deeper than 32 bits.
        expectCorrupt(Self.assemble(tree: [0, 0, 0, 0, 0, 0], data: [0x40], nodeCount: 1), "tree loop")
        // Metadata: a node count whose tree does not fit, a bad record size, a missing key, not a map, bad version.
        expectCorrupt(Self.assemble(tree: [0, 0, 1, 0, 0, 1], data: [0x40], nodeCount: 100_000), "tree too large")
        expectCorrupt(Self.assemble(tree: [0, 0, 1, 0, 0, 1], data: [0x40], nodeCount: 1, recordSize: 20), "record size 20")
        expectCorrupt(Self.assemble(tree: [0, 0, 1, 0, 0, 1], data: [0x40], nodeCount: 1, ipVersion: 5), "ip version 5")
        expectCorrupt(Self.assemble(tree: [0, 0, 1, 0, 0, 1], data: [0x40], nodeCount: 1, omit: "node_count"), "no node_count")
        expectCorrupt([0x40] + [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8) + [0x43, 0x61, 0x62, 0x63], "metadata not a map")
        expectCorrupt(Array(Self.assemble(tree: [0, 0, 1, 0, 0, 1], data: [0x40], nodeCount: 1).dropLast(3)), "truncated metadata")
    }

    @Test func pointerBombFailsFast() throws {
        // 30 levels, each an array of two pointers to the level below: 2^30 values if expanded.
        var data = [UInt8]()
        var previous = -1
        for _ in 0..<30 {
            let here = data.count
            if previous < 0 { data += [0x41, 0x78] } else {
                let p = [UInt8(0x20 | (previous >> 8)), UInt8(previous & 0xFF)]
                data += [0x02, 0x04] + p + p
            }
            previous = here
        }
        let r = try MMDBReader(bytes: Self.oneNodeToData(data, offset: previous))
        #expect(throws: AttributionError.self) { try r.lookup(IPAddress("1.2.3.4")!) }
        // Pulling one field does not expand the record, so geo() answers (nothing) at once.
        #expect(try r.geo(IPAddress("1.2.3.4")!) == MMDBReader.Geo(prefixLength: 1))
    }

    @Test func truncatedAndMutatedFilesNeverCrash() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var originals = [[UInt8]]()
        for (rs, v) in [(24, 6), (28, 4), (32, 6)] {
            let db = dir.appendingPathComponent("t\(rs)\(v).mmdb").path
            _ = try Support.python("mmdb_tool.py", ["raw", db, "--record-size", "\(rs)", "--ip-version", "\(v)", "--scenario", "alltypes"])
            originals.append([UInt8](try Data(contentsOf: URL(fileURLWithPath: db))))
        }
        let probes = probes(ipv6: true, seed: 8).prefix(120)
        var rng = SeededRandom(seed: 2024)
        var opened = 0, errors = 0, answers = 0
        func exercise(_ bytes: [UInt8]) {
            guard let r = try? MMDBReader(bytes: bytes) else { errors += 1; return }
            opened += 1
            for a in probes {
                do {
                    if try r.lookup(a) != nil { answers += 1 }
                    _ = try r.geo(a)
                } catch { errors += 1 }
            }
        }
        for original in originals {
            // Truncations at 200 points, including inside the metadata.
            for i in 0..<200 { exercise(Array(original.prefix(original.count * i / 200))) }
            for cut in 1..<40 { exercise(Array(original.dropLast(cut))) }
            // 600 mutants: 1–8 random bytes overwritten, biased toward the tree and the data section's start.
            for _ in 0..<600 {
                var m = original
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    let region = Int.random(in: 0..<3, using: &rng)
                    let i = region == 0 ? Int.random(in: 0..<min(512, m.count), using: &rng) : Int.random(in: 0..<m.count, using: &rng)
                    m[i] = UInt8.random(in: 0...255, using: &rng)
                }
                exercise(m)
            }
        }
        #expect(opened > 1_000 && errors > 100 && answers > 1_000)
    }
}
