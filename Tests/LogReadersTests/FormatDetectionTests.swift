import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

@Suite struct FormatDetectionTests {
    func detect(_ text: String) -> LogFormat? { FormatDetector.detect(Array(text.utf8)) }

    @Test func everyFixtureIsRecognised() throws {
        let cases: [(String, LogFormat)] = [
            ("zeek-dns.log", .zeekTSV), ("bind-query-full.log", .bind), ("bind-query-plain.log", .bind),
            ("unbound-queries-replies.log", .unbound), ("unbound-queries-replies-ascii.log", .unbound),
            ("dnsmasq-queries.log", .dnsmasq), ("dnsmasq-queries-extra.log", .dnsmasq),
        ]
        for (file, format) in cases {
            let input = try ByteInput(path: Text.fixture(file))
            #expect(try LogFormat.detect(input) == format, "\(file)")
        }
        #expect(try LogFormat.detect(ByteInput(path: Shared.capture("unbound-resolver-rpz.dnstap"))) == .dnstap)
        #expect(try LogFormat.detect(ByteInput(path: Shared.capture("unbound-rpz-loopback.pcap"))) == .pcap)
    }

    @Test func jsonProducersAreToldApartByTheirKeys() {
        #expect(detect(JSONLogReaderTests.eveV2) == .eve)
        #expect(detect(JSONLogReaderTests.route53) == .route53)
        #expect(detect(JSONLogReaderTests.cloudflare) == .cloudflare)
        #expect(detect(#"{"ts":1602265824.123071,"uid":"C1","id.orig_h":"192.168.75.169","query":"a.example","qtype_name":"A"}"#) == .zeekJSON)
        #expect(detect(#"{"time":"2026-11-28T10:00:00Z","src":"10.0.0.1","domain":"a.example"}"#) == .jsonLines)
        #expect(detect("time,client,query\n2026-11-28T10:00:00Z,10.0.0.1,a.example\n") == .csv)
    }

    @Test func daemonLogsAreFoundPastStartupMessagesAndBinaryMagicsRecognised() {
        let dnsmasq = "Nov 28 10:00:00 dnsmasq[1]: started, version 2.90 cachesize 150\nNov 28 10:00:00 dnsmasq[1]: compile time options: IPv6\nNov 28 10:00:01 dnsmasq[1]: query[A] a.example from 10.0.0.1\n"
        #expect(detect(dnsmasq) == .dnsmasq)
        #expect(detect("Nov 28 10:00:00 ns1 named[812]: client @0x1 192.0.2.1#5 (a.example): query: a.example IN A + (192.0.2.53)\n") == .bind)
        #expect(detect("Nov 28 10:00:00 host unbound: [99:0] info: 192.0.2.8 bad.example. A IN\n") == .unbound)
        #expect(detect("2026-11-28T10:00:00.000000+00:00 pihole dns[77]: query[A] a.example from 10.0.0.1\n") == .dnsmasq)
        #expect(FormatDetector.detect([0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0]) == .pcap)
        #expect(FormatDetector.detect([0x0A, 0x0D, 0x0D, 0x0A, 0x1C, 0, 0, 0]) == .pcapng)
        #expect(FormatDetector.detect(Array("SQLite format 3\0".utf8) + [0x10, 0]) == .piholeDB)
        #expect(detect("just some words\nand more words\n") == nil)
        #expect(FormatDetector.detect(Text.binaryGarbage) == nil)
        #expect(LogFormat(name: "suricata") == .eve && LogFormat(name: "zeek") == .zeekTSV && LogFormat(name: "pihole") == .piholeDB && LogFormat(name: "nope") == nil)
    }

    @Test func unknownAndEmptyInputsAreClearErrors() throws {
        #expect(throws: ReaderError.self) { try LogFormat.detect(ByteInput(bytes: [], name: "empty")) }
        #expect(throws: ReaderError.self) { try LogFormat.detect(ByteInput(bytes: Array("hello\nworld\n".utf8), name: "words")) }
    }

    @Test func gzipInputOfEveryTextFormatIsDetectedAndRead() throws {
        let samples: [(String, LogFormat, Int)] = [
            (JSONLogReaderTests.eveV2, .eve, 3), (JSONLogReaderTests.route53, .route53, 3), (JSONLogReaderTests.cloudflare, .cloudflare, 3),
            (try String(contentsOfFile: Text.fixture("bind-query-full.log"), encoding: .utf8), .bind, 8),
            (try String(contentsOfFile: Text.fixture("unbound-queries-replies.log"), encoding: .utf8), .unbound, 6),
            (try String(contentsOfFile: Text.fixture("dnsmasq-queries-extra.log"), encoding: .utf8), .dnsmasq, 8),
        ]
        for (text, format, count) in samples {
            let gz = try Text.gzip(try Text.temporaryFile(Array(text.utf8)))
            let (f, events, d) = try Text.readDetected(gz, options: ReaderOptions(year: 2026))
            #expect(f == format && events.count == count && d.malformedCount == 0, "\(format)")
        }
    }

    @Test func standardInputIsReadLikeAFile() throws {
        let text = try String(contentsOfFile: Text.fixture("zeek-dns.log"), encoding: .utf8)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let saved = dup(0)
        defer { dup2(saved, 0); close(saved) }
        let bytes = Array(text.utf8)
        #expect(bytes.count < 60_000)   // fits the pipe buffer, so writing before reading cannot block
        _ = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        dup2(fds[0], 0)
        close(fds[0])
        let input = try ByteInput(path: "-")
        let format = try LogFormat.detect(input)
        let (events, _) = try Shared.read(try format.makeReader(), input)
        #expect(format == .zeekTSV && events.count == 5 && events[0].position.file == "-")
    }
}
