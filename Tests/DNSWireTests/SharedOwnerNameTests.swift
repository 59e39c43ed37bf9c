import Testing
@testable import DNSWire

/// `DNSMessage.walk` shares the first question's name with record owner names that point to it (offset 12) instead
/// of reading them again. Against a sink that keeps no question name (so every name is read in full), the decode
/// must accept and reject exactly the same messages, with the same errors and the same name bytes, case included.
@Suite struct SharedOwnerNameTests {
    /// Keeps every part like `DNSMessage(decoding:)` does, but offers no first question name.
    struct FullReadSink: DNSMessageSink {
        var questions = [DNSQuestion]()
        var records = [DNSRecord]()
        mutating func question(_ r: inout WireReader, index: Int, count: Int) throws(DNSWireError) {
            let name = try r.readName()
            let t = try r.readUInt16(), c = try r.readUInt16()
            questions.append(DNSQuestion(name: name, type: RecordType(t), recordClass: RecordClass(c)))
        }
        mutating func begin(section: Int, count: Int) {}
        mutating func record(_ rr: DNSRecord, section: Int) { records.append(rr) }
    }

    /// Every name of a decoded message, as wire bytes: `==` on names ignores case, this does not.
    static func names(_ m: DNSMessage) -> [[UInt8]] {
        (m.questions.map(\.name) + (m.answers + m.authority + m.additional).map(\.name)).map(\.wire)
    }

    static func check(_ bytes: [UInt8]) {
        let shared = Result { () throws(DNSWireError) in try DNSMessage(decoding: bytes) }
        let full = Result { () throws(DNSWireError) -> DNSMessage in
            try withWireBytes(bytes) { (b) throws(DNSWireError) -> DNSMessage in
                var sink = FullReadSink()
                let (header, edns) = try DNSMessage.walk(b, allowTrailingBytes: false, into: &sink)
                return DNSMessage(header: header, questions: sink.questions, answers: sink.records, edns: edns)
            }
        }
        switch (shared, full) {
        case (.success(let s), .success(let f)):
            // The full-read sink puts every record in one list.
            #expect(s.answers + s.authority + s.additional == f.answers, "\(bytes)")
            #expect(names(s) == f.questions.map(\.name.wire) + f.answers.map(\.name.wire), "\(bytes)")
        case (.failure(let s), .failure(let f)): #expect(s == f, "\(bytes)")
        default: Issue.record("shared \(shared) but full read \(full) for \(bytes)")
        }
    }

    static func name(_ s: String) -> DNSName { try! DNSName(parsing: s) }

    /// Responses whose answers point to the question name (mixed case), to other names, and an UPDATE-like class.
    static func messages() throws -> [[UInt8]] {
        let q = DNSQuestion(name: name("WWW.Example.COM."), type: .a)
        var response = DNSMessage(header: DNSHeader(id: 0x1234, flags: 0x8180), questions: [q])
        response.answers = [
            DNSRecord(name: name("WWW.Example.COM."), ttl: 60, rdata: .cname(NameRecord(name("edge.example.net.")))),
            DNSRecord(name: name("edge.example.net."), ttl: 30, rdata: .a(IPv4Address(bytes: [198, 51, 100, 7]))),
            DNSRecord(name: name("WWW.Example.COM."), ttl: 30, rdata: .a(IPv4Address(bytes: [198, 51, 100, 8]))),
        ]
        response.additional = [DNSRecord(name: name("www.example.com."), ttl: 300, rdata: .aaaa(IPv6Address(bytes: [UInt8](repeating: 1, count: 16))))]
        response.edns = EDNS(extendedRCode: 1)
        var root = DNSMessage(header: DNSHeader(id: 7, flags: 0x8180), questions: [DNSQuestion(name: .root, type: .ns)])
        root.answers = [DNSRecord(name: .root, ttl: 5, rdata: .ns(NameRecord(name("a.root-servers.net."))))]
        // The benchmark's response: one A answer whose owner is `C0 0C`.
        let bench: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3, 0x77, 0x77, 0x77, 1, 0x78, 0, 0, 1, 0, 1,
                              0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 1, 0x2C, 0, 4, 93, 184, 216, 1]
        return [try response.encode(), try response.encode(compress: false), try root.encode(), bench]
    }

    struct SplitMix { var s: UInt64; mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) } }

    @Test func sharingMatchesAFullReadOnWholeTruncatedAndMutatedMessages() throws {
        var rng = SplitMix(s: 12)
        for m in try Self.messages() {
            for n in 0...m.count { Self.check(Array(m[0..<n])) }
            for _ in 0..<4000 {
                var b = m
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let i = Int(rng.next() % UInt64(b.count))
                    // Pointers to 12 and near it, label lengths and counts more often than random bytes would.
                    switch rng.next() % 4 {
                    case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: b[i] = 0xC0; if i + 1 < b.count { b[i + 1] = UInt8(10 + rng.next() % 5) }
                    default: b[i] = UInt8(rng.next() % 8)
                    }
                }
                Self.check(b)
            }
        }
    }
}
