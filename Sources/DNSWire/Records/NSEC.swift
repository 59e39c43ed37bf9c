/// NSEC RDATA (RFC 4034 §4); the next name is never compressed.
public struct NSECRecord: RDataRecord {
    /// The next owner name in canonical order.
    public var nextDomain: DNSName
    /// The types present at the owner name.
    public var types: [RecordType]
    /// Creates an NSEC RDATA.
    public init(nextDomain: DNSName, types: [RecordType]) { self.nextDomain = nextDomain; self.types = types }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        nextDomain = try reader.readName()
        types = try TypeBitmap.decode(from: &reader)
    }
    public func encode(to writer: inout WireWriter, compress: Bool) {
        writer.write(name: nextDomain, compress: false)
        TypeBitmap.encode(types, to: &writer)
    }
    public var presentation: String {
        types.isEmpty ? nextDomain.presentation : "\(nextDomain.presentation) \(TypeBitmap.text(types))"
    }
}
