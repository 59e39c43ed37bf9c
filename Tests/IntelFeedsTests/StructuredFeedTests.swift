import DNSWire
import DNSightCore
import Testing
@testable import IntelFeeds

/// STIX 2.1 and MISP, from hand-written documents (the shared MISP sample has no network attributes and there is
/// no STIX sample), with good and bad entries side by side.
@Suite struct StructuredFeedTests {
    static let bundle = """
    {
      "type": "bundle",
      "id": "bundle--1",
      "objects": [
        {"type": "malware", "spec_version": "2.1", "id": "malware--qak", "name": "QakBot", "is_family": true,
         "malware_types": ["bot", "remote-access-trojan"]},
        {"type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--ph", "name": "Spearphishing Link"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--1", "pattern_type": "stix",
         "pattern": "[domain-name:value = 'c2-a.example' OR domain-name:value = 'c2-b.example'] AND [ipv4-addr:value = '198.51.100.4/32']",
         "valid_from": "2024-03-01T00:00:00.000Z", "indicator_types": ["malicious-activity"], "labels": ["botnet", "iab"],
         "kill_chain_phases": [{"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": "command-and-control"}],
         "confidence": 85, "external_references": [{"source_name": "report", "url": "https://report.example/qak"}]},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--1", "relationship_type": "indicates",
         "source_ref": "indicator--1", "target_ref": "malware--qak"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--2", "pattern_type": "stix",
         "pattern": "[url:value = 'https://login.bank-verify.example/signin'] OR [domain-name:value LIKE '%.phish.example']",
         "valid_from": "2024-03-02T00:00:00Z"},
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--2", "relationship_type": "indicates",
         "source_ref": "indicator--2", "target_ref": "attack-pattern--ph"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--3", "pattern_type": "stix",
         "pattern": "[domain-name:value = 'broken.example'", "valid_from": "2024-03-02T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--4", "pattern_type": "stix",
         "pattern": "[file:hashes.'SHA-256' = 'aa' AND domain-name:resolves_to_refs[*].value = '203.0.113.9']", "valid_from": "2024-03-02T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--5", "pattern_type": "sigma", "pattern": "title: x", "valid_from": "2024-03-02T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--6", "pattern_type": "stix", "indicator_types": ["benign"],
         "pattern": "[domain-name:value IN ('cdn.example', 'bad..example') AND domain-name:value != 'x.example']", "valid_from": "2024-03-02T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--7", "revoked": true, "pattern_type": "stix",
         "pattern": "[domain-name:value = 'revoked.example']", "valid_from": "2024-03-02T00:00:00Z"}
      ]
    }
    """

    @Test func stixBundle() throws {
        let r = try Samples.parse(Self.bundle, as: nil, file: "bundle.json")
        #expect(r.format == .stix)
        #expect(r.indicators.map(\.pattern) == ["c2-a.example", "c2-b.example", "198.51.100.4", "login.bank-verify.example", "*.phish.example", "203.0.113.9", "cdn.example"])
        let a = try #require(r.first("c2-a.example"))
        #expect(a.family == "QakBot" && a.category == .commandAndControl && a.confidence == 85 && a.scope == .subdomain)
        #expect(a.tags.traits == [.botnet, .initialAccessBroker, .remoteAccess])
        #expect(a.tags.labels == ["kill-chain:command-and-control"], "kill-chain phases are kept")
        #expect(a.reference == "https://report.example/qak")
        #expect(a.firstSeen == DateText.seconds("2024-03-01T00:00:00Z"))
        #expect(a.location?.line == 8)
        let p = try #require(r.first("login.bank-verify.example"))
        #expect(p.category == .phishing && p.scope == .exact)
        #expect(r.indicators.first { $0.pattern == "*.phish.example" }?.scope == .wildcard)
        #expect(r.first("cdn.example")?.action == .allow, "benign indicators are allowlist entries")
        #expect(r.problemLines == [20, 25])
        #expect(r.diagnostics[0].message == "pattern could not be read: '[' never closed")
        #expect(r.diagnostics[1].message == "empty label")
        #expect(r.skipped["revoked indicator"] == 1 && r.skipped["pattern type sigma"] == 1)
        #expect(r.skipped["negated comparison"] == nil && r.skipped["comparison operator !="] == 1)
        #expect(r.skipped["STIX object path file:hashes.'SHA-256'"] == 1)
    }

