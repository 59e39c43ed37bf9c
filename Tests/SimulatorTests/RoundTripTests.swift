import DNSWire
import DNSightCore
import Foundation
import LogReaders
import Testing
@testable import Simulator

/// Every format the simulator writes is read back by dnsight's own reader for it: no malformed record, as many
/// transactions as were generated, and the same key fields (to the precision the format keeps).
@Suite struct RoundTripTests {
    static let dir = Fixtures.folder("roundtrip")
    static let run: (summary: SimulationSummary, expected: [ExpectedEvent]) = {
        let scenario = try! Fixtures.tinyWithTunnel()
        let summary = try! Simulator.run(scenario: scenario, outDir: dir, formats: OutputFormat.allCases, seed: 11)
        let expected = try! Simulator.generate(scenario: scenario, seed: 11).events
        return (summary, expected)
    }()

    /// The key fields of a transaction as a format keeps them.
    struct Key: Hashable, Comparable, CustomStringConvertible {
        var time: Int64
        var client: String
        var port: Int
        var name: String
        var qtype: UInt16
        var rcode: Int
        var id: Int
        var answers: [String]

        static func < (a: Key, b: Key) -> Bool {
            (a.time, a.client, a.port, a.name, a.qtype, a.id) < (b.time, b.client, b.port, b.name, b.qtype, b.id)
        }
        var description: String { "\(time) \(client)#\(port) \(name) \(qtype) rcode=\(rcode) id=\(id) \(answers)" }
    }

    /// What a format keeps: the time's unit (nanoseconds per tick), and whether it has ports, ids, rcodes, answers.
    struct Fidelity {
        var timeUnit: Int64
        var port = true, id = true, rcode = true
        var answers: Answers = .typed
        enum Answers { case none, typed, untypedAddressesOnly, untyped }
    }

    static func fidelity(_ f: OutputFormat) -> Fidelity {
        switch f {
        case .dnstap: Fidelity(timeUnit: 1)
        case .pcap: Fidelity(timeUnit: 1000)
        case .zeek, .zeekJSON: Fidelity(timeUnit: 1000, answers: .untyped)
        case .bind: Fidelity(timeUnit: 1_000_000, id: false, rcode: false, answers: .none)
        case .eve: Fidelity(timeUnit: 1000)
        case .route53: Fidelity(timeUnit: 1_000_000_000, id: false)
        case .json: Fidelity(timeUnit: 1_000_000, answers: .untypedAddressesOnly)
        }
    }

    static func expectedKey(_ e: ExpectedEvent, _ f: Fidelity) -> Key {
        var answers: [String] = []
        switch f.answers {
        case .none: break
        case .typed: answers = e.answers.map { "\($0.type) \($0.data)" }
        case .untyped: answers = e.answers.map { $0.type == 16 ? "text" : $0.data }
        case .untypedAddressesOnly: answers = e.answers.filter { $0.type == 1 || $0.type == 28 }.map(\.data)
        }
        return Key(time: e.timeNanos / f.timeUnit * f.timeUnit, client: IPAddress.v4(IPv4Address(rawValue: e.client)).description,
                   port: f.port ? Int(e.clientPort) : -1, name: e.name, qtype: e.qtype, rcode: f.rcode ? Int(e.rcode) : -1,
                   id: f.id ? Int(e.id) : -1, answers: answers)
    }

    static func readKey(_ e: DNSEvent, _ f: Fidelity) -> Key {
        var answers: [String] = []
        for a in e.answers {
            switch f.answers {
            case .none: break
            case .typed:
                let data = a.address?.description ?? a.target.map { String($0.presentation.dropLast()) } ?? (a.text ?? "")
                answers.append("\(a.type.rawValue) \(data.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))")
            case .untyped:
                answers.append(a.type == .txt ? "text" : a.address?.description ?? a.target.map { String($0.presentation.dropLast()) } ?? (a.text ?? ""))
            case .untypedAddressesOnly:
                answers.append(a.address?.description ?? "?")
            }
        }
        let name = e.queryName.isRoot ? "." : String(e.queryName.presentation.dropLast())
        return Key(time: e.timeNanos, client: e.clientAddress?.description ?? "-", port: f.port ? Int(e.clientPort ?? 0) : -1, name: name,
                   qtype: e.queryType.rawValue, rcode: f.rcode ? Int(e.rcode?.rawValue ?? 999) : -1, id: f.id ? Int(e.id ?? 0) : -1, answers: answers)
    }

    static func reader(_ f: OutputFormat) throws -> any EventReader {
        switch f {
        case .dnstap: return try LogFormat.dnstap.makeReader()
        case .pcap: return try LogFormat.pcap.makeReader()
        case .zeek: return try LogFormat.zeekTSV.makeReader()
        case .zeekJSON: return try LogFormat.zeekJSON.makeReader()
        case .bind: return try LogFormat.bind.makeReader(options: ReaderOptions(year: 2022))
        case .eve: return try LogFormat.eve.makeReader()
        case .route53: return try LogFormat.route53.makeReader()
        case .json: return try LogFormat.jsonLines.makeReader(options: ReaderOptions(columnMapping: try ColumnMapping(parsing: OutputFormat.packetbeatMapping)))
        }
    }

    @Test(arguments: OutputFormat.allCases)
    func readBack(_ format: OutputFormat) throws {
        let run = Self.run
        let out = try #require(run.summary.formats.first { $0.format == format })
        #expect(out.events == run.expected.count)
        #expect(out.files.count == 3)
        var read: [DNSEvent] = []
        var diagnostics = ReaderDiagnostics()
        for file in out.files {
            let path = Self.dir + "/" + file
            // The format is recognised from the file's first bytes, except generic JSON lines (which need --map).
            let input = try ByteInput(path: path)
            if format != .json {
                #expect(try LogFormat.detect(input).rawValue == format.readerName)
            }
            var reader = try Self.reader(format)
            try reader.read(input, diagnostics: &diagnostics) { read.append($0) }
        }
        #expect(diagnostics.malformedCount == 0, "\(diagnostics.examples)")
        #expect(read.count == run.expected.count)
        let f = Self.fidelity(format)
        let want = run.expected.map { Self.expectedKey($0, f) }.sorted()
        let got = read.map { Self.readKey($0, f) }.sorted()
        #expect(got.count == want.count)
        var mismatches = 0
        for (a, b) in zip(got, want) where a != b {
            mismatches += 1
            if mismatches <= 3 { Issue.record("\(format): read \(a)\n   expected \(b)") }
        }
        #expect(mismatches == 0)
    }

    @Test func everyCategoryIsExercised() throws {
        // The round trips cover C2, malware, phishing and exfiltration traffic, NXDOMAIN, CNAME chains, AAAA and TXT.
        let e = Self.run.expected
        #expect(e.contains { $0.rcode == 3 })
        #expect(e.contains { $0.answers.contains { $0.type == 5 } })
        #expect(e.contains { $0.answers.contains { $0.type == 28 } })
        #expect(e.contains { $0.qtype == 16 && $0.answers.contains { $0.type == 16 } })
        #expect(e.contains { $0.qtype == 65 })
    }
}
