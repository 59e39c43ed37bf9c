import DNSWire
import DNSightCore
import Testing
@testable import IntelFeeds

/// Hand-written malformed variants of every format: each bad entry gives a diagnostic with its line, every good
/// entry around it is kept, and a file that is not the format at all is an error.
@Suite struct MalformedInputTests {
    @Test func plainList() throws {
        let text = """
        # a list
        good.example
        bad..example
        *.wild.example
        two words.example
        http://url.example/path
        192.0.2.5
        198.51.100.0/24
        localhost
        ok.example # trailing comment
        exa$mple.com
        """
        let r = try Samples.parse(text, as: .list)
        #expect(r.indicators.map(\.pattern) == ["good.example", "*.wild.example", "url.example", "192.0.2.5", "198.51.100.0/24", "ok.example"])
        #expect(r.first("good.example")?.scope == .subdomain)
        #expect(r.first("url.example")?.scope == .exact)
        #expect(r.problemLines == [3, 5, 11])
        #expect(r.diagnostics[0].message == "empty label")
        #expect(r.diagnostics[2].message == "character '$' is not allowed in a host name")
        #expect(r.skipped == ["malformed": 3, "single-label name": 1])
        #expect(try Samples.parse("a.example\nb.example\n", as: .list, scope: .exact).indicators.allSatisfy { $0.scope == .exact })
    }

    @Test func hosts() throws {
        let text = """
        127.0.0.1 localhost
        ::1 ip6-localhost ip6-loopback
        0.0.0.0 a.example b.example # two names
        0.0.0.0
        not-an-address c.example
        0.0.0.0 bad_label-.exa..mple
        0.0.0.0\td.example
        0.0.0.0 10.0.0.1
        """
        let r = try Samples.parse(text, as: .hosts)
        #expect(r.indicators.map(\.pattern) == ["a.example", "b.example", "d.example"])
        #expect(r.indicators.allSatisfy { $0.scope == .exact })
        #expect(r.problemLines == [4, 5, 6, 8])
        #expect(r.diagnostics.map(\.message) == ["an address with no name", "expected an address followed by names", "empty label", "an address where a name was expected"])
        #expect(r.skipped["hosts boilerplate"] == 3)
    }

    @Test func adblock() throws {
        let text = """
        [Adblock Plus 2.0]
        ! comment
        ||block.example^
        ||*.wild.example^
        @@||allowed.example^
        |exact.example^
        ||path.example/ads^
        example.org##.banner
        ||mod.example^$client=10.0.0.1
        ||imp.example^$important
        /regex.*/
        ||bad..example^
        0.0.0.0 hosts-style.example
        plain.example
        """
        let r = try Samples.parse(text, as: .adblock)
        func s(_ n: String) -> Indicator? { r.indicators.first { $0.name == dname(n) } }
        #expect(s("block.example")?.scope == .subdomain)
        #expect(s("wild.example")?.scope == .wildcard)
        #expect(s("allowed.example")?.action == .allow)
        #expect(s("exact.example")?.scope == .exact)
        #expect(s("imp.example") != nil)
        #expect(s("hosts-style.example")?.scope == .exact)
        #expect(s("plain.example")?.scope == .subdomain)
        #expect(r.kept == 7)
        #expect(r.problemLines == [12])
        #expect(r.skipped["rule with a path"] == 1 && r.skipped["cosmetic rule"] == 1 && r.skipped["modifier $client"] == 1)
        #expect(r.skipped["regular-expression or path rule"] == 1)
    }

    @Test func rpz() throws {
        let text = """
        $TTL 300
        $ORIGIN rpz.example.
        @ SOA ns.rpz.example. admin.rpz.example. ( 1 3600
              600 86400 300 )
          NS ns.rpz.example.
        good.example CNAME .
        bad name here
        unknown.example 300 IN BOGUS data
        multi.example ( CNAME
            rpz-drop. )
        local.example A 192.0.2.1
                      A 192.0.2.2
                      TXT "blocked by policy; see wiki"
        badip.example A 999.1.1.1
        32.1.2.0.192.rpz-ip CNAME .
        x.y.rpz-ip CNAME .
        outside.other. CNAME .
        ok.example CNAME ok.example.
        unclosed.example CNAME ( .
        after.example CNAME *.
        $INCLUDE other.zone
        last.example CNAME rpz-passthru.
        """
        let r = try Samples.parse(text, as: .rpz)
        func s(_ n: String) -> Indicator? { r.indicators.first { $0.name == dname(n) } }
        #expect(s("good.example")?.action == .nxdomain)
        #expect(s("multi.example")?.action == .drop)
        #expect(s("multi.example")?.location?.line == 9)
        #expect(s("local.example")?.action == .localData(["A 192.0.2.1", "A 192.0.2.2", "TXT \"blocked by policy; see wiki\""]))
        #expect(r.indicators.contains { $0.value == .address(IPNetwork(parsing: "192.0.2.1")!) })
        #expect(s("ok.example")?.action == .allow, "CNAME to itself is the old PASSTHRU")
        #expect(s("after.example")?.action == .nodata)
        #expect(s("last.example")?.action == .allow)
        #expect(r.problemLines == [7, 8, 14, 16, 17, 19, 21])
        #expect(r.diagnostics[0].message == "unknown record type NAME", "owner `bad`, then `name` where a type belongs")
        #expect(r.diagnostics[1].message == "unknown record type BOGUS")
        #expect(r.diagnostics[2].message == "A record data is not an IPv4 address")
        #expect(r.diagnostics[4].message.hasPrefix("owner name is outside the zone"))
        #expect(r.diagnostics[5].message == "'(' opened here is never closed")
        #expect(r.kept == 7)
    }

