import Testing
@testable import Detectors

@Suite struct HashTests {
    static func hex(_ b: [UInt8]) -> String { b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    @Test func sha1KnownAnswers() {
        #expect(Self.hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Self.hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(Self.hex(SHA1.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        // the worked example of dga-algorithms.md §1.1
        #expect(Self.hex(SHA1.digest(Array("1266IbjGOEgnuDcf\n".utf8))) == "00034342581861f0abbaeb83cb68c6085f210c3d")
    }

    @Test func base64() {
        #expect(String(decoding: SHA1.base64(Array("foobar".utf8)), as: UTF8.self) == "Zm9vYmFy")
        #expect(String(decoding: SHA1.base64(Array("fooba".utf8)), as: UTF8.self) == "Zm9vYmE=")
        #expect(String(decoding: SHA1.base64(Array("foob".utf8)), as: UTF8.self) == "Zm9vYg==")
    }

    @Test func md6KnownAnswers() {
        #expect(MD6.digest256(Array("abc".utf8)).map(Self.hex) == "230637d4e6845cf0d092b558e87625f03881dd53a7439da34cf3b94ed0d8b2c5")
        #expect(MD6.digest256([0, 0, 0, 0]).map(Self.hex) == "688721d2cd6e2e2860e8781a3205b33a053c82db19d91d2b6b9b866f4dcb9d98")
        #expect(MD6.digest256([UInt8](repeating: 1, count: 513)) == nil)
    }

    @Test func qsnatchSourceWorkedExample() {
        #expect(String(decoding: QSnatch.source(bucket: 1266, tld: "cf"), as: UTF8.self) == "aandqlgyyfcruuudy2jgcf8hdd0")
        #expect(String(decoding: QSnatch.source(bucket: 1266, tld: "com"), as: UTF8.self) == "i79kgwbt36llakacnhucuhvz7cs")
    }

    @Test func utcDays() throws {
        let d = try #require(UTCDay("2022-01-01"))
        #expect(d.startUnixTime == 1_640_995_200)
        #expect(d.description == "2022-01-01")
        #expect(UTCDay("2024-02-29")?.adding(days: 1).description == "2024-03-01")
        #expect(UTCDay("2023-02-29") == nil)
        #expect(UTCDay("1969-12-31")?.daysSinceEpoch == -1)
        #expect(UTCDay(containing: -1).daysSinceEpoch == -1)
        #expect(UTCDay(containing: 1_640_995_200 + 86_399) == d)
        #expect(UTCDay("2022-1-01") == nil)
    }
}
