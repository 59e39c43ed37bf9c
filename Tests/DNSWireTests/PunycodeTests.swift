import DNSWire
import Testing

@Suite struct PunycodeTests {
    @Test(arguments: [("bücher", "xn--bcher-kva"), ("中国", "xn--fiqs8s"), ("公司", "xn--55qx5d"),
                      ("бел", "xn--90ais"), ("example", "example"), ("münchen", "xn--mnchen-3ya")])
    func aceLabel(unicode: String, ascii: String) {
        #expect(Punycode.aceLabel(unicode) == ascii)
    }

    /// RFC 3492 §7.1 sample strings (A) Arabic (Egyptian) and (B) Chinese (simplified): code points in, basic string out.
    @Test func rfc3492Samples() {
        let arabic: [UInt32] = [0x0644, 0x064A, 0x0647, 0x0645, 0x0627, 0x0628, 0x062A, 0x0643, 0x0644, 0x0645,
                                0x0648, 0x0634, 0x0639, 0x0631, 0x0628, 0x064A, 0x061F]
        #expect(Punycode.encode(arabic).map { String(decoding: $0, as: UTF8.self) } == "egbpdaj6bu4bxfgehfvwxn")
        let chinese: [UInt32] = [0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587]
        #expect(Punycode.encode(chinese).map { String(decoding: $0, as: UTF8.self) } == "ihqwcrb4cv8a8dqg056pqjye")
    }
}
