/// TXT RDATA (RFC 1035 §3.3.14): one or more character-strings, kept as bytes.
public struct TXTRecord: RDataRecord {
    /// The character-strings, each at most 255 bytes.
    public var strings: [[UInt8]]
    /// Creates a TXT RDATA.
    public init(strings: [[UInt8]]) { self.strings = strings }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        // RFC 1035 §3.3.14: one or more character-strings, so empty RDATA is malformed.
        if reader.remaining == 0 { throw DNSWireError(.invalidField("TXT RDATA holds no character-string"), at: reader.offset) }
        var s = [[UInt8]]()
        while reader.remaining > 0 { s.append(try reader.readCharacterString()) }
        strings = s
    }
    public func encode(to writer: inout WireWriter, compress: Bool) throws(DNSWireError) {
        for s in strings { try writer.writeCharacterString(s) }
    }
    public var presentation: String { strings.map { TextEncodings.quoted($0) }.joined(separator: " ") }
}
