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
        let m: DNSMessage
        do { m = try DNSMessage(decoding: bytes) } catch { return .failure(error) }
        guard let q = m.questions.first else { return .failure(DNSWireError(.invalidField("no question"), at: 4)) }
        var e = DNSEvent(timeNanos: timeNanos, clientAddress: client, clientPort: clientPort, serverAddress: server, serverPort: serverPort,
                         transport: transport, queryName: q.name, queryType: q.type, queryClass: q.recordClass, id: m.header.id,
                         flags: m.header.flags, position: position)
        if m.header.isResponse {
            e.rcode = m.rcode
            e.answers = m.answers.map(DNSAnswer.init)
        }
        return .success((e, m.header.isResponse))
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
