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
        get { DNSMessage.rcode(header, edns) }
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

    /// The full response code of a header and its EDNS0 OPT record.
    public static func rcode(_ header: DNSHeader, _ edns: EDNS?) -> ResponseCode {
        ResponseCode(UInt16(edns?.extendedRCode ?? 0) << 4 | UInt16(header.rcodeLow))
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
        var sink = WholeMessage()
        let (header, edns) = try DNSMessage.walk(buf, allowTrailingBytes: allowTrailingBytes, into: &sink)
        self.init(header: header, questions: sink.questions, answers: sink.sections[0], authority: sink.sections[1], additional: sink.sections[2], edns: edns)
    }

    /// Keeps every part: the sink of ``init(decoding:allowTrailingBytes:)``.
    struct WholeMessage: DNSMessageSink {
        var questions = [DNSQuestion]()
        var sections: [[DNSRecord]] = [[], [], []]
        var firstQuestionName: DNSName? { questions.first?.name }
        mutating func question(_ r: inout WireReader, index: Int, count: Int) throws(DNSWireError) {
            if index == 0 { questions.reserveCapacity(count) }
            let name = try r.readName()
            let t = try r.readUInt16(), c = try r.readUInt16()
            questions.append(DNSQuestion(name: name, type: RecordType(t), recordClass: RecordClass(c)))
        }
        mutating func begin(section: Int, count: Int) {
            // A lone additional record is usually the OPT record, which goes to `edns`: reserving for it would
            // allocate an array that stays empty.
            if section != 3 || count > 1 { sections[section - 1].reserveCapacity(count) }
        }
        mutating func record(_ rr: DNSRecord, section: Int) { sections[section - 1].append(rr) }
    }

    /// Reads and checks every part of a message, handing questions and records to `sink`: the one decoder, whatever
    /// the caller keeps, so that every caller accepts and rejects exactly the same messages with the same errors as
    /// ``init(decoding:allowTrailingBytes:)``. Returns the header and the EDNS0 OPT record.
    public static func walk<S: DNSMessageSink>(_ buf: UnsafeRawBufferPointer, allowTrailingBytes: Bool, into sink: inout S) throws(DNSWireError) -> (DNSHeader, EDNS?) {
        var r = WireReader(buf)
        let id = try r.readUInt16()
        let flags = try r.readUInt16()
        let header = DNSHeader(id: id, flags: flags)
        let countsAt = r.offset
        let qd = Int(try r.readUInt16()), an = Int(try r.readUInt16())
        let ns = Int(try r.readUInt16()), ar = Int(try r.readUInt16())
        // A question is at least 5 bytes and a record at least 11: reject counts the bytes left cannot hold before
        // reserving any memory for them.
        if qd * 5 + (an + ns + ar) * 11 > r.remaining {
            let section = qd * 5 > r.remaining ? "question" : "record"
            throw DNSWireError(.countTooLarge(section: section, count: qd * 5 > r.remaining ? qd : an + ns + ar), at: countsAt)
        }
        for i in 0..<qd { try sink.question(&r, index: i, count: qd) }
        var edns: EDNS? = nil
        let update = Opcode(rawValue: UInt8(flags >> 11)) == .update
        try readSection(&r, count: an, section: 1, update: update, edns: &edns, into: &sink)
        try readSection(&r, count: ns, section: 2, update: update, edns: &edns, into: &sink)
        try readSection(&r, count: ar, section: 3, update: update, edns: &edns, into: &sink)
        if r.remaining > 0 && !allowTrailingBytes {
            throw DNSWireError(.trailingBytes(count: r.remaining), at: r.offset)
        }
        return (header, edns)
    }

    private static func readSection<S: DNSMessageSink>(_ r: inout WireReader, count: Int, section: Int, update: Bool, edns: inout EDNS?, into sink: inout S) throws(DNSWireError) {
        if count == 0 { return }
        sink.begin(section: section, count: count)
        for _ in 0..<count {
            let at = r.offset
            let name: DNSName
            if r.remaining >= 2 && r.bytes[at] == 0xC0 && r.bytes[at + 1] == 12, let q = sink.firstQuestionName {
                // A pointer to offset 12, where the first question's name starts, as nearly every answer's owner is:
                // it would be read as that name, which was checked and read already, so share it instead of copying
                // it again. (A pointer to 12 is always valid here: the question ends before any record starts.)
                r.offset += 2
                name = q
            } else {
                name = try r.readName()
            }
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
                sink.record(DNSRecord(name: name, recordClass: RecordClass(c), ttl: ttl, rdata: .unknown(type: t, data: [])), section: section)
                continue
            }
            let rdata = try RData.decode(type: t, from: &r, length: len)
            sink.record(DNSRecord(name: name, recordClass: RecordClass(c), ttl: ttl, rdata: rdata), section: section)
        }
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

/// What ``DNSMessage/walk(_:allowTrailingBytes:into:)`` hands each part of a message to: a caller that needs only
/// some parts of a message (the question and answers of a transaction) keeps those and builds nothing else.
public protocol DNSMessageSink {
    /// Reads question `index` of `count` at the reader (name, type, class: all three must be read), keeping what
    /// it needs; ``WireReader/skipName()`` checks a name without copying it.
    mutating func question(_ r: inout WireReader, index: Int, count: Int) throws(DNSWireError)
    /// The name of the first question (the name at offset 12), once ``question(_:index:count:)`` has read it; nil
    /// if the sink does not keep it. Record owner names that point to it are then shared rather than read again.
    var firstQuestionName: DNSName? { get }
    /// A section (1 answer, 2 authority, 3 additional) of `count` records starts.
    mutating func begin(section: Int, count: Int)
    /// A record of the section begun last (never the OPT record, which the walk returns as EDNS0).
    mutating func record(_ rr: DNSRecord, section: Int)
}

extension DNSMessageSink {
    /// By default a sink keeps no question name, and every record owner name is read in full.
    public var firstQuestionName: DNSName? { nil }
}
