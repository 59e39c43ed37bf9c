/// EDNS0 (RFC 6891): the contents of a message's OPT pseudo-record.
public struct EDNS: Hashable, Sendable {
    /// The requestor's UDP payload size (the OPT record's CLASS).
    public var udpPayloadSize: UInt16
    /// The upper 8 bits of the 12-bit response code.
    public var extendedRCode: UInt8
    /// The EDNS version (0 today).
    public var version: UInt8
    /// The 16 flag bits of the OPT TTL; bit 15 is DO.
    public var flags: UInt16
    /// The options, in wire order.
    public var options: [EDNSOption]

    /// Creates an EDNS0 section.
    public init(udpPayloadSize: UInt16 = 1232, extendedRCode: UInt8 = 0, version: UInt8 = 0, dnssecOK: Bool = false, options: [EDNSOption] = []) {
        self.udpPayloadSize = udpPayloadSize
        self.extendedRCode = extendedRCode
        self.version = version
        self.flags = dnssecOK ? 0x8000 : 0
        self.options = options
    }

    /// DO: the requestor can handle DNSSEC records (RFC 3225).
    public var dnssecOK: Bool {
        get { flags & 0x8000 != 0 }
        set { flags = newValue ? flags | 0x8000 : flags & 0x7FFF }
    }

    /// Decodes the OPT record whose CLASS and TTL have been read; the reader is bounded to its RDATA.
    init(udpPayloadSize: UInt16, ttl: UInt32, rdata reader: inout WireReader) throws(DNSWireError) {
        self.udpPayloadSize = udpPayloadSize
        extendedRCode = UInt8(ttl >> 24)
        version = UInt8(truncatingIfNeeded: ttl >> 16)
        flags = UInt16(truncatingIfNeeded: ttl)
        var opts = [EDNSOption]()
        while reader.remaining > 0 {
            let at = reader.offset
            let code = try reader.readUInt16()
            let len = Int(try reader.readUInt16())
            guard len <= reader.remaining else { throw DNSWireError(.badOPT("option \(code) declares \(len) bytes but \(reader.remaining) are left"), at: at) }
            let data = try reader.readBytes(len)
            opts.append(try EDNSOption(code: code, data: data, at: at))
        }
        options = opts
    }

    /// The OPT record's TTL field.
    var ttl: UInt32 { UInt32(extendedRCode) << 24 | UInt32(version) << 16 | UInt32(flags) }

    /// Appends the whole OPT record (root owner, type 41, class, TTL, RDATA).
    func encode(to w: inout WireWriter) throws(DNSWireError) {
        w.write(UInt8(0))
        w.write(RecordType.opt.rawValue)
        w.write(udpPayloadSize)
        w.write(ttl)
        let lengthAt = w.count
        w.write(UInt16(0))
        for o in options {
            let data = o.data
            guard data.count <= 0xFFFF else { throw DNSWireError(.tooLarge("EDNS option of \(data.count) bytes"), at: w.count) }
            w.write(o.code)
            w.write(UInt16(data.count))
            w.write(bytes: data)
        }
        let length = w.count - lengthAt - 2
        guard length <= 0xFFFF else { throw DNSWireError(.tooLarge("OPT RDATA of \(length) bytes"), at: lengthAt) }
        w.patch(UInt16(length), at: lengthAt)
    }
}

/// One EDNS0 option. Options dnsight interprets are typed; the rest are kept byte-for-byte.
public enum EDNSOption: Hashable, Sendable {
    /// Client subnet (RFC 7871, code 8).
    case clientSubnet(ClientSubnet)
    /// DNS cookie (RFC 7873, code 10): an 8-byte client cookie and an optional 8–32-byte server cookie.
    case cookie(client: [UInt8], server: [UInt8])
    /// Extended DNS error (RFC 8914, code 15): an info code and optional UTF-8 extra text.
    case extendedError(infoCode: UInt16, extraText: [UInt8])
    /// Padding (RFC 7830, code 12); the bytes are kept (they should be zero).
    case padding([UInt8])
    /// Any other option.
    case unknown(code: UInt16, data: [UInt8])

