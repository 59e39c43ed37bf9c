import Testing
@testable import DNSWire

@Suite struct NameTests {
    @Test func parsesAndPrintsEscapes() throws {
        let n = try DNSName(parsing: #"a\.b.Ex\032ample.com."#)
        #expect(n.labels.map { String(decoding: $0, as: UTF8.self) } == ["a.b", "Ex ample", "com"])
        #expect(n.presentation == #"a\.b.Ex\032ample.com."#)
    }

    @Test func comparesCaseInsensitivelyButKeepsCase() throws {
        let a = try DNSName(parsing: "WWW.Example.COM")
        let b = try DNSName(parsing: "www.example.com.")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.presentation == "WWW.Example.COM.")
    }
}
