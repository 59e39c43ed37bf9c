import Testing
@testable import DNSWire

@Suite struct NameTests {
    @Test func parsesAndPrintsEscapes() throws {
        let n = try DNSName(parsing: #"a\.b.Ex\032ample.com."#)
        #expect(n.labels.map { String(decoding: $0, as: UTF8.self) } == ["a.b", "Ex ample", "com"])
        #expect(n.presentation == #"a\.b.Ex\032ample.com."#)
        #expect(n.wire == [3, 97, 46, 98, 8, 69, 120, 32, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0])
    }

    @Test func escapesSpecialAndBinaryBytes() throws {
        let n = try DNSName(labels: [[0, 0x22, 0x40, 0x5C, 0xFF], Array("com".utf8)])
        #expect(n.presentation == #"\000\"\@\\\255.com."#)
        #expect(try DNSName(parsing: n.presentation).wire == n.wire)
    }

    @Test func comparesCaseInsensitivelyButKeepsCase() throws {
        let a = try DNSName(parsing: "WWW.Example.COM")
        let b = try DNSName(parsing: "www.example.com.")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.presentation == "WWW.Example.COM.")
        #expect(a.lowercased.presentation == "www.example.com.")
        #expect(Set([a, b]).count == 1)
    }

    @Test func hashFoldsExactlyASCIICaseEightBytesAtATime() throws {
        // The word-wise fold agrees with the byte rule `==` uses, for every byte value in every position, next to
        // bytes that must fold on their own ("Z", "@", 0xDA). Mismatches are collected (one #expect, not 16,000).
        var mismatches = [String]()
        let filler: UInt64 = 0x5A40_DA5A_40DA_5A40
        for v in 0...255 {
            for k in 0..<8 {
                let mask = UInt64(0xFF) << UInt64(8 * k)
                let w = (filler & ~mask) | UInt64(v) << UInt64(8 * k)
                let f = DNSName.foldCase(w)
                for j in 0..<8 {
                    let x = UInt8(truncatingIfNeeded: w >> UInt64(8 * j))
                    if UInt8(truncatingIfNeeded: f >> UInt64(8 * j)) != (x &- 0x41 < 26 ? x | 0x20 : x) { mismatches.append("byte \(v) at \(k), lane \(j)") }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        let a = try DNSName(labels: [Array("MiXeD-CaSe-LaBeL-\u{00C9}".utf8), [0x41, 0xC1, 0x5A, 0xDA, 0x40, 0x5B, 0x60, 0x7B], Array("COM".utf8)])
        let b = try DNSName(labels: [Array("mixed-case-label-\u{00C9}".utf8), [0x61, 0xC1, 0x7A, 0xDA, 0x40, 0x5B, 0x60, 0x7B], Array("com".utf8)])
        #expect(a == b && a.hashValue == b.hashValue)
        let c = try DNSName(labels: [[0xC1], Array("com".utf8)]), d = try DNSName(labels: [[0xE1], Array("com".utf8)])
        #expect(c != d)
    }

    @Test func idnaALabelsPassThrough() throws {
        let n = try DNSName(parsing: "xn--bcher-kva.XN--p1ai.")
        #expect(n.presentation == "xn--bcher-kva.XN--p1ai.")
        #expect(n.labelCount == 2)
    }

    @Test func relativeNamesTakeTheOrigin() throws {
        let origin = try DNSName(parsing: "example.org.")
        #expect(try DNSName(parsing: "www", origin: origin).presentation == "www.example.org.")
        #expect(try DNSName(parsing: "@", origin: origin) == origin)
        #expect(try DNSName(parsing: "www.", origin: origin).presentation == "www.")
        #expect(try DNSName(parsing: ".") == .root)
        #expect(DNSName.root.presentation == ".")
    }

    @Test func rejectsBadText() {
        func kind(_ s: String) -> (String, Int)? {
            do { _ = try DNSName(parsing: s); return nil } catch {
                if case .badText(let why) = error.kind { return (why, error.offset) }
                return ("other", -1)
            }
        }
        #expect(kind("a..b")?.0 == "empty label")
        #expect(kind("a..b")?.1 == 2)
        #expect(kind(String(repeating: "x", count: 64) + ".com")?.0 == "label longer than 63 bytes")
        #expect(kind(#"a\25"#)?.0 == #"\DDD escape needs three digits"#)
        #expect(kind(#"a\256.com"#)?.0 == #"\DDD escape above 255"#)
        #expect(kind("a\\")?.0 == "backslash at end of name")
        #expect(kind("")?.0 == "empty name")
        // 4 labels of 63 bytes = 4 * 64 + 1 = 257 bytes on the wire.
        let long = Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: ".")
        #expect(kind(long)?.0 == "name longer than 255 bytes")
        // 255 bytes exactly is fine: 3 * 64 + 62 + 1.
        let max = Array(repeating: String(repeating: "a", count: 63), count: 3).joined(separator: ".") + "." + String(repeating: "b", count: 61)
        #expect(kind(max) == nil)
        #expect(try! DNSName(parsing: max).wire.count == 255)
    }

    @Test func subdomainAndParent() throws {
        let n = try DNSName(parsing: "a.b.Example.com")
        #expect(n.isSubdomain(of: try DNSName(parsing: "example.COM")))
        #expect(n.isSubdomain(of: n))
        #expect(n.isSubdomain(of: .root))
        #expect(!n.isSubdomain(of: try DNSName(parsing: "ample.com")))
        #expect(n.parent.presentation == "b.Example.com.")
        #expect(DNSName.root.parent == .root)
    }

    @Test func canonicalOrderIsRFC4034() throws {
        // The example ordering of RFC 4034 §6.1.
        let ordered = ["example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.", "z.example.", #"\001.z.example."#, "*.z.example.", #"\200.z.example."#]
        let names = try ordered.map { try DNSName(parsing: $0) }
        #expect(names.shuffled().sorted().map(\.presentation) == names.map(\.presentation))
    }

    @Test func wireInitChecks() throws {
        #expect(try DNSName(wire: [3, 99, 111, 109, 0]).presentation == "com.")
        #expect(throws: DNSWireError(.trailingBytes(count: 1), at: 5)) { try DNSName(wire: [3, 99, 111, 109, 0, 0]) }
        #expect(throws: DNSWireError(.truncated(needed: 1), at: 4)) { try DNSName(wire: [3, 99, 111, 109]) }
        #expect(throws: DNSWireError(.badLabel(length: 0x40), at: 0)) { try DNSName(wire: [0x40, 0]) }
    }
}
