import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

/// `WireEvent.decode` builds only the parts of a message an event keeps (the first question, a response's answers)
/// through `DNSMessage.walk`. It must accept, reject and report exactly what the full decode did before it: this
/// checks it against that reference — `DNSMessage(decoding:)` and the event built from the whole message — over
/// hand-made messages, every one of their truncations and many seeded byte mutations of them, and the decoder's
/// fuzzer fail cases.
@Suite struct WireEventDecodeTests {
    static let position = SourcePosition(file: "t", byteOffset: 7)
    static let client = IPAddress.v4(IPv4Address(bytes: [192, 0, 2, 1]))

    /// The event as the full decode built it.
    static func reference(_ bytes: [UInt8]) -> Result<DNSEvent, DNSWireError> {
        let m: DNSMessage
        do { m = try DNSMessage(decoding: bytes) } catch { return .failure(error) }
        guard let q = m.questions.first else { return .failure(DNSWireError(.invalidField("no question"), at: 4)) }
        var e = DNSEvent(timeNanos: 5, clientAddress: client, clientPort: 1000, serverAddress: nil, serverPort: 53, transport: .udp,
                         queryName: q.name, queryType: q.type, queryClass: q.recordClass, id: m.header.id, flags: m.header.flags,
                         position: position)
        if m.header.isResponse {
            e.rcode = m.rcode
            e.answers = m.answers.map(DNSAnswer.init)
        }
        return .success(e)
    }

    static func decoded(_ bytes: [UInt8]) -> Result<DNSEvent, DNSWireError> {
        bytes.withUnsafeBytes { b in
            do throws(DNSWireError) {
                return .success(try WireEvent.decode(b, timeNanos: 5, client: client, clientPort: 1000, server: nil, serverPort: 53,
                                                     transport: .udp, position: position))
            } catch { return .failure(error) }
        }
    }

    static func name(_ s: String) -> DNSName { try! DNSName(parsing: s) }

    /// Queries and responses with every section in use, mixed case, compression, several questions and EDNS0.
    static func messages() throws -> [[UInt8]] {
        var out = [[UInt8]]()
        let q = DNSQuestion(name: name("WWW.Example.COM."), type: .a)
        out.append(try DNSMessage(header: DNSHeader(id: 0x1234, flags: 0x0100), questions: [q]).encode())
        out.append(try DNSMessage(header: DNSHeader(id: 1, flags: 0x0100), questions: [q, DNSQuestion(name: name("b.example."), type: .aaaa)],
                                  edns: EDNS()).encode())
        var response = DNSMessage(header: DNSHeader(id: 0x1234, flags: 0x8180), questions: [q])
        response.answers = [
            DNSRecord(name: name("www.example.com."), ttl: 60, rdata: .cname(NameRecord(name("Edge.Example.NET.")))),
            DNSRecord(name: name("edge.example.net."), ttl: 30, rdata: .a(IPv4Address(bytes: [198, 51, 100, 7]))),
            DNSRecord(name: name("edge.example.net."), ttl: 30, rdata: .txt(TXTRecord(strings: [Array("v=1".utf8)]))),
        ]
        response.authority = [DNSRecord(name: name("example.net."), ttl: 300, rdata: .ns(NameRecord(name("ns1.example.net."))))]
        response.additional = [DNSRecord(name: name("ns1.example.net."), ttl: 300, rdata: .aaaa(IPv6Address(bytes: [UInt8](repeating: 1, count: 16))))]
        response.edns = EDNS(extendedRCode: 1)
        out.append(try response.encode())
        out.append(try response.encode(compress: false))
        var nx = DNSMessage(header: DNSHeader(id: 9, flags: 0x8183), questions: [DNSQuestion(name: name("nope.example."), type: .a)])
        nx.authority = [DNSRecord(name: name("example."), ttl: 300, rdata: .soa(SOARecord(mname: name("ns.example."), rname: name("host.example."),
                                                                                          serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5)))]
        out.append(try nx.encode())
        // A response without a question, and a query that carries answers (kept out of the event).
        out.append(try DNSMessage(header: DNSHeader(id: 2, flags: 0x8180)).encode())
        var odd = DNSMessage(header: DNSHeader(id: 3, flags: 0x0100), questions: [q])
        odd.answers = response.answers
        out.append(try odd.encode())
        return out
    }

    /// A seeded generator, so that a failure reproduces.
    struct SplitMix { var s: UInt64; mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) } }

    static func check(_ bytes: [UInt8]) {
        let a = decoded(bytes), b = reference(bytes)
        switch (a, b) {
        case (.success(let x), .success(let y)): #expect(x == y, "\(bytes)")
        case (.failure(let x), .failure(let y)): #expect(x == y, "\(bytes)")
        default: Issue.record("decode \(a) but reference \(b) for \(bytes)")
        }
    }

    @Test func matchesTheFullDecodeOnWholeAndTruncatedMessages() throws {
        for m in try Self.messages() {
            for n in 0...m.count { Self.check(Array(m[0..<n])) }
            Self.check(m + [0])
        }
    }

    @Test func matchesTheFullDecodeOnMutatedMessages() throws {
        var rng = SplitMix(s: 42)
        for m in try Self.messages() {
            for _ in 0..<3000 {
                var b = m
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let i = Int(rng.next() % UInt64(b.count))
                    // Small values hit label lengths, counts and pointers more often than random bytes would.
                    b[i] = rng.next() % 2 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : UInt8(rng.next() % 8) | (rng.next() % 4 == 0 ? 0xC0 : 0)
                }
                Self.check(b)
            }
        }
    }

    @Test func matchesTheFullDecodeOnFuzzerFailCases() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/FailCases/decode-message")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        for f in files where !f.hasPrefix(".") {
            Self.check([UInt8](try Data(contentsOf: dir.appendingPathComponent(f))))
        }
    }
}
