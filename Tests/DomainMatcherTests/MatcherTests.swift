import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import DomainMatcher
import TestSupport

func name(_ s: String) -> DNSName { try! DNSName(parsing: s) }

func ind(_ n: String, _ scope: MatchScope = .subdomain, action: IndicatorAction = .block, category: ThreatCategory? = .commandAndControl,
         family: String? = nil, source: String = "test", line: Int = 0) -> Indicator {
    Indicator(.domain(name(n)), scope: scope, action: action, category: category, family: family, source: source,
              location: line > 0 ? SourceLocation(file: "feed.txt", line: line) : nil)
}

func snapshot(_ indicators: [Indicator]) throws -> MatcherSnapshot {
    var b = SnapshotBuilder()
    try b.add(contentsOf: indicators)
    return try MatcherSnapshot(image: b.build())
}

@Suite struct MatcherTests {
    @Test func scopesMatchAsDeclared() throws {
        let s = try snapshot([
            ind("exact.example", .exact), ind("sub.example", .subdomain), ind("wild.example", .wildcard),
        ])
        #expect(s.lookup("exact.example").listed?.scope == .exact)
        #expect(s.lookup("a.exact.example") == .noMatch)
        #expect(s.lookup("sub.example").listed?.scope == .subdomain)
        #expect(s.lookup("a.b.sub.example").listed?.labels == 2)
        #expect(s.lookup("wild.example") == .noMatch)
        #expect(s.lookup("x.wild.example").listed?.scope == .wildcard)
        #expect(s.lookup("example") == .noMatch)
        #expect(s.lookup("unrelated.test") == .noMatch)
        #expect(s.lookup("xsub.example") == .noMatch, "a suffix must end on a label boundary")
    }

    @Test func caseAndTrailingDotDoNotMatter() throws {
        let s = try snapshot([ind("Evil.Example.COM")])
        for q in ["evil.example.com", "EVIL.EXAMPLE.COM.", "WwW.eViL.example.com", "evil.example.com."] {
            #expect(s.lookup(q).listed != nil, "\(q)")
            #expect(s.lookup(name(q)).listed != nil, "\(q)")
        }
        // Long labels exercise the 8-byte paths of the hash and the comparison.
        let long = "abcdefghijklmnopqrstuvwxyz0123456789-abcdefghijklmnopqrstuvwxyz.Example-Of-A-Longer-Name.org"
        let t = try snapshot([ind(long, .exact)])
        #expect(t.lookup(long.uppercased()).listed != nil)
        #expect(t.lookup(long.lowercased() + ".").listed != nil)
        #expect(t.lookup(String(long.dropFirst())) == .noMatch)
    }

    @Test func allowlistWinsAndMostSpecificWins() throws {
        let s = try snapshot([
            ind("example.com", family: "Broad"), ind("bad.example.com", family: "Narrow"),
            ind("ok.bad.example.com", action: .allow, category: nil, source: "allowlist"),
            ind("cdn.example.com", .exact, action: .allow, category: nil),
        ])
        guard case .listed(let m) = s.lookup("x.bad.example.com") else { Issue.record("not listed"); return }
        #expect(s.string(s.record(m.record)!.family) == "Narrow")
        guard case .listed(let broad) = s.lookup("other.example.com") else { Issue.record("not listed"); return }
        #expect(s.string(s.record(broad.record)!.family) == "Broad")
        guard case .allowed(let a) = s.lookup("ok.bad.example.com") else { Issue.record("not allowed"); return }
        #expect(s.string(s.record(a.record)!.source) == "allowlist")
        #expect(s.lookup("deep.ok.bad.example.com").listed == nil, "a subdomain allowlist entry covers names below it")
        if case .allowed = s.lookup("cdn.example.com") {} else { Issue.record("exact allow") }
        #expect(s.lookup("x.cdn.example.com").listed != nil, "an exact allow entry does not cover subdomains")
        #expect(s.matches("x.ok.bad.example.com").count == 3)
    }

    @Test func atTheSameNameAnEntryWithACategoryWins() throws {
        let s = try snapshot([ind("dup.example", category: nil, source: "list"), ind("dup.example", category: .phishing, source: "phishtank")])
        guard case .listed(let m) = s.lookup("dup.example") else { Issue.record("not listed"); return }
        #expect(s.record(m.record)?.category == .phishing)
        #expect(s.entryCount == 2)
    }

