import DNSWire
import DNSightCore
import DomainMatcher
import Foundation
import IntelFeeds
import Testing
@testable import ThreatIntel

@Suite struct EnrichmentTests {
    let e = Enricher()
    func ind(_ family: String? = nil, _ category: ThreatCategory? = nil) -> Indicator {
        Indicator(.domain(try! DNSName(parsing: "x.example")), category: category, family: family, source: "t")
    }

    @Test func catalogueCompletesFamilyCategoryAndTags() {
        let i = e.enrich(ind("sodinokibi"), defaults: SourceDefaults(category: .malware), options: ImportOptions())
        #expect(i.family == "REvil")
        #expect(i.category == .commandAndControl, "the catalogue's category beats a Maltrail folder's")
        #expect(i.tags.traits.contains(.ransomware))
        let q = e.enrich(ind(), defaults: SourceDefaults(category: .malware, family: "android flubot"), options: ImportOptions())
        #expect(q.family == "FluBot" && q.tags.deviceTypes == [.mobile] && q.category == .malware)
        let unknown = e.enrich(ind("Some New Thing"), defaults: SourceDefaults(category: .malware), options: ImportOptions())
        #expect(unknown.family == "Some New Thing" && unknown.category == .malware)
    }

    @Test func precedence() {
        // What the entry says beats the operator, which beats the catalogue, which beats the source default.
        #expect(e.enrich(ind("Emotet", .phishing), defaults: SourceDefaults(), options: ImportOptions(category: .malware)).category == .phishing)
        #expect(e.enrich(ind("Emotet"), defaults: SourceDefaults(), options: ImportOptions(category: .malware)).category == .malware)
        #expect(e.enrich(ind("Emotet"), defaults: SourceDefaults(category: .phishing), options: ImportOptions()).category == .commandAndControl)
        #expect(e.enrich(ind(), defaults: SourceDefaults(category: .phishing), options: ImportOptions()).category == .phishing)
        #expect(e.enrich(ind(), defaults: SourceDefaults(), options: ImportOptions()).category == nil, "known-bad of unspecified category")
        let f = e.enrich(ind(), defaults: SourceDefaults(), options: ImportOptions(family: "qbot", tags: ThreatTags(parsing: ["industry:manufacturing"])))
        #expect(f.family == "QakBot" && f.category == .commandAndControl && f.tags.industries == [.manufacturing])
        #expect(f.tags.traits.contains(.initialAccessBroker))
    }

    @Test func brandsGiveIndustriesAndLabelsGiveFamilies() {
        var i = ind(nil, .phishing)
        i.tags.addBrand("SMBC")
        #expect(e.enrich(i, defaults: SourceDefaults(), options: ImportOptions()).tags.industries == [.financialServices])
        var u = ind()
        u.tags = ThreatTags(labels: ["elf", "mirai"])
        let m = e.enrich(u, defaults: SourceDefaults(category: .malware), options: ImportOptions())
        #expect(m.family == "Mirai" && m.tags.deviceTypes.contains(.iot))
    }

    @Test func allowlistOptionMakesAllowEntries() {
        let a = e.enrich(ind("Emotet", .malware), defaults: SourceDefaults(category: .malware), options: ImportOptions(allowlist: true))
        #expect(a.action == .allow && a.category == nil && a.family == nil)
    }

    @Test func operatorCatalogueOverrides() throws {
        var custom = Enricher()
        custom.families = try custom.families.merging(csv: Array("family,category,tags\nEmotet,phishing,banking\n".utf8), file: "f.csv")
        let i = custom.enrich(ind("heodo"), defaults: SourceDefaults(), options: ImportOptions())
        #expect(i.family == "Emotet" && i.category == .phishing && i.tags.traits == [.banking])
    }
}

@Suite struct ImporterTests {
    @Test func folderWalkSkipsDocumentation() throws {
        let files = try IntelImporter.files(at: Support.intel + "/maltrail")
        #expect(files.count == 55)
        #expect(!files.contains { $0.hasSuffix("MANIFEST.md") })
        #expect(throws: ThreatIntelError.self) { try IntelImporter.files(at: Support.intel + "/nope") }
    }

    @Test func importsMaltrailAndMatches() throws {
        var imp = IntelImporter()
        let files = try imp.importPath(Support.intel + "/maltrail")
        #expect(files.count == 55 && files.allSatisfy { $0.error == nil && $0.format == "maltrail" })
        let s = try MatcherSnapshot(image: imp.buildImage(created: 1))
        func family(_ n: String) -> String? {
            guard case .listed(let m) = s.lookup(n), let r = s.record(m.record) else { return nil }
            return s.string(r.family)
        }
        #expect(family("dvr.petcp.com") == "Emotet")
        #expect(family("deep.sub.dvr.petcp.com") == "Emotet")
        #expect(family("decoder.re") == "REvil")
        #expect(family("cvzdrbiwm.info") == "Pykspa")
        #expect(family("letshack.ddns.net") == "Sliver")
        #expect(s.lookup(IPv4Address("66.210.228.178")!) != nil)
        let report = try #require(ImportReport(snapshot: s))
        #expect(report.files.count == 55 && report.created == 1)
        let st = SnapshotStats(s)
        #expect(st.byFamily["Emotet"]! > 6000)
        #expect(st.bySource == ["maltrail": s.entryCount + s.addressCount])
        #expect(st.byCategory.keys.sorted() == ["c2", "malware", "phishing"])
    }

