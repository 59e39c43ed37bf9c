import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

/// Suricata EVE, Route 53 Resolver and Cloudflare Gateway logs, written as those products print them (field names,
/// types and nesting from their documentation: Suricata's EVE format and 8.0 DNS-logging upgrade notes, AWS's
/// "Values that appear in Resolver query logs" and example, Cloudflare's `gateway_dns` dataset fields).
@Suite struct JSONLogReaderTests {
    // MARK: EVE

    static let eveV2 = """
    {"timestamp":"2026-11-28T10:00:00.123456+0000","flow_id":1186302381411111,"in_iface":"eth0","event_type":"dns","src_ip":"192.0.2.20","src_port":51234,"dest_ip":"198.51.100.53","dest_port":53,"proto":"UDP","dns":{"type":"query","id":4711,"rrname":"www.Example.com","rrtype":"A","tx_id":0,"opcode":0}}
    {"timestamp":"2026-11-28T10:00:00.125000+0000","flow_id":99,"in_iface":"eth0","event_type":"flow","src_ip":"192.0.2.20","src_port":40000,"dest_ip":"198.51.100.80","dest_port":443,"proto":"TCP","flow":{"pkts_toserver":3}}
    {"timestamp":"2026-11-28T10:00:00.140000+0000","flow_id":1186302381411111,"in_iface":"eth0","event_type":"dns","src_ip":"192.0.2.20","src_port":51234,"dest_ip":"198.51.100.53","dest_port":53,"proto":"UDP","dns":{"version":2,"type":"answer","id":4711,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,"rrname":"www.example.com","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"www.example.com","rrtype":"CNAME","ttl":3600,"rdata":"edge.example.net"},{"rrname":"edge.example.net","rrtype":"A","ttl":60,"rdata":"93.184.216.34"}],"grouped":{"CNAME":["edge.example.net"],"A":["93.184.216.34"]}}}
    {"timestamp":"2026-11-28T10:00:01.000000+0000","flow_id":777,"event_type":"alert","src_ip":"192.0.2.21","src_port":5000,"dest_ip":"198.51.100.53","dest_port":53,"proto":"UDP","alert":{"action":"allowed","signature_id":2027863,"signature":"ET INFO Observed DNS Query to .cloud TLD"},"dns":{"query":[{"type":"query","id":1,"rrname":"x.cloud","rrtype":"A","tx_id":0}]}}
    {"timestamp":"2026-11-28T10:00:02.000000+0100","flow_id":555,"event_type":"dns","src_ip":"2001:db8::20","src_port":6000,"dest_ip":"2001:db8::53","dest_port":53,"proto":"TCP","dns":{"version":2,"type":"answer","id":9,"flags":"8183","qr":true,"rd":true,"ra":true,"opcode":0,"rrname":"nx.example","rrtype":"AAAA","rcode":"NXDOMAIN","authorities":[{"rrname":"example","rrtype":"SOA","ttl":300,"soa":{"mname":"ns.example"}}]}}
    {"timestamp":"2026-11-28T10:00:03.000000+0000","flow_id":556,"event_type":"dns","src_ip":"192.0.2.22","src_port":6001,"dest_ip":"198.51.100.53","dest_port":53,"proto":"UDP","dns":{"version":2,"type":"answer","id":10,"flags":"8180","rrname":"mail.example","rrtype":"MX","rcode":"NOERROR","grouped":{"MX":["10 mx1.example"]}}}
    """

