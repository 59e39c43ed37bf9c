import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

@Suite struct GenericReaderTests {
    @Test func mappingParsesFlagsAliasesAndOptions() throws {
        let m = try ColumnMapping(parsing: "time=ts, client=src,qname=query, type=qt,device_id=host.name,status=verdict,time_format=epoch_ms,rtt_unit=us,delimiter=tab,tz=+09:00")
        #expect(m.columns == [.time: "ts", .client: "src", .qname: "query", .qtype: "qt", .device: "host.name", .action: "verdict"])
        #expect(m.timeFormat == .epochMillis && m.rttUnitDigits == 6 && m.delimiter == 0x09 && m.timeZoneOffsetSeconds == 9 * 3600)
        #expect(throws: ColumnMapping.Invalid.self) { try ColumnMapping(parsing: "client=src") }                    // no time/qname
        #expect(throws: ColumnMapping.Invalid.self) { try ColumnMapping(parsing: "time=a,qname=b,colour=c") }
        #expect(throws: ColumnMapping.Invalid.self) { try ColumnMapping(parsing: "time=a,qname=b,time_format=fortnights") }
        // The file form: one pair a line, comments.
        let path = try Text.temporaryFile(Array("# mapping for the proxy logs\ntime: when\nqname = \"fqdn\"\nclient: ip\n".utf8))
        let f = try ColumnMapping(contentsOfFile: path)
        #expect(f.columns == [.time: "when", .qname: "fqdn", .client: "ip"])
    }

    @Test func jsonLinesWithNestedPathsAndMixedTypes() throws {
        let m = try ColumnMapping(parsing: "time=@timestamp,client=source.ip,client_port=source.port,qname=dns.question.name,qtype=dns.question.type,rcode=dns.response_code,answers=dns.resolved_ip,device=host.hostname,action=event.action,rtt=event.duration_ms")
        let log = """
        {"@timestamp":"2026-11-28T10:00:00.5Z","source":{"ip":"10.1.1.5","port":53111},"dns":{"question":{"name":"Evil.Example","type":"A"},"response_code":"NXDOMAIN","resolved_ip":[]},"host":{"hostname":"laptop-42"},"event":{"action":"blocked","duration_ms":12.5}}
        {"@timestamp":1795860000123,"source":{"ip":"2001:db8::9","port":"1"},"dns":{"question":{"name":"ok.example","type":28},"response_code":0,"resolved_ip":["2001:db8::80","2001:db8::81"]}}
        {"@timestamp":"soon","source":{"ip":"10.1.1.5"},"dns":{"question":{"name":"x.example","type":"A"}}}
        {"@timestamp":1795860000,"source":{"ip":"10.1.1.5"},"dns":{"question":{"type":"A"}}}
        {"@timestamp":1795860000,"source":{"ip":"ten"},"dns":{"question":{"name":"y.example","type":"A"}}}
        """
        let (events, d) = try Text.read(GenericJSONParser(mapping: m), log)
        #expect(events.count == 2)
        let e = events[0]
        #expect(e.timeNanos == Text.utc(2026, 11, 28, 10, 0, 0, nanos: 500_000_000) && e.clientAddress == Text.ip("10.1.1.5") && e.clientPort == 53111)
        #expect(e.queryName.presentation == "evil.example." && e.queryType == .a && e.rcode == .nxDomain && e.answers.isEmpty)
        #expect(e.deviceID == "laptop-42" && e.sourceAction == "blocked" && e.responseTimeMicros == 12_500)
        #expect(events[1].timeNanos == 1_795_860_000_123_000_000 && events[1].queryType == .aaaa && events[1].rcode == .noError)
        #expect(events[1].answers.map(\.address) == [Text.ip("2001:db8::80"), Text.ip("2001:db8::81")])
        #expect(d.malformed == ["bad time (column @timestamp)": 1, "missing qname (column dns.question.name)": 1, "bad client (column source.ip)": 1])
    }

