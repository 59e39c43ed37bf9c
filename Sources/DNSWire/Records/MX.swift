/// MX RDATA (RFC 1035 §3.3.9): preference and exchange host.
public struct MXRecord: RDataRecord {
    /// Lower is preferred.
    public var preference: UInt16
    /// The mail exchanger.
    public var exchange: DNSName
    /// Creates an MX RDATA.
    public init(preference: UInt16, exchange: DNSName) { self.preference = preference; self.exchange = exchange }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        preference = try reader.readUInt16()
        exchange = try reader.readName()
    }
    public func encode(to writer: inout WireWriter, compress: Bool) {
        writer.write(preference)
        writer.write(name: exchange, compress: compress)
    }
    public var presentation: String { "\(preference) \(exchange.presentation)" }
}