    @Test func identicalEntriesMergeTheirDates() throws {
        var a = ind("same.example"), b = ind("same.example")
        a.firstSeen = 1000; a.lastSeen = 2000
        b.firstSeen = 500; b.lastSeen = 1500
        var builder = SnapshotBuilder()
        try builder.add(a)
        try builder.add(b)
        #expect(builder.merged == 1)
        let s = try MatcherSnapshot(image: builder.build())
        #expect(s.entryCount == 1)
        let e = try #require(s.entry(0))
        #expect(e.firstSeen == 500 && e.lastSeen == 2000)
    }

    @Test func wireLookupFromAQuestionSummary() throws {
        let s = try snapshot([ind("c2.example.net")])
        let msg = DNSMessage(questions: [DNSQuestion(name: name("Beacon.C2.Example.NET"), type: .a)])
        let bytes = try msg.encode()
        let summary = try QuestionSummary(message: bytes)
        let hit = bytes.withUnsafeBytes { s.lookup(wire: summary.nameBytes(in: $0)) }
        #expect(hit.listed?.labels == 3)
        // Malformed wire bytes never match or trap.
        for bad: [UInt8] in [[], [5, 0x61], [64] + Array(repeating: 0x61, count: 64) + [0], [3, 0x61, 0x62]] {
            // A prefetch is a hint: malformed bytes are ignored, never read past.
            bad.withUnsafeBytes { s.prefetch(wire: $0) }
            #expect(bad.withUnsafeBytes { s.lookup(wire: $0) } == .noMatch)
        }
    }

    @Test func badPresentationNamesMatchNothing() throws {
        let s = try snapshot([ind("example.com")])
        for q in ["", "..", "a..example.com", String(repeating: "a", count: 64) + ".example.com", "x\\"] {
            #expect(s.lookup(q) == .noMatch, "\(q)")
        }
        #expect(s.lookup(".") == .noMatch)
        #expect(s.lookup("a\\.b.example.com").listed != nil)
        #expect(s.lookup("\\101xample.com").listed != nil)
    }

    @Test func recordsCarryTheMeaning() throws {
        var i = ind("qsnatch.example", family: "QSnatch", line: 7)
        i.tags = ThreatTags(traits: [.botnet, .dga], industries: [.manufacturing], brands: ["QNAP"], deviceTypes: [.nas], labels: ["elf"])
        i.confidence = 90
        i.reference = "https://example.org/report"
        i.firstSeen = 1_700_000_000
        let s = try snapshot([i])
        guard case .listed(let m) = s.lookup("x.qsnatch.example") else { Issue.record("no match"); return }
        let r = try #require(s.record(m.record))
        #expect(r.category == .commandAndControl)
        #expect(r.confidence == 90)
        #expect(r.traits == [.botnet, .dga])
        #expect(r.tags(in: s) == i.tags)
        let back = try #require(s.indicator(entry: m.entry))
        #expect(back == i)
    }

    @Test func addressesUseLongestPrefix() throws {
        let s = try snapshot([
            Indicator(.address(IPNetwork(parsing: "192.0.2.0/24")!), family: "Net", source: "t"),
            Indicator(.address(.host(IPv4Address("192.0.2.7")!)), family: "Host", source: "t"),
            Indicator(.clientAddress(IPNetwork(parsing: "10.0.0.0/8")!), action: .drop, source: "t"),
            Indicator(.address(IPNetwork(parsing: "2001:db8::/32")!), family: "V6", source: "t"),
            Indicator(.nameServerAddress(IPNetwork(parsing: "2001:db8:1::53")!), source: "t"),
        ])
        func fam(_ m: AddressMatch?) -> String? { m.flatMap { s.record($0.record) }.flatMap { s.string($0.family) } }
        #expect(fam(s.lookup(IPv4Address("192.0.2.7")!)) == "Host")
        #expect(s.lookup(IPv4Address("192.0.2.8")!)?.prefixLength == 24)
        #expect(s.lookup(IPv4Address("192.0.3.8")!) == nil)
        #expect(s.lookup(IPv4Address("10.1.2.3")!) == nil, "client-ip entries are not answer entries")
        #expect(s.lookup(IPv4Address("10.1.2.3")!, kind: .client)?.prefixLength == 8)
        #expect(fam(s.lookup(IPv6Address("2001:db8:ffff::1")!)) == "V6")
        #expect(s.lookup(IPv6Address("2001:db8:1::53")!, kind: .nameServer)?.prefixLength == 128)
        #expect(s.lookup(IPv6Address("2001:db9::1")!) == nil)
        #expect(s.allIndicators().count == 5)
    }

