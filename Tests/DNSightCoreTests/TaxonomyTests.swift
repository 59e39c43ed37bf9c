import DNSWire
import Testing
@testable import DNSightCore

@Suite struct TaxonomyTests {
    @Test func categoriesReadFeedSpellings() {
        #expect(ThreatCategory(parsing: "botnet_cc") == .commandAndControl)
        #expect(ThreatCategory(parsing: "C&C") == .commandAndControl)
        #expect(ThreatCategory(parsing: "command-and-control") == .commandAndControl)
        #expect(ThreatCategory(parsing: "payload_delivery") == .malware)
        #expect(ThreatCategory(parsing: "Phishing") == .phishing)
        #expect(ThreatCategory(parsing: "dns-tunnel") == .exfiltration)
        #expect(ThreatCategory(parsing: "weather") == nil)
        for c in ThreatCategory.allCases {
            #expect(ThreatCategory(code: c.code) == c)
            #expect(ThreatCategory(parsing: c.rawValue) == c)
        }
        #expect(ThreatCategory(code: 0) == nil)
    }

    @Test func tagsParseTraitsTargetsAndLabels() {
        let t = ThreatTags(parsing: ["initial-access-broker;Ransomware", "industry:Financial Services", "brand:SMBC", "device:QNAP", "elf", "mirai,none"])
        #expect(t.traits == [.initialAccessBroker, .ransomware])
        #expect(t.industries == [.financialServices])
        #expect(t.brands == ["SMBC"])
        #expect(t.deviceTypes == [.nas])
        #expect(t.labels == ["elf", "mirai"])
        #expect(ThreatTags(parsing: t.words) == t)
        let u = t.union(ThreatTags(traits: .botnet, brands: ["smbc", "Other"], deviceTypes: [.router]))
        #expect(u.traits == [.initialAccessBroker, .ransomware, .botnet])
        #expect(u.brands == ["SMBC"])
        #expect(u.deviceTypes == [.nas, .router])
        #expect(DeviceType.from(bits: DeviceType.nas.bit | DeviceType.mobile.bit) == [.nas, .mobile])
    }

    @Test func builtInCatalogueCoversTheReportFamilies() throws {
        let c = FamilyCatalogue.builtIn
        let required = ["Emotet", "QakBot", "IcedID", "TrickBot", "BazarLoader", "Bumblebee", "Pikabot", "Latrodectus",
                        "SocGholish", "Cobalt Strike", "LockBit", "REvil", "Conti", "Black Basta", "ALPHV", "Ramnit",
                        "Agent Tesla", "Virut", "FluBot", "QSnatch", "Pykspa"]
        for name in required {
            let f = try #require(c.family(named: name), "missing \(name)")
            #expect(f.name == name)
            #expect(f.category != nil, "\(name) has no default category")
        }
        #expect(c.family(named: "Sodinokibi")?.name == "REvil")
        #expect(c.family(named: "Qbot")?.name == "QakBot")
        #expect(c.family(named: "quakbot")?.name == "QakBot")
        #expect(c.family(named: "win.qakbot")?.name == "QakBot")
        #expect(c.family(named: "AgentTesla")?.name == "Agent Tesla")
        #expect(c.family(named: "android_flubot")?.name == "FluBot")
        #expect(c.family(named: "elf_mirai")?.name == "Mirai")
        #expect(c.family(named: "hive_ransomware")?.name == "Hive")
        #expect(c.family(named: "BlackCat")?.name == "ALPHV")
        #expect(c.family(named: "lummac2")?.name == "Lumma")
        #expect(c.family(named: "no such family") == nil)

        let qsnatch = try #require(c.family(named: "QSnatch"))
        #expect(qsnatch.category == .commandAndControl)
        #expect(qsnatch.tags.deviceTypes == [.nas])
        #expect(qsnatch.tags.traits.contains(.dga))
        #expect(c.family(named: "Emotet")?.tags.traits.contains(.initialAccessBroker) == true)
        #expect(c.family(named: "LockBit")?.tags.traits.contains(.ransomware) == true)
        #expect(c.family(named: "Evilginx")?.category == .phishing)
    }

    @Test func noAliasNamesTwoFamilies() {
        var seen: [String: String] = [:]
        for f in FamilyCatalogue.builtIn.families {
            for name in [f.name] + f.aliases {
                let k = FamilyCatalogue.key(name)
                if let other = seen[k], other != f.name { Issue.record("\(name) names both \(other) and \(f.name)") }
                seen[k] = f.name
            }
        }
        #expect(seen.count > 150)
    }

    @Test func operatorFileOverridesAndExtends() throws {
        let csv = """
        family,category,tags,aliases
        QBot,phishing,iab;banking;industry:financial-services,Qakbot-NG
        Emotet,-,,
        NewThing,exfiltration,dga,New Thing;NT2
        """
        let c = try FamilyCatalogue.builtIn.merging(csv: Array(csv.utf8), file: "mine.csv")
        let q = try #require(c.family(named: "Qakbot-NG"))
        #expect(q.name == "QakBot")
        #expect(q.category == .phishing)
        #expect(q.tags.traits == [.initialAccessBroker, .banking])
        #expect(q.tags.industries == [.financialServices])
        #expect(c.family(named: "Emotet")?.category == nil)
        #expect(c.family(named: "Emotet")?.tags.traits.contains(.initialAccessBroker) == true)
        #expect(c.family(named: "nt2")?.category == .exfiltration)
        #expect(c.families.count == FamilyCatalogue.builtIn.families.count + 1)
    }

