import DNSWire
import DNSightCore

/// Cloudflare Zero Trust Gateway DNS logs (Logpush dataset `gateway_dns`, JSON lines): `Datetime` (RFC 3339 text,
/// or a Unix number in s/ms/ns per the job's `timestamp_format`), `QueryName`, `QueryType`/`QueryTypeName`, `RCode`,
/// `SrcIP`, `SrcPort`, `DstIP`, `DstPort`, `Protocol`, `DeviceID` (→ device id, else `DeviceName`),
/// `ResolverDecision` (→ source action), and the answers from `ResourceRecordsJSON` when present, else from
/// `CNAMEs` and `ResolvedIPs`. Each record is one whole transaction.
public struct CloudflareGatewayParser: LineEventParser {
    public static let formatName = "Cloudflare Gateway DNS log"

    /// Creates a parser.
    public init() {}

    public mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome {
        let b = line.bytes.trimmed
        if b.isEmpty { return .skip(reason: nil) }
        var time: Int64? = nil
        var name: DNSName? = nil
        var qtype: RecordType? = nil
        var qtypeName: RecordType? = nil
        var rcode: ResponseCode? = nil
        var client: IPAddress? = nil, clientPort: UInt16? = nil
        var server: IPAddress? = nil, serverPort: UInt16? = nil
        var transport: DNSTransport = .unknown
        var deviceID: String? = nil, deviceName: String? = nil
        var decision: String? = nil
        var recordsJSON: JSONValue? = nil
        var cnames: JSONValue? = nil
        var ips: JSONValue? = nil
        try JSONScan.object(b) { (k, v) throws(LineError) in
            let key = k.raw
            if v.isNull { return }
            if FieldParse.equals(key, "Datetime") {
                if v.kind == .string, let t = TimeParse.iso8601(v.raw) { time = t }
                else if v.kind == .number, let t = TimeParse.epochGuessingUnit(v.raw) { time = t }
                else { throw LineError("bad Datetime") }
            } else if FieldParse.equals(key, "QueryName") {
                guard v.kind == .string, let n = v.withText({ FieldParse.name($0) }) else { throw LineError("bad QueryName") }
                name = n
            } else if FieldParse.equals(key, "QueryType") {
                guard let t = v.withText({ FieldParse.recordType($0) }) else { throw LineError("bad QueryType") }
                qtype = t
            } else if FieldParse.equals(key, "QueryTypeName") {
                qtypeName = v.withText { FieldParse.recordType($0) }
            } else if FieldParse.equals(key, "RCode") {
                guard let rc = v.withText({ FieldParse.responseCode($0) }) else { throw LineError("bad RCode") }
                rcode = rc
            } else if FieldParse.equals(key, "SrcIP") || FieldParse.equals(key, "DstIP") {
                if v.kind == .string && v.raw.isEmpty { return }
                guard v.kind == .string, let ip = FieldParse.ipAddress(v.raw) else { throw LineError("bad \(String(decoding: key, as: UTF8.self))") }
                if key[0] == UInt8(ascii: "S") { client = ip } else { server = ip }
            } else if FieldParse.equals(key, "SrcPort") || FieldParse.equals(key, "DstPort") {
                guard let p = v.withText({ FieldParse.port($0) }) else { throw LineError("bad \(String(decoding: key, as: UTF8.self))") }
                if p != 0 { if key[0] == UInt8(ascii: "S") { clientPort = p } else { serverPort = p } }
            } else if FieldParse.equals(key, "Protocol") {
                transport = Route53ResolverParser.transport(v.raw)
            } else if FieldParse.equals(key, "DeviceID") {
                if v.kind == .string, !v.raw.isEmpty { deviceID = v.string }
            } else if FieldParse.equals(key, "DeviceName") {
                if v.kind == .string, !v.raw.isEmpty { deviceName = v.string }
            } else if FieldParse.equals(key, "ResolverDecision") {
                decision = v.string
            } else if FieldParse.equals(key, "ResourceRecordsJSON") {
                if v.kind == .string, !v.raw.isEmpty { recordsJSON = v }
            } else if FieldParse.equals(key, "CNAMEs") {
                if v.kind == .array { cnames = v }
            } else if FieldParse.equals(key, "ResolvedIPs") {
                if v.kind == .array { ips = v }
            }
        }
        guard let time else { throw LineError("missing Datetime") }
        guard let name else { throw LineError("missing QueryName") }
        guard let type = qtype ?? qtypeName else { throw LineError("missing QueryType") }
        var answers = [DNSAnswer]()
        if let rj = recordsJSON {
            // A JSON array inside a JSON string.
            let inner = rj.hasEscapes ? JSONScan.unescapeBytes(rj.raw) : Array(rj.raw)
            var failure: LineError? = nil
            inner.withUnsafeBytes { buf in
                do {
                    try JSONScan.array(buf) { (o) throws(LineError) in
                        if let a = try JSONAnswerKeys.cloudflare.answer(o, owner: name, queryType: type) { answers.append(a) }
                    }
                } catch {
                    failure = error as? LineError ?? LineError("bad JSON")
                }
            }
            if let failure { throw LineError("bad ResourceRecordsJSON: \(failure.reason)") }
        } else {
            var owner = name
            if let c = cnames {
                try JSONScan.array(c.raw) { (v) throws(LineError) in
                    guard let target = v.withText({ FieldParse.name($0) }) else { throw LineError("bad CNAMEs") }
                    answers.append(DNSAnswer(name: owner, type: .cname, target: target))
                    owner = target
                }
            }
            if let list = ips {
                try JSONScan.array(list.raw) { (v) throws(LineError) in
                    guard v.kind == .string, let ip = FieldParse.ipAddress(v.raw) else { throw LineError("bad ResolvedIPs") }
                    answers.append(DNSAnswer(name: owner, type: ip.isV4 ? .a : .aaaa, address: ip))
                }
            }
        }
        return .event(DNSEvent(timeNanos: time, clientAddress: client, clientPort: clientPort, serverAddress: server, serverPort: serverPort,
                               transport: transport, queryName: name, queryType: type, flags: rcode.map { 0x8000 | ($0.rawValue & 0xF) },
                               rcode: rcode, answers: answers, sourceAction: decision, deviceID: deviceID ?? deviceName,
                               position: SourcePosition(file: file, line: line.number, byteOffset: line.byteOffset)))
    }
}
