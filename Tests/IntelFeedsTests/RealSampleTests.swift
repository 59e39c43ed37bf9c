import DNSWire
import DNSightCore
import Testing
@testable import IntelFeeds

/// Every real sample in ../shared/data/intel: detected format, counts, and specific entries.
@Suite struct RealSampleTests {
    @Test func formatsAreDetected() throws {
        let expected: [(String, FeedFormat)] = [
            ("samples/urlhaus-csv-online-head.csv", .urlhausCSV), ("samples/urlhaus-hostfile-head.txt", .hosts),
            ("samples/urlhaus-filter-rpz-online-head.conf", .rpz), ("samples/powerdns-basic.rpz", .rpz),
            ("samples/openphish-community-feed.txt", .openphish), ("samples/phishtank-verified_online-head200.csv", .phishtank),
            ("samples/threatfox-api-slim-defanged.json", .threatfoxJSON),
            ("samples/misp-event-57c4445b-c548-4654-af0b-4be3950d210f.json", .misp),
            ("maltrail/malware/emotet.txt", .maltrail), ("maltrail/malicious/sliver.txt", .maltrail),
        ]
        for (file, format) in expected {
            #expect(try FeedFormat.detect(Samples.bytes(file), fileName: Samples.path(file)).get() == format, "\(file)")
        }
    }

    @Test func openPhish() throws {
        let r = try Samples.parse("samples/openphish-community-feed.txt")
        #expect(r.format == .openphish && r.source == "openphish")
        // 300 URLs on 277 distinct hosts (counted independently with Python's urlsplit).
        #expect(r.kept == 277)
        #expect(r.skipped == ["same host as an earlier entry": 23])
        #expect(r.diagnostics.isEmpty)
        #expect(r.defaults.category == .phishing)
        let i = try #require(r.first("send-usdt-9999.netlify.app"))
        #expect(i.scope == .exact)
        #expect(i.location?.line == 2)
        #expect(r.first("api.msuto.com") != nil)
        #expect(r.first("www.undianshopee-2021.blogspot.com")?.scope == .exact, "a URL host on shared hosting is exact")
    }

    @Test func phishTank() throws {
        let r = try Samples.parse("samples/phishtank-verified_online-head200.csv")
        #expect(r.format == .phishtank)
        #expect(r.kept == 139)
        #expect(r.skippedCount == 61)
        #expect(r.diagnostics.isEmpty)
        #expect(r.indicators.allSatisfy { $0.category == .phishing })
        let smbc = try #require(r.first("reset-smbc.cyou"))
        #expect(smbc.tags.brands == ["Sumitomo Mitsui Banking Corporation"])
        #expect(smbc.reference == "http://www.phishtank.com/phish_detail.php?phish_id=7003465")
        let fb = try #require(r.first("verifikasibatalblok.ml"))
        #expect(fb.tags.brands == ["Facebook"])
        #expect(fb.firstSeen == DateText.seconds("2021-03-06T16:41:21+00:00"))
        #expect(fb.location?.line == 4)
        #expect(r.first("secure.runescape.com-vc.ru")?.tags.brands == ["RuneScape"])
        #expect(r.first("de20287.xyz")?.tags.brands == [], "target Other is not a brand")
        #expect(r.indicators.filter { !$0.tags.brands.isEmpty }.count == 8)
    }

    @Test func urlhausCSV() throws {
        let r = try Samples.parse("samples/urlhaus-csv-online-head.csv")
        #expect(r.format == .urlhausCSV && r.source == "urlhaus")
        // 68 rows on 16 distinct hosts: 14 IP addresses and 2 names.
        #expect(r.kept == 16)
        #expect(r.domainCount == 2)
        #expect(r.skipped == ["same host as an earlier entry": 52])
        let n = try #require(r.first("cryptomeshforge10.lol"))
        #expect(n.category == .malware && n.scope == .exact)
        #expect(r.first("long-wildflower-b4f5.gustavosoftware.workers.dev") != nil)
        let ip = try #require(r.first("176.65.139.212"))
        #expect(ip.tags.labels.contains("mirai"))
        #expect(ip.reference == "https://urlhaus.abuse.ch/url/3905435/")
        #expect(ip.firstSeen == DateText.seconds("2026-08-18 15:58:04") || ip.firstSeen! <= DateText.seconds("2026-08-18 16:05:19")!)
        #expect(r.notes["updated"] == "2026-08-18 16:17:08 (UTC)")
    }

