import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

/// BIND, Unbound and dnsmasq/Pi-hole logs: the fixtures were written by the real programs (see
/// `Fixtures/README.md`); the hand-made lines cover the variants these versions do not print.
@Suite struct DaemonLogReaderTests {
    // MARK: BIND

    @Test func bindRealQueryLogWithCategoryAndSeverity() throws {
        let (format, events, d) = try Text.readDetected(Text.fixture("bind-query-full.log"), options: ReaderOptions(year: 2026))
        #expect(format == .bind)
        #expect(d.malformedCount == 0 && events.count == 8)
        let www = events[1]
        #expect(www.timeNanos == Text.utc(2026, 11, 28, 13, 51, 25, nanos: 71_000_000))
        #expect(www.clientAddress == Text.ip("127.0.0.1") && www.clientPort == 58621)
        #expect(www.serverAddress == Text.ip("127.0.0.1"))
        #expect(www.queryName.presentation == "www.bench.example." && www.queryType == .a && www.queryClass == .internet)
        #expect(www.transport == .udp && www.flags == 0x0100 && www.rcode == nil)
        #expect(events[2].queryType == .aaaa && events[2].transport == .tcp)                  // +E(0)TK
        #expect(events[3].flags == 0x0110)                                                    // +E(0)DCK: RD and CD
        #expect(events[4].queryType == .mx && events[4].flags == 0)                           // "-"
        #expect(events[5].clientAddress == Text.ip("::1") && events[5].serverAddress == Text.ip("::1"))
        #expect(events[7].queryClass == .chaos && events[7].queryType == .txt)               // version.bind CH TXT, no view
    }

    @Test func bindPlainAndOlderAndSyslogVariants() throws {
        let (_, plain, _) = try Text.readDetected(Text.fixture("bind-query-plain.log"))
        #expect(plain.count == 8 && plain[0].queryName.presentation == "ns.bench.example.")
        let log = """
        client 192.168.117.234#53311: view authoritative: query: example.org IN NS -EDC (192.168.36.217)
        client @0x7fa0d607f200 192.168.1.130#63565 (example.org): view internal: query: Example.ORG IN NS +E(0)K (192.168.1.130)
        Nov 28 10:00:00 ns1 named[812]: client @0x7f0b01408098 2001:db8::5#41000 (a.example): query: a.example IN AAAA +SE(0)TDV (2001:db8::53) [ECS 2001:db8::/56/0]
        2026-11-28T10:00:01.250+09:00 ns1 named[812]: queries: info: client @0x1 192.0.2.9#1 (b.example): query: b.example IN HTTPS + (192.0.2.53)
        28-Nov-2026 10:00:02.000 queries: info: client @0x7f1a47c08098 127.0.0.1#58148 (x.example): view internal: query failed (REFUSED) for x.example/IN/A at query.c:5708
        """
        let (events, d) = try Text.read(BINDQueryLogParser(year: 2026), log)
        #expect(d.malformedCount == 0 && events.count == 4)
        #expect(events[0].timeNanos == 0 && events[0].clientPort == 53311 && events[0].queryType == .ns && events[0].flags == 0x0010)
        #expect(events[1].queryName.presentation == "example.org." && events[1].clientAddress == Text.ip("192.168.1.130"))
        #expect(events[2].timeNanos == Text.utc(2026, 11, 28, 10, 0, 0) && events[2].clientAddress == Text.ip("2001:db8::5"))
        #expect(events[2].clientPort == 41000 && events[2].transport == .tcp && events[2].serverAddress == Text.ip("2001:db8::53"))
        #expect(events[3].timeNanos == Text.utc(2026, 11, 28, 1, 0, 1, nanos: 250_000_000) && events[3].queryType == .https)
        #expect(d.skipped["BIND queries-category line that is not a query"] == 1)
    }

