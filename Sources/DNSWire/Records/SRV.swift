/// SRV RDATA (RFC 2782); the target is never compressed.
public struct SRVRecord: RDataRecord {
    /// Priority, weight and port.
    public var priority: UInt16, weight: UInt16, port: UInt16
    /// The host providing the service.
    public var target: DNSName
    /// Creates an SRV RDATA.
    public init(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName) {
        self.priority = priority; self.weight = weight; self.port = port; self.target = target
    }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        priority = try reader.readUInt16(); weight = try reader.readUInt16(); port = try reader.readUInt16()
        target = try reader.readName()
    }
    public func encode(to writer: inout WireWriter, compress: Bool) {
        writer.write(priority); writer.write(weight); writer.write(port)
        writer.write(name: target, compress: false)
    }
    public var presentation: String { "\(priority) \(weight) \(port) \(target.presentation)" }
}