    @Test func badCatalogueRowsReportTheLine() {
        let csv = "family,category\nEmotet,c2\nOdd,sometimes\n"
        #expect(throws: DNSightCoreError(.badRow("unknown category 'sometimes' for Odd"), file: "x.csv", line: 3, offset: 26)) {
            try FamilyCatalogue(csv: Array(csv.utf8), file: "x.csv")
        }
        #expect(throws: DNSightCoreError(.missingColumn("family"), file: "y.csv", line: 1, offset: 0)) {
            try FamilyCatalogue(csv: Array("name,category\nA,c2\n".utf8), file: "y.csv")
        }
    }

    @Test func brandsMapToIndustries() throws {
        let b = BrandCatalogue.builtIn
        #expect(b.brand(named: "Sumitomo Mitsui Banking Corporation")?.industry == .financialServices)
        #expect(b.brand(named: "smbc")?.name == "Sumitomo Mitsui Banking Corporation")
        #expect(b.brand(named: "Facebook")?.industry == .socialMedia)
        #expect(b.brand(named: "RuneScape")?.industry == .gaming)
        #expect(b.brand(named: "Other") == nil)
        let mine = try b.merging(csv: Array("brand,industry\nAcme Bank,financial services\n".utf8), file: "b.csv")
        #expect(mine.brand(named: "ACME bank")?.industry == .financialServices)
    }

    @Test func networksParseAndContain() throws {
        let n = try #require(IPNetwork(parsing: "192.0.2.77/24"))
        #expect(n == .v4(IPv4Address(rawValue: 0xC000_0200), prefixLength: 24))
        #expect(n.contains(IPv4Address("192.0.2.1")!))
        #expect(!n.contains(IPv4Address("192.0.3.1")!))
        #expect(n.description == "192.0.2.0/24")
        let h = try #require(IPNetwork(parsing: "2001:db8::1"))
        #expect(h.isHost)
        let b = try #require(IPNetwork(parsing: "2001:db8::/32"))
        #expect(b.contains(IPv6Address("2001:db8:ffff::1")!))
        #expect(IPNetwork(parsing: "10.0.0.0/33") == nil)
        #expect(IPNetwork(parsing: "example.com") == nil)
    }

    @Test func scopesCoverTheRightNames() {
        #expect(MatchScope.exact.covers(queryLabels: 2, entryLabels: 2))
        #expect(!MatchScope.exact.covers(queryLabels: 3, entryLabels: 2))
        #expect(MatchScope.subdomain.covers(queryLabels: 2, entryLabels: 2))
        #expect(MatchScope.subdomain.covers(queryLabels: 4, entryLabels: 2))
        #expect(!MatchScope.wildcard.covers(queryLabels: 2, entryLabels: 2))
        #expect(MatchScope.wildcard.covers(queryLabels: 3, entryLabels: 2))
    }

    @Test func indicatorDescribesItself() throws {
        let i = Indicator(.domain(try DNSName(parsing: "evil.example")), scope: .wildcard, category: .commandAndControl,
                          family: "Emotet", tags: ThreatTags(traits: .initialAccessBroker), source: "test")
        #expect(i.pattern == "*.evil.example")
        #expect(i.description == "domain *.evil.example [wildcard] block c2 family=Emotet tags=iab source=test")
    }
}

@Suite struct CSVReaderTests {
    func events(_ s: String) -> [CSVReader.Event] {
        var r = CSVReader(Array(s.utf8))
        var out: [CSVReader.Event] = []
        while let e = r.next() { out.append(e) }
        return out
    }

    @Test func readsQuotedFieldsCommentsAndSpacedSeparators() {
        let e = events("# \"a\",\"b\"\n\"1\", \"x, y\"\n\n2,\"he said \"\"hi\"\"\"\n\"multi\nline\",3\n")
        #expect(e == [
            .comment("\"a\",\"b\"", line: 1, offset: 0),
            .record(fields: ["1", "x, y"], line: 2, offset: 10),
            .record(fields: ["2", "he said \"hi\""], line: 4, offset: 23),
            .record(fields: ["multi\nline", "3"], line: 5, offset: 42),
        ])
    }

    @Test func strictQuotesReportTextAfterAClosingQuote() {
        let text = "\"a\"b,c\nx,\"ok\" ,\"y\"z\nlast\n"
        #expect(events(text) == [
            .record(fields: ["ab", "c"], line: 1, offset: 0),
            .record(fields: ["x", "ok", "yz"], line: 2, offset: 7),
            .record(fields: ["last"], line: 3, offset: 20),
        ])
        var r = CSVReader(Array(text.utf8))
        r.strictQuotes = true
        var out: [CSVReader.Event] = []
        while let e = r.next() { out.append(e) }
        let why = "unexpected text after a closing quote (a quote inside a quoted field must be doubled)"
        #expect(out == [.problem(why, line: 1, offset: 3), .problem(why, line: 2, offset: 18), .record(fields: ["last"], line: 3, offset: 20)])
    }

    @Test func unterminatedQuoteIsReportedAtItsQuote() {
        #expect(events("a,\"open\nb\n") == [.problem("quoted field opened here is never closed", line: 1, offset: 2), .record(fields: ["b"], line: 2, offset: 8)])
    }

    @Test func unterminatedQuoteIsReportedAndLaterRecordsKept() {
        let e = events("a,b\n\"broken,c\nd,e\n")
        #expect(e == [
            .record(fields: ["a", "b"], line: 1, offset: 0),
            .problem("quoted field opened here is never closed", line: 2, offset: 4),
            .record(fields: ["d", "e"], line: 3, offset: 14),
        ])
    }
}