    @Test func bindMalformedLinesAreCounted() throws {
        let good = "28-Nov-2026 10:00:00.000 client @0x1 192.0.2.1#53 (a.example): query: a.example IN A + (192.0.2.53)"
        let log = [good,
                   "28-Nov-2026 10:00:00.000 client @0x1 192.0.2.1#bad (a.example): query: a.example IN A + (192.0.2.53)",
                   "28-Nov-2026 10:00:00.000 client @0x1 192.0.2.1#53 (a.example): query: a.example IN A ?X (192.0.2.53)",
                   "28-Nov-2026 10:00:00.000 client @0x1 192.0.2.1#53 (a.example): query: a.example IN",
                   "random words",
                   good].joined(separator: "\n")
        let (events, d) = try Text.read(BINDQueryLogParser(year: 2026), log)
        #expect(events.count == 2)
        #expect(d.malformed == ["bad client address#port": 1, "bad query flags": 1, "truncated BIND query line": 1, "not a BIND query log line (no 'client')": 1])
        #expect(d.examples.map(\.position.line) == [2, 3, 4, 5])
    }

    // MARK: Unbound

    @Test func unboundRealQueryAndReplyLinesArePaired() throws {
        for (fixture, ascii) in [("unbound-queries-replies.log", false), ("unbound-queries-replies-ascii.log", true)] {
            let (format, events, d) = try Text.readDetected(Text.fixture(fixture), options: ReaderOptions(year: 2026))
            #expect(format == .unbound)
            #expect(d.malformedCount == 0)
            #expect(events.count == 6, "\(fixture): one event per query, not per line")
            #expect(events.map(\.queryName.presentation) == ["www.bench.example.", "www.bench.example.", "txt.bench.example.", "missing.bench.example.", "www.bench.example.", "bad1.malware.example."])
            #expect(events.map(\.queryType) == [.a, .aaaa, .txt, .a, .a, .a])
            #expect(events.map(\.rcode) == [.noError, .noError, .noError, .nxDomain, .noError, .nxDomain])
            #expect(events[4].clientAddress == Text.ip("::1") && events[0].clientAddress == Text.ip("127.0.0.1"))
            #expect(events.allSatisfy { $0.responseTimeMicros == 0 && $0.position.line >= 2 })
            if ascii {
                #expect(events[0].timeNanos == Text.utc(2026, 11, 28, 13, 51, 26))
            } else {
                #expect(events[0].timeNanos == 1_795_873_886 * 1_000_000_000)
            }
        }
    }

    @Test func unboundRepliesAloneLocalActionsAndSyslog() throws {
        let log = """
        [1732788000] unbound[99:0] info: 192.0.2.7 alone.example. A IN NOERROR 0.250000 0 61
        Nov 28 10:00:00 host unbound: [99:1] query: 192.0.2.8 bad.example. A IN
        Nov 28 10:00:00 host unbound: [99:1] info: always_nxdomain bad.example. 192.0.2.8@53012 bad.example. A IN
        Nov 28 10:00:00 host unbound: [99:1] reply: 192.0.2.8 bad.example. A IN NXDOMAIN 0.000010 0 40
        [1732788005] unbound[99:0] info: RPZ applied [rpz.example] bad2.example. nxdomain 192.0.2.9@4000 bad2.example. AAAA IN
        [1732788005] unbound[99:0] info: 192.0.2.9 bad2.example. AAAA IN NXDOMAIN 0.000001 0 40
        [1732788006] unbound[99:0] info: 192.0.2.10 never-answered.example. A IN
        [1732788006] unbound[99:0] info: generate keytag query _ta-4f66. NULL IN
        """
        let (events, d) = try Text.read(UnboundLogParser(year: 2024), log)
        #expect(d.malformedCount == 0)
        #expect(events.count == 4)
        #expect(events[0].queryName.presentation == "alone.example." && events[0].timeNanos == 1_732_787_999_750_000_000 && events[0].responseTimeMicros == 250_000)
        #expect(events[1].sourceAction == "always_nxdomain" && events[1].rcode == .nxDomain && events[1].timeNanos == Text.utc(2024, 11, 28, 10, 0, 0))
        #expect(events[2].sourceAction == "rpz nxdomain" && events[2].queryType == .aaaa)
        #expect(events[3].queryName.presentation == "never-answered.example." && events[3].rcode == nil)
        #expect(d.skipped["query without a logged reply (reported alone)"] == 1)
    }

