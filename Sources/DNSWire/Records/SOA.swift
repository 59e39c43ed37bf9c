/// SOA RDATA (RFC 1035 §3.3.13).
public struct SOARecord: RDataRecord {
    /// The primary name server.
    public var mname: DNSName
    /// The responsible person's mailbox, as a name.
    public var rname: DNSName
    /// Zone serial number.
    public var serial: UInt32
    /// Refresh, retry and expire intervals, and the negative-caching TTL, in seconds.
    public var refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32
    /// Creates an SOA RDATA.
    public init(mname: DNSName, rname: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32) {
        self.mname = mname; self.rname = rname; self.serial = serial
        self.refresh = refresh; self.retry = retry; self.expire = expire; self.minimum = minimum
    }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        mname = try reader.readName()
        rname = try reader.readName()
        serial = try reader.readUInt32(); refresh = try reader.readUInt32(); retry = try reader.readUInt32()
        expire = try reader.readUInt32(); minimum = try reader.readUInt32()
    }
    public func encode(to writer: inout WireWriter, compress: Bool) {
        writer.write(name: mname, compress: compress)
        writer.write(name: rname, compress: compress)
        writer.write(serial); writer.write(refresh); writer.write(retry); writer.write(expire); writer.write(minimum)
    }
    public var presentation: String {
        "\(mname.presentation) \(rname.presentation) \(serial) \(refresh) \(retry) \(expire) \(minimum)"
    }
}
