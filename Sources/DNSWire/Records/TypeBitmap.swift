/// The type bitmap of NSEC and NSEC3 records (RFC 4034 §4.1.2): which types exist at a name.
public enum TypeBitmap {
    /// Decodes window blocks until the reader is exhausted. Windows must strictly increase and hold 1–32 bytes, the
    /// last of them non-zero (RFC 4034 §4.1.2: trailing zero octets, and so empty windows, must be omitted).
    public static func decode(from reader: inout WireReader) throws(DNSWireError) -> [RecordType] {
        var types = [RecordType]()
        var lastWindow = -1
        while reader.remaining > 0 {
            let at = reader.offset
            let window = Int(try reader.readUInt8())
            let len = Int(try reader.readUInt8())
            guard window > lastWindow else { throw DNSWireError(.invalidField("type bitmap windows out of order"), at: at) }
            guard len >= 1 && len <= 32 else { throw DNSWireError(.invalidField("type bitmap window length \(len) (1-32)"), at: at) }
            lastWindow = window
            for i in 0..<len {
                let byte = try reader.readUInt8()
                if byte == 0 {
                    if i == len - 1 { throw DNSWireError(.invalidField("type bitmap window ends with a zero byte"), at: at) }
                    continue
                }
                for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 {
                    types.append(RecordType(UInt16(window << 8 | i * 8 + bit)))
                }
            }
        }
        return types
    }

    /// Encodes a set of types in canonical form (sorted, de-duplicated, trailing zero bytes trimmed).
    public static func encode(_ types: [RecordType], to writer: inout WireWriter) {
        let sorted = Set(types.map(\.rawValue)).sorted()
        var i = 0
        while i < sorted.count {
            let window = sorted[i] >> 8
            var bits = [UInt8](repeating: 0, count: 32)
            var maxByte = 0
            while i < sorted.count && sorted[i] >> 8 == window {
                let low = Int(sorted[i] & 0xFF)
                bits[low / 8] |= 0x80 >> UInt8(low % 8)
                maxByte = max(maxByte, low / 8)
                i += 1
            }
            writer.write(UInt8(window))
            writer.write(UInt8(maxByte + 1))
            writer.write(bytes: bits[0...maxByte])
        }
    }

    /// The types as a space-separated list of mnemonics.
    public static func text(_ types: [RecordType]) -> String { types.map(\.description).joined(separator: " ") }
}
