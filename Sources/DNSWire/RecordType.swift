/// A resource record type (RFC 1035 §3.2.2 and the IANA registry), printed by mnemonic or as `TYPEnnn` (RFC 3597).
public struct RecordType: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 16-bit type code.
    public var rawValue: UInt16
    /// Wraps a type code.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Wraps a type code.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = RecordType(1), ns = RecordType(2), cname = RecordType(5), soa = RecordType(6)
    public static let null = RecordType(10), ptr = RecordType(12), hinfo = RecordType(13), mx = RecordType(15)
    public static let txt = RecordType(16), aaaa = RecordType(28), srv = RecordType(33), naptr = RecordType(35)
    public static let dname = RecordType(39), opt = RecordType(41), ds = RecordType(43), rrsig = RecordType(46)
    public static let nsec = RecordType(47), dnskey = RecordType(48), nsec3 = RecordType(50)
    public static let nsec3param = RecordType(51), tlsa = RecordType(52), svcb = RecordType(64)
    public static let https = RecordType(65), tkey = RecordType(249), tsig = RecordType(250), ixfr = RecordType(251)
    public static let axfr = RecordType(252), any = RecordType(255), caa = RecordType(257)

    static let mnemonics: [UInt16: String] = [
        1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 10: "NULL", 12: "PTR", 13: "HINFO", 15: "MX", 16: "TXT", 17: "RP",
        28: "AAAA", 29: "LOC", 33: "SRV", 35: "NAPTR", 39: "DNAME", 41: "OPT", 43: "DS", 44: "SSHFP", 46: "RRSIG",
        47: "NSEC", 48: "DNSKEY", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 59: "CDS", 60: "CDNSKEY", 61: "OPENPGPKEY",
        64: "SVCB", 65: "HTTPS", 99: "SPF", 249: "TKEY", 250: "TSIG", 251: "IXFR", 252: "AXFR", 255: "ANY", 256: "URI",
        257: "CAA",
    ]
    static let byMnemonic: [String: UInt16] = Dictionary(uniqueKeysWithValues: mnemonics.map { ($0.value, $0.key) })

    /// Parses a mnemonic (`AAAA`, case-insensitive) or the generic `TYPEnnn` form.
    public init?(mnemonic: String) {
        let upper = mnemonic.uppercased()
        if let v = RecordType.byMnemonic[upper] { self.init(v); return }
        if upper.hasPrefix("TYPE"), let v = UInt16(upper.dropFirst(4)) { self.init(v); return }
        return nil
    }

    /// The mnemonic, or `TYPEnnn` for a type without one.
    public var description: String { RecordType.mnemonics[rawValue] ?? "TYPE\(rawValue)" }

    public static func < (a: RecordType, b: RecordType) -> Bool { a.rawValue < b.rawValue }
}

/// A record class; `IN` in practice, printed as `CLASSnnn` when unnamed (RFC 3597).
public struct RecordClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit class code.
    public var rawValue: UInt16
    /// Wraps a class code.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Wraps a class code.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let internet = RecordClass(1), chaos = RecordClass(3), hesiod = RecordClass(4)
    public static let none = RecordClass(254), any = RecordClass(255)

    /// Parses `IN`, `CH`, `HS`, `NONE`, `ANY` or `CLASSnnn`.
    public init?(mnemonic: String) {
        switch mnemonic.uppercased() {
        case "IN": self = .internet
        case "CH": self = .chaos
        case "HS": self = .hesiod
        case "NONE": self = .none
        case "ANY": self = .any
        case let s where s.hasPrefix("CLASS"):
            guard let v = UInt16(s.dropFirst(5)) else { return nil }
            self.init(v)
        default: return nil
        }
    }

    public var description: String {
        switch rawValue {
        case 1: return "IN"
        case 3: return "CH"
        case 4: return "HS"
        case 254: return "NONE"
        case 255: return "ANY"
        default: return "CLASS\(rawValue)"
        }
    }
}

/// A response code, including the extended codes that EDNS0 makes possible (12 bits).
public struct ResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 12-bit code: the header's 4 bits plus, with EDNS0, 8 more from the OPT record.
    public var rawValue: UInt16
    /// Wraps a code.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Wraps a code.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let noError = ResponseCode(0), formErr = ResponseCode(1), servFail = ResponseCode(2)
    public static let nxDomain = ResponseCode(3), notImp = ResponseCode(4), refused = ResponseCode(5)
    public static let yxDomain = ResponseCode(6), yxRRSet = ResponseCode(7), nxRRSet = ResponseCode(8)
    public static let notAuth = ResponseCode(9), notZone = ResponseCode(10), badVers = ResponseCode(16)

    static let names: [UInt16: String] = [
        0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED", 6: "YXDOMAIN",
        7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE", 16: "BADVERS", 17: "BADKEY", 18: "BADTIME",
        19: "BADMODE", 20: "BADNAME", 21: "BADALG", 22: "BADTRUNC", 23: "BADCOOKIE",
    ]

    /// Parses a name such as `NXDOMAIN` (case-insensitive) or `RCODEnnn`.
    public init?(mnemonic: String) {
        let upper = mnemonic.uppercased()
        if let v = ResponseCode.names.first(where: { $0.value == upper })?.key { self.init(v); return }
        if upper.hasPrefix("RCODE"), let v = UInt16(upper.dropFirst(5)), v < 4096 { self.init(v); return }
        return nil
    }

    public var description: String { ResponseCode.names[rawValue] ?? "RCODE\(rawValue)" }
}

/// The kind of query (header OPCODE).
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 4-bit code.
    public var rawValue: UInt8
    /// Wraps a code (only the low 4 bits are used on the wire).
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let query = Opcode(rawValue: 0), iquery = Opcode(rawValue: 1), status = Opcode(rawValue: 2)
    public static let notify = Opcode(rawValue: 4), update = Opcode(rawValue: 5)

    public var description: String {
        switch rawValue {
        case 0: return "QUERY"
        case 1: return "IQUERY"
        case 2: return "STATUS"
        case 4: return "NOTIFY"
        case 5: return "UPDATE"
        default: return "OPCODE\(rawValue)"
        }
    }
}
