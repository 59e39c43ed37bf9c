import DNSWire
import DNSightCore

/// Builds ``DNSEvent``s from wire-format DNS messages (pcap payloads, dnstap messages, the resolver).
public enum WireEvent {
    /// Decodes `bytes` and returns an event for its first question, or the decoding error's reason.
    ///
    /// A response fills rcode, flags and answers; a query leaves them empty. Messages without a question are
    /// rejected (there is nothing to classify).
    public static func event(from bytes: [UInt8], timeNanos: Int64, client: IPAddress?, clientPort: UInt16?, server: IPAddress?, serverPort: UInt16?,
                             transport: DNSTransport, position: SourcePosition) -> Result<(DNSEvent, isResponse: Bool), DNSWireError> {
        bytes.withUnsafeBytes { b in
            event(from: b, timeNanos: timeNanos, client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                  transport: transport, position: position)
        }
    }

    /// As ``event(from:timeNanos:client:clientPort:server:serverPort:transport:position:)-([UInt8],…)``, over bytes in
    /// place (a dnstap frame's message field), without copying them first.
    public static func event(from bytes: UnsafeRawBufferPointer, timeNanos: Int64, client: IPAddress?, clientPort: UInt16?, server: IPAddress?, serverPort: UInt16?,
                             transport: DNSTransport, position: SourcePosition) -> Result<(DNSEvent, isResponse: Bool), DNSWireError> {
        do {
            let e = try decode(bytes, timeNanos: timeNanos, client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                               transport: transport, position: position)
            return .success((e, e.rcode != nil))
        } catch { return .failure(error) }
    }

    /// Decodes a message in place into an event for its first question; the event of a response (QR set) has an
    /// rcode, a query's none. Throws the decoding error (see ``reason(_:)``), or an invalid field for a message
    /// without a question. `sourceAction` goes into the event as it is.
    public static func decode(_ bytes: UnsafeRawBufferPointer, timeNanos: Int64, client: IPAddress?, clientPort: UInt16?, server: IPAddress?,
                              serverPort: UInt16?, transport: DNSTransport, position: SourcePosition,
                              sourceAction: String? = nil) throws(DNSWireError) -> DNSEvent {
        // Only the parts the event keeps are built (the whole message is still checked): a full DNSMessage decode
        // and its copies were a fifth of a pcap or dnstap profile.
        var parts = EventParts(keepsAnswers: bytes.count >= 3 && bytes[2] & 0x80 != 0)
        let (header, edns) = try DNSMessage.walk(bytes, allowTrailingBytes: false, into: &parts)
        guard let q = parts.question else { throw DNSWireError(.invalidField("no question"), at: 4) }
        let rcode = header.isResponse ? DNSMessage.rcode(header, edns) : nil
        return DNSEvent(timeNanos: timeNanos, clientAddress: client, clientPort: clientPort, serverAddress: server, serverPort: serverPort,
                        transport: transport, queryName: q.name, queryType: q.type, queryClass: q.recordClass, id: header.id,
                        flags: header.flags, rcode: rcode, answers: parts.answers, sourceAction: sourceAction, position: position)
    }

    /// What an event keeps of a message: the first question, and a response's answers (QR set in the header).
    struct EventParts: DNSMessageSink {
        let keepsAnswers: Bool
        var question: DNSQuestion?
        var answers: [DNSAnswer] = []
        var firstQuestionName: DNSName? { question?.name }

        mutating func question(_ r: inout WireReader, index: Int, count: Int) throws(DNSWireError) {
            guard index == 0 else {
                // Checked like the first, not kept.
                try r.skipName()
                _ = try r.readUInt16()
                _ = try r.readUInt16()
                return
            }
            let name = try r.readName()
            let t = try r.readUInt16(), c = try r.readUInt16()
            question = DNSQuestion(name: name, type: RecordType(t), recordClass: RecordClass(c))
        }

        mutating func begin(section: Int, count: Int) {
            if section == 1 && keepsAnswers { answers.reserveCapacity(count) }
        }

        mutating func record(_ rr: DNSRecord, section: Int) {
            if section == 1 && keepsAnswers { answers.append(DNSAnswer(rr)) }
        }
    }

    /// A counter key for a decoding error: its kind without offsets or values, so that errors group.
    public static func reason(_ e: DNSWireError) -> String {
        switch e.kind {
        case .truncated: return "DNS message truncated"
        case .badLabel: return "DNS bad label"
        case .nameTooLong: return "DNS name too long"
        case .badPointer: return "DNS bad compression pointer"
        case .countTooLarge: return "DNS section count too large"
        case .rdataLength: return "DNS RDATA length mismatch"
        case .invalidField(let s): return s == "no question" ? "DNS message without a question" : "DNS invalid field"
        case .trailingBytes: return "DNS trailing bytes"
        case .badOPT: return "DNS bad OPT record"
        case .tooLarge: return "DNS message too large"
        case .badText: return "DNS bad text"
        }
    }
}
