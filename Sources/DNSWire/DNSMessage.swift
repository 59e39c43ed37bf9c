/// A whole DNS message (RFC 1035 §4): header, question, answer, authority and additional sections, and EDNS0.
///
/// The OPT pseudo-record is lifted out of the additional section into ``edns``; ``additional`` holds the real
/// records only.
public struct DNSMessage: Hashable, Sendable {
    /// The header: id and flags (the section counts are derived from the arrays).
    public var header: DNSHeader
    /// The question section.
    public var questions: [DNSQuestion]
    /// The answer section.
    public var answers: [DNSRecord]
    /// The authority section.
    public var authority: [DNSRecord]
    /// The additional section, without the OPT record.
    public var additional: [DNSRecord]
    /// EDNS0, when the message carries an OPT record.
    public var edns: EDNS?

    /// Creates a message.
    public init(header: DNSHeader = DNSHeader(), questions: [DNSQuestion] = [], answers: [DNSRecord] = [], authority: [DNSRecord] = [], additional: [DNSRecord] = [], edns: EDNS? = nil) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.additional = additional
        self.edns = edns
    }

    /// The full response code: the header's 4 bits plus EDNS0's upper 8.
    public var rcode: ResponseCode {
        get { ResponseCode(UInt16(edns?.extendedRCode ?? 0) << 4 | UInt16(header.rcodeLow)) }
        set {
            header.rcodeLow = UInt8(newValue.rawValue & 0x0F)
            if newValue.rawValue > 0x0F {
                if edns == nil { edns = EDNS() }
                edns!.extendedRCode = UInt8(truncatingIfNeeded: newValue.rawValue >> 4)
            } else if edns != nil {
                edns!.extendedRCode = 0
            }
        }
    }

    /// The first question, if any.
    public var question: DNSQuestion? { questions.first }

    /// Decodes a message.
    ///
    /// - Parameter allowTrailingBytes: accept bytes after the last announced record (they are ignored); by default
    ///   they are an error, as in dnspython and BIND.
    public init(decoding bytes: [UInt8], allowTrailingBytes: Bool = false) throws(DNSWireError) {
        self = try withWireBytes(bytes) { (buf) throws(DNSWireError) in
            try DNSMessage(decoding: buf, allowTrailingBytes: allowTrailingBytes)
        }
    }

    /// Decodes a message from raw bytes.
    public init(decoding buf: UnsafeRawBufferPointer, allowTrailingBytes: Bool = false) throws(DNSWireError) {
        var r = WireReader(buf)
        let id = try r.readUInt16()
        let flags = try r.readUInt16()
        header = DNSHeader(id: id, flags: flags)
        let countsAt = r.offset
        let qd = Int(try r.readUInt16()), an = Int(try r.readUInt16())
        let ns = Int(try r.readUInt16()), ar = Int(try r.readUInt16())
        // A question is at least 5 bytes and a record at least 11: reject counts the bytes left cannot hold before
        // reserving any memory for them.
        if qd * 5 + (an + ns + ar) * 11 > r.remaining {
            let section = qd * 5 > r.remaining ? "question" : "record"
            throw DNSWireError(.countTooLarge(section: section, count: qd * 5 > r.remaining ? qd : an + ns + ar), at: countsAt)
        }
        var qs = [DNSQuestion]()
        qs.reserveCapacity(qd)
        for _ in 0..<qd {
            let name = try r.readName()
            let t = try r.readUInt16(), c = try r.readUInt16()
            qs.append(DNSQuestion(name: name, type: RecordType(t), recordClass: RecordClass(c)))
        }
        questions = qs
        var edns: EDNS? = nil
        let update = Opcode(rawValue: UInt8(flags >> 11)) == .update
        answers = try DNSMessage.readSection(&r, count: an, section: 1, update: update, edns: &edns)
        authority = try DNSMessage.readSection(&r, count: ns, section: 2, update: update, edns: &edns)
        additional = try DNSMessage.readSection(&r, count: ar, section: 3, update: update, edns: &edns)
        self.edns = edns
        if r.remaining > 0 && !allowTrailingBytes {
            throw DNSWireError(.trailingBytes(count: r.remaining), at: r.offset)
        }
    }

    private static func readSection(_ r: inout WireReader, count: Int, section: Int, update: Bool, edns: inout EDNS?) throws(DNSWireError) -> [DNSRecord] {
        var out = [DNSRecord]()
        if count == 0 { return out }
        // A lone additional record is usually the OPT record, which goes to `edns`: reserving for it would allocate
        // an array that stays empty.
        if section != 3 || count > 1 { out.reserveCapacity(count) }
        for _ in 0..<count {
            let at = r.offset
            let name = try r.readName()
            let t = RecordType(try r.readUInt16())
            let c = try r.readUInt16()
            let ttl = try r.readUInt32()
            let len = Int(try r.readUInt16())
            if t == .opt {
                guard section == 3 else { throw DNSWireError(.badOPT("OPT record outside the additional section"), at: at) }
                guard edns == nil else { throw DNSWireError(.badOPT("more than one OPT record"), at: at) }
                guard name.isRoot else { throw DNSWireError(.badOPT("OPT owner name is not the root"), at: at) }
                guard len <= r.remaining else { throw DNSWireError(.truncated(needed: len - r.remaining), at: r.offset) }
                var sub = WireReader(UnsafeRawBufferPointer(rebasing: r.bytes[0..<(r.offset + len)]), offset: r.offset)
                edns = try EDNS(udpPayloadSize: c, ttl: ttl, rdata: &sub)
                r.offset += len
                continue
            }
            if update && len == 0 && (c == RecordClass.any.rawValue || c == RecordClass.none.rawValue) {
                // RFC 2136 §2.4 and §2.5: in an UPDATE, class ANY and NONE records (prerequisites, deletions) may
                // carry no RDATA whatever their type; they are kept as empty bytes.
                out.append(DNSRecord(name: name, recordClass: RecordClass(c), ttl: ttl, rdata: .unknown(type: t, data: [])))
                continue
            }
            let rdata = try RData.decode(type: t, from: &r, length: len)
            out.append(DNSRecord(name: name, recordClass: RecordClass(c), ttl: ttl, rdata: rdata))
        }
        return out
    }

    /// Encodes the message, compressing names unless `compress` is false. Fails only when a field or the whole
    /// message is too large for the wire (more than 65535 bytes).
    public func encode(compress: Bool = true) throws(DNSWireError) -> [UInt8] {
        var w = WireWriter(compression: compress)
        try encode(to: &w)
        return w.bytes
    }

    /// Appends the encoded message to a writer (which should be empty: offsets are message-relative).
    public func encode(to w: inout WireWriter) throws(DNSWireError) {
        let arCount = additional.count + (edns == nil ? 0 : 1)
        guard questions.count <= 0xFFFF, answers.count <= 0xFFFF, authority.count <= 0xFFFF, arCount <= 0xFFFF else {
            throw DNSWireError(.tooLarge("more than 65535 entries in a section"), at: 0)
        }
        w.write(header.id)
        w.write(header.flags)
        w.write(UInt16(questions.count)); w.write(UInt16(answers.count))
        w.write(UInt16(authority.count)); w.write(UInt16(arCount))
        for q in questions {
            w.write(name: q.name, compress: true)
            w.write(q.type.rawValue)
            w.write(q.recordClass.rawValue)
        }
        for rr in answers { try DNSMessage.write(rr, to: &w) }
        for rr in authority { try DNSMessage.write(rr, to: &w) }
        for rr in additional { try DNSMessage.write(rr, to: &w) }
        if let edns { try edns.encode(to: &w) }
        guard w.count <= 0xFFFF else { throw DNSWireError(.tooLarge("message of \(w.count) bytes (at most 65535)"), at: 0) }
    }

    static func write(_ rr: DNSRecord, to w: inout WireWriter) throws(DNSWireError) {
        w.write(name: rr.name, compress: true)
        w.write(rr.type.rawValue)
        w.write(rr.recordClass.rawValue)
        w.write(rr.ttl)
        let lengthAt = w.count
        w.write(UInt16(0))
        try rr.rdata.encode(to: &w)
        let length = w.count - lengthAt - 2
        guard length <= 0xFFFF else { throw DNSWireError(.tooLarge("RDATA of \(length) bytes"), at: lengthAt) }
        w.patch(UInt16(length), at: lengthAt)
    }
}
