import DNSWire
import DNSightCore

/// Unbound's `log-queries` and `log-replies` lines (and `log-local-actions`, RPZ `rpz-log`), in its own log file or
/// through syslog:
///
/// ```
/// [1732788000] unbound[1234:0] info: 192.0.2.1 example.com. A IN
/// [1732788000] unbound[1234:0] info: 192.0.2.1 example.com. A IN NOERROR 0.000123 0 45
/// Nov 28 10:00:00 unbound[1234:0] query: 192.0.2.1 example.com. A IN            (log-time-ascii, log-tag-queryreply)
/// Nov 28 10:00:00 host unbound: [1234:0] info: always_nxdomain bad.example. 192.0.2.1@53012 bad.example. A IN
/// ```
///
/// A reply (rcode, seconds taken, from-cache flag, size) completes the oldest waiting query of the same client and
/// question; a reply without a logged query is an event on its own, timed at the reply minus its duration. A local
/// action or RPZ line becomes the ``DNSEvent/sourceAction`` of that client's query. Queries without a reply are
/// emitted alone after 60 s of log time, or at the end.
public struct UnboundLogParser: LineEventParser {
    public static let formatName = "Unbound query log"

    struct Key: Hashable {
        var client: IPAddress
        var name: DNSName
        var type: RecordType
        var qclass: RecordClass
    }

    var prefix: LogPrefix
    var pending = PendingTable<Key>()
    /// Actions seen before the reply of the same question, by client and question.
    var actions: [Key: String] = [:]
    var lastTime: Int64 = 0

    /// Creates a parser; zone-less timestamps are `timeZoneOffsetSeconds` east of UTC, syslog ones in `year`.
    public init(timeZoneOffsetSeconds: Int = 0, year: Int) {
        prefix = LogPrefix(offsetSeconds: timeZoneOffsetSeconds, year: year)
    }

    public mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome {
        let b = line.bytes
        if b.trimmed.isEmpty { return .skip(reason: nil) }
        guard let (time, _) = prefix.time(b) else { throw LineError("no timestamp") }
        guard FieldParse.find("unbound", in: b) != nil else { throw LineError("not an Unbound log line") }
        // The message follows "info: ", "query: " or "reply: " (the level/tag after "[pid:tid] ").
        guard let close = FieldParse.find("] ", in: b, from: FieldParse.find("unbound", in: b)!) else { throw LineError("not an Unbound log line") }
        var m = close + 2
        guard let colon = FieldParse.index(of: UInt8(ascii: ":"), in: b, from: m), colon - m <= 8 else { throw LineError("not an Unbound log line") }
        let level = b.slice(m..<colon)
        m = colon + 1
        guard FieldParse.equals(level, "info") || FieldParse.equals(level, "query") || FieldParse.equals(level, "reply") else {
            return .skip(reason: "Unbound log line that is not a query or reply")
        }
        lastTime = time
        var out = [DNSEvent]()
        pending.expire(now: time, out: &out)
        let t = FieldParse.words(b, from: m, limit: 16)
        let position = SourcePosition(file: file, line: line.number, byteOffset: line.byteOffset)

        // Local action / RPZ: a token "ADDR@PORT" followed by NAME TYPE CLASS.
        if let at = t.firstIndex(where: { $0.contains(UInt8(ascii: "@")) && FieldParse.ipAddress($0.slice(0..<$0.firstIndex(of: UInt8(ascii: "@"))!)) != nil }),
           at >= 1 {
            let tok = t[at]
            let atSign = tok.firstIndex(of: UInt8(ascii: "@"))!
            guard at + 3 < t.count, let client = FieldParse.ipAddress(tok.slice(0..<atSign)), let name = FieldParse.name(t[at + 1]),
                  let type = FieldParse.recordType(t[at + 2]), let qclass = FieldParse.recordClass(t[at + 3]) else {
                throw LineError("bad Unbound local-action line")
            }
            let isRPZ = FieldParse.equalsIgnoringCase(t[0], "rpz:") || FieldParse.equalsIgnoringCase(t[0], "RPZ")
            let action = isRPZ ? "rpz " + String(decoding: t[at - 1], as: UTF8.self) : String(decoding: t[0], as: UTF8.self)
            let key = Key(client: client, name: name, type: type, qclass: qclass)
            if let s = pending.seqs(key).last, var e = pending[s] {
                e.event.sourceAction = action
                pending[s] = e
            } else {
                if actions.count >= 10_000 { actions.removeAll(keepingCapacity: true) }
                actions[key] = action
            }
            return out.isEmpty ? .held : .events(out)
        }

        guard t.count >= 4, let client = FieldParse.ipAddress(t[0]) else {
            return out.isEmpty ? .skip(reason: "Unbound log line that is not a query or reply") : .events(out)
        }
        guard let name = FieldParse.name(t[1]) else { throw LineError("bad query name") }
        guard let type = FieldParse.recordType(t[2]) else { throw LineError("bad query type") }
        guard let qclass = FieldParse.recordClass(t[3]) else { throw LineError("bad query class") }
        let key = Key(client: client, name: name, type: type, qclass: qclass)
        if t.count == 4 {
            var e = DNSEvent(timeNanos: time, clientAddress: client, queryName: name, queryType: type, queryClass: qclass, position: position)
            e.sourceAction = actions.removeValue(forKey: key)
            _ = pending.add(key, e, out: &out)
            return out.isEmpty ? .held : .events(out)
        }
        // Reply: RCODE SECONDS CACHED SIZE
        guard t.count >= 7 else { throw LineError("truncated Unbound reply line") }
        guard let rcode = FieldParse.responseCode(t[4]) else { throw LineError("bad rcode") }
        guard let micros = FieldParse.scaledDecimal(t[5], scale: 6), micros >= 0, micros < 1_000_000_000_000 else { throw LineError("bad reply time") }
        guard FieldParse.unsigned(t[6], max: 1) != nil else { throw LineError("bad cached flag") }
        var e: DNSEvent
        if let s = pending.seqs(key).first, let entry = pending.remove(s) {
            e = entry.event
        } else {
            // The query was sent when the reply was logged less the time it took.
            let (sent, overflow) = time.subtractingReportingOverflow(micros * 1000)
            e = DNSEvent(timeNanos: overflow ? time : sent, clientAddress: client, queryName: name, queryType: type, queryClass: qclass, position: position)
        }
        e.rcode = rcode
        e.responseTimeMicros = micros
        e.flags = 0x8000 | (rcode.rawValue & 0xF)
        if let a = actions.removeValue(forKey: key) { e.sourceAction = a }
        out.append(e)
        return .events(out)
    }

    public mutating func finish(diagnostics: inout ReaderDiagnostics) -> [DNSEvent] {
        let rest = pending.drain()
        if pending.expired > 0 { diagnostics.skipped("query without a logged reply (reported alone)", count: pending.expired) }
        if pending.evicted > 0 { diagnostics.skipped("query evicted from the full pairing table (reported alone)", count: pending.evicted) }
        return rest
    }
}