    @Test func csvByHeaderNameWithRFC4180Quoting() throws {
        let m = try ColumnMapping(parsing: "time=Time,client=Client IP,qname=Query,qtype=Type,rcode=Result,answers=Answers,action=Action,device=User")
        let csv = "Time,Client IP,Query,Type,Result,Answers,Action,User,Note\r\n" +
            "2026-11-28 10:00:00,192.0.2.7,www.example.com,A,NOERROR,\"93.184.216.34,93.184.216.35\",allow,\"Doe, Jane\",plain\r\n" +
            "2026-11-28 10:00:01,192.0.2.8,bad.example,AAAA,NXDOMAIN,,block,\"O\"\"Brien\",\"a note\nthat spans two lines\"\r\n" +
            "2026-11-28 10:00:02,192.0.2.9,short.example,A\r\n" +
            "2026-11-28 10:00:03,192.0.2.10,quote.example,A,NOERROR,,allow,x,\"oops\"trailing\r\n" +
            "yesterday,192.0.2.11,t.example,A,NOERROR,,allow,x,y\r\n" +
            "2026-11-28 10:00:04,192.0.2.12,last.example,TXT,SERVFAIL,,allow,,\r\n"
        let (events, d) = try Text.read(CSVParser(mapping: m), csv)
        #expect(events.count == 3)
        #expect(events[0].timeNanos == Text.utc(2026, 11, 28, 10, 0, 0) && events[0].deviceID == "Doe, Jane" && events[0].sourceAction == "allow")
        #expect(events[0].answers.map(\.address) == [Text.ip("93.184.216.34"), Text.ip("93.184.216.35")])
        #expect(events[1].deviceID == "O\"Brien" && events[1].rcode == .nxDomain && events[1].position.line == 3)
        #expect(events[2].queryName.presentation == "last.example." && events[2].rcode == .servFail && events[2].deviceID == nil && events[2].position.line == 8)
        #expect(d.malformed == ["expected 9 fields, got 4": 1, "text after a closing quote": 1, "bad time (column Time)": 1])
        #expect(d.examples.map(\.position.line) == [5, 6, 7])
    }

    @Test func csvMissingColumnOrMappingIsAnError() throws {
        let m = try ColumnMapping(parsing: "time=ts,qname=domain")
        #expect(throws: ReaderError.self) { try Text.read(CSVParser(mapping: m), "when,what\n1,a.example\n") }
        #expect(throws: ReaderError.self) { try LogFormat.csv.makeReader(options: ReaderOptions()) }
        #expect(throws: ReaderError.self) { try LogFormat.jsonLines.makeReader(options: ReaderOptions()) }
        #expect(throws: ReaderError.self) { try Text.read(CSVParser(mapping: m), bytes: Text.binaryGarbage) }
    }
}

@Suite struct PiholeDatabaseTests {
    /// Builds a Pi-hole 6 database (FTL's own schema and `queries` view) with Python's sqlite3, and a Pi-hole 5 one.
    static func makeDatabases() throws -> (v6: String, v5: String) {
        let dir = try Shared.temporaryDirectory()
        let v6 = dir.appendingPathComponent("pihole-FTL.db").path, v5 = dir.appendingPathComponent("pihole5.db").path
        let script = """
        import sqlite3
        db = sqlite3.connect(r'\(v6)')
        db.executescript('''
        CREATE TABLE ftl (id INTEGER PRIMARY KEY NOT NULL, value BLOB NOT NULL, description TEXT);
        INSERT INTO ftl VALUES(0,21,'Database version');
        CREATE TABLE query_storage (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL, type INTEGER NOT NULL, status INTEGER NOT NULL, domain INTEGER NOT NULL, client INTEGER NOT NULL, forward INTEGER, additional_info INTEGER, reply_type INTEGER, reply_time REAL, dnssec INTEGER, list_id INTEGER, ede INTEGER);
        CREATE INDEX idx_queries_timestamps ON query_storage (timestamp);
        CREATE TABLE domain_by_id (id INTEGER PRIMARY KEY, domain TEXT NOT NULL);
        CREATE TABLE client_by_id (id INTEGER PRIMARY KEY, ip TEXT NOT NULL, name TEXT);
        CREATE TABLE forward_by_id (id INTEGER PRIMARY KEY, forward TEXT NOT NULL);
        CREATE TABLE addinfo_by_id (id INTEGER PRIMARY KEY, type INTEGER NOT NULL, content NOT NULL);
        CREATE VIEW queries AS SELECT id, timestamp, type, status,
          CASE typeof(domain) WHEN 'integer' THEN (SELECT domain FROM domain_by_id d WHERE d.id = q.domain) ELSE domain END domain,
          CASE typeof(client) WHEN 'integer' THEN (SELECT ip FROM client_by_id c WHERE c.id = q.client) ELSE client END client,
          CASE typeof(forward) WHEN 'integer' THEN (SELECT forward FROM forward_by_id f WHERE f.id = q.forward) ELSE forward END forward,
          CASE typeof(additional_info) WHEN 'integer' THEN (SELECT content FROM addinfo_by_id a WHERE a.id = q.additional_info) ELSE additional_info END additional_info,
          reply_type, reply_time, dnssec, list_id, ede FROM query_storage q;
        INSERT INTO domain_by_id VALUES (1,'www.example.com'),(2,'doubleclick.net'),(3,'tracker.example'),(4,'not a..name'),(5,'_dns.resolver.arpa');
        INSERT INTO client_by_id VALUES (1,'192.168.1.20','laptop.lan'),(2,'fe80::1234',NULL),(3,'192.168.1.21','');
        INSERT INTO forward_by_id VALUES (1,'9.9.9.9#53');
        INSERT INTO addinfo_by_id VALUES (1,1,'ads.cdn.example');
        INSERT INTO query_storage VALUES (1,1795860000,1,2,1,1,1,NULL,4,0.0123,2,NULL,NULL);
        INSERT INTO query_storage VALUES (2,1795860001.25,2,1,2,2,NULL,NULL,4,0.0001,0,NULL,NULL);
        INSERT INTO query_storage VALUES (3,1795860002,1,9,3,3,NULL,1,4,NULL,0,NULL,NULL);
        INSERT INTO query_storage VALUES (4,1795860003,1,3,4,1,NULL,NULL,4,0,0,NULL,NULL);
        INSERT INTO query_storage VALUES (5,1795860004,164,2,5,1,1,NULL,2,0.02,0,NULL,NULL);
        INSERT INTO query_storage VALUES (6,'yesterday',1,2,1,1,1,NULL,4,0.02,0,NULL,NULL);
        INSERT INTO query_storage VALUES (7,1795860005,1,2,'legacy.example','192.168.1.99',NULL,NULL,0,NULL,0,NULL,NULL);
        ''')
        db.commit()
        db5 = sqlite3.connect(r'\(v5)')
        db5.executescript('''
        CREATE TABLE queries (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL, type INTEGER NOT NULL, status INTEGER NOT NULL, domain TEXT NOT NULL, client TEXT NOT NULL, forward TEXT, additional_info TEXT);
        INSERT INTO queries VALUES (1,1600000000,1,5,'blocked.example','10.0.0.2',NULL,NULL);
        INSERT INTO queries VALUES (2,1600000001,16,2,'svc.example','10.0.0.3','1.1.1.1#53',NULL);
        ''')
        db5.commit()
        """
        let py = dir.appendingPathComponent("make.py").path
        try Data(script.utf8).write(to: URL(fileURLWithPath: py))
        try Shared.run("python3 '\(py)'")
        return (v6, v5)
    }

