/// NAPTR RDATA (RFC 3403); the replacement is never compressed.
public struct NAPTRRecord: RDataRecord {
    /// Order and preference.
    public var order: UInt16, preference: UInt16
    /// Flags, services and regular expression, as character-strings.
    public var flags: [UInt8], services: [UInt8], regexp: [UInt8]
    /// The replacement name.
    public var replacement: DNSName
    /// Creates a NAPTR RDATA.
    public init(order: UInt16, preference: UInt16, flags: [UInt8], services: [UInt8], regexp: [UInt8], replacement: DNSName) {
        self.order = order; self.preference = preference; self.flags = flags
        self.services = services; self.regexp = regexp; self.replacement = replacement
    }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        order = try reader.readUInt16(); preference = try reader.readUInt16()
        flags = try reader.readCharacterString(); services = try reader.readCharacterString()
        regexp = try reader.readCharacterString()
        replacement = try reader.readName()
    }
    public func encode(to writer: inout WireWriter, compress: Bool) throws(DNSWireError) {
        writer.write(order); writer.write(preference)
        try writer.writeCharacterString(flags); try writer.writeCharacterString(services); try writer.writeCharacterString(regexp)
        writer.write(name: replacement, compress: false)
    }
    public var presentation: String {
        "\(order) \(preference) \(TextEncodings.quoted(flags)) \(TextEncodings.quoted(services)) \(TextEncodings.quoted(regexp)) \(replacement.presentation)"
    }
}
