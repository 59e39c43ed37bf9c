/// Typed RDATA for the types dnsight understands; every other type is kept byte-for-byte (RFC 3597).
public enum RData: Hashable, Sendable {
    case a(IPv4Address)
    case aaaa(IPv6Address)
    case ns(NameRecord)
    case cname(NameRecord)
    case dname(NameRecord)
    case ptr(NameRecord)
    case mx(MXRecord)
    case txt(TXTRecord)
    case soa(SOARecord)
    case srv(SRVRecord)
    case naptr(NAPTRRecord)
    case caa(CAARecord)
    case svcb(SVCBRecord)
    case https(SVCBRecord)
    case ds(DSRecord)
    case dnskey(DNSKEYRecord)
    case rrsig(RRSIGRecord)
    case nsec(NSECRecord)
    case nsec3(NSEC3Record)
    case tlsa(TLSARecord)
    /// NULL (type 10): anything up to 65535 bytes.
    case null([UInt8])
    /// Any other type, kept exactly as it was on the wire.
    case unknown(type: RecordType, data: [UInt8])

    /// Decodes `length` bytes of RDATA of `type` at the reader's offset and moves the reader past them.
    /// Names inside may be compressed against anything earlier in the message.
    public static func decode(type: RecordType, from reader: inout WireReader, length: Int) throws(DNSWireError) -> RData {
        let start = reader.offset
        guard length <= reader.remaining else { throw DNSWireError(.truncated(needed: length - reader.remaining), at: start) }
        let end = start + length
        // The sub-reader ends where the RDATA ends, but starts at the message's start so pointers can reach back.
        var r = WireReader(UnsafeRawBufferPointer(rebasing: reader.bytes[0..<end]), offset: start)
        let value: RData
        switch type.rawValue {
        case 1: value = .a(try IPv4Address(from: &r))
        case 28: value = .aaaa(try IPv6Address(from: &r))
        case 2: value = .ns(try NameRecord(from: &r))
        case 5: value = .cname(try NameRecord(from: &r))
        case 39: value = .dname(try NameRecord(from: &r))
        case 12: value = .ptr(try NameRecord(from: &r))
        case 15: value = .mx(try MXRecord(from: &r))
        case 16: value = .txt(try TXTRecord(from: &r))
        case 6: value = .soa(try SOARecord(from: &r))
        case 33: value = .srv(try SRVRecord(from: &r))
        case 35: value = .naptr(try NAPTRRecord(from: &r))
        case 257: value = .caa(try CAARecord(from: &r))
        case 64: value = .svcb(try SVCBRecord(from: &r))
        case 65: value = .https(try SVCBRecord(from: &r))
        case 43: value = .ds(try DSRecord(from: &r))
        case 48: value = .dnskey(try DNSKEYRecord(from: &r))
        case 46: value = .rrsig(try RRSIGRecord(from: &r))
        case 47: value = .nsec(try NSECRecord(from: &r))
        case 50: value = .nsec3(try NSEC3Record(from: &r))
        case 52: value = .tlsa(try TLSARecord(from: &r))
        case 10: value = .null(try r.readBytes(length))
        default: value = .unknown(type: type, data: try r.readBytes(length))
        }
        if r.offset != end {
            throw DNSWireError(.rdataLength(type: type.rawValue, declared: length, consumed: r.offset - start), at: start)
        }
        reader.offset = end
        return value
    }

    /// The record type this RDATA belongs to.
    public var type: RecordType {
        switch self {
        case .a: return .a
        case .aaaa: return .aaaa
        case .ns: return .ns
        case .cname: return .cname
        case .dname: return .dname
        case .ptr: return .ptr
        case .mx: return .mx
        case .txt: return .txt
        case .soa: return .soa
        case .srv: return .srv
        case .naptr: return .naptr
        case .caa: return .caa
        case .svcb: return .svcb
        case .https: return .https
        case .ds: return .ds
        case .dnskey: return .dnskey
        case .rrsig: return .rrsig
        case .nsec: return .nsec
        case .nsec3: return .nsec3
        case .tlsa: return .tlsa
        case .null: return .null
        case .unknown(let t, _): return t
        }
    }

