extension IPv4Address: RDataRecord {
    /// Decodes the 4 bytes of an A record.
    public init(from reader: inout WireReader) throws(DNSWireError) {
        self.init(rawValue: try reader.readUInt32())
    }
    public func encode(to writer: inout WireWriter, compress: Bool) { writer.write(rawValue) }
    public var presentation: String { description }
}
