import DNSWire
import DNSightCore

/// Zeek's `dns.log` written as JSON (`LogAscii::use_json=T`): one object per line with the same field names as the
/// TSV form; `ts` is epoch seconds or ISO 8601 text (`JSON::TS_ISO8601`), absent fields are simply missing.
public struct ZeekJSONParser: LineEventParser {
    public static let formatName = "Zeek dns.log JSON"

    /// Creates a parser.
    public init() {}

    public mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome {
        let b = line.bytes.trimmed
        if b.isEmpty { return .skip(reason: nil) }
        var r = ZeekRecord()
        var answersValue: JSONValue? = nil
        var ttlsValue: JSONValue? = nil
        try JSONScan.object(b) { (key, v) throws(LineError) in
            guard !key.hasEscapes, let i = ZeekField.table.index(of: key.raw), let role = ZeekField(rawValue: i), !v.isNull else { return }
            switch role {
            case .ts:
                if v.kind == .number, let t = FieldParse.scaledDecimal(v.raw, scale: 9) { r.time = t }
                else if v.kind == .string, let t = TimeParse.iso8601(v.raw) { r.time = t }
                else { throw LineError("bad ts") }
            case .origH, .respH:
                guard v.kind == .string, let a = FieldParse.ipAddress(v.raw) else { throw LineError("bad \(role.name)") }
                if role == .origH { r.client = a } else { r.server = a }
            case .origP, .respP:
                guard v.kind == .number, let p = FieldParse.port(v.raw) else { throw LineError("bad \(role.name)") }
                if role == .origP { r.clientPort = p } else { r.serverPort = p }
            case .proto:
                guard v.kind == .string else { throw LineError("bad proto") }
                r.transport = ZeekRecord.transport(v.raw)
            case .transID:
                guard v.kind == .number, let x = FieldParse.unsigned(v.raw, max: 65535) else { throw LineError("bad trans_id") }
                r.id = UInt16(x)
            case .rtt:
                guard v.kind == .number, let x = FieldParse.scaledDecimal(v.raw, scale: 6) else { throw LineError("bad rtt") }
                r.rttMicros = x
            case .query:
                guard v.kind == .string, let nm = v.withText({ FieldParse.name($0) }) else { throw LineError("bad query name") }
                r.name = nm
            case .qclass:
                guard v.kind == .number, let x = FieldParse.unsigned(v.raw, max: 65535) else { throw LineError("bad qclass") }
                r.qclass = RecordClass(UInt16(x))
            case .qclassName:
                if r.qclass == nil, v.kind == .string { r.qclass = FieldParse.recordClass(v.raw) }
            case .qtype:
                guard v.kind == .number, let x = FieldParse.unsigned(v.raw, max: 65535) else { throw LineError("bad qtype") }
                r.qtype = RecordType(UInt16(x))
            case .qtypeName:
                if r.qtype == nil, v.kind == .string { r.qtype = FieldParse.recordType(v.raw) }
            case .rcode:
                guard v.kind == .number, let x = FieldParse.unsigned(v.raw, max: 4095) else { throw LineError("bad rcode") }
                r.rcode = ResponseCode(UInt16(x))
            case .rcodeName:
                if r.rcode == nil, v.kind == .string { r.rcode = FieldParse.responseCode(v.raw) }
            case .aa, .tc, .rd, .ra, .rejected:
                guard let on = v.bool else { throw LineError("bad \(role.name) (expected true or false)") }
                if role == .rejected { r.rejected = on } else { r.setFlag(role, on) }
            case .z:
                guard v.kind == .number, let x = FieldParse.unsigned(v.raw, max: 7) else { throw LineError("bad Z") }
                r.z = UInt16(x)
            case .opcode:
                guard v.kind == .number, let x = FieldParse.unsigned(v.raw, max: 15) else { throw LineError("bad opcode") }
                r.opcode = UInt8(x)
            case .opcodeName:
                break
            case .answers:
                guard v.kind == .array else { throw LineError("bad answers (expected an array)") }
                answersValue = v
            case .ttls:
                guard v.kind == .array else { throw LineError("bad TTLs (expected an array)") }
                ttlsValue = v
            }
        }
        if let av = answersValue, let owner = r.name {
            var ttls = [UInt32?]()
            if let tv = ttlsValue {
                try JSONScan.array(tv.raw) { (t) throws(LineError) in
                    guard t.kind == .number, let x = FieldParse.scaledDecimal(t.raw, scale: 0), x >= 0, x <= Int64(UInt32.max) else { throw LineError("bad TTLs") }
                    ttls.append(UInt32(x))
                }
            }
            let qtype = r.qtype ?? .a
            var answers = [DNSAnswer]()
            try JSONScan.array(av.raw) { (a) throws(LineError) in
                guard a.kind == .string else { throw LineError("bad answers (expected strings)") }
                let ttl = answers.count < ttls.count ? ttls[answers.count] : nil
                answers.append(a.withText { AnswerText.untyped(owner: owner, queryType: qtype, ttl: ttl, rdata: $0) }!)
            }
            r.answers = answers
        }
        return try r.event(position: SourcePosition(file: file, line: line.number, byteOffset: line.byteOffset))
    }
}