    // MARK: dnsmasq / Pi-hole

    @Test func dnsmasqRealLogPairsQueriesWithTheirAnswers() throws {
        for fixture in ["dnsmasq-queries.log", "dnsmasq-queries-extra.log"] {
            let (format, events, d) = try Text.readDetected(Text.fixture(fixture), options: ReaderOptions(year: 2026))
            #expect(format == .dnsmasq)
            #expect(d.malformedCount == 0)
            #expect(events.count == 8, "\(fixture)")
            let byName = events.map(\.queryName.presentation)
            #expect(byName == ["printer.lan.", "www.bench.example.", "www.bench.example.", "www.bench.example.", "missing.bench.example.", "ads.blocked.example.", "alias.lan.", "txt.bench.example."])
            #expect(events.allSatisfy { $0.clientAddress == Text.ip("127.0.0.1") })
            #expect(events[0].sourceAction?.hasSuffix("/dnsmasq/hosts") == true && events[0].answers.first?.address == Text.ip("192.0.2.99"))
            #expect(events[1].sourceAction == "forwarded" && events[1].rcode == .noError && events[1].answers.first?.address == Text.ip("192.0.2.80"))
            #expect(events[2].sourceAction == "cached")
            #expect(events[3].queryType == .aaaa && events[3].answers.first?.address == Text.ip("2001:db8::80"))
            #expect(events[4].rcode == .nxDomain && events[4].answers.isEmpty)
            #expect(events[5].sourceAction == "config" && events[5].answers.first?.address == Text.ip("0.0.0.0"))
            #expect(events[6].answers == [
                DNSAnswer(name: Text.name("alias.lan"), type: .cname, target: Text.name("printer.lan")),
                DNSAnswer(name: Text.name("printer.lan"), type: .a, address: Text.ip("192.0.2.99")),
            ])
            #expect(events[7].queryType == .txt && events[7].answers.first?.text == "\"hello\"")
            #expect(events[1].timeNanos >= Text.utc(2026, 11, 28, 13, 51, 13))
            if fixture.contains("extra") {
                #expect(events.allSatisfy { $0.clientPort != nil })
            }
        }
    }

    @Test func piholeLogStatusesGoToSourceAction() throws {
        let log = """
        Nov 28 10:00:00 dnsmasq[512]: query[A] doubleclick.net from 192.168.1.20
        Nov 28 10:00:00 dnsmasq[512]: gravity blocked doubleclick.net is 0.0.0.0
        Nov 28 10:00:01 dnsmasq[512]: query[AAAA] tracker.example from 192.168.1.21
        Nov 28 10:00:01 dnsmasq[512]: query[A] tracker.example from 192.168.1.21
        Nov 28 10:00:01 dnsmasq[512]: regex blacklisted tracker.example is ::
        Nov 28 10:00:01 dnsmasq[512]: regex blacklisted tracker.example is 0.0.0.0
        Nov 28 10:00:02 dnsmasq[512]: query[A] pi.hole from 192.168.1.22
        Nov 28 10:00:02 dnsmasq[512]: Pi-hole hostname pi.hole is 192.168.1.2
        Nov 28 10:00:03 dnsmasq[512]: query[HTTPS] use-application-dns.net from 192.168.1.23
        Nov 28 10:00:03 dnsmasq[512]: special domain use-application-dns.net is NXDOMAIN
        Nov 28 10:00:04 dnsmasq[512]: query[A] www.example.com from 192.168.1.24
        Nov 28 10:00:04 dnsmasq[512]: query[A] other.example from 192.168.1.25
        Nov 28 10:00:04 dnsmasq[512]: forwarded www.example.com to 9.9.9.9
        Nov 28 10:00:04 dnsmasq[512]: forwarded other.example to 9.9.9.9
        Nov 28 10:00:04 dnsmasq[512]: reply other.example is NODATA-IPv4
        Nov 28 10:00:05 dnsmasq[512]: reply www.example.com is <CNAME>
        Nov 28 10:00:05 dnsmasq[512]: reply www.example.com-v4.edgesuite.net is <CNAME>
        Nov 28 10:00:05 dnsmasq[512]: reply a1.w10.akamai.net is 23.1.2.3
        Nov 28 10:00:05 dnsmasq[512]: reply a1.w10.akamai.net is 23.1.2.4
        Dec 31 23:59:59 dnsmasq[512]: query[A] late.example from 192.168.1.26
        Jan  1 00:00:01 dnsmasq[512]: exactly denied late.example is 0.0.0.0
        Jan  1 00:00:02 dnsmasq[512]: query[A] nobody-answers.example from 192.168.1.27
        """
        let (events, d) = try Text.read(DnsmasqLogParser(year: 2026), log)
        #expect(d.malformedCount == 0)
        let names = events.map(\.queryName.presentation)
        #expect(names == ["doubleclick.net.", "tracker.example.", "tracker.example.", "pi.hole.", "use-application-dns.net.", "other.example.", "www.example.com.", "late.example.", "nobody-answers.example."])
        #expect(events[0].sourceAction == "gravity blocked" && events[0].clientAddress == Text.ip("192.168.1.20"))
        #expect(events[1].queryType == .aaaa && events[1].answers.first?.address == Text.ip("::") && events[1].sourceAction == "regex blacklisted")
        #expect(events[2].queryType == .a && events[2].answers.first?.address == Text.ip("0.0.0.0"))
        #expect(events[3].sourceAction == "Pi-hole hostname")
        #expect(events[4].sourceAction == "special domain" && events[4].rcode == .nxDomain && events[4].queryType == .https)
        #expect(events[5].rcode == .noError && events[5].answers.isEmpty && events[5].sourceAction == "forwarded")
        let www = events[6]
        #expect(www.answers.map(\.type) == [.cname, .cname, .a, .a])
        #expect(www.answers[1].name == Text.name("www.example.com-v4.edgesuite.net") && www.answers[1].target == Text.name("a1.w10.akamai.net"))
        #expect(www.answers[3].address == Text.ip("23.1.2.4"))
        #expect(events[7].timeNanos == Text.utc(2026, 12, 31, 23, 59, 59) && events[7].sourceAction == "exactly denied")
        #expect(events[8].rcode == nil && d.skipped == ["query without a logged answer (reported alone)": 1])
    }

    @Test func dnsmasqUnderRsyslogHighPrecisionTimestamps() throws {
        let log = """
        2026-11-28T10:00:00.250000+09:00 gw dnsmasq[77]: 9 10.0.0.1/40000 query[A] a.example from 10.0.0.1
        2026-11-28T10:00:00.260000+09:00 gw dnsmasq[77]: 9 10.0.0.1/40000 cached a.example is 192.0.2.1
        """
        let (events, d) = try Text.read(DnsmasqLogParser(year: 1999), log)
        #expect(d.malformedCount == 0 && events.count == 1)
        #expect(events[0].timeNanos == Text.utc(2026, 11, 28, 1, 0, 0, nanos: 250_000_000) && events[0].clientPort == 40000)
        #expect(events[0].sourceAction == "cached" && events[0].answers.first?.address == Text.ip("192.0.2.1"))
    }

    @Test func dnsmasqGarbageAndBinaryInput() throws {
        var bytes = Array(try String(contentsOfFile: Text.fixture("dnsmasq-queries.log"), encoding: .utf8).utf8)
        bytes += Array("this line has no timestamp at all\nNov 28 10:00:00 dnsmasq[1]: query[A] bad..name from 1.2.3.4\nNov 28 10:00:00 dnsmasq[1]: query[A] ok.example from 1.2.3.999\n".utf8)
        let (events, d) = try Text.read(DnsmasqLogParser(year: 2026), bytes: bytes)
        #expect(events.count == 8)
        #expect(d.malformed == ["no timestamp": 1, "bad query name": 1, "bad client address": 1])
        #expect(throws: ReaderError.self) { try Text.read(DnsmasqLogParser(year: 2026), bytes: Text.binaryGarbage) }
        #expect(throws: ReaderError.self) { try Text.read(UnboundLogParser(year: 2026), bytes: Text.binaryGarbage) }
        #expect(throws: ReaderError.self) { try Text.read(BINDQueryLogParser(year: 2026), bytes: Text.binaryGarbage) }
        // A Zeek log is not a BIND log.
        #expect(throws: ReaderError.self) { try Shared.read(LineFormatReader(BINDQueryLogParser(year: 2026)), ByteInput(path: Text.fixture("zeek-dns.log"))) }
    }
}

