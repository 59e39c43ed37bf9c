import DNSWire
import DNSightCore
import Foundation
import Testing
import TestSupport
@testable import LogReaders

/// Every text reader against thousands of damaged copies of good input (bytes flipped, cut, duplicated, lines
/// truncated): nothing traps (these run with bounds checks on), nothing hangs, and every line is accounted for.
@Suite struct TextReaderRobustnessTests {
    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...8, using: &rng) {
            guard !b.isEmpty else { break }
            let i = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: b[i] = UInt8.random(in: 0...255, using: &rng)
            case 1: b.removeSubrange(i..<min(b.count, i + Int.random(in: 1...40, using: &rng)))
            case 2: b.insert(contentsOf: b[i..<min(b.count, i + Int.random(in: 1...60, using: &rng))], at: Int.random(in: 0...b.count, using: &rng))
            case 3: b.insert([0x22, 0x5C, 0x7B, 0x5B, 0x2C, 0x09, 0x0A, 0x3A, 0x23, 0x40][Int.random(in: 0..<10, using: &rng)], at: i)
            case 4: b = Array(b[..<i])
            default: b[i] = [0x0A, 0x09, 0x20, 0x2E, 0x2D][Int.random(in: 0..<5, using: &rng)]
            }
        }
        return b
    }

    func exercise<P: LineEventParser>(_ make: () -> P, _ sample: [UInt8], rounds: Int = 400, seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        for _ in 0..<rounds {
            let damaged = Self.mutate(sample, &rng)
            do {
                let (events, d) = try Text.read(make(), bytes: damaged)
                #expect(d.eventsEmitted == events.count)
                #expect(d.malformedCount <= d.recordsRead)
            } catch is ReaderError {
                // "not this format" is a fine answer for a badly damaged input.
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    static func fixture(_ name: String) -> [UInt8] { Array((try? Data(contentsOf: URL(fileURLWithPath: Text.fixture(name)))) ?? Data()) }

    @Test func zeek() {
        exercise({ ZeekTSVParser() }, Self.fixture("zeek-dns.log"), seed: 1)
        exercise({ ZeekJSONParser() }, Array(#"{"ts":1602265824.123071,"uid":"C","id.orig_h":"192.168.75.169","id.orig_p":58506,"id.resp_h":"192.168.75.1","id.resp_p":53,"proto":"udp","trans_id":50763,"rtt":0.02,"query":"www.sansgear.com","qclass":1,"qtype":1,"rcode":0,"AA":false,"answers":["vhost1.identityvector.com","70.32.97.206"],"TTLs":[3600.0,3600.0]}"#.utf8), seed: 2)
    }

    @Test func daemonLogs() {
        exercise({ BINDQueryLogParser(year: 2026) }, Self.fixture("bind-query-full.log"), seed: 3)
        exercise({ UnboundLogParser(year: 2026) }, Self.fixture("unbound-queries-replies.log"), seed: 4)
        exercise({ UnboundLogParser(year: 2026) }, Self.fixture("unbound-queries-replies-ascii.log"), seed: 5)
        exercise({ DnsmasqLogParser(year: 2026) }, Self.fixture("dnsmasq-queries.log"), seed: 6)
        exercise({ DnsmasqLogParser(year: 2026) }, Self.fixture("dnsmasq-queries-extra.log"), seed: 7)
    }

    @Test func jsonProducers() {
        exercise({ EVEParser() }, Array(JSONLogReaderTests.eveV2.utf8), seed: 8)
        exercise({ Route53ResolverParser() }, Array(JSONLogReaderTests.route53.utf8), seed: 9)
        exercise({ CloudflareGatewayParser() }, Array(JSONLogReaderTests.cloudflare.utf8), seed: 10)
    }

    @Test func generic() throws {
        let m = try ColumnMapping(parsing: "time=t,client=c,qname=q,qtype=y,answers=a,rcode=r")
        exercise({ CSVParser(mapping: m) }, Array("t,c,q,y,a,r\n2026-11-28T10:00:00Z,192.0.2.1,a.example,A,\"192.0.2.5,192.0.2.6\",NOERROR\n1795860000,2001:db8::1,b.example,AAAA,,NXDOMAIN\n".utf8), seed: 11)
        exercise({ GenericJSONParser(mapping: m) }, Array(#"{"t":"2026-11-28T10:00:00Z","c":"192.0.2.1","q":"a.example","y":"A","a":["192.0.2.5"],"r":"NOERROR"}"#.utf8), seed: 12)
    }
}
