import DNSWire
import DNSightCore

/// Suricata EVE JSON `dns` records, in every shape Suricata has written:
///
/// - **v1** (Suricata ≤ 6 with `version: 1`): a `query` record, then one `answer` record per answer RR (its `rrname`,
///   `rrtype`, `ttl`, `rdata` at the top of `dns`), or one with just the `rcode` when there are none;
/// - **v2** (Suricata 5–7): `type` `query`/`answer`, the question in `rrname`/`rrtype`, answers in `answers[]`
///   (detailed) and/or `grouped{}`;
/// - **v3** (Suricata 8): `type` `request`/`response`, questions in `queries[]`, `answers[]`, `authorities[]`; a
///   response's `src_ip` is the server.
///
/// A query and its response (same flow, or same 5-tuple, and DNS id) become one event; a response without a logged
/// query is an event on its own, and a query whose response never comes is emitted alone after 60 s of log time or
/// at the end. Other `event_type`s (alert, flow, http…) are skipped and counted by type.
public struct EVEParser: LineEventParser {
    public static let formatName = "Suricata EVE"

    struct Key: Hashable {
        var flow: UInt64?
        var client: IPAddress?
        var clientPort: UInt16?
        var id: UInt16?
    }

    var pending = PendingTable<Key>()
    /// A v1 answer whose further answer records may follow on the next lines.
    var openV1: (key: Key, event: DNSEvent)? = nil

    /// Creates a parser.
    public init() {}

    struct Record {
        var time: Int64?
        var eventType: JSONValue?
        var flow: UInt64?
        var src: IPAddress?
        var srcPort: UInt16?
        var dst: IPAddress?
        var dstPort: UInt16?
        var transport: DNSTransport = .unknown
        var dns: JSONValue?
    }

    struct DNSPart {
        var version = 1
        var type: JSONValue?
        var id: UInt16?
        var flags: UInt16?
        var rcode: ResponseCode?
        var rrname: DNSName?
        var rrtype: RecordType?
        var ttl: UInt32?
        var rdata: JSONValue?
        var queries: JSONValue?
        var answers: JSONValue?
        var grouped: JSONValue?
    }

