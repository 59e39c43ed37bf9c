/// What every typed RDATA implements: decoding from a reader bounded to its RDATA, encoding, and presentation text.
///
/// The reader handed to `init(from:)` ends exactly where the RDATA ends, so a record cannot read past its
/// RDLENGTH; whatever it leaves unread is reported as an ``DNSWireError/Kind/rdataLength(type:declared:consumed:)``.
public protocol RDataRecord: Hashable, Sendable {
    /// Decodes the RDATA; `reader.remaining` is the bytes of RDATA left.
    init(from reader: inout WireReader) throws(DNSWireError)
    /// Appends the RDATA (without RDLENGTH); `compress` says whether names inside may be compressed.
    func encode(to writer: inout WireWriter, compress: Bool) throws(DNSWireError)
    /// The zone-file (presentation) form of the RDATA.
    var presentation: String { get }
}