    @Test func urlhausHostFile() throws {
        let r = try Samples.parse("samples/urlhaus-hostfile-head.txt")
        #expect(r.format == .hosts)
        #expect(r.source == "urlhaus", "the URLhaus header names the source")
        #expect(r.defaults.category == .malware)
        #expect(r.kept == 100 && r.skippedCount == 0 && r.diagnostics.isEmpty)
        let i = try #require(r.first("01.shgrasp.vip"))
        #expect(i.scope == .exact)
        #expect(i.location?.line == 9)
        #expect(r.first("26v.cn") != nil)
    }

    @Test func urlhausRPZ() throws {
        let r = try Samples.parse("samples/urlhaus-filter-rpz-online-head.conf")
        #expect(r.format == .rpz)
        #expect(r.kept == 60)
        #expect(r.skipped == ["zone apex record": 2])
        #expect(r.indicators.allSatisfy { $0.action == .nxdomain && $0.scope == .exact })
        #expect(r.first("0-24bpautomentes.hu")?.location?.line == 12)
        #expect(r.first("8ja.s3.sa-east-1.amazonaws.com") != nil)
    }

    @Test func powerDNSRPZHasEveryTriggerAndAction() throws {
        let r = try Samples.parse("samples/powerdns-basic.rpz")
        #expect(r.kept == 17)
        #expect(r.diagnostics.isEmpty)
        func find(_ v: IndicatorValue, _ s: MatchScope) -> Indicator? { r.indicators.first { $0.value == v && $0.scope == s } }
        #expect(find(.domain(dname("nxdomain.org")), .exact)?.action == .nxdomain)
        #expect(find(.domain(dname("nxdomain.org")), .wildcard)?.action == .nxdomain)
        #expect(find(.domain(dname("mail.nxdomain.org")), .exact)?.action == .allow)
        #expect(find(.domain(dname("example.net")), .wildcard)?.action == .drop)
        #expect(find(.domain(dname("truncate.org")), .exact)?.action == .tcpOnly)
        #expect(find(.domain(dname("local.org")), .exact)?.action == .localData(["CNAME explanation.example.com."]))
        #expect(find(.domain(dname("local-a.org")), .wildcard)?.action == .localData(["A 192.168.2.5"]))
        #expect(find(.clientAddress(IPNetwork(parsing: "127.0.0.0/24")!), .exact)?.action == .drop)
        #expect(find(.clientAddress(IPNetwork(parsing: "10.0.0.1")!), .exact)?.action == .tcpOnly)
        #expect(find(.address(IPNetwork(parsing: "10.0.0.2")!), .exact)?.action == .nxdomain)
        #expect(find(.nameServerName(dname("dns-eu1.powerdns.net")), .exact)?.action == .nxdomain)
        #expect(find(.nameServerName(dname("powerdns.net")), .wildcard)?.action == .nxdomain)
        #expect(find(.nameServerName(dname("gtld-servers.net")), .wildcard)?.action == .tcpOnly)
        #expect(find(.domain(dname("nxdomain.org")), .exact)?.location?.line == 11)
    }

    @Test func threatFoxSlimDefangedJSON() throws {
        let r = try Samples.parse("samples/threatfox-api-slim-defanged.json")
        #expect(r.format == .threatfoxJSON && r.source == "threatfox")
        // 40 IOCs: 25 domains, 7 ip:port, 5 URLs kept; 3 SHA-256 hashes skipped.
        #expect(r.kept == 37)
        #expect(r.skipped == ["file hash": 3])
        #expect(r.domainCount == 25 + 3, "25 domain IOCs plus the hosts of 3 URLs with names")
        let d = try #require(r.first("atriumvillas.ch"), "defanged [.] is undone")
        #expect(d.family == "ClearFake" && d.confidence == 90 && d.scope == .subdomain)
        #expect(d.firstSeen == DateText.seconds("2026-08-22 21:09:58 UTC"))
        #expect(r.first("41.234.45.136")?.family == "AsyncRAT")
        let url = try #require(r.first("storageprofiler.com"), "hxxps:// URLs are reduced to their host")
        #expect(url.scope == .exact)
        #expect(url.family == nil && url.tags.traits.contains(.stealer), "Unknown Stealer: no family, stealer trait")
        #expect(r.first("45.91.168.240")?.family == "Vidar")
        #expect(r.first("ecocrypt.shop")?.family == nil)
    }

