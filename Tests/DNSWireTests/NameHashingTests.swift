import Testing
@testable import DNSWire

/// `DNSName.caseFoldedHash` must agree with `==` (names equal ignoring ASCII case hash alike), and `lowercased`, which
/// now returns the name itself when it has no upper-case letter, must still fold exactly the ASCII capitals.
@Suite struct NameHashingTests {
    static let names = ["example.com.", "EXAMPLE.com.", "a.", "A.", ".", "www.Example.ORG.", "xn--bcher-kva.Example.",
                        "abcdefg.", "ABCDEFG.", "abcdefgh.example.", "AbCdEfGh.Example.", "@[`{.z.", "a-b_c.Z0-9.", "x.y.z.w.v.u.t.s.r.q.p."]

    @Test func caseFoldedHashAgreesWithEquality() throws {
        let parsed = try Self.names.map { try DNSName(parsing: $0) }
        for a in parsed {
            for b in parsed where a == b { #expect(a.caseFoldedHash == b.caseFoldedHash, "\(a) \(b)") }
            #expect(a.caseFoldedHash == a.lowercased.caseFoldedHash)
        }
        // Distinct names (lengths and contents) hash apart here.
        let distinct = Set(parsed.map(\.lowercased))
        #expect(Set(distinct.map(\.caseFoldedHash)).count == distinct.count)
    }

    @Test func upperCaseTestAgreesWithAByteByByteLook() {
        // Every byte value at every position of buffers of 0 to 20 bytes (the word loop, the tail and both).
        for n in 0...20 {
            for at in 0..<max(n, 1) {
                for v in 0...255 {
                    var b = [UInt8](repeating: 0x61, count: n)
                    if n > 0 { b[at] = UInt8(v) }
                    let expected = b.contains { $0 >= 0x41 && $0 <= 0x5A }
                    #expect(b.withUnsafeBytes(DNSName.hasUpperCase) == expected, "\(b)")
                }
            }
        }
    }

    @Test func lowercasedFoldsOnlyASCIICapitals() throws {
        for n in Self.names {
            let name = try DNSName(parsing: n)
            let expected = name.wire.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            #expect(name.lowercased.wire == expected)
        }
        // Every byte value inside a label.
        let all = DNSName(uncheckedWire: [63] + (0..<63).map { UInt8($0 + 0x30) } + [0])
        #expect(all.lowercased.wire == all.wire.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 })
    }
}
