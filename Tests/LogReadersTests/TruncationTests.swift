import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

/// For every text format: a file cut in the middle of its last record keeps every earlier record and reports the
/// cut one with its line number; a binary file is refused as not that format.
@Suite struct TruncationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var format: LogFormat
        var text: String
        /// Events from the whole text.
        var events: Int
        var testDescription: String { format.rawValue }
    }

    static let mapping = try! ColumnMapping(parsing: "time=t,client=c,qname=q,qtype=y")

    static var cases: [Case] {
        func fixture(_ n: String) -> String { (try? String(contentsOfFile: Text.fixture(n), encoding: .utf8)) ?? "" }
        // Drop the trailing "#close" line from the Zeek fixture so that the last line is a record.
        let zeek = fixture("zeek-dns.log").split(separator: "\n").filter { !$0.hasPrefix("#close") }.joined(separator: "\n") + "\n"
        return [
            Case(format: .zeekTSV, text: zeek, events: 5),
            Case(format: .zeekJSON, text: (1...4).map { #"{"ts":\#($0).5,"id.orig_h":"192.0.2.\#($0)","query":"n\#($0).example","qtype":1,"rcode":0}"# }.joined(separator: "\n") + "\n", events: 4),
            Case(format: .bind, text: fixture("bind-query-full.log"), events: 8),
            Case(format: .eve, text: JSONLogReaderTests.eveV2 + "\n", events: 3),
            Case(format: .route53, text: JSONLogReaderTests.route53 + "\n", events: 3),
            Case(format: .cloudflare, text: JSONLogReaderTests.cloudflare + "\n", events: 3),
            Case(format: .csv, text: "t,c,q,y\n1795860000,192.0.2.1,a.example,A\n1795860001,192.0.2.2,b.example,AAAA\n1795860002,192.0.2.3,c.example,TXT\n", events: 3),
            Case(format: .jsonLines, text: #"{"t":1795860000,"c":"192.0.2.1","q":"a.example","y":"A"}"# + "\n" + #"{"t":1795860001,"c":"192.0.2.2","q":"b.example","y":"MX"}"# + "\n", events: 2),
        ]
    }

    func read(_ format: LogFormat, _ bytes: [UInt8]) throws -> ([DNSEvent], ReaderDiagnostics) {
        try Shared.read(try format.makeReader(options: ReaderOptions(columnMapping: Self.mapping, year: 2026)), ByteInput(bytes: bytes, name: "cut"))
    }

    @Test(arguments: cases)
    func cutInTheLastRecord(_ c: Case) throws {
        let full = Array(c.text.utf8)
        let (all, d0) = try read(c.format, full)
        #expect(all.count == c.events && d0.malformedCount == 0)
        // Cut in the middle of the last line.
        let lastStart = (full.dropLast().lastIndex(of: 0x0A) ?? -1) + 1
        let lastLine = full[..<(full.count - 1)].split(separator: 0x0A, omittingEmptySubsequences: false).count
        let cut = Array(full[..<(lastStart + (full.count - lastStart) / 2)])
        let (events, d) = try read(c.format, cut)
        #expect(events.count == c.events - 1, "\(c.format): every record before the cut is kept")
        #expect(d.malformedCount == 1 && d.examples.first?.position.line == lastLine, "\(c.format): \(d.malformed) \(d.examples)")
    }

    @Test(arguments: cases)
    func binaryInputIsNotThisFormat(_ c: Case) throws {
        #expect(throws: ReaderError.self) { try read(c.format, Text.binaryGarbage) }
    }

    @Test func pairedDaemonLogsCutInTheLastReply() throws {
        // Unbound: the cut reply line is counted, and its query is still reported (without a reply).
        let unbound = Array(try String(contentsOfFile: Text.fixture("unbound-queries-replies.log"), encoding: .utf8).utf8)
        var lines = unbound.split(separator: 0x0A).map(Array.init)
        lines.removeLast()                                   // "service stopped"
        var cut = lines.dropLast().joined(separator: [0x0A]) + [0x0A]
        cut += lines.last!.prefix(lines.last!.count - 12)    // the last reply without "NXDOMAIN 0.000000 1 49"… partly
        let (events, d) = try read(.unbound, Array(cut))
        #expect(events.count == 6 && events.last?.rcode == nil && d.malformedCount == 1)
        #expect(d.examples.first?.position.line == lines.count)
        // dnsmasq: an answer line cut before its value.
        let dnsmasq = Array("Nov 28 10:00:00 dnsmasq[1]: query[A] a.example from 10.0.0.1\nNov 28 10:00:00 dnsmasq[1]: reply a.example is 192.0.2.1\nNov 28 10:00:01 dnsmasq[1]: query[A] b.example from 10.0.0.2\nNov 28 10:00:01 dnsmasq[1]: reply b.exa".utf8)
        let (ev2, d2) = try read(.dnsmasq, dnsmasq)
        #expect(ev2.count == 2 && ev2[0].rcode == .noError && ev2[1].rcode == nil)
        #expect(d2.malformed == ["truncated answer line": 1] && d2.examples.first?.position.line == 4)
    }
}
