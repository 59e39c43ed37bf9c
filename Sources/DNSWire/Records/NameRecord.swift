/// RDATA that is a single domain name: NS, CNAME, DNAME and PTR.
///
/// RFC 1035 types (NS, CNAME, PTR) are compressed on encode; DNAME is not (RFC 6672 §2.5). Decoding accepts
/// compression in all four, as resolvers do.
public struct NameRecord: RDataRecord {
    /// The target name.
    public var target: DNSName
    /// Wraps a target name.
    public init(_ target: DNSName) { self.target = target }
    public init(from reader: inout WireReader) throws(DNSWireError) { target = try reader.readName() }
    public func encode(to writer: inout WireWriter, compress: Bool) { writer.write(name: target, compress: compress) }
    public var presentation: String { target.presentation }
}
