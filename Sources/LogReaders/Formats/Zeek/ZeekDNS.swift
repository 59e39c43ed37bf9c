import DNSWire
import DNSightCore

/// The `dns.log` fields dnsight reads, shared by the TSV and JSON forms.
enum ZeekField: Int, CaseIterable {
    case ts, origH, origP, respH, respP, proto, transID, rtt, query, qclass, qclassName, qtype, qtypeName, rcode, rcodeName
    case aa, tc, rd, ra, z, answers, ttls, rejected, opcode, opcodeName

    var name: String {
        switch self {
        case .ts: return "ts"
        case .origH: return "id.orig_h"
        case .origP: return "id.orig_p"
        case .respH: return "id.resp_h"
        case .respP: return "id.resp_p"
        case .proto: return "proto"
        case .transID: return "trans_id"
        case .rtt: return "rtt"
        case .query: return "query"
        case .qclass: return "qclass"
        case .qclassName: return "qclass_name"
        case .qtype: return "qtype"
        case .qtypeName: return "qtype_name"
        case .rcode: return "rcode"
        case .rcodeName: return "rcode_name"
        case .aa: return "AA"
        case .tc: return "TC"
        case .rd: return "RD"
        case .ra: return "RA"
        case .z: return "Z"
        case .answers: return "answers"
        case .ttls: return "TTLs"
        case .rejected: return "rejected"
        case .opcode: return "opcode"
        case .opcodeName: return "opcode_name"
        }
    }

    static let table = KeyTable(allCases.map(\.name))

    /// The columns of Zeek's default `dns.log` (Zeek 5–8), assumed when a file has no `#fields` header.
    static let defaultColumns = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id", "rtt", "query",
                                 "qclass", "qclass_name", "qtype", "qtype_name", "rcode", "rcode_name", "AA", "TC", "RD", "RA", "Z",
                                 "answers", "TTLs", "rejected"]
}

/// The values of one `dns.log` record, filled field by field by either form, then turned into a ``DNSEvent``.
struct ZeekRecord {
    var time: Int64?
    var client: IPAddress?
    var clientPort: UInt16?
    var server: IPAddress?
    var serverPort: UInt16?
    var transport: DNSTransport = .unknown
    var id: UInt16?
    var rttMicros: Int64?
    var name: DNSName?
    var qclass: RecordClass?
    var qtype: RecordType?
    var rcode: ResponseCode?
    var flagBits: UInt16 = 0
    var sawFlag = false
    var z: UInt16 = 0
    var opcode: UInt8?
    var rejected = false
    var answers: [DNSAnswer] = []

    mutating func setFlag(_ f: ZeekField, _ on: Bool) {
        sawFlag = true
        guard on else { return }
        switch f {
        case .aa: flagBits |= 0x0400
        case .tc: flagBits |= 0x0200
        case .rd: flagBits |= 0x0100
        case .ra: flagBits |= 0x0080
        default: break
        }
    }

    static func transport(_ b: UnsafeRawBufferPointer) -> DNSTransport {
        if FieldParse.equalsIgnoringCase(b, "udp") { return .udp }
        if FieldParse.equalsIgnoringCase(b, "tcp") { return .tcp }
        return .unknown
    }

    /// The event, or the reason the record cannot be one. The record is spent: its name and answers move into the
    /// event instead of being copied (a retain and a release each, per event).
    mutating func event(position: SourcePosition) throws(LineError) -> LineOutcome {
        guard let time else { throw LineError("missing ts") }
        guard let name = name.take() else { return .skip(reason: "record without a query name") }
        guard let qtype else { throw LineError("missing qtype") }
        var flags: UInt16? = nil
        if sawFlag || rcode != nil || opcode != nil {
            var f = flagBits | (z & 0x7) << 4
            if rcode != nil { f |= 0x8000 | (rcode!.rawValue & 0xF) }
            if let opcode { f |= UInt16(opcode & 0xF) << 11 }
            flags = f
        }
        var answers: [DNSAnswer] = []
        swap(&answers, &self.answers)
        return .event(DNSEvent(timeNanos: time, clientAddress: client, clientPort: clientPort, serverAddress: server, serverPort: serverPort,
                               transport: transport, queryName: name, queryType: qtype, queryClass: qclass ?? .internet,
                               id: id, flags: flags, rcode: rcode, answers: answers, responseTimeMicros: rttMicros,
                               sourceAction: rejected ? "rejected" : nil, position: position))
    }
}
