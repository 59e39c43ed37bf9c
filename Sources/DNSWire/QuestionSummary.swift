/// The classifier's fast path: id, flags, rcode and the first question of a message, read without decoding
/// the rest and without allocating.
///
/// The name is not copied: ``nameOffset`` and ``nameLength`` locate its uncompressed wire form inside the
/// message. A question name that uses a compression pointer (no real encoder writes one) is rejected.
public struct QuestionSummary: Hashable, Sendable {
    /// The transaction id.
    public var id: UInt16
    /// The raw flags word.
    public var flags: UInt16
    /// The section counts from the header.
    public var questionCount: UInt16, answerCount: UInt16, authorityCount: UInt16, additionalCount: UInt16
    /// Where the first question's name starts in the message, and its wire length including the root label.
    public var nameOffset: Int, nameLength: Int
    /// The first question's type and class.
    public var type: RecordType, recordClass: RecordClass

    /// The header's 4-bit response code (the EDNS0 extension needs the OPT record, which this path skips).
    @inlinable public var rcodeLow: UInt8 { UInt8(flags & 0x0F) }
    /// QR: the message is a response.
    @inlinable public var isResponse: Bool { flags & 0x8000 != 0 }

    /// Reads the header and first question of `message`.
    @inlinable
    public init(message: UnsafeRawBufferPointer) throws(DNSWireError) {
        let n = message.count
        guard n >= 12 else { throw DNSWireError(.truncated(needed: 12 - n), at: 0) }
        @inline(__always) func u16(_ i: Int) -> UInt16 { UInt16(message[i]) << 8 | UInt16(message[i + 1]) }
        id = u16(0); flags = u16(2)
        questionCount = u16(4); answerCount = u16(6); authorityCount = u16(8); additionalCount = u16(10)
        guard questionCount > 0 else { throw DNSWireError(.invalidField("no question"), at: 4) }
        var p = 12
        while true {
            guard p < n else { throw DNSWireError(.truncated(needed: 1), at: p) }
            let len = Int(message[p])
            if len == 0 { p += 1; break }
            guard len <= 63 else {
                if len & 0xC0 == 0xC0 { throw DNSWireError(.badPointer(target: (len & 0x3F) << 8), at: p) }
                throw DNSWireError(.badLabel(length: UInt8(len)), at: p)
            }
            guard p + 1 + len <= n else { throw DNSWireError(.truncated(needed: p + 1 + len - n), at: p) }
            p += 1 + len
            guard p - 12 < 255 else { throw DNSWireError(.nameTooLong, at: 12) }
        }
        guard p <= n else { throw DNSWireError(.truncated(needed: p - n), at: n) }
        nameOffset = 12
        nameLength = p - 12
        guard p + 4 <= n else { throw DNSWireError(.truncated(needed: p + 4 - n), at: p) }
        type = RecordType(u16(p))
        recordClass = RecordClass(u16(p + 2))
    }

    /// Reads the header and first question of `message`.
    @inlinable
    public init(message: [UInt8]) throws(DNSWireError) {
        self = try withWireBytes(message) { (b) throws(DNSWireError) in try QuestionSummary(message: b) }
    }

    /// The question name's wire bytes inside `message` (the same bytes this summary was read from).
    @inlinable
    public func nameBytes(in message: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: message[nameOffset..<(nameOffset + nameLength)])
    }

    /// The question name as a ``DNSName`` (allocates).
    public func name(in message: [UInt8]) -> DNSName {
        DNSName(uncheckedWire: Array(message[nameOffset..<(nameOffset + nameLength)]))
    }
}