    @Test func eveV2PairsQueryAndAnswerAndSkipsOtherEvents() throws {
        let (events, d) = try Text.read(EVEParser(), Self.eveV2)
        #expect(d.malformedCount == 0)
        #expect(d.skipped == ["EVE flow record": 1, "EVE alert record": 1])
        #expect(events.count == 3)
        let e = events[0]
        #expect(e.timeNanos == Text.utc(2026, 11, 28, 10, 0, 0, nanos: 123_456_000) && e.responseTimeMicros == 16_544)
        #expect(e.clientAddress == Text.ip("192.0.2.20") && e.clientPort == 51234 && e.serverAddress == Text.ip("198.51.100.53") && e.serverPort == 53)
        #expect(e.transport == .udp && e.id == 4711 && e.flags == 0x8180 && e.rcode == .noError)
        #expect(e.queryName.presentation == "www.example.com." && e.queryType == .a)
        #expect(e.answers == [
            DNSAnswer(name: Text.name("www.example.com"), type: .cname, ttl: 3600, target: Text.name("edge.example.net")),
            DNSAnswer(name: Text.name("edge.example.net"), type: .a, ttl: 60, address: Text.ip("93.184.216.34")),
        ])
        #expect(e.position.line == 1)
        let nx = events[1]
        #expect(nx.timeNanos == Text.utc(2026, 11, 28, 9, 0, 2) && nx.rcode == .nxDomain && nx.answers.isEmpty && nx.transport == .tcp)
        #expect(nx.clientAddress == Text.ip("2001:db8::20") && nx.responseTimeMicros == nil)
        #expect(events[2].answers.first?.type == .mx && events[2].answers.first?.target == Text.name("mx1.example"))
    }

    @Test func eveV3RequestsAndResponsesFromSuricata8() throws {
        let log = """
        {"timestamp":"2026-11-28T10:00:00.000000+0000","flow_id":42,"event_type":"dns","src_ip":"10.0.0.5","src_port":53000,"dest_ip":"10.0.0.1","dest_port":53,"proto":"UDP","pkt_src":"wire/pcap","dns":{"version":3,"type":"request","tx_id":0,"id":321,"flags":"100","rd":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"c2.bad.example","rrtype":"TXT"}]}}
        {"timestamp":"2026-11-28T10:00:00.050000+0000","flow_id":42,"event_type":"dns","src_ip":"10.0.0.1","src_port":53,"dest_ip":"10.0.0.5","dest_port":53000,"proto":"UDP","pkt_src":"wire/pcap","dns":{"version":3,"type":"response","tx_id":1,"id":321,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"c2.bad.example","rrtype":"TXT"}],"answers":[{"rrname":"c2.bad.example","rrtype":"TXT","ttl":30,"rdata":"cmd=sleep"}],"authorities":[]}}
        {"timestamp":"2026-11-28T10:00:01.000000+0000","flow_id":43,"event_type":"dns","src_ip":"10.0.0.1","src_port":53,"dest_ip":"10.0.0.6","dest_port":40000,"proto":"UDP","dns":{"version":3,"type":"response","id":7,"flags":"8183","qr":true,"rcode":"NXDOMAIN","queries":[{"rrname":"dga-xkqjwe.example","rrtype":"A"}]}}
        {"timestamp":"2026-11-28T10:00:02.000000+0000","flow_id":44,"event_type":"dns","src_ip":"10.0.0.7","src_port":40001,"dest_ip":"10.0.0.1","dest_port":53,"proto":"UDP","dns":{"version":3,"type":"request","id":8,"flags":"100","queries":[{"rrname":"lost.example","rrtype":"AAAA"}]}}
        """
        let (events, d) = try Text.read(EVEParser(), log)
        #expect(d.malformedCount == 0 && events.count == 3)
        #expect(events[0].clientAddress == Text.ip("10.0.0.5") && events[0].clientPort == 53000 && events[0].serverAddress == Text.ip("10.0.0.1"))
        #expect(events[0].queryType == .txt && events[0].answers.first?.text == "cmd=sleep" && events[0].responseTimeMicros == 50_000)
        #expect(events[1].clientAddress == Text.ip("10.0.0.6") && events[1].clientPort == 40000 && events[1].rcode == .nxDomain)
        #expect(events[2].queryName.presentation == "lost.example." && events[2].rcode == nil)
        #expect(d.skipped["query without a logged response (reported alone)"] == 1)
    }

    @Test func eveV1OneAnswerPerRecord() throws {
        let log = """
        {"timestamp":"2017-04-07T22:24:37.251547+0100","flow_id":1,"event_type":"dns","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"192.168.2.1","dest_port":53,"proto":"UDP","dns":{"type":"query","id":16000,"rrname":"twitter.com","rrtype":"A","tx_id":0}}
        {"timestamp":"2017-04-07T22:24:37.300000+0100","flow_id":1,"event_type":"dns","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"192.168.2.1","dest_port":53,"proto":"UDP","dns":{"type":"answer","id":16000,"flags":"8180","qr":true,"rd":true,"ra":true,"rcode":"NOERROR","rrname":"twitter.com","rrtype":"A","ttl":8,"rdata":"199.16.156.6"}}
        {"timestamp":"2017-04-07T22:24:37.300000+0100","flow_id":1,"event_type":"dns","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"192.168.2.1","dest_port":53,"proto":"UDP","dns":{"type":"answer","id":16000,"flags":"8180","qr":true,"rd":true,"ra":true,"rcode":"NOERROR","rrname":"twitter.com","rrtype":"A","ttl":8,"rdata":"199.16.156.70"}}
        {"timestamp":"2017-04-07T22:24:38.000000+0100","flow_id":2,"event_type":"dns","src_ip":"192.168.2.14","src_port":50097,"dest_ip":"192.168.2.1","dest_port":53,"proto":"UDP","dns":{"type":"answer","id":16001,"flags":"8183","qr":true,"rd":true,"ra":true,"rcode":"NXDOMAIN","rrname":"nope.example"}}
        """
        let (events, d) = try Text.read(EVEParser(), log)
        #expect(d.malformedCount == 0 && events.count == 2)
        #expect(events[0].answers.map(\.address) == [Text.ip("199.16.156.6"), Text.ip("199.16.156.70")])
        #expect(events[0].timeNanos == Text.utc(2017, 4, 7, 21, 24, 37, nanos: 251_547_000) && events[0].responseTimeMicros == 48_453)
        #expect(events[1].rcode == .nxDomain && events[1].queryName.presentation == "nope.example.")
    }

    @Test func eveMalformedRecordsAreCountedAndNotEVEIsRejected() throws {
        let lines = Self.eveV2.split(separator: "\n").map(String.init)
        let log = [lines[0],
                   #"{"timestamp":"yesterday","event_type":"dns","dns":{"type":"query"}}"#,
                   #"{"timestamp":"2026-11-28T10:00:00Z","event_type":"dns","src_ip":"192.0.2.1","src_port":"fifty","dns":{"type":"query","id":1,"rrname":"a.example","rrtype":"A"}}"#,
                   #"{"timestamp":"2026-11-28T10:00:00Z","event_type":"dns","src_ip":"192.0.2.1","dns":{"type":"query","id":1,"rrname":"a.example","rrtype":"A""#,
                   #"{"timestamp":"2026-11-28T10:00:00Z","event_type":"dns","src_ip":"192.0.2.1","dns":{"type":"query","id":1,"rrtype":"A"}}"#,
                   lines[2]].joined(separator: "\n")
        let (events, d) = try Text.read(EVEParser(), log)
        #expect(events.count == 1 && events[0].answers.count == 2)
        #expect(d.malformed == ["bad timestamp": 1, "bad src_port": 1, "truncated JSON": 1, "dns record without a query name": 1])
        #expect(d.examples.map(\.position.line) == [2, 3, 4, 5])
        #expect(throws: ReaderError.self) { try Text.read(EVEParser(), (0..<25).map { _ in #"{"a":1}"# }.joined(separator: "\n")) }
        #expect(throws: ReaderError.self) { try Text.read(EVEParser(), bytes: Text.binaryGarbage) }
    }

    // MARK: Route 53

    static let route53 = """
    {"srcaddr": "4.5.64.102", "vpc_id": "vpc-7example", "answers": [{"Rdata": "203.0.113.9", "Type": "PTR", "Class": "IN"}], "firewall_rule_group_id": "rslvr-frg-01234567890abcdef", "firewall_rule_action": "BLOCK", "query_name": "15.3.4.32.in-addr.arpa.", "firewall_domain_list_id": "rslvr-fdl-01234567890abcdef", "query_class": "IN", "srcids": {"instance": "i-0d15cd0d3example"}, "rcode": "NOERROR", "query_type": "PTR", "transport": "UDP", "version": "1.100000", "account_id": "111122223333", "srcport": "56067", "query_timestamp": "2021-02-04T17:51:55Z", "region": "us-east-1"}
    {"version":"1.100000","account_id":"111122223333","region":"ap-northeast-1","vpc_id":"vpc-0abc","query_timestamp":"2026-11-28T10:00:00Z","query_name":"www.example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"edge.example.net.","Type":"CNAME","Class":"IN"},{"Rdata":"93.184.216.34","Type":"A","Class":"IN"},{"Rdata":"93.184.216.35","Type":"A","Class":"IN"}],"srcaddr":"10.0.1.25","srcport":"41234","transport":"TCP","srcids":{"instance":"i-0123456789abcdef0","resolver_endpoint":"rslvr-out-1"}}
    {"version":"1.100000","account_id":"111122223333","region":"ap-northeast-1","vpc_id":"vpc-0abc","query_timestamp":"2026-11-28T10:00:01Z","query_name":"qsnatch-dga.example.","query_type":"AAAA","query_class":"IN","rcode":"NXDOMAIN","answers":[],"srcaddr":"10.0.2.7","srcport":"5353","transport":"UDP","srcids":{"resolver_endpoint":"rslvr-in-2"},"firewall_rule_action":"ALERT"}
    """

    @Test func route53RecordsDecodeEveryField() throws {
        let (events, d) = try Text.read(Route53ResolverParser(), Self.route53)
        #expect(d.malformedCount == 0 && events.count == 3)
        let aws = events[0]
        #expect(aws.timeNanos == Text.utc(2021, 2, 4, 17, 51, 55) && aws.clientAddress == Text.ip("4.5.64.102") && aws.clientPort == 56067)
        #expect(aws.queryName.presentation == "15.3.4.32.in-addr.arpa." && aws.queryType == .ptr && aws.rcode == .noError)
        #expect(aws.sourceAction == "BLOCK" && aws.deviceID == "i-0d15cd0d3example" && aws.transport == .udp)
        #expect(aws.answers.first?.type == .ptr && aws.answers.first?.target == Text.name("203.0.113.9"))
        let www = events[1]
        #expect(www.transport == .tcp && www.sourceAction == nil && www.deviceID == "i-0123456789abcdef0")
        #expect(www.answers.map(\.type) == [.cname, .a, .a] && www.answers[0].target == Text.name("edge.example.net"))
        #expect(www.answers[2].address == Text.ip("93.184.216.35") && www.answers[2].name == Text.name("www.example.com"))
        #expect(events[2].rcode == .nxDomain && events[2].deviceID == nil && events[2].sourceAction == "ALERT")
    }

    @Test func route53WrongTypesAreCounted() throws {
        let lines = Self.route53.split(separator: "\n").map(String.init)
        let log = [lines[1],
                   lines[1].replacingOccurrences(of: #""srcport":"41234""#, with: #""srcport":"port""#),
                   lines[1].replacingOccurrences(of: #""answers":["#, with: #""answers":{"x":["#).replacingOccurrences(of: #"}],"srcaddr""#, with: #"}]},"srcaddr""#),
                   lines[1].replacingOccurrences(of: #""query_timestamp":"2026-11-28T10:00:00Z","#, with: ""),
                   lines[2]].joined(separator: "\n")
        let (events, d) = try Text.read(Route53ResolverParser(), log)
        #expect(events.count == 2)
        #expect(d.malformed == ["bad srcport": 1, "bad answers (expected an array)": 1, "missing query_timestamp": 1])
    }

    // MARK: Cloudflare

    static let cloudflare = """
    {"ColoCode":"NRT","ColoID":397,"Datetime":"2026-11-28T10:00:00Z","DeviceID":"dad71818-0429-11ec-a0dc-000000000000","DeviceName":"Laptop MB810","DstIP":"172.64.36.1","DstPort":53,"Email":"user@example.com","Location":"Office Tokyo","LocationID":"7bdc7a9c-81d3-4816-8e56-000000000000","MatchedCategoryIDs":[],"Policy":"","PolicyID":"","PolicyName":"","Protocol":"udp","QueryCategoryIDs":[26],"QueryID":"a1","QueryName":"www.example.com","QueryNameReversed":"com.example.www","QuerySize":44,"QueryType":1,"QueryTypeName":"A","RCode":0,"ResolvedIPs":["93.184.216.34"],"CNAMEs":["edge.example.net"],"ResolverDecision":"allowedOnNoPolicyMatch","SrcIP":"203.0.113.7","SrcPort":53012,"UserID":"00000000-0000-0000-0000-000000000000"}
    {"Datetime":1795860001500000000,"DeviceID":"","DeviceName":"","DstIP":"","DstPort":0,"Protocol":"https","QueryName":"phish.bank-login.example","QueryType":28,"QueryTypeName":"AAAA","RCode":0,"ResolvedIPs":[],"ResolverDecision":"blockedByCategory","PolicyName":"Block phishing","SrcIP":"2001:db8:1::7","SrcPort":0,"ResourceRecordsJSON":"[{\\"name\\":\\"phish.bank-login.example\\",\\"type\\":\\"AAAA\\",\\"class\\":\\"IN\\",\\"ttl\\":60,\\"rdata\\":\\"::\\"}]"}
    {"Datetime":"2026-11-28T10:00:02.5+09:00","QueryName":"nx.example","QueryTypeName":"TXT","RCode":3,"ResolverDecision":"allowedByQueryName","SrcIP":"198.51.100.9","Protocol":"tls","DeviceName":"kiosk-7"}
    """

    @Test func cloudflareRecordsDecodeEveryField() throws {
        let (events, d) = try Text.read(CloudflareGatewayParser(), Self.cloudflare)
        #expect(d.malformedCount == 0 && events.count == 3)
        let e = events[0]
        #expect(e.timeNanos == Text.utc(2026, 11, 28, 10, 0, 0) && e.clientAddress == Text.ip("203.0.113.7") && e.clientPort == 53012)
        #expect(e.serverAddress == Text.ip("172.64.36.1") && e.serverPort == 53 && e.transport == .udp)
        #expect(e.deviceID == "dad71818-0429-11ec-a0dc-000000000000" && e.sourceAction == "allowedOnNoPolicyMatch")
        #expect(e.answers == [
            DNSAnswer(name: Text.name("www.example.com"), type: .cname, target: Text.name("edge.example.net")),
            DNSAnswer(name: Text.name("edge.example.net"), type: .a, address: Text.ip("93.184.216.34")),
        ])
        let p = events[1]
        #expect(p.timeNanos == 1_795_860_001_500_000_000 && p.transport == .doh && p.clientPort == nil && p.serverAddress == nil)
        #expect(p.sourceAction == "blockedByCategory" && p.deviceID == nil && p.queryType == .aaaa)
        #expect(p.answers == [DNSAnswer(name: Text.name("phish.bank-login.example"), type: .aaaa, ttl: 60, address: Text.ip("::"))])
        #expect(events[2].timeNanos == Text.utc(2026, 11, 28, 1, 0, 2, nanos: 500_000_000) && events[2].rcode == .nxDomain)
        #expect(events[2].deviceID == "kiosk-7" && events[2].transport == .dot && events[2].queryType == .txt)
    }

    @Test func cloudflareWrongTypesAreCounted() throws {
        let lines = Self.cloudflare.split(separator: "\n").map(String.init)
        let log = [lines[0],
                   lines[0].replacingOccurrences(of: #""SrcIP":"203.0.113.7""#, with: #""SrcIP":42"#),
                   lines[0].replacingOccurrences(of: #""RCode":0"#, with: #""RCode":"weird""#),
                   lines[1].replacingOccurrences(of: #"\"ttl\":60,"#, with: #"\"ttl\":\"sixty\","#),
                   lines[2]].joined(separator: "\n")
        let (events, d) = try Text.read(CloudflareGatewayParser(), log)
        #expect(events.count == 2)
        #expect(d.malformed == ["bad SrcIP": 1, "bad RCode": 1, "bad ResourceRecordsJSON: bad answer ttl": 1])
    }
}