    /// An EDNS client-subnet option's fields.
    public struct ClientSubnet: Hashable, Sendable {
        /// 1 = IPv4, 2 = IPv6.
        public var family: UInt16
        /// Prefix lengths: what the client sent and what the answer covers.
        public var sourcePrefixLength: UInt8, scopePrefixLength: UInt8
        /// The address bytes, exactly ceil(source/8) of them.
        public var address: [UInt8]
        /// Creates a client-subnet option.
        public init(family: UInt16, sourcePrefixLength: UInt8, scopePrefixLength: UInt8, address: [UInt8]) {
            self.family = family; self.sourcePrefixLength = sourcePrefixLength
            self.scopePrefixLength = scopePrefixLength; self.address = address
        }
        /// The address as text, padded with zero bytes to its family's full length.
        public var addressText: String {
            if family == 1 { return IPv4Address(bytes: (address + [UInt8](repeating: 0, count: 4)).prefix(4)).description }
            if family == 2 { return IPv6Address(bytes: (address + [UInt8](repeating: 0, count: 16)).prefix(16)).description }
            return TextEncodings.hex(address)
        }
    }

    /// Interprets an option's bytes, checking the fields of the typed ones.
    public init(code: UInt16, data: [UInt8], at offset: Int) throws(DNSWireError) {
        switch code {
        case 8:
            guard data.count >= 4 else { throw DNSWireError(.badOPT("client subnet option shorter than 4 bytes"), at: offset) }
            let family = UInt16(data[0]) << 8 | UInt16(data[1])
            let source = data[2], scope = data[3]
            let maxBits: UInt8 = family == 1 ? 32 : family == 2 ? 128 : 255
            guard family == 1 || family == 2 else { throw DNSWireError(.badOPT("client subnet family \(family) (1 or 2)"), at: offset) }
            guard source <= maxBits, scope <= maxBits else { throw DNSWireError(.badOPT("client subnet prefix longer than the address"), at: offset) }
            let addr = Array(data[4...])
            guard addr.count == (Int(source) + 7) / 8 else {
                throw DNSWireError(.badOPT("client subnet address is \(addr.count) bytes, source prefix /\(source) needs \((Int(source) + 7) / 8)"), at: offset)
            }
            // RFC 7871 §6: bits past the source prefix are zero; a server should answer FORMERR otherwise.
            if source % 8 != 0, let last = addr.last, last & (0xFF >> (source % 8)) != 0 {
                throw DNSWireError(.badOPT("client subnet address has bits set past the /\(source) prefix"), at: offset)
            }
            self = .clientSubnet(ClientSubnet(family: family, sourcePrefixLength: source, scopePrefixLength: scope, address: addr))
        case 10:
            guard data.count == 8 || (data.count >= 16 && data.count <= 40) else {
                throw DNSWireError(.badOPT("cookie of \(data.count) bytes (8, or 16 to 40)"), at: offset)
            }
            self = .cookie(client: Array(data[0..<8]), server: Array(data[8...]))
        case 15:
            guard data.count >= 2 else { throw DNSWireError(.badOPT("extended DNS error shorter than 2 bytes"), at: offset) }
            self = .extendedError(infoCode: UInt16(data[0]) << 8 | UInt16(data[1]), extraText: Array(data[2...]))
        case 12:
            self = .padding(data)
        default:
            self = .unknown(code: code, data: data)
        }
    }

    /// The option code.
    public var code: UInt16 {
        switch self {
        case .clientSubnet: return 8
        case .cookie: return 10
        case .extendedError: return 15
        case .padding: return 12
        case .unknown(let c, _): return c
        }
    }

    /// The option's wire bytes (without code and length).
    public var data: [UInt8] {
        switch self {
        case .clientSubnet(let s): return [UInt8(s.family >> 8), UInt8(truncatingIfNeeded: s.family), s.sourcePrefixLength, s.scopePrefixLength] + s.address
        case .cookie(let c, let s): return c + s
        case .extendedError(let code, let text): return [UInt8(code >> 8), UInt8(truncatingIfNeeded: code)] + text
        case .padding(let d): return d
        case .unknown(_, let d): return d
        }
    }

    /// One line as dig prints it in the OPT pseudosection.
    public var presentation: String {
        switch self {
        case .clientSubnet(let s): return "CLIENT-SUBNET: \(s.addressText)/\(s.sourcePrefixLength)/\(s.scopePrefixLength)"
        case .cookie(let c, let s): return "COOKIE: \(TextEncodings.hex(c))\(TextEncodings.hex(s))"
        case .extendedError(let code, let text):
            return text.isEmpty ? "EDE: \(code)" : "EDE: \(code): (\(String(decoding: text, as: UTF8.self)))"
        case .padding(let d): return "PADDING: (\(d.count) bytes)"
        case .unknown(let c, let d): return "OPT=\(c): \(TextEncodings.hex(d))"
        }
    }
}
