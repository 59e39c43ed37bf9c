import DNSWire

/// IDNA ToASCII for names read from feeds: each label with non-ASCII characters becomes `xn--` + its Punycode
/// (RFC 3492, `DNSWire.Punycode`) after Unicode lower-casing. Full IDNA 2008 mapping (NFC, disallowed code points)
/// is not applied.
enum IDNAWire {
    /// Converts the UTF-8 labels of an uncompressed wire name; `nil` when a label is not valid UTF-8, overflows, or
    /// grows past 63 bytes.
    static func toASCII(wire: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < wire.count {
            let len = Int(wire[i])
            if len == 0 { out.append(0); break }
            let label = Array(wire[(i + 1)..<(i + 1 + len)])
            i += 1 + len
            if label.allSatisfy({ $0 < 0x80 }) { out.append(UInt8(len)); out += label; continue }
            let text = String(decoding: label, as: UTF8.self)
            guard Array(text.utf8) == label else { return nil }
            guard let encoded = Punycode.encode(Array(text.lowercased().unicodeScalars.map(\.value))) else { return nil }
            let ace = Array("xn--".utf8) + encoded
            guard ace.count <= 63 else { return nil }
            out.append(UInt8(ace.count))
            out += ace
        }
        return out
    }
}