    @Test func nameServerEntriesAreSeparate() throws {
        let s = try snapshot([Indicator(.nameServerName(name("ns.bad.example")), scope: .wildcard, action: .nxdomain, source: "rpz")])
        #expect(s.lookup("x.ns.bad.example") == .noMatch)
        let hits = name("a.ns.bad.example").wire.withUnsafeBytes { s.nameServerMatches(wire: $0) }
        #expect(hits.count == 1)
    }

    @Test func emptySnapshotMatchesNothing() {
        let s = MatcherSnapshot.empty()
        #expect(s.entryCount == 0)
        s.prefetch(name("anything.example"))
        #expect(s.lookup("anything.example") == .noMatch)
        #expect(s.lookup(IPv4Address("1.2.3.4")!) == nil)
    }

    /// Random IPv4 blocks of every kind and prefix length (short ones too, whose /16s differ from the queries'),
    /// looked up and checked against a scan of the blocks for the longest one covering the address.
    @Test func ipv4LookupsAgreeWithALinearScan() throws {
        var rng = SystemRandomNumberGenerator()
        // Few distinct high octets, so that blocks nest and queries often fall in a /16 with entries.
        func address() -> UInt32 {
            UInt32([10, 192, 203].randomElement(using: &rng)!) << 24 | UInt32.random(in: 0...1, using: &rng) << 16
                | UInt32.random(in: 0...3, using: &rng) << 8 | UInt32.random(in: 0...255, using: &rng)
        }
        var blocks: [AddressKind: [IPNetwork: String]] = [:]
        for k in 0..<600 {
            let kind = AddressKind.allCases.randomElement(using: &rng)!
            let length = [0, 4, 8, 12, 15, 16, 17, 20, 24, 28, 31, 32, 32, 32].randomElement(using: &rng)!
            blocks[kind, default: [:]][IPNetwork(IPv4Address(rawValue: address()), prefixLength: length)!] = "f\(k)"
        }
        var indicators: [Indicator] = []
        for (kind, nets) in blocks {
            for (net, family) in nets {
                let value: IndicatorValue = kind == .answer ? .address(net) : (kind == .client ? .clientAddress(net) : .nameServerAddress(net))
                indicators.append(Indicator(value, family: family, source: "t"))
            }
        }
        let s = try snapshot(indicators)
        for q in (0..<3000).map({ _ in address() }) + [0, 0xFFFF_FFFF] {
            for kind in AddressKind.allCases {
                let expected = blocks[kind, default: [:]].filter { net, _ in
                    guard case .v4(let a, let length) = net else { return false }
                    return IPNetwork(IPv4Address(rawValue: q), prefixLength: Int(length)) == .v4(a, prefixLength: length)
                }.max { $0.key.prefixLength < $1.key.prefixLength }
                let found = s.lookup(IPv4Address(rawValue: q), kind: kind)
                #expect(found?.prefixLength == expected?.key.prefixLength, "\(q) \(kind)")
                #expect(found.flatMap { s.record($0.record) }.flatMap { s.string($0.family) } == expected?.value, "\(q) \(kind)")
            }
        }
    }

