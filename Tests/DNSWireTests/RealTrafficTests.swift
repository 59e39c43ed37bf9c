import Foundation
import Testing
@testable import DNSWire

/// Every DNS message in the real Unbound/Knot captures of `../shared/data/captures` decodes, and re-encodes to bytes
/// that decode to the same message.
@Suite struct RealTrafficTests {
    let captures = CaptureExtraction.sharedDirectory.appendingPathComponent("data/captures")

    func checkRoundTrip(_ bytes: [UInt8], _ label: String) throws -> DNSMessage {
        let m = try DNSMessage(decoding: bytes)
        for compress in [true, false] {
            let again = try DNSMessage(decoding: try m.encode(compress: compress))
            #expect(again == m, "\(label) compress=\(compress)")
            // Equality is case-insensitive for names; the wire bytes of every name must survive exactly too.
            #expect(again.questions.map(\.name.wire) == m.questions.map(\.name.wire), "\(label)")
        }
        let s = try QuestionSummary(message: bytes)
        #expect(s.id == m.header.id && s.type == m.questions[0].type && s.name(in: bytes).wire == m.questions[0].name.wire)
        return m
    }

    @Test func pcapFromUnboundAndKnot() throws {
        let (udp, tcp) = try CaptureExtraction.pcapMessages(captures.appendingPathComponent("unbound-rpz-loopback.pcap"))
        // The MANIFEST: 5,950 UDP DNS payloads and 3 TCP exchanges.
        #expect(udp.count == 5950)
        #expect(tcp.count == 6)
        var queries = 0, responses = 0, nxdomain = 0, edns = 0
        var types = [RecordType: Int]()
        for (i, bytes) in (udp + tcp).enumerated() {
            let m = try checkRoundTrip(bytes, "pcap message \(i)")
            if m.header.isResponse {
                responses += 1
                if m.rcode == .nxDomain { nxdomain += 1 }
            } else {
                queries += 1
                types[m.questions[0].type, default: 0] += 1
            }
            if m.edns != nil { edns += 1 }
        }
        // The same figures tshark reports for this file (-d udp.port==5302,dns -d udp.port==5301,dns -d tcp.port==5302,dns).
        #expect(queries == 2978)
        #expect(responses == 2978)
        #expect(nxdomain == 1236)
        #expect(edns > 0)
        #expect(types[.a, default: 0] > 0 && types[.aaaa, default: 0] > 0 && types[.txt, default: 0] > 0)
    }

    @Test func dnstapFromUnbound() throws {
        let messages = try CaptureExtraction.dnstapMessages(captures.appendingPathComponent("unbound-resolver-rpz.dnstap"))
        // 320 dnstap frames, each carrying the query or the response bytes.
        #expect(messages.count == 320)
        var responses = 0
        for (i, bytes) in messages.enumerated() {
            let m = try checkRoundTrip(bytes, "dnstap message \(i)")
            if m.header.isResponse { responses += 1 }
        }
        #expect(responses == 160)
    }
}
