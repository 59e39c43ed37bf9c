/// TLSA RDATA (RFC 6698 §2).
public struct TLSARecord: RDataRecord {
    /// Certificate usage, selector and matching type.
    public var usage: UInt8, selector: UInt8, matchingType: UInt8
    /// The certificate association data.
    public var data: [UInt8]
    /// Creates a TLSA RDATA.
    public init(usage: UInt8, selector: UInt8, matchingType: UInt8, data: [UInt8]) {
        self.usage = usage; self.selector = selector; self.matchingType = matchingType; self.data = data
    }
    public init(from reader: inout WireReader) throws(DNSWireError) {
        usage = try reader.readUInt8(); selector = try reader.readUInt8(); matchingType = try reader.readUInt8()
        data = try reader.readBytes(reader.remaining)
    }
    public func encode(to writer: inout WireWriter, compress: Bool) {
        writer.write(usage); writer.write(selector); writer.write(matchingType); writer.write(bytes: data)
    }
    public var presentation: String { "\(usage) \(selector) \(matchingType) \(TextEncodings.hex(data))" }
}