    @Test func stixPatternReader() throws {
        let p = try STIXPattern("[network-traffic:dst_ref.value = '203.0.113.1' AND network-traffic:dst_port = 443] FOLLOWEDBY [url:value NOT LIKE 'http://%'] WITHIN 300 SECONDS")
        #expect(p.comparisons.map(\.path) == ["network-traffic:dst_ref.value", "network-traffic:dst_port", "url:value"])
        #expect(p.comparisons[1].values == ["443"])
        #expect(p.comparisons[2].negated && p.comparisons[2].op == "LIKE")
        let q = try STIXPattern("[domain-name:value = 'it\\'s.example']")
        #expect(q.comparisons[0].values == ["it's.example"])
        #expect(throws: STIXPattern.SyntaxError.self) { try STIXPattern("domain-name:value = 'x'") }
        #expect(throws: STIXPattern.SyntaxError.self) { try STIXPattern("[domain-name:value = 'x]") }
        #expect(throws: STIXPattern.SyntaxError.self) { try STIXPattern("[domain-name:value 'x']") }
    }

    @Test func stixNotABundle() {
        #expect(throws: IntelFeedsError(.notThisFormat(.stix, "a bundle without an \"objects\" array"), file: "test.txt", line: 1, offset: 0)) {
            try Samples.parse("{\"type\": \"bundle\", \"id\": \"bundle--1\"}", as: .stix)
        }
    }

    static let event = """
    {"Event": {
      "uuid": "5f0c0000-0000-0000-0000-000000000001", "info": "QakBot campaign", "date": "2024-04-01",
      "Orgc": {"name": "Example CERT"},
      "Tag": [{"name": "tlp:green"}, {"name": "misp-galaxy:malpedia=\\"QakBot\\""}, {"name": "kill-chain:Command and Control"}],
      "Attribute": [
        {"type": "domain", "value": "qak-c2.example", "to_ids": true, "uuid": "a1"},
        {"type": "hostname", "value": "beacon.qak-c2.example", "to_ids": true, "uuid": "a2"},
        {"type": "url", "value": "hxxp://payload[.]example/qak.dll", "to_ids": true, "uuid": "a3"},
        {"type": "domain|ip", "value": "pair.example|203.0.113.50", "to_ids": true, "uuid": "a4"},
        {"type": "ip-dst|port", "value": "198.51.100.60|443", "to_ids": true, "uuid": "a5"},
        {"type": "domain", "value": "context.example", "to_ids": false, "uuid": "a6"},
        {"type": "domain", "value": "bad..example", "to_ids": true, "uuid": "a7"},
        {"type": "sha256", "value": "00", "to_ids": true, "uuid": "a8"},
        {"type": "domain", "value": "deleted.example", "to_ids": true, "deleted": true, "uuid": "a9"},
        {"value": "no-type.example", "uuid": "a10"},
        {"type": "domain", "value": "phish.example", "to_ids": true, "uuid": "a11",
         "Tag": [{"name": "circl:incident-classification=\\"phishing\\""}], "first_seen": "2024-04-02T10:00:00+00:00"}
      ],
      "Object": [{"name": "domain-ip", "Attribute": [{"type": "domain", "value": "in-object.example", "to_ids": true}]}]
    }}
    """

    @Test func mispEvent() throws {
        let r = try Samples.parse(Self.event, as: nil, file: "event.json")
        #expect(r.format == .misp)
        #expect(r.indicators.map(\.pattern) == ["qak-c2.example", "beacon.qak-c2.example", "payload.example", "pair.example", "203.0.113.50",
                                                "198.51.100.60", "phish.example", "in-object.example"])
        let d = try #require(r.first("qak-c2.example"))
        #expect(d.family == "QakBot" && d.category == .commandAndControl && d.scope == .subdomain)
        #expect(d.reference == "misp-event:5f0c0000-0000-0000-0000-000000000001 (QakBot campaign)")
        #expect(d.firstSeen == DateText.seconds("2024-04-01"))
        #expect(r.first("beacon.qak-c2.example")?.scope == .exact)
        let ph = try #require(r.first("phish.example"))
        #expect(ph.category == .phishing, "attribute tags override the event's")
        #expect(ph.firstSeen == DateText.seconds("2024-04-02T10:00:00Z"))
        #expect(r.problemLines == [12, 15])
        #expect(r.skipped["to_ids is false"] == 1 && r.skipped["deleted attribute"] == 1 && r.skipped["attribute type sha256"] == 1)
        #expect(r.notes["org"] == "Example CERT")
    }

    @Test func mispOtherShapes() throws {
        let search = """
        {"response": {"Attribute": [{"type": "domain", "value": "found.example", "to_ids": true, "Event": {"uuid": "e1"}}]}}
        """
        let s = try Samples.parse(search, as: .misp)
        #expect(s.first("found.example")?.reference == "misp-event:e1")
        let list = "[{\"Event\": {\"info\": \"x\", \"Attribute\": [{\"type\": \"hostname\", \"value\": \"h.example\", \"to_ids\": true}]}}]"
        #expect(try Samples.parse(list, as: .misp).kept == 1)
        let manifest = "{\"5f0c0000-0000-0000-0000-000000000001\": {\"info\": \"x\", \"Orgc\": {\"name\": \"o\"}, \"date\": \"2024-01-01\"}}"
        #expect(throws: IntelFeedsError(.notThisFormat(.misp, "this is a MISP feed manifest; import the event files it lists"), file: "test.txt", line: 1, offset: 0)) {
            try Samples.parse(manifest, as: .misp)
        }
    }
}

