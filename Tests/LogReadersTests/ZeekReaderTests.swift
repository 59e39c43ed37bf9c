import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

@Suite struct ZeekReaderTests {
    @Test func tsvDecodesEveryFieldOfTheFixture() throws {
        let (events, d) = try Shared.read(LineFormatReader(ZeekTSVParser()), ByteInput(path: Text.fixture("zeek-dns.log")))
        #expect(d.malformedCount == 0)
        #expect(events.count == 5)
        let e = events[0]
        #expect(e.timeNanos == 1_732_788_000_123_456_000)
        #expect(e.clientAddress == Text.ip("192.0.2.10") && e.clientPort == 53012)
        #expect(e.serverAddress == Text.ip("198.51.100.1") && e.serverPort == 53)
        #expect(e.transport == .udp && e.id == 4242)
        #expect(e.responseTimeMicros == 12345)
        #expect(e.queryName.presentation == "www.example.com.")
        #expect(e.queryType == .a && e.queryClass == .internet && e.rcode == .noError)
        #expect(e.flags == 0x8180)   // QR, RD, RA, NOERROR
        #expect(e.answers == [
            DNSAnswer(name: Text.name("www.example.com"), type: .cname, ttl: 300, target: Text.name("edge.example.net")),
            DNSAnswer(name: Text.name("www.example.com"), type: .a, ttl: 60, address: Text.ip("93.184.216.34")),
        ])
        #expect(e.position.line == 9 && e.position.file.hasSuffix("zeek-dns.log"))

        let nx = events[1]
        #expect(nx.clientAddress == Text.ip("2001:db8::10") && nx.transport == .tcp)
        #expect(nx.queryType == .aaaa && nx.rcode == .nxDomain && nx.responseTimeMicros == nil && nx.answers.isEmpty)
        #expect(nx.flags == UInt16(0x8583))   // QR, AA, RD, RA, NXDOMAIN

        let unanswered = events[2]
        #expect(unanswered.rcode == nil && unanswered.queryType == .ptr && unanswered.timeNanos == 1_732_788_002_000_001_000)
        #expect(unanswered.queryName.presentation == "_services._dns-sd._udp.local.")

        #expect(events[3].answers.first?.type == .txt && events[3].answers.first?.ttl == 3600)
        #expect(events[3].answers.first?.text == "27 v=spf1 -all include:x.test")
        #expect(events[4].answers.isEmpty && events[4].sourceAction == "rejected")
    }

    @Test func tsvFollowsItsOwnHeaderOrderSeparatorsAndEscapes() throws {
        let log = """
        #separator \\x09
        #set_separator\t;
        #empty_field\tnone
        #unset_field\t?
        #path\tdns
        #fields\tquery\tqtype_name\tts\tid.orig_h\tanswers\tTTLs\trcode_name\tuid
        #types\tstring\tstring\ttime\taddr\tvector[string]\tvector[interval]\tstring\tstring
        a\\x2db.Example.COM\tAAAA\t1700000000.5\t10.1.2.3\t2001:db8::1;2001:db8::2\t30.0;31.0\tNOERROR\tCx
        c2.example\tA\t1700000001\t10.1.2.4\tnone\tnone\t?\tCy

        """
        let (events, d) = try Text.read(ZeekTSVParser(), log)
        #expect(d.malformedCount == 0)
        #expect(events.count == 2)
        #expect(events[0].queryName.presentation == "a-b.example.com.")
        #expect(events[0].queryType == .aaaa && events[0].timeNanos == 1_700_000_000_500_000_000 && events[0].rcode == .noError)
        #expect(events[0].answers.map(\.address) == [Text.ip("2001:db8::1"), Text.ip("2001:db8::2")])
        #expect(events[0].answers.map(\.ttl) == [30, 31])
        #expect(events[1].answers.isEmpty && events[1].rcode == nil && events[1].clientAddress == Text.ip("10.1.2.4"))
    }

    @Test func tsvWithoutHeaderAssumesTheDefaultColumns() throws {
        let line = "1732788000.000000\tCx\t192.0.2.1\t1234\t192.0.2.53\t53\tudp\t1\t0.001\texample.com\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t192.0.2.80\t60.0\tF\n"
        let (events, _) = try Text.read(ZeekTSVParser(), line)
        #expect(events.count == 1 && events[0].answers.first?.address == Text.ip("192.0.2.80"))
    }

    @Test func tsvMalformedLinesAreCountedLocatedAndGoodOnesKept() throws {
        var text = try String(contentsOfFile: Text.fixture("zeek-dns.log"), encoding: .utf8)
        text = text.replacingOccurrences(of: "#close\t2026-11-28-11-00-00\n", with: "")
        text += "garbage that is not a zeek record\n"                                                                     // line 14
        text += "1732788005.0\tCa\t192.0.2.14\tnotaport\t198.51.100.1\t53\tudp\t1\t-\tx.example\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t-\t-\tF\n"  // 15
        text += "17327880xx\tCb\t192.0.2.14\t1\t198.51.100.1\t53\tudp\t1\t-\tx.example\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t-\t-\tF\n"          // 16
        text += "1732788006.0\tCc\t192.0.2.15\t2\t198.51.100.1\t53\tudp\t1\t-\tgood.example\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t-\t-\tF\n"        // 17
        text += "1732788007.0\tCd\t192.0.2.16\t3\t198.51.100.1\t53\tudp\t1\t-\ttrunc"                                          // 18, cut short
        let (events, d) = try Text.read(ZeekTSVParser(), text)
        #expect(events.count == 6)
        #expect(events.last?.queryName.presentation == "good.example.")
        #expect(d.malformed["bad id.orig_p"] == 1)
        #expect(d.malformed["bad ts"] == 2)   // the garbage line and the bad number
        #expect(d.malformed["expected 24 columns, got 10"] == 1)
        #expect(d.examples.map(\.position.line).sorted() == [14, 15, 16, 18])
        #expect(d.examples.first { $0.reason == "bad id.orig_p" }?.excerpt.hasPrefix("1732788005.0") == true)
    }

    @Test func tsvBinaryLinesAndOtherLogsAreRejected() throws {
        // A conn.log is a Zeek log but not a dns.log.
        let conn = "#separator \\x09\n#path\tconn\n#fields\tts\tuid\n" + (0..<30).map { "1.0\tC\($0)\n" }.joined()
        #expect(throws: ReaderError.self) { try Text.read(ZeekTSVParser(), conn) }
        #expect(throws: ReaderError.self) { try Text.read(ZeekTSVParser(), bytes: Text.binaryGarbage) }
        // Binary bytes in the middle of a good file: counted, the rest kept.
        var bytes = Array(try String(contentsOfFile: Text.fixture("zeek-dns.log"), encoding: .utf8).utf8)
        bytes += [0x31, 0x00, 0xFF, 0x0A]
        let (events, d) = try Text.read(ZeekTSVParser(), bytes: bytes)
        #expect(events.count == 5 && d.malformed["binary data (NUL byte) in a text line"] == 1)
    }

    @Test func tsvGzipFileIsReadTransparently() throws {
        let path = try Text.gzip(try Text.temporaryFile(Array(try String(contentsOfFile: Text.fixture("zeek-dns.log"), encoding: .utf8).utf8)))
        let (format, events, _) = try Text.readDetected(path)
        #expect(format == .zeekTSV && events.count == 5 && events[0].queryName.presentation == "www.example.com.")
    }

    @Test func jsonDecodesEpochAndISOTimestampsAndAnswers() throws {
        let log = """
        {"ts":1602265824.123071,"uid":"CHFRflzsgM15k9et4","id.orig_h":"192.168.75.169","id.orig_p":58506,"id.resp_h":"192.168.75.1","id.resp_p":53,"proto":"udp","trans_id":50763,"rtt":0.022633075714111329,"query":"www.sansgear.com","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["vhost1.identityvector.com","70.32.97.206"],"TTLs":[3600.0,3600.0],"rejected":false}
        {"ts":"2026-11-28T10:00:00.250000Z","uid":"C2","id.orig_h":"fe80::1","id.orig_p":5353,"id.resp_h":"ff02::fb","id.resp_p":5353,"proto":"udp","trans_id":0,"query":"printer.local","qclass":32769,"qclass_name":"qclass-32769","qtype":255,"qtype_name":"*","AA":false,"TC":false,"RD":false,"RA":false,"Z":0,"rejected":false}
        {"ts":1602265825.5,"uid":"C3","id.orig_h":"192.168.75.169","id.orig_p":1,"id.resp_h":"192.168.75.1","id.resp_p":53,"proto":"tcp","trans_id":2,"rtt":1.2e-05,"query":"caf\\u00e9.example","qtype":16,"rcode":3,"rcode_name":"NXDOMAIN"}

        """
        let (events, d) = try Text.read(ZeekJSONParser(), log)
        #expect(d.malformedCount == 0)
        #expect(events.count == 3)
        let e = events[0]
        #expect(e.timeNanos == 1_602_265_824_123_071_000 && e.responseTimeMicros == 22633)
        #expect(e.clientAddress == Text.ip("192.168.75.169") && e.clientPort == 58506 && e.serverPort == 53 && e.id == 50763)
        #expect(e.queryName.presentation == "www.sansgear.com." && e.queryType == .a && e.rcode == .noError && e.flags == 0x8180)
        #expect(e.answers.map(\.type) == [.cname, .a] && e.answers.map(\.ttl) == [3600, 3600])
        #expect(e.answers[0].target == Text.name("vhost1.identityvector.com") && e.answers[1].address == Text.ip("70.32.97.206"))
        #expect(events[1].timeNanos == Text.utc(2026, 11, 28, 10, 0, 0, nanos: 250_000_000))
        #expect(events[1].queryClass == RecordClass(32769) && events[1].queryType == .any && events[1].rcode == nil)
        #expect(events[2].responseTimeMicros == 12 && events[2].rcode == .nxDomain && events[2].transport == .tcp)
        #expect(events[2].queryName.labels.first == Array("café".utf8))
    }

    @Test func jsonWrongTypesAndBrokenObjectsAreCounted() throws {
        let good = #"{"ts":1.0,"id.orig_h":"192.0.2.1","query":"ok.example","qtype":1}"#
        let log = [
            good,
            #"{"ts":"yesterday","id.orig_h":"192.0.2.1","query":"x.example","qtype":1}"#,
            #"{"ts":2.0,"id.orig_h":"192.0.2.1","id.orig_p":"53","query":"x.example","qtype":1}"#,
            #"{"ts":3.0,"id.orig_h":"192.0.2.1","query":"x.example","qtype":1,"answers":["a""#,
            #"{"ts":4.0,"id.orig_h":"192.0.2.1","query":"x.example","qtype":1,"AA":"yes"}"#,
            "not json at all",
            good,
        ].joined(separator: "\n")
        let (events, d) = try Text.read(ZeekJSONParser(), log)
        #expect(events.count == 2)
        #expect(d.malformed == ["bad ts": 1, "bad id.orig_p": 1, "truncated JSON": 1, "bad AA (expected true or false)": 1, "not a JSON object": 1])
        #expect(d.examples.map(\.position.line) == [2, 3, 4, 5, 6])
    }
}