/// The fixture script run live: BIND, Unbound and dnsmasq on loopback write their query logs now, on this machine,
/// and the readers must make the same transactions of them as of the committed fixtures. Skipped where the
/// programs are not installed (CI installs them).
@Suite struct LiveDaemonLogTests {
    static var programsInstalled: Bool {
        ["/usr/sbin/named", "/usr/sbin/unbound", "/usr/sbin/dnsmasq", "/usr/bin/dig"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: programsInstalled), .timeLimit(.minutes(3)))
    func realDaemonsWriteLogsTheReadersUnderstand() throws {
        let out = try Shared.temporaryDirectory()
        var script = URL(fileURLWithPath: Text.fixture("make-daemon-logs.sh"))
        script.standardize()
        let transcript = out.appendingPathComponent("script.log").path
        try Shared.run("OUT='\(out.path)' bash -x '\(script.path)' >'\(transcript)' 2>&1")
        let made = ["bind-query-full.log", "unbound-queries-replies.log", "unbound-queries-replies-ascii.log", "dnsmasq-queries.log", "dnsmasq-queries-extra.log"]
        guard made.allSatisfy({ FileManager.default.fileExists(atPath: out.appendingPathComponent($0).path) }) else {
            let tail = (try? String(contentsOfFile: transcript, encoding: .utf8))?.split(separator: "\n").suffix(25).joined(separator: "\n") ?? ""
            Issue.record("the daemons did not write every log; the script's last lines:\n\(tail)")
            return
        }
        func read(_ name: String) throws -> (LogFormat, [DNSEvent], ReaderDiagnostics) {
            try Text.readDetected(out.appendingPathComponent(name).path)
        }
        let (bf, bind, bd) = try read("bind-query-full.log")
        #expect(bf == .bind && bd.malformedCount == 0)
        #expect(bind.map(\.queryName.presentation) == ["ns.bench.example.", "www.bench.example.", "www.bench.example.", "alias.bench.example.",
                                                         "mail.bench.example.", "nothere.bench.example.", "outside.example.org.", "version.bind."])
        #expect(bind.map(\.transport) == [.udp, .udp, .tcp, .udp, .udp, .udp, .udp, .udp] && bind[3].flags == 0x0110 && bind[4].flags == 0)
        for name in ["unbound-queries-replies.log", "unbound-queries-replies-ascii.log"] {
            let (f, events, d) = try read(name)
            #expect(f == .unbound && d.malformedCount == 0, "\(name)")
            #expect(events.map(\.rcode) == [.noError, .noError, .noError, .nxDomain, .noError, .nxDomain], "\(name)")
            try #require(events.count == 6, "\(name)")
            #expect(events[4].clientAddress == Text.ip("::1"), "\(name)")
        }
        for name in ["dnsmasq-queries.log", "dnsmasq-queries-extra.log"] {
            let (f, events, d) = try read(name)
            #expect(f == .dnsmasq && d.malformedCount == 0, "\(name)")
            #expect(events.map(\.sourceAction?.isEmpty) == Array(repeating: false, count: 8), "\(name)")
            #expect(events.map(\.rcode) == [.noError, .noError, .noError, .noError, .nxDomain, .noError, .noError, .noError], "\(name)")
            #expect(events[6].answers.map(\.type) == [.cname, .a], "\(name)")
        }
    }
}
