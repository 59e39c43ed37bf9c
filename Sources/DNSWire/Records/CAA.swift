/// CAA RDATA (RFC 8659): flags, a tag (`issue`, `issuewild`, `iodef`…) and a value.
public struct CAARecord: RDataRecord {
    /// Flags; bit 128 is "issuer critical".
    public var flags: UInt8
    /// The property tag: ASCII letters and digits, at least one (RFC 8659 §4.1 sets no upper bound; RFC 6844 said
    /// "SHOULD be no more than 15").
    public var tag: [UInt8]
    /// The property value: the rest of the RDATA.
    public var value: [UInt8]
    /// Creates a CAA RDATA.
    public init(flags: UInt8, tag: [UInt8], value: [UInt8]) { self.flags = flags; self.tag = tag; self.value = value }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        flags = try reader.readUInt8()
        let start = reader.offset
        tag = try reader.readCharacterString()
        guard !tag.isEmpty, tag.allSatisfy({ ($0 | 0x20) &- 0x61 < 26 || $0 &- 0x30 < 10 }) else {
            throw DNSWireError(.invalidField("CAA tag must be one or more letters or digits"), at: start)
        }
        value = try reader.readBytes(reader.remaining)
    }
    public func encode(to writer: inout WireWriter, compress: Bool) throws(DNSWireError) {
        writer.write(flags)
        try writer.writeCharacterString(tag)
        writer.write(bytes: value)
    }
    public var presentation: String {
        "\(flags) \(String(decoding: tag, as: UTF8.self)) \(TextEncodings.quoted(value))"
    }
}
