import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import Attribution
import TestSupport

@Suite struct AESTests {
    @Test func fips197AppendixC1() throws {
        let aes = try AES128(key: hexBytes("000102030405060708090a0b0c0d0e0f"))
        #expect(hexString(try aes.encrypt(block: hexBytes("00112233445566778899aabbccddeeff"))) == "69c4e0d86a7b0430d8cdb78070b4c55a")
    }

    @Test func fips197AppendixB() throws {
        let aes = try AES128(key: hexBytes("2b7e151628aed2a6abf7158809cf4f3c"))
        #expect(hexString(try aes.encrypt(block: hexBytes("3243f6a8885a308d313198a2e0370734"))) == "3925841d02dc09fbdc118597196a0b32")
    }

    @Test func sboxIsTheFIPS197Table() {
        // Spot checks of the computed S-box against FIPS-197 Figure 7.
        let s = AESTables.shared.sbox
        #expect(s[0x00] == 0x63 && s[0x01] == 0x7C && s[0x53] == 0xED && s[0xFF] == 0x16 && s[0x10] == 0xCA)
        #expect(Set(s).count == 256)
    }

    @Test func agreesWithPycryptodomeOnAHundredRandomBlocks() throws {
        var n = 0
        for line in try Support.fixture("aes128-pycryptodome.txt").split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ")
            let aes = try AES128(key: hexBytes(f[0]))
            #expect(hexString(try aes.encrypt(block: hexBytes(f[1]))) == String(f[2]), "key \(f[0])")
            n += 1
        }
        #expect(n == 100)
    }

    @Test func rejectsWrongSizes() {
        #expect(throws: AttributionError.self) { try AES128(key: [UInt8](repeating: 0, count: 15)) }
        #expect(throws: AttributionError.self) { try AES128(key: [UInt8](repeating: 0, count: 16)).encrypt(block: [1, 2, 3]) }
    }
}

