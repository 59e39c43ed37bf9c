import Testing
@testable import DNSWire

@Suite struct MessageTests {
    static func n(_ s: String) -> DNSName { try! DNSName(parsing: s) }

    static func typicalResponse() -> DNSMessage {
        var m = DNSMessage(header: DNSHeader(id: 0xBEEF, flags: 0x8180))
        m.questions = [DNSQuestion(name: n("www.example.com"), type: .a)]
        m.answers = [
            DNSRecord(name: n("www.example.com"), ttl: 300, rdata: .cname(NameRecord(n("edge.example.com")))),
            DNSRecord(name: n("edge.example.com"), ttl: 60, rdata: .a(IPv4Address("192.0.2.10")!)),
            DNSRecord(name: n("edge.example.com"), ttl: 60, rdata: .a(IPv4Address("192.0.2.11")!)),
        ]
        m.edns = EDNS(udpPayloadSize: 1232)
        return m
    }

    @Test func compressionPointsBackToEarlierNames() throws {
        let m = Self.typicalResponse()
        let compressed = try m.encode()
        let plain = try m.encode(compress: false)
        #expect(compressed.count < plain.count)
        // Question name at 12 (17 bytes), so the first answer's owner is a pointer to 12.
        #expect(Array(compressed[33..<35]) == [0xC0, 12])
        // The CNAME target "edge" + pointer to "example.com" at offset 16.
        #expect(Array(compressed[45..<52]) == [4, 101, 100, 103, 101, 0xC0, 16])
        #expect(try DNSMessage(decoding: compressed) == m)
        #expect(try DNSMessage(decoding: plain) == m)
        // Savings: three owners become 2-byte pointers (15 + 16 + 16) and the CNAME target keeps only "edge" (11).
        #expect(plain.count - compressed.count == 58)
    }

    @Test func compressionIsCaseInsensitiveAndKeepsTheFirstCase() throws {
        var m = DNSMessage()
        m.questions = [DNSQuestion(name: Self.n("WWW.Example.COM"), type: .a)]
        m.answers = [DNSRecord(name: Self.n("www.example.com"), ttl: 1, rdata: .a(IPv4Address("192.0.2.1")!))]
        let bytes = try m.encode()
        let back = try DNSMessage(decoding: bytes)
        // The answer owner was compressed to the question's bytes, so it comes back with the question's case.
        #expect(back.answers[0].name.presentation == "WWW.Example.COM.")
        #expect(back == m)
    }

    @Test func srvAndRRSIGNamesAreNotCompressed() throws {
        var m = DNSMessage()
        m.questions = [DNSQuestion(name: Self.n("_sip._udp.example.com"), type: .srv)]
        m.answers = [DNSRecord(name: Self.n("_sip._udp.example.com"), ttl: 1, rdata: .srv(SRVRecord(priority: 1, weight: 1, port: 5060, target: Self.n("example.com"))))]
        let bytes = try m.encode()
        // The SRV target is written in full at the end even though example.com was written before.
        #expect(Array(bytes.suffix(13)) == [7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0])
    }