    @Test func piholeSixDatabaseRowsBecomeEvents() throws {
        let (v6, _) = try Self.makeDatabases()
        let (format, events, d) = try Text.readDetected(v6)
        #expect(format == .piholeDB)
        #expect(events.count == 5)
        #expect(d.malformed == ["bad domain": 1, "bad timestamp": 1])
        #expect(d.examples.map(\.position.line) == [4, 6])
        let e = events[0]
        #expect(e.timeNanos == 1_795_860_000_000_000_000 && e.clientAddress == Text.ip("192.168.1.20") && e.deviceID == "laptop.lan")
        #expect(e.queryName.presentation == "www.example.com." && e.queryType == .a && e.rcode == .noError && e.sourceAction == "FORWARDED")
        #expect(e.responseTimeMicros == 12_300 && e.position.line == 1)
        #expect(events[1].timeNanos == 1_795_860_001_250_000_000 && events[1].queryType == .aaaa && events[1].sourceAction == "GRAVITY")
        #expect(events[1].clientAddress == Text.ip("fe80::1234") && events[1].deviceID == nil)
        #expect(events[2].sourceAction == "GRAVITY_CNAME" && events[2].deviceID == nil)
        #expect(events[2].answers == [DNSAnswer(name: Text.name("tracker.example"), type: .cname, target: Text.name("ads.cdn.example"))])
        #expect(events[3].queryType == RecordType(64) && events[3].rcode == .nxDomain)       // 164 = 100 + SVCB
        #expect(events[4].queryName.presentation == "legacy.example." && events[4].clientAddress == Text.ip("192.168.1.99") && events[4].rcode == nil)
    }

    @Test func piholeFiveDatabaseAndGzipCopy() throws {
        let (v6, v5) = try Self.makeDatabases()
        let (_, events, _) = try Text.readDetected(v5)
        #expect(events.map(\.sourceAction) == ["DENYLIST", "FORWARDED"] && events.map(\.queryType) == [.a, .https])
        let (format, gzEvents, _) = try Text.readDetected(try Text.gzip(v6))
        #expect(format == .piholeDB && gzEvents.count == 5)
    }

    @Test func notAPiholeDatabase() throws {
        let dir = try Shared.temporaryDirectory()
        let other = dir.appendingPathComponent("other.db").path
        try Shared.run("python3 -c \"import sqlite3; c = sqlite3.connect('\(other)'); c.execute('CREATE TABLE t (x)'); c.commit()\"")
        #expect(throws: ReaderError.self) { try Shared.read(PiholeDatabaseReader(), ByteInput(path: other)) }
        #expect(throws: ReaderError.self) { try Shared.read(PiholeDatabaseReader(), ByteInput(path: Text.fixture("zeek-dns.log"))) }
        let truncated = try Text.temporaryFile(Array(try Data(contentsOf: URL(fileURLWithPath: try Self.makeDatabases().v6)).prefix(600)))
        #expect(throws: ReaderError.self) { try Shared.read(PiholeDatabaseReader(), ByteInput(path: truncated)) }
    }
}