@Suite struct HostTextTests {
    @Test func reducesEntriesToNamesAndAddresses() {
        func n(_ s: String) -> String? { if case .name(let d, let w, _) = HostText.parse(s) { (w ? "*." : "") + d.presentation } else { nil } }
        func a(_ s: String) -> String? { if case .address(let x, _) = HostText.parse(s) { x.description } else { nil } }
        #expect(n("Example.COM.") == "example.com.")
        #expect(n("*.example.com") == "*.example.com.")
        #expect(n("hxxps://evil[.]example[.]org:8443/a?b#c") == "evil.example.org.")
        #expect(n("http://user:pw@host.example/") == "host.example.")
        #expect(n("host.example:8080") == "host.example.")
        #expect(n("host.example/path/x.php?q=1") == "host.example.")
        #expect(n("under_score.example") == "under_score.example.")
        #expect(n("bücher.example") == "xn--bcher-kva.example.")
        #expect(n("MÜNCHEN.example") == "xn--mnchen-3ya.example.")
        #expect(a("192.0.2.1:443") == "192.0.2.1")
        #expect(a("http://[2001:db8::1]:80/x") == "2001:db8::1")
        #expect(a("2001:db8::2") == "2001:db8::2")
        #expect(a("10.0.0.0/8") == "10.0.0.0/8")
        #expect(a("45[.]91[.]168[.]240") == "45.91.168.240")
        #expect(HostText.parse("/gate.php") == .skip("path without a host"))
        #expect(HostText.parse("localhost") == .skip("single-label name"))
        #expect(HostText.parse("1.2.3") == .invalid("all-numeric top-level label (an incomplete address?)"))
        #expect(HostText.parse("a..b") == .invalid("empty label"))
        #expect(HostText.parse("http:///x") == .invalid("URL without a host"))
        #expect(HostText.parse("host:99999") == .invalid("bad port"))
        #expect(HostText.parse(String(repeating: "a", count: 64) + ".example") == .invalid("label longer than 63 bytes"))
        #expect(HostText.parse("*.x.example", allowWildcard: false) == .invalid("wildcard not allowed here"))
    }

    @Test func datesInEveryFeedStyle() {
        #expect(DateText.seconds("1970-01-01") == 0)
        #expect(DateText.seconds("2026-08-22 21:23:45 UTC") == 1_787_433_825)
        #expect(DateText.seconds("2021-03-06T16:45:39+00:00") == 1_615_049_139)
        #expect(DateText.seconds("2021-03-06T18:45:39+02:00") == 1_615_049_139)
        #expect(DateText.seconds("2017-01-01T00:00:00.000Z") == 1_483_228_800)
        #expect(DateText.seconds("1472541011") == 1_472_541_011)
        #expect(DateText.seconds("2024-13-01") == nil)
        #expect(DateText.seconds("yesterday") == nil)
        #expect(DateText.seconds("") == nil)
    }
}
