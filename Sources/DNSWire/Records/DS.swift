/// DS RDATA (RFC 4034 §5): a digest of a child zone's DNSKEY.
public struct DSRecord: RDataRecord {
    /// The key tag of the referenced DNSKEY.
    public var keyTag: UInt16
    /// The DNSKEY's algorithm number.
    public var algorithm: UInt8
    /// The digest algorithm (1 SHA-1, 2 SHA-256, 4 SHA-384).
    public var digestType: UInt8
    /// The digest.
    public var digest: [UInt8]
    /// Creates a DS RDATA.
    public init(keyTag: UInt16, algorithm: UInt8, digestType: UInt8, digest: [UInt8]) {
        self.keyTag = keyTag; self.algorithm = algorithm; self.digestType = digestType; self.digest = digest
    }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        keyTag = try reader.readUInt16(); algorithm = try reader.readUInt8(); digestType = try reader.readUInt8()
        digest = try reader.readBytes(reader.remaining)
    }
    public func encode(to writer: inout WireWriter, compress: Bool) {
        writer.write(keyTag); writer.write(algorithm); writer.write(digestType); writer.write(bytes: digest)
    }
    public var presentation: String { "\(keyTag) \(algorithm) \(digestType) \(TextEncodings.hex(digest))" }
}
