extension IPv6Address: RDataRecord {
    /// Decodes the 16 bytes of an AAAA record.
    public init(from reader: inout WireReader) throws(DNSWireError) {
        let h = UInt64(try reader.readUInt32()) << 32 | UInt64(try reader.readUInt32())
        let l = UInt64(try reader.readUInt32()) << 32 | UInt64(try reader.readUInt32())
        self.init(high: h, low: l)
    }
    public func encode(to writer: inout WireWriter, compress: Bool) {
        writer.write(UInt32(truncatingIfNeeded: high >> 32)); writer.write(UInt32(truncatingIfNeeded: high))
        writer.write(UInt32(truncatingIfNeeded: low >> 32)); writer.write(UInt32(truncatingIfNeeded: low))
    }
    public var presentation: String { description }
}
