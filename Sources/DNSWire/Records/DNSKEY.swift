/// DNSKEY RDATA (RFC 4034 §2).
public struct DNSKEYRecord: RDataRecord {
    /// Flags (256 zone key, 257 zone key + secure entry point).
    public var flags: UInt16
    /// Always 3 in valid keys; kept as read.
    public var protocolNumber: UInt8
    /// The algorithm number.
    public var algorithm: UInt8
    /// The public key.
    public var publicKey: [UInt8]
    /// Creates a DNSKEY RDATA.
    public init(flags: UInt16, protocolNumber: UInt8 = 3, algorithm: UInt8, publicKey: [UInt8]) {
        self.flags = flags; self.protocolNumber = protocolNumber; self.algorithm = algorithm; self.publicKey = publicKey
    }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        flags = try reader.readUInt16(); protocolNumber = try reader.readUInt8(); algorithm = try reader.readUInt8()
        publicKey = try reader.readBytes(reader.remaining)
    }
    public func encode(to writer: inout WireWriter, compress: Bool) {
        writer.write(flags); writer.write(protocolNumber); writer.write(algorithm); writer.write(bytes: publicKey)
    }
    public var presentation: String { "\(flags) \(protocolNumber) \(algorithm) \(TextEncodings.base64(publicKey))" }
}