    @Test func ednsOptionsAndExtendedRCode() throws {
        var m = DNSMessage(header: DNSHeader(id: 9, flags: 0x8180))
        m.questions = [DNSQuestion(name: Self.n("example.com"), type: .aaaa)]
        m.edns = EDNS(udpPayloadSize: 4096, dnssecOK: true, options: [
            .clientSubnet(.init(family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, address: [192, 0, 2])),
            .clientSubnet(.init(family: 2, sourcePrefixLength: 56, scopePrefixLength: 48, address: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x12])),
            .cookie(client: [1, 2, 3, 4, 5, 6, 7, 8], server: [UInt8](repeating: 9, count: 16)),
            .extendedError(infoCode: 15, extraText: Array("blocked by policy".utf8)),
            .padding([UInt8](repeating: 0, count: 7)),
            .unknown(code: 65001, data: [0xAB]),
        ])
        m.rcode = .badVers
        #expect(m.header.rcodeLow == 0)
        #expect(m.edns?.extendedRCode == 1)
        let back = try DNSMessage(decoding: try m.encode())
        #expect(back == m)
        #expect(back.rcode == .badVers)
        #expect(back.edns?.dnssecOK == true)
        let text = back.digText
        #expect(text.contains(";; ->>HEADER<<- opcode: QUERY, status: BADVERS, id: 9"))
        #expect(text.contains("; EDNS: version: 0, flags: do; udp: 4096"))
        #expect(text.contains("; CLIENT-SUBNET: 192.0.2.0/24/0"))
        #expect(text.contains("; CLIENT-SUBNET: 2001:db8:0:1200::/56/48"))
        #expect(text.contains("; COOKIE: 010203040506070809090909090909090909090909090909"))
        #expect(text.contains("; EDE: 15: (blocked by policy)"))
        #expect(text.contains("; PADDING: (7 bytes)"))
        #expect(text.contains("; OPT=65001: AB"))
    }

    @Test func badEDNSOptionsAreRejected() {
        func opt(_ code: UInt16, _ data: [UInt8]) -> DNSWireError? {
            do { _ = try EDNSOption(code: code, data: data, at: 100); return nil } catch { return error }
        }
        #expect(opt(10, [1, 2, 3])?.kind == .badOPT("cookie of 3 bytes (8, or 16 to 40)"))
        #expect(opt(8, [0, 1, 33, 0, 1, 2, 3, 4, 5])?.kind == .badOPT("client subnet prefix longer than the address"))
        #expect(opt(8, [0, 1, 24, 0, 1, 2])?.kind == .badOPT("client subnet address is 2 bytes, source prefix /24 needs 3"))
        #expect(opt(8, [0, 3, 0, 0])?.kind == .badOPT("client subnet family 3 (1 or 2)"))
        #expect(opt(15, [1])?.kind == .badOPT("extended DNS error shorter than 2 bytes"))
        #expect(opt(8, [0, 1, 24, 0, 1, 2])?.offset == 100)
    }

    @Test func headerFlags() {
        var h = DNSHeader(id: 1, flags: 0)
        h.isResponse = true; h.opcode = .notify; h.authoritative = true; h.truncated = true
        h.recursionDesired = true; h.recursionAvailable = true; h.authenticData = true; h.checkingDisabled = true
        h.rcodeLow = 3
        #expect(h.flags == 0b1_0100_1111_0_11_0011)
        #expect(h.flagNames == ["qr", "aa", "tc", "rd", "ra", "ad", "cd"])
        #expect(h.opcode.description == "NOTIFY")
    }

    @Test func digTextForATypicalResponse() throws {
        let text = try DNSMessage(decoding: try Self.typicalResponse().encode()).digText
        #expect(text == """
        ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 48879
        ;; flags: qr rd ra; QUERY: 1, ANSWER: 3, AUTHORITY: 0, ADDITIONAL: 1

        ;; OPT PSEUDOSECTION:
        ; EDNS: version: 0, flags:; udp: 1232

        ;; QUESTION SECTION:
        ;www.example.com.\tIN\tA

        ;; ANSWER SECTION:
        www.example.com.\t300\tIN\tCNAME\tedge.example.com.
        edge.example.com.\t60\tIN\tA\t192.0.2.10
        edge.example.com.\t60\tIN\tA\t192.0.2.11

        """)
    }

    @Test func oversizedMessagesAreRefusedOnEncode() throws {
        var m = DNSMessage()
        let big = TXTRecord(strings: Array(repeating: [UInt8](repeating: 65, count: 255), count: 200))
        m.answers = [DNSRecord(name: .root, ttl: 0, rdata: .txt(big))]
        var twice = m
        twice.answers.append(DNSRecord(name: .root, ttl: 0, rdata: .txt(big)))
        do {
            _ = try twice.encode()
            Issue.record("a 100 KiB message was encoded")
        } catch {
            #expect(error.kind == .tooLarge("message of \(12 + 2 * (11 + 51200)) bytes (at most 65535)"))
        }
        // One such record fits in 65535 bytes and round-trips.
        let bytes = try m.encode()
        #expect(bytes.count > 51200)
        #expect(try DNSMessage(decoding: bytes) == m)
        // A character-string over 255 bytes cannot be encoded.
        m.answers = [DNSRecord(name: .root, ttl: 0, rdata: .txt(TXTRecord(strings: [[UInt8](repeating: 0, count: 256)])))]
        #expect(throws: DNSWireError.self) { _ = try m.encode() }
    }
}

@Suite struct FastPathTests {
    @Test func agreesWithTheFullDecoder() throws {
        let m = MessageTests.typicalResponse()
        let bytes = try m.encode()
        let s = try QuestionSummary(message: bytes)
        #expect(s.id == 0xBEEF)
        #expect(s.flags == 0x8180)
        #expect(s.isResponse)
        #expect(s.rcodeLow == 0)
        #expect(s.type == .a && s.recordClass == .internet)
        #expect(s.answerCount == 3 && s.additionalCount == 1)
        #expect(s.name(in: bytes) == m.questions[0].name)
        bytes.withUnsafeBytes { b in
            #expect(Array(s.nameBytes(in: b)) == m.questions[0].name.wire)
        }
    }

    @Test func rejectsWhatItCannotRead() {
        let h: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        #expect(throws: DNSWireError(.truncated(needed: 2), at: 0)) { try QuestionSummary(message: [0, 1, 0, 0, 0, 1, 0, 0, 0, 0]) }
        #expect(throws: DNSWireError(.invalidField("no question"), at: 4)) { try QuestionSummary(message: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: DNSWireError(.badPointer(target: 0), at: 12)) { try QuestionSummary(message: h + [0xC0, 0, 0, 1, 0, 1]) }
        #expect(throws: DNSWireError(.badLabel(length: 64), at: 12)) { try QuestionSummary(message: h + [64]) }
        #expect(throws: DNSWireError(.truncated(needed: 1), at: 17)) { try QuestionSummary(message: h + [3, 97, 98, 99, 0, 0, 1, 0]) }
        #expect(throws: DNSWireError(.truncated(needed: 1), at: 16)) { try QuestionSummary(message: h + [3, 97, 98, 99]) }
    }
}

@Suite struct TCPFramingTests {
    @Test func framesAndSplitsAcrossArbitraryChunks() throws {
        let a: [UInt8] = Array(0..<20), b: [UInt8] = Array(repeating: 7, count: 300)
        let stream = try TCPFraming.frame(a) + TCPFraming.frame(b) + TCPFraming.frame([])
        #expect(Array(stream.prefix(2)) == [0, 20])
        for chunk in [1, 2, 3, 7, 64, 1000] {
            var d = TCPFraming.Deframer()
            var got = [[UInt8]]()
            var i = 0
            while i < stream.count {
                d.append(stream[i..<min(i + chunk, stream.count)])
                while let m = d.next() { got.append(m) }
                i += chunk
            }
            #expect(got == [a, b, []])
            #expect(d.pendingByteCount == 0)
        }
        var partial = TCPFraming.Deframer()
        partial.append([0, 5, 1, 2])
        #expect(partial.next() == nil)
        #expect(partial.pendingByteCount == 4)
        #expect(throws: DNSWireError.self) { _ = try TCPFraming.frame([UInt8](repeating: 0, count: 70000)) }
    }
}