    /// Appends the RDATA. Compression is applied only inside the RFC 1035 types that allow it
    /// (NS, CNAME, PTR, MX, SOA), as RFC 3597 §4 requires.
    public func encode(to w: inout WireWriter) throws(DNSWireError) {
        switch self {
        case .a(let v): v.encode(to: &w, compress: false)
        case .aaaa(let v): v.encode(to: &w, compress: false)
        case .ns(let v), .cname(let v), .ptr(let v): v.encode(to: &w, compress: true)
        case .dname(let v): v.encode(to: &w, compress: false)
        case .mx(let v): v.encode(to: &w, compress: true)
        case .txt(let v): try v.encode(to: &w, compress: false)
        case .soa(let v): v.encode(to: &w, compress: true)
        case .srv(let v): v.encode(to: &w, compress: false)
        case .naptr(let v): try v.encode(to: &w, compress: false)
        case .caa(let v): try v.encode(to: &w, compress: false)
        case .svcb(let v), .https(let v): try v.encode(to: &w, compress: false)
        case .ds(let v): v.encode(to: &w, compress: false)
        case .dnskey(let v): v.encode(to: &w, compress: false)
        case .rrsig(let v): v.encode(to: &w, compress: false)
        case .nsec(let v): v.encode(to: &w, compress: false)
        case .nsec3(let v): try v.encode(to: &w, compress: false)
        case .tlsa(let v): v.encode(to: &w, compress: false)
        case .null(let d): w.write(bytes: d)
        case .unknown(_, let d): w.write(bytes: d)
        }
    }

    /// The presentation (zone-file) form; RFC 3597 `\# len hex` for NULL and unknown types.
    public var presentation: String {
        switch self {
        case .a(let v): return v.presentation
        case .aaaa(let v): return v.presentation
        case .ns(let v), .cname(let v), .dname(let v), .ptr(let v): return v.presentation
        case .mx(let v): return v.presentation
        case .txt(let v): return v.presentation
        case .soa(let v): return v.presentation
        case .srv(let v): return v.presentation
        case .naptr(let v): return v.presentation
        case .caa(let v): return v.presentation
        case .svcb(let v), .https(let v): return v.presentation
        case .ds(let v): return v.presentation
        case .dnskey(let v): return v.presentation
        case .rrsig(let v): return v.presentation
        case .nsec(let v): return v.presentation
        case .nsec3(let v): return v.presentation
        case .tlsa(let v): return v.presentation
        case .null(let d): return TextEncodings.generic(d)
        case .unknown(_, let d): return TextEncodings.generic(d)
        }
    }

    /// The name this RDATA points to, for the types that carry one that resolution follows
    /// (CNAME, DNAME, NS, PTR, MX, SRV, SVCB/HTTPS targets).
    public var targetName: DNSName? {
        switch self {
        case .ns(let v), .cname(let v), .dname(let v), .ptr(let v): return v.target
        case .mx(let v): return v.exchange
        case .srv(let v): return v.target
        case .svcb(let v), .https(let v): return v.target
        default: return nil
        }
    }
}

/// A resource record: owner name, class, TTL and typed RDATA.
public struct DNSRecord: Hashable, Sendable, CustomStringConvertible {
    /// The owner name.
    public var name: DNSName
    /// The class.
    public var recordClass: RecordClass
    /// Time to live, in seconds.
    public var ttl: UInt32
    /// The typed RDATA; its ``RData/type`` is the record's type.
    public var rdata: RData

    /// Creates a record.
    public init(name: DNSName, recordClass: RecordClass = .internet, ttl: UInt32, rdata: RData) {
        self.name = name
        self.recordClass = recordClass
        self.ttl = ttl
        self.rdata = rdata
    }

    /// The record type.
    public var type: RecordType { rdata.type }

    /// The zone-file line: `name TTL CLASS TYPE RDATA`, tab-separated as dig prints it.
    public var presentation: String {
        "\(name.presentation)\t\(ttl)\t\(recordClass)\t\(type)\t\(rdata.presentation)"
    }

    public var description: String { presentation }
}