@Suite struct CryptoPAnTests {
    func pairs(_ fixture: String) throws -> (key: [UInt8], pairs: [(IPAddress, IPAddress)]) {
        var key = [UInt8](), out = [(IPAddress, IPAddress)]()
        for line in try Support.fixture(fixture).split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ")
            if f[0] == "key" { key = hexBytes(f[1]); continue }
            out.append((try #require(IPAddress(f[0])), try #require(IPAddress(f[1]))))
        }
        return (key, out)
    }

    @Test func matchesTheReferenceSelfTest() throws {
        // The answers yacryptopan and pycryptopan print for the key 0x00…0x1f.
        let cp = try CryptoPAn(key: Array(0..<32))
        #expect(cp.anonymize(IPAddress("192.0.2.1")!).description == "2.90.93.17")
        #expect(cp.anonymize(IPAddress("2001:db8::1")!).description == "dd92:2c44:3fc0:ff1e:7ff9:c7f0:8180:7e00")
    }

    @Test(arguments: ["cryptopan-yacryptopan.txt", "cryptopan-yacryptopan-key2.txt"])
    func matchesYacryptopanFixture(_ name: String) throws {
        let (key, pairs) = try pairs(name)
        let cp = try CryptoPAn(key: key)
        var cache = CryptoPAnCache(cp, capacity: 64)
        #expect(pairs.count >= 15)
        for (input, expected) in pairs {
            #expect(cp.anonymize(input) == expected, "\(input)")
            #expect(cache.anonymize(input) == expected, "\(input) (cached path)")
        }
    }

    @Test func matchesYacryptopanLiveOnRandomAddresses() throws {
        var rng = SeededRandom(seed: 77)
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var addrs = [IPAddress]()
        for _ in 0..<300 { addrs.append(.v4(IPv4Address(rawValue: UInt32.random(in: 0...UInt32.max, using: &rng)))) }
        for _ in 0..<100 { addrs.append(.v6(IPv6Address(high: rng.next(), low: rng.next()))) }
        let out = try Support.python("cryptopan_tool.py", ["anonymize", hexString(key)],
                                     input: addrs.map(\.description).joined(separator: "\n"))
        let expected = out.split(separator: "\n").map { IPAddress($0)! }
        #expect(expected.count == addrs.count)
        let cp = try CryptoPAn(key: key)
        for (a, e) in zip(addrs, expected) { #expect(cp.anonymize(a) == e, "\(a)") }
    }

    static func commonPrefix(_ a: UInt32, _ b: UInt32) -> Int { a == b ? 32 : (a ^ b).leadingZeroBitCount }
    static func commonPrefix(_ a: IPv6Address, _ b: IPv6Address) -> Int {
        if a.high != b.high { return (a.high ^ b.high).leadingZeroBitCount }
        return a.low == b.low ? 128 : 64 + (a.low ^ b.low).leadingZeroBitCount
    }

    @Test func preservesExactlyTheSharedPrefixIPv4() throws {
        var rng = SeededRandom(seed: 1)
        let cp = try CryptoPAn(key: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        for k in 0...32 {
            for _ in 0..<20 {
                let a = UInt32.random(in: 0...UInt32.max, using: &rng)
                // b shares exactly k leading bits with a: same first k bits, bit k flipped, the rest random.
                var b = a
                if k < 32 {
                    let keep: UInt32 = k == 0 ? 0 : ~(UInt32.max >> UInt32(k))
                    b = (a & keep) | (~a & (UInt32(1) << UInt32(31 - k))) | (UInt32.random(in: 0...UInt32.max, using: &rng) & (UInt32.max >> UInt32(k + 1)))
                }
                #expect(Self.commonPrefix(a, b) == k)
                let x = cp.anonymize(IPv4Address(rawValue: a)).rawValue, y = cp.anonymize(IPv4Address(rawValue: b)).rawValue
                #expect(Self.commonPrefix(x, y) == k, "k=\(k)")
            }
        }
    }

    @Test func preservesExactlyTheSharedPrefixIPv6() throws {
        var rng = SeededRandom(seed: 2)
        let cp = try CryptoPAn(key: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        for k in stride(from: 0, through: 128, by: 3) {
            for _ in 0..<4 {
                let a = IPv6Address(high: rng.next(), low: rng.next())
                var bits = U128(a)
                if k < 128 {
                    let keep = U128.mask(k)
                    let flip = U128.mask(k + 1) & ~keep
                    let rest = ~U128.mask(k + 1) & U128(high: rng.next(), low: rng.next())
                    bits = (bits & keep) | (flip & ~bits) | rest
                }
                let b = IPv6Address(high: bits.high, low: bits.low)
                #expect(Self.commonPrefix(a, b) == k)
                #expect(Self.commonPrefix(cp.anonymize(a), cp.anonymize(b)) == k, "k=\(k)")
            }
        }
    }

    @Test func isAPermutationOfEachPrefix() throws {
        // All 65,536 addresses of one /16 map to 65,536 distinct addresses of one (other) /16.
        let cp = try CryptoPAn(key: Array(repeating: 7, count: 32))
        var seen = Set<UInt32>()
        let base: UInt32 = 0xC0A8_0000
        for i in 0..<65_536 { seen.insert(cp.anonymize(IPv4Address(rawValue: base | UInt32(i))).rawValue) }
        #expect(seen.count == 65_536)
        #expect(Set(seen.map { $0 >> 16 }).count == 1)
    }

    @Test func cacheAgreesWithTheUncachedPathUnderChurn() throws {
        var rng = SeededRandom(seed: 3)
        let cp = try CryptoPAn(key: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        var cache = CryptoPAnCache(cp, capacity: 32)   // tiny: forces evictions and collisions
        var pool4 = (0..<200).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) }
        pool4 += pool4.map { $0 ^ UInt32.random(in: 0...255, using: &rng) }   // same /24s
        let pool6 = (0..<100).map { _ in IPv6Address(high: rng.next() & 0xFFFF_FFFF_FFFF_FF00, low: rng.next()) }
        for _ in 0..<3_000 {
            if Bool.random(using: &rng) {
                let a = IPv4Address(rawValue: pool4.randomElement(using: &rng)!)
                #expect(cache.anonymize(a) == cp.anonymize(a))
            } else {
                let a = pool6.randomElement(using: &rng)!
                #expect(cache.anonymize(a) == cp.anonymize(a))
            }
        }
        #expect(cache.hits > 0 && cache.lookups == 3_000)
    }

    @Test func ipv4MappedAddressesStayMappedAndMatchIPv4() throws {
        let cp = try CryptoPAn(key: Array(0..<32))
        let mapped = try #require(IPAddress("::ffff:192.0.2.1"))
        #expect(cp.anonymize(mapped).description == "::ffff:2.90.93.17")
    }

    @Test func keysMustBe32BytesOr64HexDigits() throws {
        #expect(throws: AttributionError.self) { try CryptoPAn(key: [UInt8](repeating: 0, count: 16)) }
        #expect(throws: AttributionError.self) { try CryptoPAn(hexKey: "abcd") }
        #expect(throws: AttributionError.self) { try CryptoPAn(hexKey: String(repeating: "zz", count: 32)) }
        let a = try CryptoPAn(hexKey: hexString(Array(0..<32)))
        #expect(a.anonymize(IPAddress("192.0.2.1")!).description == "2.90.93.17")
    }

    @Test func keyFilesHoldRawBytesOrHex() throws {
        let dir = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = dir.appendingPathComponent("raw.key"), hex = dir.appendingPathComponent("hex.key"), bad = dir.appendingPathComponent("bad.key")
        try Data(Array(0..<32)).write(to: raw)
        try Data((hexString(Array(0..<32)) + "\n").utf8).write(to: hex)
        try Data("too short\n".utf8).write(to: bad)
        for url in [raw, hex] {
            #expect(try CryptoPAn(keyFile: url.path).anonymize(IPAddress("192.0.2.1")!).description == "2.90.93.17")
        }
        do { _ = try CryptoPAn(keyFile: bad.path); Issue.record("accepted a bad key file") } catch {
            #expect(error.kind == .invalidArgument && error.file == bad.path)
        }
        #expect(throws: AttributionError.self) { try CryptoPAn(keyFile: dir.appendingPathComponent("missing").path) }
    }
}