    @Test func mispEventWithoutNetworkAttributes() throws {
        let r = try Samples.parse("samples/misp-event-57c4445b-c548-4654-af0b-4be3950d210f.json")
        #expect(r.format == .misp)
        // The CIRCL Xorist event holds links, hashes, a file name, a registry key and text: nothing DNS can match.
        #expect(r.kept == 0)
        #expect(r.skipped == ["attribute type link": 2, "attribute type comment": 1, "attribute type text": 1, "attribute type filename": 1,
                              "attribute type md5": 1, "attribute type sha1": 1, "attribute type sha256": 1, "attribute type regkey|value": 1])
        #expect(r.defaults.category == .malware, "circl:incident-classification=\"malware\"")
        #expect(r.notes["info"] == "Ransomware - Xorist")
        #expect(r.notes["org"] == "CIRCL")
    }

    @Test func maltrailFamilyCategoryAndReferences() throws {
        let r = try Samples.parse("maltrail/malware/emotet.txt")
        #expect(r.format == .maltrail && r.source == "maltrail")
        #expect(r.defaults.family == "emotet" && r.defaults.category == .malware)
        #expect(r.notes["aliases"] == "Emotet, Heodo, Geodo")
        // 15,034 entries: 4,737 bare paths skipped; the other 10,297 reduce to names or addresses (counted with an
        // independent script), of which repeats of the same host/scope are merged.
        #expect(r.skipped["path without a host"] == 4737)
        #expect(r.kept + (r.skipped["same host as an earlier entry"] ?? 0) == 10297)
        #expect(r.diagnostics.isEmpty)
        let d = try #require(r.first("dvr.petcp.com"))
        #expect(d.scope == .subdomain)
        #expect(d.reference == "https://twitter.com/_lockhum/status/1221245124707078144")
        #expect(d.location?.line == 14)
        let ip = try #require(r.first("66.210.228.178"), "ip:port trails give the address")
        #expect(ip.reference == "https://twitter.com/_lockhum/status/1221213324525867008")

        let p = try Samples.parse("maltrail/malware/pykspa.txt")
        #expect(p.kept == 19 && p.skippedCount == 0)
        #expect(p.first("www.freewebs.com")?.scope == .exact, "host/path trails match their host exactly")
        #expect(p.first("cvzdrbiwm.info")?.reference == "https://x.com/skocherhan/status/2024935967514116324 https://www.virustotal.com/gui/file/0318977a06589b8d121451575dc8214e178d374a424bad0bca2aeed30a198a17/detection")

        let s = try Samples.parse("maltrail/malicious/sliver.txt")
        #expect(s.defaults.category == nil, "the malicious/ folder leaves the category to the family catalogue")
        #expect(s.defaults.family == "sliver")
        #expect(s.first("letshack.ddns.net") != nil)

        let g = try Samples.parse("maltrail/malware/generic_ransomware.txt")
        #expect(g.defaults.family == nil && g.defaults.tags.traits == .ransomware)

        let rev = try Samples.parse("maltrail/malware/sodinokibi.txt")
        #expect(rev.notes["aliases"] == "revil ransomware")
        #expect(rev.first("decoder.re")?.location?.line == 10)
        #expect(rev.first("aplebzu47wgazapdqks6vrcv6zcnjppkbxbr6wketf56nf6aq2nmyoyd.onion") != nil, ".onion names are kept")
    }

    @Test func maltrailMalformedEntriesInTheRealFiles() throws {
        let l = try Samples.parse("maltrail/malware/lockbit.txt")
        #expect(l.diagnostics.count == 1)
        #expect(l.diagnostics[0].line == 187)
        #expect(l.diagnostics[0].message == "label longer than 63 bytes")
        let a = try Samples.parse("maltrail/malware/asyncrat.txt")
        #expect(a.problemLines == [6903, 10399, 16480])
        #expect(a.diagnostics.allSatisfy { $0.message == "bad port" })
        let s = try Samples.parse("maltrail/malware/smokeloader.txt")
        #expect(s.skipped["regular expression"] == 1)
        #expect(s.diagnostics.isEmpty)
    }

    @Test func everyMaltrailFileParses() throws {
        var total = 0
        for folder in ["malware", "malicious"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: Samples.path("maltrail/\(folder)"))
            for n in names {
                let r = try Samples.parse("maltrail/\(folder)/\(n)")
                #expect(r.format == .maltrail, "\(n)")
                #expect(r.kept > 0, "\(n)")
                total += r.kept
            }
        }
        #expect(total > 140_000)
    }
}
import Foundation