    @Test func fileThatIsNotAFeedIsReportedAndTheRestKept() throws {
        let dir = Support.tempFolder("mixed")
        try Support.write("good.example\nother.example\n", to: dir + "/list.txt")
        try Support.write("{\"weather\": \"sunny\"}", to: dir + "/odd.json")
        var imp = IntelImporter()
        let files = try imp.importPath(dir)
        #expect(files.map { $0.error == nil } == [true, false])
        #expect(files[1].error!.contains("cannot tell the feed format"))
        #expect(imp.indicators.count == 2)
    }
}

@Suite struct ReportTests {
    func snap(_ lines: String, format: FeedFormat = .list) throws -> MatcherSnapshot {
        var imp = IntelImporter()
        imp.importBytes(Array(lines.utf8), file: "feed.txt", options: ImportOptions(format: format, category: .malware))
        return try MatcherSnapshot(image: imp.buildImage())
    }

    @Test func diffFindsAddedRemovedAndChanged() throws {
        let a = try snap("a.example\nb.example\n")
        var imp = IntelImporter()
        imp.importBytes(Array("b.example\nc.example\n".utf8), file: "feed.txt", options: ImportOptions(format: .list, category: .phishing))
        let b = try MatcherSnapshot(image: imp.buildImage())
        let d = SnapshotDiff(old: a, new: b)
        #expect(d.added.map(\.entry) == ["c.example"])
        #expect(d.removed.map(\.entry) == ["a.example"])
        #expect(d.changed.map { "\($0.before.category!)->\($0.after.category!)" } == ["malware->phishing"])
        #expect(SnapshotDiff(old: a, new: a).added.isEmpty)
    }

    @Test func lookupExplains() throws {
        let s = try snap("bad.example\n192.0.2.1\n")
        let l = LookupExplanation(query: "WWW.Bad.Example.", snapshot: s)
        #expect(l.verdict == "listed")
        #expect(l.decidedBy?.entry == "bad.example" && l.decidedBy?.scope == "subdomain" && l.decidedBy?.file == "feed.txt" && l.decidedBy?.line == 1)
        #expect(LookupExplanation(query: "192.0.2.1", snapshot: s).decidedBy?.category == "malware")
        #expect(LookupExplanation(query: "good.example", snapshot: s).verdict == "no-match")
        #expect(LookupExplanation(query: "a..b", snapshot: s).verdict == "invalid")
    }

    @Test func feedConfigErrorsNameTheLine() {
        #expect(throws: ThreatIntelError(.badConfig("unknown format 'yaml' (one of \(FeedFormat.allCases.map(\.rawValue).joined(separator: ", ")))"), file: "c", line: 3)) {
            try FeedConfig(text: "[feed a]\nurl = http://127.0.0.1/x\nformat = yaml\n", file: "c")
        }
        #expect(throws: ThreatIntelError(.badConfig("[b] needs exactly one of url = … or path = …"), file: "c", line: 1)) {
            try FeedConfig(text: "[feed b]\ncategory = c2\n", file: "c")
        }
        #expect(throws: ThreatIntelError(.badConfig("a setting outside any [feed NAME] section"), file: "c", line: 2)) {
            try FeedConfig(text: "# x\nurl = http://a/\n", file: "c")
        }
        let ok = try? FeedConfig(text: "[feed a] \nurl = https://h.example/f ; comment\ntags = iab, ransomware\nscope = exact\n[allow mine]\npath = /etc/x\n", file: "c")
        #expect(ok?.feeds.count == 2)
        #expect(ok?.feeds[0].url == "https://h.example/f")
        #expect(ok?.feeds[0].options.tags.traits == [.initialAccessBroker, .ransomware])
        #expect(ok?.feeds[1].options.allowlist == true)
    }

    @Test func xdgDefaults() {
        #expect(IntelPaths.defaultSnapshot(environment: ["HOME": "/h"]) == "/h/.local/share/dnsight/intel.snapshot")
        #expect(IntelPaths.defaultSnapshot(environment: ["HOME": "/h", "XDG_DATA_HOME": "/d"]) == "/d/dnsight/intel.snapshot")
        #expect(IntelPaths.defaultSnapshot(environment: ["HOME": "/h", "XDG_DATA_HOME": "relative"]) == "/h/.local/share/dnsight/intel.snapshot")
        #expect(IntelPaths.defaultSnapshot(environment: ["DNSIGHT_INTEL_SNAPSHOT": "/s"]) == "/s")
        #expect(IntelPaths.defaultFeedConfig(environment: ["HOME": "/h"]) == "/h/.config/dnsight/feeds.conf")
        #expect(IntelPaths.defaultFeedCache(environment: ["HOME": "/h", "XDG_CACHE_HOME": "/c"]) == "/c/dnsight/feeds")
    }
}
