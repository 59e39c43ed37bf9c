/// NSEC3 RDATA (RFC 5155 §3).
public struct NSEC3Record: RDataRecord {
    /// Hash algorithm (1 = SHA-1) and flags (1 = opt-out).
    public var hashAlgorithm: UInt8, flags: UInt8
    /// Extra hash iterations.
    public var iterations: UInt16
    /// The salt (0–255 bytes).
    public var salt: [UInt8]
    /// The next hashed owner name, raw bytes (1–255).
    public var nextHashedOwner: [UInt8]
    /// The types present at the original owner name.
    public var types: [RecordType]
    /// Creates an NSEC3 RDATA.
    public init(hashAlgorithm: UInt8, flags: UInt8, iterations: UInt16, salt: [UInt8], nextHashedOwner: [UInt8], types: [RecordType]) {
        self.hashAlgorithm = hashAlgorithm; self.flags = flags; self.iterations = iterations
        self.salt = salt; self.nextHashedOwner = nextHashedOwner; self.types = types
    }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        hashAlgorithm = try reader.readUInt8(); flags = try reader.readUInt8(); iterations = try reader.readUInt16()
        salt = try reader.readCharacterString()
        let at = reader.offset
        nextHashedOwner = try reader.readCharacterString()
        if nextHashedOwner.isEmpty { throw DNSWireError(.invalidField("NSEC3 next hashed owner name is empty"), at: at) }
        types = try TypeBitmap.decode(from: &reader)
    }
    public func encode(to writer: inout WireWriter, compress: Bool) throws(DNSWireError) {
        writer.write(hashAlgorithm); writer.write(flags); writer.write(iterations)
        try writer.writeCharacterString(salt)
        try writer.writeCharacterString(nextHashedOwner)
        TypeBitmap.encode(types, to: &writer)
    }
    public var presentation: String {
        var s = "\(hashAlgorithm) \(flags) \(iterations) \(salt.isEmpty ? "-" : TextEncodings.hex(salt)) \(TextEncodings.base32hex(nextHashedOwner))"
        if !types.isEmpty { s += " " + TypeBitmap.text(types) }
        return s
    }
}
