import DNSWire
import DNSightCore
import TestSupport
import Testing
@testable import LogReaders

/// The allocation-free IPv6 parser of the text readers must agree with the general parser on every input it accepts,
/// and leave to it (nil) only the forms the general parser handles (zones, brackets, IPv4 tails) or rejects.
@Suite struct FieldParseTests {
    static func fast(_ s: String) -> IPv6Address? {
        var s = s
        return s.withUTF8 { FieldParse.ipv6(UnsafeRawBufferPointer($0)) }
    }

    static func general(_ s: String) -> IPv6Address? {
        if case .v6(let a)? = IPAddress(s) { return a }
        return nil
    }

    @Test(arguments: ["::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:8:800:200C:417A", "fe80::1:2:3:4:5:6",
                      "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "2a00:1450:4001:82b::200e", "0:0:0:0:0:0:0:0",
                      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "64:ff9b::c000:221"])
    func acceptsWhatTheGeneralParserAccepts(_ text: String) throws {
        let a = try #require(Self.fast(text))
        #expect(a == Self.general(text))
    }

    @Test(arguments: ["1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "1:::2", "1:2:", ":1:2", "12345::", "g::1", "1:2:3:4:5:6:7",
                      "1.2.3.4", "", ":", "::ffff:1.2.3.4", "fe80::1%eth0", "[::1]", "1::2:3:4:5:6:7:8"])
    func rejectsOrDefers(_ text: String) {
        #expect(Self.fast(text) == nil)
    }

    @Test func randomAddressesRoundTrip() {
        var rng = SeededRandom(seed: UInt64(#line))
        for _ in 0..<2000 {
            let a = IPv6Address(high: rng.next() & (rng.next() | 0xFFFF_0000_0000_0000), low: rng.next() & rng.next())
            let text = a.description
            #expect(Self.fast(text) == a, "\(text)")
            #expect(Self.fast(text.uppercased()) == a, "\(text)")
        }
    }

    static func scaled(_ s: String, _ scale: Int) -> Int64? {
        var s = s
        return s.withUTF8 { FieldParse.scaledDecimal(UnsafeRawBufferPointer($0), scale: scale) }
    }

    @Test func scaledDecimalsOfLogFields() {
        #expect(Self.scaled("1750000000.000800", 9) == 1_750_000_000_000_800_000)
        #expect(Self.scaled("1750000000.0008", 6) == 1_750_000_000_000_800)
        #expect(Self.scaled("0.002", 6) == 2000)
        #expect(Self.scaled("300.000000", 0) == 300)
        #expect(Self.scaled("300", 0) == 300)
        #expect(Self.scaled("007", 0) == 7, "leading zeros")
        #expect(Self.scaled("5.", 3) == 5000)
        #expect(Self.scaled(".5", 3) == 500)
        #expect(Self.scaled("1.23456789", 3) == 1234, "digits beyond the scale are truncated")
        #expect(Self.scaled("0.0000001", 6) == 0)
        #expect(Self.scaled("999999999999999999", 0) == 999_999_999_999_999_999, "18 digits")
        #expect(Self.scaled("9999999999999999999", 0) == nil, "19 digits overflow Int64")
        #expect(Self.scaled("1234567890123456789012", -3) == 1_234_567_890_123_456_780, "digits past the 18th count as zeros")
        #expect(Self.scaled("99999999999", 9) == nil, "overflow when scaled")
        #expect(Self.scaled("9223372036.854775807", 9) == 9_223_372_036_854_775_800, "a 19th fraction digit is dropped")
        #expect(Self.scaled("922337203685477580.7", 0) == 922_337_203_685_477_580)
        #expect(Self.scaled("-1.5", 6) == -1_500_000)
        #expect(Self.scaled("+2", 1) == 20)
        #expect(Self.scaled("1.2e-05", 9) == 12000)
        #expect(Self.scaled("1E3", 0) == 1000)
        for bad in ["", ".", "-", "1.2.3", "1,5", " 1", "1 ", "1e", "1e+", "e5", "0x10", "12a", "1..2", "-.", "1e12345"] {
            #expect(Self.scaled(bad, 6) == nil, "\(bad)")
        }
    }

    /// The fast path must give what the general parser gives, on inputs near its limits (18 and 19 digits, dots,
    /// signs, exponents) and on noise.
    @Test func scaledDecimalFastPathAgreesWithTheGeneralParser() {
        var rng = SeededRandom(seed: UInt64(#line))
        let noise = Array("0123456789.-+eE x")
        for k in 0..<40_000 {
            var text: String
            if k % 2 == 0 {
                text = String((0..<Int.random(in: 0...22, using: &rng)).map { _ in
                    Int.random(in: 0..<4, using: &rng) == 0 ? noise.randomElement(using: &rng)! : Character(String(Int.random(in: 0...9, using: &rng)))
                })
            } else {
                let whole = String((0..<Int.random(in: 0...19, using: &rng)).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
                let fraction = String((0..<Int.random(in: 0...19, using: &rng)).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
                text = Bool.random(using: &rng) ? whole + "." + fraction : whole + fraction
            }
            for scale in [-3, 0, 3, 6, 9, 18, 19] {
                var t = text
                let general = t.withUTF8 { FieldParse.generalScaledDecimal(UnsafeRawBufferPointer($0), scale: scale) }
                #expect(Self.scaled(text, scale) == general, "\(text) scale \(scale)")
            }
        }
    }

    static func v4(_ s: String) -> IPv4Address? {
        var s = s
        return s.withUTF8 { FieldParse.ipv4(UnsafeRawBufferPointer($0)) }
    }

    /// Dotted-quad text read straight from its definition, to check the parser against.
    static func v4Reference(_ s: String) -> IPv4Address? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard (1...3).contains(p.count), p.allSatisfy({ $0.isASCII && $0.isNumber }), p.count == 1 || p.first != "0",
                  let x = UInt32(p), x <= 255 else { return nil }
            v = v << 8 | x
        }
        return IPv4Address(rawValue: v)
    }

    @Test func ipv4EdgeCases() {
        #expect(Self.v4("0.0.0.0") == IPv4Address(rawValue: 0))
        #expect(Self.v4("255.255.255.255") == IPv4Address(rawValue: .max))
        #expect(Self.v4("93.184.216.7") == IPv4Address(rawValue: 0x5DB8_D807))
        #expect(Self.v4("10.0.100.1") == IPv4Address(rawValue: 0x0A00_6401))
        for bad in ["", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.00", "256.1.1.1",
                    "1.2.3.999", "1.2.3.1000", "1234.1.1.1", "1.2.3.a", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "1.2.3.+4", "1,2,3,4",
                    "::1", "1.2.3.4/24", "100.100.100.1000"] {
            #expect(Self.v4(bad) == nil, "\(bad)")
        }
    }

    @Test func ipv4AgreesWithTheDefinition() {
        var rng = SeededRandom(seed: UInt64(#line))
        let alphabet = Array("0123456789.")
        for k in 0..<40_000 {
            let text: String
            if k % 2 == 0 {
                text = String((0..<Int.random(in: 5...17, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            } else {
                text = (0..<Int.random(in: 3...5, using: &rng)).map { _ in
                    String(Int.random(in: 0...300, using: &rng)) + (Int.random(in: 0..<20, using: &rng) == 0 ? "0" : "")
                }.joined(separator: ".")
            }
            #expect(Self.v4(text) == Self.v4Reference(text), "\(text)")
        }
    }
}
