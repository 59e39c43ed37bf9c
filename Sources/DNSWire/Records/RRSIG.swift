/// RRSIG RDATA (RFC 4034 §3); the signer's name is never compressed.
public struct RRSIGRecord: RDataRecord {
    /// The type of the RRset signed.
    public var typeCovered: RecordType
    /// Algorithm, and the number of labels in the original owner name.
    public var algorithm: UInt8, labels: UInt8
    /// The TTL of the RRset as signed.
    public var originalTTL: UInt32
    /// Validity window, seconds since 1970 (serial-number arithmetic).
    public var expiration: UInt32, inception: UInt32
    /// The key tag of the signing key.
    public var keyTag: UInt16
    /// The zone that signed.
    public var signerName: DNSName
    /// The signature.
    public var signature: [UInt8]
    /// Creates an RRSIG RDATA.
    public init(typeCovered: RecordType, algorithm: UInt8, labels: UInt8, originalTTL: UInt32, expiration: UInt32, inception: UInt32, keyTag: UInt16, signerName: DNSName, signature: [UInt8]) {
        self.typeCovered = typeCovered; self.algorithm = algorithm; self.labels = labels; self.originalTTL = originalTTL
        self.expiration = expiration; self.inception = inception; self.keyTag = keyTag; self.signerName = signerName; self.signature = signature
    }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        typeCovered = RecordType(try reader.readUInt16())
        algorithm = try reader.readUInt8(); labels = try reader.readUInt8()
        originalTTL = try reader.readUInt32(); expiration = try reader.readUInt32(); inception = try reader.readUInt32()
        keyTag = try reader.readUInt16()
        signerName = try reader.readName()
        signature = try reader.readBytes(reader.remaining)
    }
    public func encode(to writer: inout WireWriter, compress: Bool) {
        writer.write(typeCovered.rawValue); writer.write(algorithm); writer.write(labels)
        writer.write(originalTTL); writer.write(expiration); writer.write(inception); writer.write(keyTag)
        writer.write(name: signerName, compress: false)
        writer.write(bytes: signature)
    }
    public var presentation: String {
        "\(typeCovered) \(algorithm) \(labels) \(originalTTL) \(TextEncodings.timestamp(expiration)) \(TextEncodings.timestamp(inception)) \(keyTag) \(signerName.presentation) \(TextEncodings.base64(signature))"
    }
}
