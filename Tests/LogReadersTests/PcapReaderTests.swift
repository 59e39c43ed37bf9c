import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

@Suite struct PcapReaderTests {
    let file = Shared.capture("unbound-rpz-loopback.pcap")

    @Test func agreesWithTshark() throws {
        let (events, d) = try Shared.read(PcapReader(dnsPorts: [5301, 5302]), try ByteInput(path: file))
        let tshark = try Shared.run("tshark -r '\(file)' -d udp.port==5302,dns -d udp.port==5301,dns -d tcp.port==5302,dns -Y dns -T fields -e dns.flags.response -e dns.flags.rcode 2>/dev/null")
        let rows = tshark.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        let tsQueries = rows.filter { $0[0] == "0" }.count
        let tsResponses = rows.filter { $0[0] == "1" }.count
        let tsNX = rows.filter { $0[0] == "1" && $0[1] == "3" }.count
        #expect(tsQueries == 2978 && tsResponses == 2978 && tsNX == 1236)
        // Every query pairs with its response: one transaction each.
        #expect(events.count == tsQueries)
        #expect(events.filter { $0.rcode != nil }.count == tsResponses)
        #expect(events.filter { $0.rcode == .nxDomain }.count == tsNX)
        #expect(d.skipped["response without its query (reported alone)"] == nil)
        #expect(d.malformedCount == 0)
        #expect(events.filter { $0.transport == .tcp }.count == 3)
        // Unbound's queries to Knot are transactions too, with Unbound as the client.
        #expect(events.filter { $0.serverPort == 5301 }.count == 974)
        let first = events[0]
        #expect(first.clientAddress == IPAddress("127.0.0.1"))
        #expect(first.responseTimeMicros != nil)
        // The first DNS message is frame 4 (a dig +tcp query after the 3-way handshake): 24 + (16+74) * 2 + (16+66).
        #expect(events.map(\.position.byteOffset).min() == 286)
    }

    @Test func pcapngFromEditcapReadsTheSame() throws {
        let dir = try Shared.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ng = dir.appendingPathComponent("c.pcapng").path, ns = dir.appendingPathComponent("c-ns.pcap").path
        try Shared.run("editcap -F pcapng '\(file)' '\(ng)' && editcap -F nsecpcap '\(file)' '\(ns)'")
        let (a, _) = try Shared.read(PcapReader(dnsPorts: [5301, 5302]), try ByteInput(path: file))
        let (b, db) = try Shared.read(PcapReader(dnsPorts: [5301, 5302]), try ByteInput(path: ng))
        let (c, _) = try Shared.read(PcapReader(dnsPorts: [5301, 5302]), try ByteInput(path: ns))
        #expect(b.count == a.count && c.count == a.count)
        #expect(db.malformedCount == 0)
        #expect(zip(a, b).allSatisfy { $0.queryName == $1.queryName && $0.timeNanos == $1.timeNanos && $0.rcode == $1.rcode })
        #expect(zip(a, c).allSatisfy { $0.timeNanos == $1.timeNanos })
    }

    @Test func otherPortsAreSkippedAndCounted() throws {
        let (events, d) = try Shared.read(PcapReader(), try ByteInput(path: file))
        #expect(events.isEmpty)
        #expect(d.skipped["not on a DNS port"] == 5980)
    }

    // MARK: - Hand-built packets: link types, VLAN, IPv6, fragments, TCP

