/// CAA RDATA (RFC 8659): flags, a tag (`issue`, `issuewild`, `iodef`…) and a value.
public struct CAARecord: RDataRecord {
    /// Flags; bit 128 is "issuer critical".
    public var flags: UInt8
    /// The property tag: 1–15 ASCII letters and digits.
    public var tag: [UInt8]
    /// The property value: the rest of the RDATA.
    public var value: [UInt8]
    /// Creates a CAA RDATA.
    public init(flags: UInt8, tag: [UInt8], value: [UInt8]) { self.flags = flags; self.tag = tag; self.value = value }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        flags = try reader.readUInt8()
        let start = reader.offset
        tag = try reader.readCharacterString()
        guard !tag.isEmpty, tag.count <= 15, tag.allSatisfy({ ($0 | 0x20) &- 0x61 < 26 || $0 &- 0x30 < 10 }) else {
            throw DNSWireError(.invalidField("CAA tag must be 1-15 letters or digits"), at: start)
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