    public mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome {
        let b = line.bytes.trimmed
        if b.isEmpty { return .skip(reason: nil) }
        var r = Record()
        try JSONScan.object(b) { (k, v) throws(LineError) in
            let key = k.raw
            if FieldParse.equals(key, "timestamp") {
                guard v.kind == .string, let t = TimeParse.iso8601(v.raw) else { throw LineError("bad timestamp") }
                r.time = t
            } else if FieldParse.equals(key, "event_type") {
                r.eventType = v
            } else if FieldParse.equals(key, "flow_id") {
                guard v.kind == .number, let f = FieldParse.unsigned(v.raw) else { throw LineError("bad flow_id") }
                r.flow = f
            } else if FieldParse.equals(key, "src_ip") || FieldParse.equals(key, "dest_ip") {
                guard v.kind == .string, let ip = FieldParse.ipAddress(v.raw) else { throw LineError("bad \(String(decoding: key, as: UTF8.self))") }
                if key[0] == UInt8(ascii: "s") { r.src = ip } else { r.dst = ip }
            } else if FieldParse.equals(key, "src_port") || FieldParse.equals(key, "dest_port") {
                guard v.kind == .number, let p = FieldParse.port(v.raw) else { throw LineError("bad \(String(decoding: key, as: UTF8.self))") }
                if key[0] == UInt8(ascii: "s") { r.srcPort = p } else { r.dstPort = p }
            } else if FieldParse.equals(key, "proto") {
                if FieldParse.equalsIgnoringCase(v.raw, "UDP") { r.transport = .udp } else if FieldParse.equalsIgnoringCase(v.raw, "TCP") { r.transport = .tcp }
            } else if FieldParse.equals(key, "dns") {
                r.dns = v
            }
        }
        guard let et = r.eventType, et.kind == .string else { throw LineError("not an EVE record (no event_type)") }
        var out = [DNSEvent]()
        guard FieldParse.equals(et.raw, "dns") else {
            flushV1(&out)
            let reason = "EVE \(String(decoding: et.raw.prefix(32), as: UTF8.self)) record"
            return out.isEmpty ? .skip(reason: reason) : .events(out)
        }
        guard let time = r.time else { throw LineError("missing timestamp") }
        guard let dnsValue = r.dns, dnsValue.kind == .object else { throw LineError("dns record without a dns object") }
        pending.expire(now: time, out: &out)

        var d = DNSPart()
        try JSONScan.object(dnsValue.raw) { (k, v) throws(LineError) in
            let key = k.raw
            if FieldParse.equals(key, "version") {
                guard v.kind == .number, let x = FieldParse.unsigned(v.raw, max: 99) else { throw LineError("bad dns.version") }
                d.version = Int(x)
            } else if FieldParse.equals(key, "type") {
                d.type = v
            } else if FieldParse.equals(key, "id") {
                guard v.kind == .number, let x = FieldParse.unsigned(v.raw, max: 65535) else { throw LineError("bad dns.id") }
                d.id = UInt16(x)
            } else if FieldParse.equals(key, "flags") {
                guard v.kind == .string, let x = UInt16(String(decoding: v.raw, as: UTF8.self), radix: 16) else { throw LineError("bad dns.flags") }
                d.flags = x
            } else if FieldParse.equals(key, "rcode") {
                guard let rc = v.withText({ FieldParse.responseCode($0) }) else { throw LineError("bad dns.rcode") }
                d.rcode = rc
            } else if FieldParse.equals(key, "rrname") {
                guard v.kind == .string, let n = v.withText({ FieldParse.name($0) }) else { throw LineError("bad dns.rrname") }
                d.rrname = n
            } else if FieldParse.equals(key, "rrtype") {
                guard let t = v.withText({ FieldParse.recordType($0) }) else { throw LineError("bad dns.rrtype") }
                d.rrtype = t
            } else if FieldParse.equals(key, "ttl") {
                if let x = v.withText({ FieldParse.unsigned($0, max: UInt64(UInt32.max)) }) { d.ttl = UInt32(x) }
            } else if FieldParse.equals(key, "rdata") {
                d.rdata = v
            } else if FieldParse.equals(key, "queries") {
                d.queries = v
            } else if FieldParse.equals(key, "answers") {
                d.answers = v
            } else if FieldParse.equals(key, "grouped") {
                d.grouped = v
            }
        }
        guard let type = d.type, type.kind == .string else { throw LineError("dns record without dns.type") }
        let isQuery = FieldParse.equals(type.raw, "query") || FieldParse.equals(type.raw, "request")
        let isResponse = FieldParse.equals(type.raw, "answer") || FieldParse.equals(type.raw, "response")
        guard isQuery || isResponse else { throw LineError("bad dns.type") }

        // The question: v3 keeps it in queries[], earlier versions in rrname/rrtype.
        var qname = d.rrname, qtype = d.rrtype
        if let qs = d.queries {
            guard qs.kind == .array else { throw LineError("bad dns.queries") }
            var first: (DNSName?, RecordType?)? = nil
            try JSONScan.array(qs.raw) { (q) throws(LineError) in
                guard first == nil else { return }
                guard q.kind == .object else { throw LineError("bad dns.queries") }
                var n: DNSName? = nil, t: RecordType? = nil
                try JSONScan.object(q.raw) { (k, v) throws(LineError) in
                    if FieldParse.equals(k.raw, "rrname") { n = v.withText { FieldParse.name($0) }; if n == nil { throw LineError("bad dns.queries rrname") } }
                    if FieldParse.equals(k.raw, "rrtype") { t = v.withText { FieldParse.recordType($0) }; if t == nil { throw LineError("bad dns.queries rrtype") } }
                }
                first = (n, t)
            }
            if let f = first { qname = f.0; qtype = f.1 }
        }
        // v3 responses come from the server; everything else from the client.
        let swap = isResponse && d.version >= 3
        let client = swap ? r.dst : r.src, clientPort = swap ? r.dstPort : r.srcPort
        let server = swap ? r.src : r.dst, serverPort = swap ? r.srcPort : r.dstPort
        let key = Key(flow: r.flow, client: r.flow == nil ? client : nil, clientPort: r.flow == nil ? clientPort : nil, id: d.id)
        let position = SourcePosition(file: file, line: line.number, byteOffset: line.byteOffset)

        // v1: one answer RR per record, consecutive records of one response.
        let isV1Answer = isResponse && d.version < 2 && d.answers == nil && d.queries == nil
        if isV1Answer {
            if let open = openV1, open.key == key {
                var e = open.event
                if let owner = d.rrname, let t = d.rrtype, let rd = d.rdata {
                    rd.withText { e.answers.append(AnswerText.typed(owner: owner, type: t, ttl: d.ttl, rdata: $0)) }
                }
                openV1 = (key, e)
                return out.isEmpty ? .held : .events(out)
            }
            flushV1(&out)
            guard let owner = d.rrname else { throw LineError("dns answer without rrname") }
            var e: DNSEvent
            if let s = pending.seqs(key).first, let q = pending.remove(s) {
                e = q.event
                e.responseTimeMicros = elapsedMicros(from: e.timeNanos, to: time)
            } else {
                e = DNSEvent(timeNanos: time, clientAddress: client, clientPort: clientPort, serverAddress: server, serverPort: serverPort,
                             transport: r.transport, queryName: owner, queryType: d.rrtype ?? .a, id: d.id, position: position)
            }
            e.rcode = d.rcode ?? .noError
            e.flags = d.flags ?? (0x8000 | (e.rcode!.rawValue & 0xF))
            if let t = d.rrtype, let rd = d.rdata {
                rd.withText { e.answers.append(AnswerText.typed(owner: owner, type: t, ttl: d.ttl, rdata: $0)) }
            }
            openV1 = (key, e)
            return out.isEmpty ? .held : .events(out)
        }
        flushV1(&out)
        guard let name = qname else { throw LineError("dns record without a query name") }
        guard let qtype else { throw LineError("dns record without a query type") }

        if isQuery {
            let e = DNSEvent(timeNanos: time, clientAddress: client, clientPort: clientPort, serverAddress: server, serverPort: serverPort,
                             transport: r.transport, queryName: name, queryType: qtype, id: d.id, flags: d.flags, position: position)
            _ = pending.add(key, e, out: &out)
            return out.isEmpty ? .held : .events(out)
        }
        var answers = [DNSAnswer]()
        if let a = d.answers {
            guard a.kind == .array else { throw LineError("bad dns.answers") }
            try JSONScan.array(a.raw) { (o) throws(LineError) in
                if let x = try JSONAnswerKeys.eve.answer(o, owner: name, queryType: qtype) { answers.append(x) }
            }
        } else if let g = d.grouped {
            guard g.kind == .object else { throw LineError("bad dns.grouped") }
            try JSONScan.object(g.raw) { (k, list) throws(LineError) in
                guard let t = FieldParse.recordType(k.raw), list.kind == .array else { throw LineError("bad dns.grouped") }
                try JSONScan.array(list.raw) { (item) throws(LineError) in
                    if let x = item.withText({ AnswerText.typed(owner: name, type: t, ttl: nil, rdata: $0) }) { answers.append(x) }
                }
            }
        }
        var e: DNSEvent
        if let s = pending.seqs(key).first(where: { pending[$0]?.event.queryName == name }), let q = pending.remove(s) {
            e = q.event
            e.responseTimeMicros = elapsedMicros(from: e.timeNanos, to: time)
            if e.transport == .unknown { e.transport = r.transport }
        } else {
            e = DNSEvent(timeNanos: time, clientAddress: client, clientPort: clientPort, serverAddress: server, serverPort: serverPort,
                         transport: r.transport, queryName: name, queryType: qtype, id: d.id, position: position)
        }
        e.rcode = d.rcode ?? .noError
        e.flags = d.flags ?? (0x8000 | (e.rcode!.rawValue & 0xF))
        e.answers = answers
        out.append(e)
        return .events(out)
    }

    mutating func flushV1(_ out: inout [DNSEvent]) {
        if let open = openV1 { out.append(open.event) }
        openV1 = nil
    }

    public mutating func finish(diagnostics: inout ReaderDiagnostics) -> [DNSEvent] {
        var out = [DNSEvent]()
        flushV1(&out)
        out += pending.drain()
        if pending.expired > 0 { diagnostics.skipped("query without a logged response (reported alone)", count: pending.expired) }
        if pending.evicted > 0 { diagnostics.skipped("query evicted from the full pairing table (reported alone)", count: pending.evicted) }
        return out
    }
}