    @Test func threatFoxCSVBothLayouts() throws {
        // The current export: commented header, `", "` separators.
        let current = """
        ################################################################
        # ThreatFox IOCs: CSV dump                                     #
        # Last updated: 2024-05-01 10:00:00 UTC                        #
        ################################################################
        #
        # "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags","anonymous","reporter"
        "2024-05-01 09:00:00", "1001", "c2.example.com", "domain", "botnet_cc", "win.qakbot", "Qbot,Quakbot", "QakBot", "", "100", "https://ref.example/1", "QakBot,TA570", "0", "abuse_ch"
        "2024-05-01 09:01:00", "1002", "http://dl.example.net/x.exe", "url", "payload_delivery", "win.emotet", "Heodo", "Emotet", "2024-05-01 09:30:00", "75", "None", "exe", "0", "someone"
        "2024-05-01 09:02:00", "1003", "198.51.100.7:443", "ip:port", "botnet_cc", "win.cobalt_strike", "", "Cobalt Strike", "", "50", "", "", "0", "x"
        "2024-05-01 09:03:00", "1004", "not a domain!", "domain", "botnet_cc", "win.x", "", "X", "", "50", "", "", "0", "x"
        "2024-05-01 09:04:00", "1005", "abcdef0123456789abcdef0123456789", "md5_hash", "payload", "win.x", "", "X", "", "50", "", "", "0", "x"
        "2024-05-01 09:05:00", "1006", "unterminated.example, "domain"
        "2024-05-01 09:06:00", "1007", "after.example", "domain", "botnet_cc", "win.icedid", "", "IcedID", "", "90", "", "", "0", "x"
        """
        let r = try Samples.parse(current, as: nil)
        #expect(r.format == .threatfoxCSV)
        #expect(r.indicators.map(\.pattern) == ["c2.example.com", "dl.example.net", "198.51.100.7", "after.example"])
        let q = try #require(r.first("c2.example.com"))
        #expect(q.category == .commandAndControl && q.family == "QakBot" && q.confidence == 100 && q.scope == .subdomain)
        #expect(q.reference == "https://ref.example/1")
        #expect(q.tags.labels == ["QakBot", "TA570"])
        let e = try #require(r.first("dl.example.net"))
        #expect(e.category == .malware && e.scope == .exact && e.lastSeen == DateText.seconds("2024-05-01 09:30:00"))
        #expect(e.reference == "https://threatfox.abuse.ch/ioc/1002/", "reference None falls back to the IOC page")
        #expect(r.problemLines == [10, 12])
        #expect(r.skipped["file hash"] == 1)
        #expect(r.notes["updated"] == "2024-05-01 10:00:00 UTC")

        // An older layout: plain header, different column order, no last_seen_utc.
        let older = """
        first_seen_utc,ioc_value,ioc_type,threat_type,malware_printable,confidence_level,reference,tags,ioc_id
        2021-01-01 00:00:00,old.example,domain,botnet_cc,Emotet,75,,,42
        """
        let o = try Samples.parse(older, as: .threatfoxCSV)
        #expect(o.first("old.example")?.family == "Emotet")
        #expect(o.first("old.example")?.reference == "https://threatfox.abuse.ch/ioc/42/")
        #expect(throws: IntelFeedsError(.missingColumn("ioc_value"), file: "test.txt", line: 1, offset: 0)) {
            try Samples.parse("a,b,c\n1,2,3\n", as: .threatfoxCSV)
        }
    }

    @Test func threatFoxJSONShapes() throws {
        let export = """
        {
          "1001": [{"ioc_value": "c2.example.com", "ioc_type": "domain", "threat_type": "botnet_cc", "malware": "win.qakbot",
                    "malware_printable": "QakBot", "first_seen_utc": "2024-05-01 09:00:00", "last_seen_utc": null,
                    "confidence_level": 100, "reference": null, "tags": "QakBot,TA570", "anonymous": "0", "reporter": "x"}],
          "1002": [{"ioc_value": "bad..example", "ioc_type": "domain", "threat_type": "botnet_cc", "malware_printable": "X"}],
          "1003": [{"ioc_value": "http://pay.example/x", "ioc_type": "url", "threat_type": "payload_delivery", "malware_printable": "Emotet"}]
        }
        """
        let r = try Samples.parse(export, as: nil, file: "full.json")
        #expect(r.format == .threatfoxJSON)
        #expect(r.indicators.map(\.pattern) == ["c2.example.com", "pay.example"])
        #expect(r.problemLines == [5])
        #expect(r.first("c2.example.com")?.reference == nil)

        let api = """
        {"query_status": "ok", "data": [
          {"id": "7", "ioc": "api.example", "threat_type": "botnet_cc", "ioc_type": "domain", "malware_printable": "IcedID",
           "confidence_level": 75, "first_seen": "2024-01-01 00:00:00 UTC", "last_seen": "2024-02-01 00:00:00 UTC",
           "reference": "https://ref", "tags": ["IcedID", "ransomware"]},
          "not an object"
        ]}
        """
        let a = try Samples.parse(api, as: .threatfoxJSON)
        let i = try #require(a.first("api.example"))
        #expect(i.family == "IcedID" && i.tags.traits == .ransomware && i.tags.labels == ["IcedID"])
        #expect(i.lastSeen == DateText.seconds("2024-02-01 00:00:00 UTC"))
        #expect(a.problemLines == [5])

        #expect(throws: IntelFeedsError(.notThisFormat(.threatfoxJSON, "the API answered query_status \"no_result\""), file: "test.txt", line: 1, offset: 0)) {
            try Samples.parse("{\"query_status\": \"no_result\", \"data\": \"x\"}", as: .threatfoxJSON)
        }
        let truncated = "{\"iocs\": [\n {\"ioc\": \"a.example\", \"type\": \"domain\"},\n {\"ioc\": "
        #expect(throws: IntelFeedsError(.badJSON("unexpected end of input, expected a value"), file: "test.txt", line: 3, offset: 61)) {
            try Samples.parse(truncated, as: .threatfoxJSON)
        }
    }

    @Test func urlhausCSV() throws {
        let text = """
        # id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
        "1","2024-01-01 00:00:00","http://a.example/x","online","2024-01-02 00:00:00","malware_download","elf,mirai","https://urlhaus.abuse.ch/url/1/","r"
        "2","2024-01-01 00:00:00","","online","","malware_download","","https://urlhaus.abuse.ch/url/2/","r"
        "3","2024-01-01 00:00:00","http://b..example/","online","","malware_download","","https://urlhaus.abuse.ch/url/3/","r"
        "4","2024-01-01 00:00:00","https://[2001:db8::1]:8443/p","online","","malware_download","","https://urlhaus.abuse.ch/url/4/","r"
        "5","2023-12-01 00:00:00","http://a.example/y","offline","","malware_download","Mozi","https://urlhaus.abuse.ch/url/5/","r"
        """
        let r = try Samples.parse(text, as: nil)
        #expect(r.format == .urlhausCSV)
        #expect(r.indicators.map(\.pattern) == ["a.example", "2001:db8::1"])
        #expect(r.problemLines == [3, 4])
        let a = try #require(r.first("a.example"))
        #expect(a.firstSeen == DateText.seconds("2023-12-01"), "merged hosts keep the earliest date")
        #expect(a.tags.labels == ["elf", "mirai", "Mozi"])
    }

    @Test func phishTank() throws {
        let text = """
        phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target
        1,https://login.bank.example/x,http://www.phishtank.com/phish_detail.php?phish_id=1,2021-03-06T16:45:39+00:00,yes,2021-03-06T19:06:22+00:00,yes,PayPal
        2,notaurl,http://www.phishtank.com/phish_detail.php?phish_id=2,2021-03-06T16:45:39+00:00,yes,,yes,Other
        3,"https://x.example/a,b",http://www.phishtank.com/phish_detail.php?phish_id=3,2021-03-06T16:45:39+00:00,no,,yes,Other
        4,"https://broken.example/
        5,https://after.example/,http://www.phishtank.com/phish_detail.php?phish_id=5,2021-03-06T16:45:39+00:00,yes,,yes,Other
        """
        let r = try Samples.parse(text, as: nil)
        #expect(r.format == .phishtank)
        #expect(r.indicators.map(\.pattern) == ["login.bank.example", "x.example", "after.example"])
        #expect(r.first("login.bank.example")?.tags.brands == ["PayPal"])
        #expect(r.first("x.example")?.tier == .suspected, "unverified rows are suspected")
        #expect(r.problemLines == [3, 5])
        #expect(r.diagnostics[1].message == "quoted field opened here is never closed")
    }

    @Test func openPhish() throws {
        let r = try Samples.parse("https://a.example/login\nftp//missing-colon.example\nhttps://b.example:99999/\nhttp://c.example\n", as: .openphish)
        #expect(r.indicators.map(\.pattern) == ["a.example", "c.example"])
        #expect(r.problemLines == [2, 3])
        #expect(r.diagnostics.map(\.message) == ["not a URL (expected scheme://host/…)", "bad port"])
        #expect(throws: IntelFeedsError.self) { try Samples.parse("{\"json\": true}\n[1,2]\n", as: .openphish) }
    }

    @Test func maltrail() throws {
        let text = """
        # Copyright (c) 2014-2026 Maltrail developers (https://github.com/stamparm/maltrail/)
        # Aliases: testbot, tb

        # Reference: https://one.example/report

        c2.testbot.example
        bad..testbot.example
        198.51.100.9:8080
        /gate.php

        # Reference: https://two.example/a
        # Referecne: https://two.example/b

        update.testbot.example/path/file.bin
        (a|b)\\.regex\\.example
        1.2.3.4:99999
        last.testbot.example
        """
        let r = try Samples.parse(text, as: nil, file: "trails/static/malware/testbot.txt")
        #expect(r.format == .maltrail)
        #expect(r.defaults.family == "testbot" && r.defaults.category == .malware)
        #expect(r.notes["aliases"] == "testbot, tb")
        #expect(r.indicators.map(\.pattern) == ["c2.testbot.example", "198.51.100.9", "update.testbot.example", "last.testbot.example"])
        #expect(r.first("c2.testbot.example")?.reference == "https://one.example/report")
        #expect(r.first("last.testbot.example")?.reference == "https://two.example/a https://two.example/b")
        #expect(r.first("update.testbot.example")?.scope == .exact)
        #expect(r.problemLines == [7, 16])
        #expect(r.skipped["path without a host"] == 1 && r.skipped["regular expression"] == 1)
        let susp = try Samples.parse("x.example\n", as: .maltrail, file: "static/suspicious/odd_thing.txt")
        #expect(susp.defaults.tier == .suspected && susp.defaults.family == "odd thing")
    }

    @Test func notTheFormatAtAll() {
        let json = "{\"a\": 1}\n{\"b\": 2}\n"
        #expect(throws: IntelFeedsError.self) { try Samples.parse(json, as: .hosts) }
        #expect(throws: IntelFeedsError.self) { try Samples.parse(json, as: .list) }
        #expect(throws: IntelFeedsError.self) { try Samples.parse("a.example\nb.example\n", as: .stix) }
        #expect(throws: IntelFeedsError.self) { try Samples.parse("a.example\n", as: .misp) }
        do {
            _ = try Samples.parse("just some words here\nand more words\n", as: .hosts)
            Issue.record("expected an error")
        } catch let error as IntelFeedsError {
            #expect(error.line == 1)
            if case .notThisFormat(.hosts, let why) = error.kind { #expect(why.contains("expected an address followed by names")) } else { Issue.record("\(error)") }
        } catch {
            Issue.record("\(error)")
        }
        #expect(throws: IntelFeedsError(.unrecognised("JSON, but not STIX, MISP or ThreatFox"), file: "x.json")) {
            try FeedParser.parse(Array("{\"weather\": 1}".utf8), context: FeedContext(file: "x.json"))
        }
        #expect(throws: IntelFeedsError(.unrecognised("the file is empty"), file: "e.txt")) {
            try FeedParser.parse([], context: FeedContext(file: "e.txt"))
        }
    }

    @Test func formatOverrideWins() throws {
        // Detected as a URL list, read as a plain list: URLs reduce to hosts either way, but the scope default differs.
        let text = "https://a.example/x\nhttps://b.example/y\n"
        #expect(try FeedFormat.detect(Array(text.utf8)).get() == .urls)
        let r = try Samples.parse(text, as: .list)
        #expect(r.format == .list && r.kept == 2)
    }
}
