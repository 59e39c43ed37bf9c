import Testing
@testable import DNSWire

/// Every typed RDATA: presentation text, and a wire round trip inside a message.
@Suite struct RecordTests {
    static func n(_ s: String) -> DNSName { try! DNSName(parsing: s) }

    static let cases: [(RData, String)] = [
        (.a(IPv4Address("192.0.2.1")!), "192.0.2.1"),
        (.aaaa(IPv6Address("2001:db8::1")!), "2001:db8::1"),
        (.aaaa(IPv6Address("::ffff:192.0.2.1")!), "::ffff:192.0.2.1"),
        (.aaaa(IPv6Address("2001:db8:0:1:0:0:0:1")!), "2001:db8:0:1::1"),
        (.ns(NameRecord(n("ns1.example.com"))), "ns1.example.com."),
        (.cname(NameRecord(n("cdn.example.net"))), "cdn.example.net."),
        (.dname(NameRecord(n("example.org"))), "example.org."),
        (.ptr(NameRecord(n("host.example"))), "host.example."),
        (.mx(MXRecord(preference: 10, exchange: n("mail.example.com"))), "10 mail.example.com."),
        (.txt(TXTRecord(strings: [Array("v=spf1 -all".utf8), [0x22, 0x5C, 0x01], []])), #""v=spf1 -all" "\"\\\001" """#),
        (.soa(SOARecord(mname: n("ns.example"), rname: n("hostmaster.example"), serial: 2026112801, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300)),
         "ns.example. hostmaster.example. 2026112801 7200 3600 1209600 300"),
        (.srv(SRVRecord(priority: 0, weight: 5, port: 5060, target: n("sip.example"))), "0 5 5060 sip.example."),
        (.naptr(NAPTRRecord(order: 100, preference: 10, flags: Array("S".utf8), services: Array("SIP+D2U".utf8), regexp: [], replacement: n("_sip._udp.example"))),
         #"100 10 "S" "SIP+D2U" "" _sip._udp.example."#),
        (.caa(CAARecord(flags: 0, tag: Array("issue".utf8), value: Array("letsencrypt.org".utf8))), #"0 issue "letsencrypt.org""#),
        (.https(SVCBRecord(priority: 1, target: .root, params: [
            .init(key: 1, value: [2, 104, 50, 2, 104, 51]), .init(key: 3, value: [1, 187]), .init(key: 4, value: [192, 0, 2, 1, 192, 0, 2, 2]),
            .init(key: 6, value: IPv6Address("2001:db8::1")!.bytes),
        ])), #"1 . alpn="h2,h3" port=443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1"#),
        (.svcb(SVCBRecord(priority: 0, target: n("svc.example"), params: [])), "0 svc.example."),
        (.ds(DSRecord(keyTag: 60485, algorithm: 5, digestType: 1, digest: TextEncodings.fromHex("2BB183AF5F22588179A53B0A98631FAD1A292118")!)),
         "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"),
        (.dnskey(DNSKEYRecord(flags: 257, algorithm: 13, publicKey: [1, 2, 3, 4, 5])), "257 3 13 AQIDBAU="),
        (.rrsig(RRSIGRecord(typeCovered: .a, algorithm: 13, labels: 2, originalTTL: 3600, expiration: 1_767_225_600, inception: 1_764_547_200, keyTag: 12345, signerName: n("example.com"), signature: [0xFF, 0xEE])),
         "A 13 2 3600 20260101000000 20251201000000 12345 example.com. /+4="),
        (.nsec(NSECRecord(nextDomain: n("host.example.com"), types: [.a, .mx, .rrsig, .nsec, RecordType(1234)])), "host.example.com. A MX RRSIG NSEC TYPE1234"),
        (.nsec3(NSEC3Record(hashAlgorithm: 1, flags: 1, iterations: 12, salt: TextEncodings.fromHex("AABBCCDD")!, nextHashedOwner: Array(repeating: 0xFF, count: 20), types: [.a, .rrsig])),
         "1 1 12 AABBCCDD VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV A RRSIG"),
        (.nsec3(NSEC3Record(hashAlgorithm: 1, flags: 0, iterations: 0, salt: [], nextHashedOwner: [0], types: [])), "1 0 0 - 00"),
        (.tlsa(TLSARecord(usage: 3, selector: 1, matchingType: 1, data: [0xDE, 0xAD])), "3 1 1 DEAD"),
        (RData.null([1, 2, 3]), "\\# 3 010203"),
        (RData.unknown(type: RecordType(65280), data: []), "\\# 0"),
        (RData.unknown(type: RecordType(99), data: [4, 116, 101, 115, 116]), "\\# 5 0474657374"),
    ]

    @Test(arguments: 0..<cases.count)
    func presentationAndRoundTrip(index: Int) throws {
        let (rdata, text) = Self.cases[index]
        #expect(rdata.presentation == text)
        let owner = Self.n("Owner.Example.com")
        var msg = DNSMessage(header: DNSHeader(id: 1, flags: 0x8400))
        msg.questions = [DNSQuestion(name: owner, type: rdata.type)]
        msg.answers = [DNSRecord(name: owner, ttl: 3600, rdata: rdata)]
        for compress in [true, false] {
            let bytes = try msg.encode(compress: compress)
            let back = try DNSMessage(decoding: bytes)
            #expect(back == msg)
            // Compression matches names case-insensitively, so a compressed name comes back in the case of the
            // earlier name it points to (as with dnspython and BIND).
            #expect(back.answers[0].rdata.presentation.lowercased() == text.lowercased())
            if !compress { #expect(back.answers[0].rdata.presentation == text) }
            #expect(back.answers[0].name.presentation == "Owner.Example.com.")
        }
    }

    @Test func recordLineLooksLikeDig() {
        let rr = DNSRecord(name: Self.n("www.example.com"), ttl: 300, rdata: .a(IPv4Address("192.0.2.7")!))
        #expect(rr.presentation == "www.example.com.\t300\tIN\tA\t192.0.2.7")
    }

    @Test func typeAndClassNames() {
        #expect(RecordType(mnemonic: "https") == .https)
        #expect(RecordType(mnemonic: "TYPE65280") == RecordType(65280))
        #expect(RecordType(65280).description == "TYPE65280")
        #expect(RecordClass(mnemonic: "CLASS7")?.rawValue == 7)
        #expect(RecordClass(7).description == "CLASS7")
        #expect(ResponseCode(mnemonic: "nxdomain") == .nxDomain)
        #expect(ResponseCode(23).description == "BADCOOKIE")
    }

    @Test func badTypedRDataIsRejected() throws {
        func decode(_ type: UInt16, _ rdata: [UInt8]) -> DNSWireError? {
            let m: [UInt8] = [0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0] + [UInt8(type >> 8), UInt8(type & 0xFF), 0, 1, 0, 0, 0, 0, UInt8(rdata.count >> 8), UInt8(rdata.count & 0xFF)] + rdata
            do { _ = try DNSMessage(decoding: m); return nil } catch { return error }
        }
        // SVCB keys out of order (port before alpn).
        #expect(decode(64, [0, 1, 0, 0, 3, 0, 2, 1, 187, 0, 1, 0, 3, 2, 104, 50])?.kind == .invalidField("SVCB keys must be in strictly increasing order (key 1 after 3)"))
        // SVCB port of 3 bytes.
        #expect(decode(65, [0, 1, 0, 0, 3, 0, 3, 1, 187, 0])?.kind == .invalidField("SVCB port: needs 2 bytes"))
        // NSEC bitmap window of length 0, and windows out of order.
        #expect(decode(47, [0, 0, 0])?.kind == .invalidField("type bitmap window length 0 (1-32)"))
        #expect(decode(47, [0, 1, 1, 0x40, 0, 1, 0x40])?.kind == .invalidField("type bitmap windows out of order"))
        // CAA with an empty tag.
        #expect(decode(257, [0, 0])?.kind == .invalidField("CAA tag must be one or more letters or digits"))
        // NSEC3 with an empty next hashed owner.
        #expect(decode(50, [1, 0, 0, 0, 0, 0])?.kind == .invalidField("NSEC3 next hashed owner name is empty"))
        // A TXT character-string that runs past the RDATA.
        #expect(decode(16, [5, 97])?.kind == .truncated(needed: 4))
    }
}