    /// Random entries and queries, checked against a direct reading of the rules.
    @Test func agreesWithAReferenceModel() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcxyz")
        func label() -> String { String((0..<Int.random(in: 1...3, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }) }
        func randomName(_ labels: Int) -> String { (0..<labels).map { _ in label() }.joined(separator: ".") }
        var indicators: [Indicator] = []
        for k in 0..<400 {
            let scope = MatchScope.allCases.randomElement(using: &rng)!
            let allow = k % 13 == 0
            indicators.append(ind(randomName(Int.random(in: 1...3, using: &rng)), scope, action: allow ? .allow : .block, category: nil, source: "s\(k)"))
        }
        let s = try snapshot(indicators)
        for _ in 0..<3000 {
            let q = name(randomName(Int.random(in: 1...5, using: &rng)))
            let covering = indicators.filter { i in
                guard let n = i.name, q.isSubdomain(of: n) else { return false }
                return i.scope.covers(queryLabels: q.labelCount, entryLabels: n.labelCount)
            }
            let expectedAllow = covering.contains { $0.action.isAllow }
            let deepest = covering.filter { !$0.action.isAllow }.map { $0.name!.labelCount }.max()
            s.prefetch(q)
            switch s.lookup(q) {
            case .noMatch: #expect(covering.isEmpty, "\(q)")
            case .allowed: #expect(expectedAllow, "\(q)")
            case .listed(let m):
                #expect(!expectedAllow, "\(q)")
                #expect(m.labels == deepest, "\(q)")
            }
            #expect(s.matches(q.presentation).count == covering.count, "\(q)")
        }
    }
}

@Suite struct SnapshotFileTests {
    func tempPath(_ n: String) -> String {
        TestScratch.file(n)
    }

    @Test func writesAtomicallyAndMapsBack() throws {
        var b = SnapshotBuilder()
        try b.add(contentsOf: (0..<5000).map { ind("host\($0).example.org", $0 % 2 == 0 ? .exact : .subdomain, family: "F\($0 % 7)", line: $0 + 1) })
        let path = tempPath("snap.bin")
        try MatcherSnapshot.write(image: b.build(meta: Array("{\"k\":1}".utf8), created: 42), to: path)
        let s = try MatcherSnapshot(contentsOf: path)
        #expect(s.entryCount == 5000)
        #expect(s.created == 42)
        #expect(String(decoding: s.meta, as: UTF8.self) == "{\"k\":1}")
        #expect(s.lookup("a.host3.example.org").listed != nil)
        #expect(s.lookup("a.host4.example.org") == .noMatch)
        guard case .listed(let m) = s.lookup("host4.example.org") else { Issue.record("no match"); return }
        #expect(s.entry(m.entry)?.line == 5)
        #expect(s.string(s.record(m.record)!.file) == "feed.txt")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func corruptFilesAreRejectedWithOffsets() throws {
        var b = SnapshotBuilder()
        try b.add(contentsOf: (0..<100).map { ind("n\($0).example") })
        let good = try b.build()
        func load(_ bytes: [UInt8]) -> DomainMatcherError? {
            do { _ = try MatcherSnapshot(image: bytes); return nil } catch { return error }
        }
        #expect(load(good) == nil)
        #expect(load(Array(good.prefix(100)))?.kind == .notASnapshot)
        var magic = good; magic[0] = 0x41
        #expect(load(magic)?.kind == .notASnapshot)
        var version = good; version[8] = 9
        #expect(load(version)?.kind == .unsupportedVersion(9))
        #expect(load(Array(good.prefix(good.count - 200)))?.offset != nil)
        // A bucket directory that goes backwards would let lookups read out of bounds.
        var backwards = good
        let bucketsAt = Int(good.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 64, as: UInt64.self) })
        backwards[bucketsAt + 8] = 0xFF
        backwards[bucketsAt + 9] = 0xFF
        let e = try #require(load(backwards))
        #expect(e.offset != nil && e.offset! > bucketsAt)
        #expect(throws: DomainMatcherError.self) { try MatcherSnapshot(contentsOf: tempPath("missing.bin")) }
    }

    @available(macOS 15.0, *)
    @Test func storeSwapsWhileReadersRun() async throws {
        let first = try snapshot([ind("old.example")])
        let second = try snapshot([ind("new.example")])
        let store = MatcherStore(first)
        let held = store.current
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var seen = 0
                    for _ in 0..<2000 {
                        let s = store.current
                        let old = s.lookup("old.example") != .noMatch, new = s.lookup("new.example") != .noMatch
                        if old != new { seen += 1 }   // exactly one of the two snapshots
                    }
                    return seen
                }
            }
            group.addTask {
                store.replace(with: second)
                return 2000
            }
            var total = 0
            for await n in group { total += n }
            #expect(total == 5 * 2000)
        }
        #expect(store.current.lookup("new.example") != .noMatch)
        #expect(held.lookup("old.example") != .noMatch, "a snapshot held by a reader stays usable after the swap")
    }
}
