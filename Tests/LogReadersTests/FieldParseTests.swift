import DNSWire
import DNSightCore
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
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let a = IPv6Address(high: rng.next() & (rng.next() | 0xFFFF_0000_0000_0000), low: rng.next() & rng.next())
            let text = a.description
            #expect(Self.fast(text) == a, "\(text)")
            #expect(Self.fast(text.uppercased()) == a, "\(text)")
        }
    }
}