    static func dnsQuery(_ name: String, id: UInt16) throws -> [UInt8] {
        try DNSMessage(header: DNSHeader(id: id, flags: 0x0100), questions: [DNSQuestion(name: try DNSName(parsing: name), type: .aaaa)]).encode()
    }
    static func dnsResponse(_ name: String, id: UInt16, rcode: UInt8 = 0, padTXT: Int = 0) throws -> [UInt8] {
        var m = DNSMessage(header: DNSHeader(id: id, flags: 0x8180 | UInt16(rcode)), questions: [DNSQuestion(name: try DNSName(parsing: name), type: .aaaa)])
        m.answers = [DNSRecord(name: try DNSName(parsing: name), ttl: 30, rdata: .aaaa(IPv6Address("2001:db8::53")!))]
        if padTXT > 0 { m.additional = [DNSRecord(name: .root, ttl: 0, rdata: .txt(TXTRecord(strings: Array(repeating: [UInt8](repeating: 65, count: 200), count: padTXT))))] }
        return try m.encode()
    }
    static func udp(_ sport: UInt16, _ dport: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let len = 8 + payload.count
        return [UInt8(sport >> 8), UInt8(sport & 0xFF), UInt8(dport >> 8), UInt8(dport & 0xFF), UInt8(len >> 8), UInt8(len & 0xFF), 0, 0] + payload
    }
    static func tcp(_ sport: UInt16, _ dport: UInt16, seq: UInt32, flags: UInt8 = 0x18, _ payload: [UInt8]) -> [UInt8] {
        [UInt8(sport >> 8), UInt8(sport & 0xFF), UInt8(dport >> 8), UInt8(dport & 0xFF),
         UInt8(seq >> 24), UInt8((seq >> 16) & 0xFF), UInt8((seq >> 8) & 0xFF), UInt8(seq & 0xFF), 0, 0, 0, 0, 0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0] + payload
    }
    static func ipv4(_ src: [UInt8], _ dst: [UInt8], proto: UInt8, id: UInt16 = 1, fragOffset: Int = 0, more: Bool = false, _ body: [UInt8]) -> [UInt8] {
        let total = 20 + body.count
        let ff = UInt16(fragOffset / 8) | (more ? 0x2000 : 0)
        return [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), UInt8(id >> 8), UInt8(id & 0xFF), UInt8(ff >> 8), UInt8(ff & 0xFF), 64, proto, 0, 0] + src + dst + body
    }
    static func ipv6(_ src: String, _ dst: String, next: UInt8, _ body: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF), next, 64] + IPv6Address(src)!.bytes + IPv6Address(dst)!.bytes + body
    }
    static func ether(_ type: UInt16, vlan: [UInt16] = [], _ body: [UInt8]) -> [UInt8] {
        var f = [UInt8](repeating: 0, count: 12)
        for v in vlan { f += [0x81, 0x00, UInt8(v >> 8), UInt8(v & 0xFF)] }
        return f + [UInt8(type >> 8), UInt8(type & 0xFF)] + body
    }
    /// A little-endian classic pcap with microsecond timestamps.
    static func pcap(link: UInt32, _ packets: [(sec: UInt32, usec: UInt32, data: [UInt8])]) -> [UInt8] {
        func le(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        var out = le(0xA1B2C3D4) + [2, 0, 4, 0] + le(0) + le(0) + le(65535) + le(link)
        for p in packets { out += le(p.sec) + le(p.usec) + le(UInt32(p.data.count)) + le(UInt32(p.data.count)) + p.data }
        return out
    }

    @Test func vlanTaggedIPv4AndIPv6OverEthernet() throws {
        let c4: [UInt8] = [192, 0, 2, 10], s4: [UInt8] = [192, 0, 2, 53]
        let file = Self.pcap(link: 1, [
            (100, 0, Self.ether(0x0800, vlan: [10, 20], Self.ipv4(c4, s4, proto: 17, Self.udp(40000, 53, try Self.dnsQuery("QSnatch.Example", id: 7))))),
            (100, 1500, Self.ether(0x0800, vlan: [10, 20], Self.ipv4(s4, c4, proto: 17, Self.udp(53, 40000, try Self.dnsResponse("qsnatch.example", id: 7, rcode: 3))))),
            (101, 0, Self.ether(0x86DD, Self.ipv6("2001:db8::10", "2001:db8::53", next: 17, Self.udp(40001, 53, try Self.dnsQuery("v6.example", id: 8))))),
            (101, 250, Self.ether(0x86DD, Self.ipv6("2001:db8::53", "2001:db8::10", next: 17, Self.udp(53, 40001, try Self.dnsResponse("v6.example", id: 8))))),
        ])
        let (events, d) = try Shared.read(PcapReader(), try ByteInput(bytes: file, name: "vlan.pcap"))
        #expect(d.malformedCount == 0)
        #expect(events.count == 2)
        #expect(events[0].queryName.presentation == "qsnatch.example.")
        #expect(events[0].clientAddress == IPAddress("192.0.2.10") && events[0].clientPort == 40000 && events[0].serverAddress == IPAddress("192.0.2.53"))
        #expect(events[0].rcode == .nxDomain && events[0].responseTimeMicros == 1500 && events[0].timeNanos == 100_000_000_000)
        #expect(events[1].clientAddress == IPAddress("2001:db8::10") && events[1].queryType == .aaaa)
        #expect(events[1].answers.first?.address == IPAddress("2001:db8::53"))
    }

    @Test func linuxCookedRawAndLoopbackLinkTypes() throws {
        let q = Self.ipv4([10, 0, 0, 1], [10, 0, 0, 2], proto: 17, Self.udp(5555, 53, try Self.dnsQuery("a.example", id: 1)))
        let sll = [UInt8](repeating: 0, count: 14) + [0x08, 0x00] + q
        let sll2 = [0x08, 0x00] + [UInt8](repeating: 0, count: 18) + q
        let null = [2, 0, 0, 0] + q
        for (link, data) in [(UInt32(113), sll), (276, sll2), (101, q), (0, null), (228, q)] {
            let (events, d) = try Shared.read(PcapReader(), try ByteInput(bytes: Self.pcap(link: link, [(1, 0, data)]), name: "link\(link)"))
            #expect(events.count == 1, "link type \(link)")
            #expect(events.first?.queryName.presentation == "a.example.", "link type \(link)")
            #expect(d.skipped["query without a response (reported alone)"] == 1)
        }
    }

    @Test func fragmentedUDPResponseIsReassembled() throws {
        let c: [UInt8] = [198, 51, 100, 1], s: [UInt8] = [198, 51, 100, 53]
        let response = Self.udp(53, 33000, try Self.dnsResponse("big.example", id: 9, padTXT: 10))
        #expect(response.count > 2000)
        let cut = 1480
        let frag1 = Self.ipv4(s, c, proto: 17, id: 77, fragOffset: 0, more: true, Array(response[0..<cut]))
        let frag2 = Self.ipv4(s, c, proto: 17, id: 77, fragOffset: cut, more: false, Array(response[cut...]))
        let file = Self.pcap(link: 101, [
            (5, 0, Self.ipv4(c, s, proto: 17, Self.udp(33000, 53, try Self.dnsQuery("big.example", id: 9)))),
            (5, 10, frag2),  // out of order
            (5, 20, frag1),
        ])
        let (events, d) = try Shared.read(PcapReader(), try ByteInput(bytes: file, name: "frag.pcap"))
        #expect(events.count == 1)
        #expect(events[0].rcode == .noError && events[0].answers.count == 1)
        #expect(d.skipped["IP datagrams reassembled from fragments"] == 1)
        #expect(d.skipped["IP fragment (waiting for the rest)"] == 1)
    }

    @Test func tcpStreamsAreReassembledAcrossSegmentsRetransmissionsAndReordering() throws {
        let c: [UInt8] = [203, 0, 113, 5], s: [UInt8] = [203, 0, 113, 53]
        let q1 = try TCPFraming.frame(try Self.dnsQuery("one.example", id: 1)), q2 = try TCPFraming.frame(try Self.dnsQuery("two.example", id: 2))
        let stream = q1 + q2
        let isn: UInt32 = 0xFFFF_FF00  // wraps around during the stream
        let a = Array(stream[0..<10]), b = Array(stream[10..<25]), rest = Array(stream[25...])
        let r1 = try TCPFraming.frame(try Self.dnsResponse("one.example", id: 1)), r2 = try TCPFraming.frame(try Self.dnsResponse("two.example", id: 2, rcode: 2))
        let file = Self.pcap(link: 101, [
            (9, 0, Self.ipv4(c, s, proto: 6, Self.tcp(40000, 53, seq: isn, flags: 0x02, []))),  // SYN
            (9, 1, Self.ipv4(c, s, proto: 6, Self.tcp(40000, 53, seq: isn &+ 1, a))),
            (9, 2, Self.ipv4(c, s, proto: 6, Self.tcp(40000, 53, seq: isn &+ 1 &+ 25, rest))),  // ahead of a gap
            (9, 3, Self.ipv4(c, s, proto: 6, Self.tcp(40000, 53, seq: isn &+ 1, a))),  // retransmission
            (9, 4, Self.ipv4(c, s, proto: 6, Self.tcp(40000, 53, seq: isn &+ 1 &+ 10, b))),  // fills the gap
            (9, 5, Self.ipv4(s, c, proto: 6, Self.tcp(53, 40000, seq: 1000, r1 + r2))),
        ])
        let (events, d) = try Shared.read(PcapReader(), try ByteInput(bytes: file, name: "tcp.pcap"))
        #expect(d.malformedCount == 0)
        #expect(events.map(\.queryName.presentation) == ["one.example.", "two.example."])
        #expect(events.allSatisfy { $0.transport == .tcp && $0.rcode != nil })
        #expect(events[1].rcode == .servFail)
    }

    @Test func malformedPacketsAreCountedAndGoodOnesKept() throws {
        let c: [UInt8] = [192, 0, 2, 1], s: [UInt8] = [192, 0, 2, 2]
        var badDNS = try Self.dnsQuery("bad.example", id: 3)
        badDNS[12] = 70  // label length 70
        let good = Self.ipv4(c, s, proto: 17, Self.udp(1111, 53, try Self.dnsQuery("good.example", id: 4)))
        var truncatedIP = good
        truncatedIP.removeLast(5)  // shorter than its IPv4 total length (snaplen)
        var file = Self.pcap(link: 101, [
            (1, 0, Self.ipv4(c, s, proto: 17, Self.udp(1111, 53, badDNS))),
            (1, 1, truncatedIP),
            (1, 2, [0x45, 0, 0]),
            (1, 3, good),
            (1, 4, Self.ipv4(c, s, proto: 1, [8, 0, 0, 0])),
        ])
        file += [1, 0, 0, 0, 0, 0]  // a truncated record header at the end
        let (events, d) = try Shared.read(PcapReader(), try ByteInput(bytes: file, name: "bad.pcap"))
        #expect(events.map(\.queryName.presentation) == ["good.example."])
        #expect(d.malformed["DNS bad label"] == 1)
        #expect(d.malformed["packet truncated by the capture's snap length"] == 1)
        #expect(d.malformed["IPv4 header truncated"] == 1)
        #expect(d.malformed["pcap: truncated record header at end of file"] == 1)
        #expect(d.skipped["not UDP or TCP"] == 1)
        #expect(d.examples.first { $0.reason == "DNS bad label" }?.position.byteOffset == 24)
    }

    @Test func notAPcapAndCorruptRecordLengthsAreErrors() throws {
        #expect(throws: ReaderError(file: "t.txt", byteOffset: 0, "not a pcap or pcapng file: magic 0x68656c6c (expected a1b2c3d4, a1b23c4d or the pcapng 0a0d0d0a)")) {
            try Shared.read(PcapReader(), try ByteInput(bytes: Array("hello world".utf8), name: "t.txt"))
        }
        var f = Self.pcap(link: 1, [])
        f += [0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0]
        #expect(throws: ReaderError.self) { try Shared.read(PcapReader(), try ByteInput(bytes: f, name: "corrupt.pcap")) }
    }
}
