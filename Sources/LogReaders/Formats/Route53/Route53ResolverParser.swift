import DNSWire
import DNSightCore

/// AWS Route 53 Resolver query logs (version 1.x JSON, one object per line as delivered to S3, CloudWatch Logs or
/// Firehose): `query_timestamp`, `query_name`, `query_type`, `query_class`, `rcode`, `answers[]`
/// (`Rdata`/`Type`/`Class`), `srcaddr`, `srcport` (a string), `transport`, `srcids.instance` (→ device id) and the
/// DNS Firewall's `firewall_rule_action` (→ source action). Each record is one whole transaction.
public struct Route53ResolverParser: LineEventParser {
    public static let formatName = "Route 53 Resolver query log"

    /// Creates a parser.
    public init() {}

    public mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome {
        let b = line.bytes.trimmed
        if b.isEmpty { return .skip(reason: nil) }
        var time: Int64? = nil
        var name: DNSName? = nil
        var qtype: RecordType? = nil
        var qclass: RecordClass = .internet
        var rcode: ResponseCode? = nil
        var answersValue: JSONValue? = nil
        var client: IPAddress? = nil
        var port: UInt16? = nil
        var transport: DNSTransport = .unknown
        var device: String? = nil
        var action: String? = nil
        try JSONScan.object(b) { (k, v) throws(LineError) in
            let key = k.raw
            if FieldParse.equals(key, "query_timestamp") {
                guard v.kind == .string, let t = TimeParse.iso8601(v.raw) else { throw LineError("bad query_timestamp") }
                time = t
            } else if FieldParse.equals(key, "query_name") {
                guard v.kind == .string, let n = v.withText({ FieldParse.name($0) }) else { throw LineError("bad query_name") }
                name = n
            } else if FieldParse.equals(key, "query_type") {
                guard let t = v.withText({ FieldParse.recordType($0) }) else { throw LineError("bad query_type") }
                qtype = t
            } else if FieldParse.equals(key, "query_class") {
                guard let c = v.withText({ FieldParse.recordClass($0) }) else { throw LineError("bad query_class") }
                qclass = c
            } else if FieldParse.equals(key, "rcode") {
                guard let rc = v.withText({ FieldParse.responseCode($0) }) else { throw LineError("bad rcode") }
                rcode = rc
            } else if FieldParse.equals(key, "answers") {
                guard v.kind == .array else { throw LineError("bad answers (expected an array)") }
                answersValue = v
            } else if FieldParse.equals(key, "srcaddr") {
                guard v.kind == .string, let ip = FieldParse.ipAddress(v.raw) else { throw LineError("bad srcaddr") }
                client = ip
            } else if FieldParse.equals(key, "srcport") {
                guard let p = v.withText({ FieldParse.port($0) }) else { throw LineError("bad srcport") }
                port = p
            } else if FieldParse.equals(key, "transport") {
                transport = Self.transport(v.raw)
            } else if FieldParse.equals(key, "srcids") {
                guard v.kind == .object else { throw LineError("bad srcids") }
                try JSONScan.object(v.raw) { (k2, v2) throws(LineError) in
                    if FieldParse.equals(k2.raw, "instance"), v2.kind == .string { device = v2.string }
                }
            } else if FieldParse.equals(key, "firewall_rule_action") {
                if v.kind == .string { action = v.string }
            }
        }
        guard let time else { throw LineError("missing query_timestamp") }
        guard let name else { throw LineError("missing query_name") }
        guard let qtype else { throw LineError("missing query_type") }
        var answers = [DNSAnswer]()
        if let av = answersValue {
            try JSONScan.array(av.raw) { (o) throws(LineError) in
                if let a = try JSONAnswerKeys.route53.answer(o, owner: name, queryType: qtype) { answers.append(a) }
            }
        }
        return .event(DNSEvent(timeNanos: time, clientAddress: client, clientPort: port, transport: transport, queryName: name, queryType: qtype,
                               queryClass: qclass, flags: rcode.map { 0x8000 | ($0.rawValue & 0xF) }, rcode: rcode, answers: answers,
                               sourceAction: action, deviceID: device,
                               position: SourcePosition(file: file, line: line.number, byteOffset: line.byteOffset)))
    }

    static func transport(_ b: UnsafeRawBufferPointer) -> DNSTransport {
        if FieldParse.equalsIgnoringCase(b, "UDP") { return .udp }
        if FieldParse.equalsIgnoringCase(b, "TCP") { return .tcp }
        if FieldParse.equalsIgnoringCase(b, "DoH") || FieldParse.equalsIgnoringCase(b, "https") { return .doh }
        if FieldParse.equalsIgnoringCase(b, "DoT") || FieldParse.equalsIgnoringCase(b, "tls") { return .dot }
        if FieldParse.equalsIgnoringCase(b, "DoQ") || FieldParse.equalsIgnoringCase(b, "quic") { return .doq }
        return .unknown
    }
}
