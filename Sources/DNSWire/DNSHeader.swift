/// The fixed 12-byte message header (RFC 1035 §4.1.1), with the flags split out.
public struct DNSHeader: Hashable, Sendable {
    /// The transaction id.
    public var id: UInt16
    /// The raw flags word (QR, OPCODE, AA, TC, RD, RA, Z, AD, CD, RCODE).
    public var flags: UInt16

    /// Creates a header from an id and a raw flags word.
    public init(id: UInt16 = 0, flags: UInt16 = 0) {
        self.id = id
        self.flags = flags
    }

    @inline(__always) private func bit(_ n: Int) -> Bool { flags & (1 << n) != 0 }
    @inline(__always) private mutating func set(_ n: Int, _ v: Bool) {
        if v { flags |= 1 << n } else { flags &= ~(1 << n) }
    }

    /// QR: this message is a response.
    public var isResponse: Bool { get { bit(15) } set { set(15, newValue) } }
    /// The kind of query.
    public var opcode: Opcode {
        get { Opcode(rawValue: UInt8((flags >> 11) & 0x0F)) }
        set { flags = (flags & ~0x7800) | UInt16(newValue.rawValue) << 11 }
    }
    /// AA: authoritative answer.
    public var authoritative: Bool { get { bit(10) } set { set(10, newValue) } }
    /// TC: truncated.
    public var truncated: Bool { get { bit(9) } set { set(9, newValue) } }
    /// RD: recursion desired.
    public var recursionDesired: Bool { get { bit(8) } set { set(8, newValue) } }
    /// RA: recursion available.
    public var recursionAvailable: Bool { get { bit(7) } set { set(7, newValue) } }
    /// Z: the reserved bit, kept as read.
    public var zero: Bool { get { bit(6) } set { set(6, newValue) } }
    /// AD: authentic data (RFC 4035).
    public var authenticData: Bool { get { bit(5) } set { set(5, newValue) } }
    /// CD: checking disabled (RFC 4035).
    public var checkingDisabled: Bool { get { bit(4) } set { set(4, newValue) } }
    /// The low 4 bits of the response code; see ``DNSMessage/rcode`` for the full code with EDNS0.
    public var rcodeLow: UInt8 {
        get { UInt8(flags & 0x0F) }
        set { flags = (flags & ~0x0F) | UInt16(newValue & 0x0F) }
    }

    /// The set flags as dig prints them (`qr aa tc rd ra z ad cd`).
    public var flagNames: [String] {
        var out = [String]()
        if isResponse { out.append("qr") }
        if authoritative { out.append("aa") }
        if truncated { out.append("tc") }
        if recursionDesired { out.append("rd") }
        if recursionAvailable { out.append("ra") }
        if zero { out.append("z") }
        if authenticData { out.append("ad") }
        if checkingDisabled { out.append("cd") }
        return out
    }
}

/// One entry of the question section.
public struct DNSQuestion: Hashable, Sendable, CustomStringConvertible {
    /// The name asked about.
    public var name: DNSName
    /// The type asked for.
    public var type: RecordType
    /// The class asked for (also carries the QU bit in mDNS; kept as read).
    public var recordClass: RecordClass

    /// Creates a question.
    public init(name: DNSName, type: RecordType, recordClass: RecordClass = .internet) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
    }

    /// `name. IN TYPE`, as in dig's question section.
    public var description: String { "\(name.presentation)\t\(recordClass)\t\(type)" }
}
