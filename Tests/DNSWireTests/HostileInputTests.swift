import Testing
@testable import DNSWire

/// Hand-built hostile messages: every length, count and pointer is checked where it is read.
@Suite struct HostileInputTests {
    /// A header with one question and the given counts.
    func header(qd: UInt16 = 1, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0) -> [UInt8] {
        [0x12, 0x34, 0x81, 0x80, UInt8(qd >> 8), UInt8(qd & 0xFF), UInt8(an >> 8), UInt8(an & 0xFF), UInt8(ns >> 8), UInt8(ns & 0xFF), UInt8(ar >> 8), UInt8(ar & 0xFF)]
    }
    let question: [UInt8] = [3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 0, 0, 1, 0, 1]  // www.example. A IN

    func error(_ bytes: [UInt8]) -> DNSWireError? {
        do { _ = try DNSMessage(decoding: bytes); return nil } catch { return error }
    }

    @Test func shortHeader() {
        #expect(error([0x12, 0x34, 0x01]) == DNSWireError(.truncated(needed: 1), at: 2))
        #expect(error([]) == DNSWireError(.truncated(needed: 2), at: 0))
    }

    @Test func countsBoundedByBytesLeft() {
        #expect(error(header(qd: 0xFFFF)) == DNSWireError(.countTooLarge(section: "question", count: 0xFFFF), at: 4))
        #expect(error(header(an: 0xFFFF) + question) == DNSWireError(.countTooLarge(section: "record", count: 0xFFFF), at: 4))
    }

    @Test func pointerToItselfAndForwardAreRejected() {
        // Question name is a pointer to offset 12: itself.
        #expect(error(header() + [0xC0, 12, 0, 1, 0, 1]) == DNSWireError(.badPointer(target: 12), at: 12))
        // A forward pointer.
        #expect(error(header() + [0xC0, 20, 0, 1, 0, 1, 0, 0, 0]) == DNSWireError(.badPointer(target: 20), at: 12))
        // A loop between two answers' names: second points to the first, whose pointer points to the second.
        var m = header(an: 1) + question
        // answer owner at 29: label "a" then pointer to 29 → loop back into the same name.
        m += [1, 97, 0xC0, 29, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]
        #expect(error(m) == DNSWireError(.badPointer(target: 29), at: 31))
    }

    @Test func pointerChainsAreFollowedBackwards() throws {
        // answer owner: pointer to the question name at 12.
        let m = header(an: 1) + question + [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]
        let msg = try DNSMessage(decoding: m)
        #expect(msg.answers[0].name.presentation == "www.example.")
        #expect(msg.answers[0].rdata == .a(IPv4Address("192.0.2.1")!))
    }

    @Test func labelLengthAndTypeChecked() {
        #expect(error(header() + [64] + [UInt8](repeating: 97, count: 64) + [0, 0, 1, 0, 1]) == DNSWireError(.badLabel(length: 64), at: 12))
        #expect(error(header() + [0x80, 0, 0, 1, 0, 1]) == DNSWireError(.badLabel(length: 0x80), at: 12))
    }

    @Test func nameLengthChecked() {
        // Five labels of 63 bytes: 320 bytes, over the 255 limit; detected when the fourth label would pass it.
        var name = [UInt8]()
        for _ in 0..<5 { name += [63] + [UInt8](repeating: 97, count: 63) }
        name.append(0)
        #expect(error(header() + name + [0, 1, 0, 1]) == DNSWireError(.nameTooLong, at: 12))
    }

    @Test func rdataLengthMustMatchTheType() {
        // An A record with RDLENGTH 5.
        let m = header(an: 1) + question + [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5]
        #expect(error(m) == DNSWireError(.rdataLength(type: 1, declared: 5, consumed: 4), at: 41))
        // An A record with RDLENGTH 3: the reader is bounded to the RDATA, so it runs out there.
        let m2 = header(an: 1) + question + [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 1, 2, 3]
        #expect(error(m2) == DNSWireError(.truncated(needed: 1), at: 41))
        // RDLENGTH beyond the end of the message.
        let m3 = header(an: 1) + question + [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 200, 1, 2, 3, 4]
        #expect(error(m3) == DNSWireError(.truncated(needed: 196), at: 41))
        // A CNAME whose name runs past its RDATA.
        let m4 = header(an: 1) + question + [0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 3, 97, 98, 99, 0]
        #expect(error(m4) == DNSWireError(.truncated(needed: 2), at: 41))
    }

    @Test func optRules() {
        let opt: [UInt8] = [0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0]
        #expect(error(header(ar: 2) + question + opt + opt) == DNSWireError(.badOPT("more than one OPT record"), at: 40))
        #expect(error(header(an: 1) + question + opt) == DNSWireError(.badOPT("OPT record outside the additional section"), at: 29))
        let named: [UInt8] = [1, 97, 0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0]
        #expect(error(header(ar: 1) + question + named) == DNSWireError(.badOPT("OPT owner name is not the root"), at: 29))
        // An option whose length runs past the OPT RDATA.
        let badOption: [UInt8] = [0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 6, 0, 10, 0, 9, 1, 2]
        #expect(error(header(ar: 1) + question + badOption) == DNSWireError(.badOPT("option 10 declares 9 bytes but 2 are left"), at: 40))
    }

    @Test func trailingBytes() throws {
        let m = header() + question + [0xAA]
        #expect(error(m) == DNSWireError(.trailingBytes(count: 1), at: 29))
        #expect(try DNSMessage(decoding: m, allowTrailingBytes: true).questions.count == 1)
    }

    @Test func everyPrefixOfAValidMessageFailsCleanly() throws {
        var msg = DNSMessage(header: DNSHeader(id: 7, flags: 0x8180))
        msg.questions = [DNSQuestion(name: try DNSName(parsing: "www.example.com"), type: .a)]
        msg.answers = [
            DNSRecord(name: try DNSName(parsing: "www.example.com"), ttl: 300, rdata: .cname(NameRecord(try DNSName(parsing: "cdn.example.net")))),
            DNSRecord(name: try DNSName(parsing: "cdn.example.net"), ttl: 60, rdata: .a(IPv4Address("192.0.2.1")!)),
        ]
        msg.edns = EDNS(udpPayloadSize: 1232, dnssecOK: true, options: [.cookie(client: [1, 2, 3, 4, 5, 6, 7, 8], server: [])])
        let bytes = try msg.encode()
        for cut in 0..<bytes.count {
            #expect(throws: DNSWireError.self) { try DNSMessage(decoding: Array(bytes[0..<cut])) }
        }
        #expect(try DNSMessage(decoding: bytes) == msg)
    }
}
