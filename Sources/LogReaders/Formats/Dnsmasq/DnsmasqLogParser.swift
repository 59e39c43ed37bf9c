import DNSWire
import DNSightCore

/// dnsmasq's query log (`log-queries`) and Pi-hole's `pihole.log`, which is the same log with Pi-hole's own verbs:
///
/// ```
/// Nov 28 10:00:00 dnsmasq[123]: query[A] example.com from 192.0.2.1
/// Nov 28 10:00:00 dnsmasq[123]: forwarded example.com to 198.51.100.1
/// Nov 28 10:00:00 dnsmasq[123]: reply example.com is 93.184.216.34
/// Nov 28 10:00:01 dnsmasq[123]: gravity blocked ads.example is 0.0.0.0
/// Nov 28 10:00:02 dnsmasq[123]: 17 192.0.2.1/53012 query[AAAA] example.com from 192.0.2.1      (log-queries=extra)
/// ```
///
/// Every query line starts a transaction; the answer lines that follow (`reply`, `cached`, `config`, a hosts file
/// path, `gravity blocked`, `regex blacklisted`, `exactly denied`, `special domain`, …) complete it. With the
/// extended format (`log-queries=extra`) lines carry the query's serial number and lines are paired by it;
/// otherwise an answer goes to the waiting query of the same name (the one of the matching type when the answer
/// shows it: an IPv4 or IPv6 address, `NODATA-IPv4/6`). Consecutive answer lines belong together; a `<CNAME>`
/// answer makes the next line's name the CNAME's target. The words before the name (`forwarded` for a `reply`,
/// `cached`, `gravity blocked`, `/etc/hosts`…) are the event's ``DNSEvent/sourceAction``. A query whose answer
/// never comes is emitted alone after 60 s of log time or at the end. Syslog timestamps have no year: it comes
/// from the options.
public struct DnsmasqLogParser: LineEventParser {
    public static let formatName = "dnsmasq/Pi-hole log"

    enum Key: Hashable {
        case serial(Int)
        case name(DNSName)
    }

    var prefix: LogPrefix
    var pending = PendingTable<Key>()
    /// The transaction that took the previous line's answer, and what that answer was.
    var current: Int? = nil
    var currentOwner: DNSName? = nil
    var currentWasCNAME = false
    var orphanAnswers = 0

    /// Creates a parser; syslog timestamps are in `year`, `timeZoneOffsetSeconds` east of UTC.
    public init(timeZoneOffsetSeconds: Int = 0, year: Int) {
        prefix = LogPrefix(offsetSeconds: timeZoneOffsetSeconds, year: year)
    }

    /// Emits the current transaction (its answer lines have ended).
    mutating func closeCurrent(_ out: inout [DNSEvent]) {
        if let c = current, let e = pending.remove(c) { out.append(e.event) }
        current = nil
        currentOwner = nil
        currentWasCNAME = false
    }

    public mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome {
        let b = line.bytes
        if b.trimmed.isEmpty { return .skip(reason: nil) }
        guard let (time, afterTime) = prefix.time(b) else { throw LineError("no timestamp") }
        // The message follows the program tag ("dnsmasq[123]: ", "host pihole-FTL[1]: ", or just ": ").
        guard let tagEnd = FieldParse.find(": ", in: b, from: afterTime > 0 ? afterTime - 1 : 0), tagEnd - afterTime <= 96 else {
            throw LineError("no program tag")
        }
        let msg = b.slice(from: tagEnd + 2)
        var w = FieldParse.words(msg)
        var out = [DNSEvent]()
        pending.expire(now: time, out: &out)
        if let c = current, pending[c] == nil { current = nil }

        // Extended format: "SERIAL ADDR/PORT …".
        var serial: Int? = nil
        var clientPort: UInt16? = nil
        var clientFromTag: IPAddress? = nil
        if w.count >= 3, let n = FieldParse.unsigned(w[0], max: UInt64(Int32.max)), let slash = w[1].lastIndex(of: UInt8(ascii: "/")),
           let ip = FieldParse.ipAddress(w[1].slice(0..<slash)) {
            serial = Int(n)
            clientFromTag = ip
            clientPort = FieldParse.port(w[1].slice(from: slash + 1))
            w.removeFirst(2)
        }
        let position = SourcePosition(file: file, line: line.number, byteOffset: line.byteOffset)
        guard let verb = w.first else { return result(out, skip: "dnsmasq line that is not about a query") }

        if FieldParse.hasPrefix(verb, "query["), verb.last == UInt8(ascii: "]") {
            closeCurrent(&out)
            guard w.count >= 2 else { throw LineError("truncated query line") }
            let typeText = verb.slice(6..<(verb.count - 1))
            let qtype: RecordType
            if FieldParse.hasPrefix(typeText, "type=") {
                guard let v = FieldParse.unsigned(typeText.slice(from: 5), max: 65535) else { throw LineError("bad query type") }
                qtype = RecordType(UInt16(v))
            } else {
                guard let t = FieldParse.recordType(typeText) else { throw LineError("bad query type") }
                qtype = t
            }
            guard let name = FieldParse.name(w[1]) else { throw LineError("bad query name") }
            var client = clientFromTag
            if w.count >= 4, FieldParse.equals(w[2], "from") {
                guard let ip = FieldParse.ipAddress(w[3]) else { throw LineError("bad client address") }
                client = ip
            }
            let e = DNSEvent(timeNanos: time, clientAddress: client, clientPort: clientPort, queryName: name, queryType: qtype, position: position)
            _ = pending.add(serial.map { .serial($0) } ?? .name(name), e, out: &out)
            return out.isEmpty ? .held : .events(out)
        }

        if FieldParse.equals(verb, "forwarded") {
            closeCurrent(&out)
            guard w.count >= 2, let name = FieldParse.name(w[1]) else { throw LineError("bad forwarded line") }
            let key: Key = serial.map { .serial($0) } ?? .name(name)
            if let s = pending.seqs(key).last(where: { pending[$0]?.answered == false }), var e = pending[s] {
                if e.event.sourceAction == nil { e.event.sourceAction = "forwarded" }
                pending[s] = e
            }
            return result(out, skip: nil)
        }

        // An answer: "<source words> NAME is VALUE".
        guard let isAt = w.firstIndex(where: { FieldParse.equals($0, "is") }), isAt >= 2, isAt + 1 < w.count else {
            if FieldParse.equals(verb, "reply") || FieldParse.equals(verb, "cached") || FieldParse.equals(verb, "config") || FieldParse.equals(verb, "cached-stale") {
                throw LineError("truncated answer line")
            }
            closeCurrent(&out)
            return result(out, skip: "dnsmasq line that is not about a query")
        }
        if FieldParse.equals(verb, "validation") || FieldParse.hasPrefix(verb, "dnssec") {
            return result(out, skip: "dnsmasq DNSSEC line")
        }
        guard let name = FieldParse.name(w[isAt - 1]) else { throw LineError("bad answer name") }
        let sourceStart = w[0].baseAddress! - msg.baseAddress!
        let sourceEnd = w[isAt - 2].baseAddress! - msg.baseAddress! + w[isAt - 2].count
        let source = msg.slice(sourceStart..<sourceEnd)
        let valueStart = w[isAt + 1].baseAddress! - msg.baseAddress!
        let value = msg.slice(from: valueStart).trimmed
        let answer = Self.classify(value)

        // Which transaction: the current one if this line continues it, else a waiting one.
        var target: Int? = nil
        if let c = current, let e = pending[c] {
            let sameSerial = serial != nil && e.key == .serial(serial!)
            let typeFits = currentWasCNAME || answer.impliedType == nil || answer.impliedType == e.event.queryType
            if sameSerial || (serial == nil && typeFits && (currentWasCNAME || currentOwner == name)) { target = c }
        }
        if target == nil {
            closeCurrent(&out)
            let key: Key = serial.map { .serial($0) } ?? .name(name)
            let candidates = pending.seqs(key).filter { pending[$0]?.answered == false }
            let typed = candidates.filter { s in answer.impliedType.map { pending[s]!.event.queryType == $0 } ?? true }
            let pool = typed.isEmpty ? candidates : typed
            target = FieldParse.equals(source, "reply") ? pool.first : pool.last
        }
        guard let t = target, var entry = pending[t] else {
            orphanAnswers += 1
            return result(out, skip: nil)
        }
        // Record the answer.
        if entry.sawCNAME, let owner = currentOwner, current == t {
            entry.event.answers.append(DNSAnswer(name: owner, type: .cname, target: name))
        }
        if !entry.answered {
            entry.answered = true
            entry.event.rcode = answer.rcode
            entry.event.flags = 0x8000 | (answer.rcode.rawValue & 0xF)
            entry.event.sourceAction = FieldParse.equals(source, "reply") ? (entry.event.sourceAction ?? "forwarded") : String(decoding: source, as: UTF8.self)
        } else if answer.rcode != .noError {
            entry.event.rcode = answer.rcode
            entry.event.flags = 0x8000 | (answer.rcode.rawValue & 0xF)
        }
        switch answer.kind {
        case .address(let ip):
            entry.event.answers.append(DNSAnswer(name: name, type: ip.isV4 ? .a : .aaaa, address: ip))
        case .text(let type, let text):
            entry.event.answers.append(DNSAnswer(name: name, type: type ?? entry.event.queryType, text: text))
        case .cname, .none:
            break
        }
        entry.sawCNAME = answer.kind == .cname
        pending[t] = entry
        current = t
        currentOwner = name
        currentWasCNAME = entry.sawCNAME
        return result(out, skip: nil)
    }

    func result(_ out: [DNSEvent], skip: String?) -> LineOutcome {
        if !out.isEmpty { return .events(out) }
        return skip.map { .skip(reason: $0) } ?? .held
    }

    /// What an answer value says.
    struct Answer {
        enum Kind: Equatable {
            case address(IPAddress)
            case cname
            case text(RecordType?, String)
            case none
        }
        var kind: Kind
        var rcode: ResponseCode
        /// The query type the answer shows, if any (an address family).
        var impliedType: RecordType?
    }

    static func classify(_ v: UnsafeRawBufferPointer) -> Answer {
        if let ip = FieldParse.ipAddress(v) { return Answer(kind: .address(ip), rcode: .noError, impliedType: ip.isV4 ? .a : .aaaa) }
        if FieldParse.equals(v, "NXDOMAIN") { return Answer(kind: .none, rcode: .nxDomain) }
        if FieldParse.equals(v, "NODATA") { return Answer(kind: .none, rcode: .noError) }
        if FieldParse.equals(v, "NODATA-IPv4") { return Answer(kind: .none, rcode: .noError, impliedType: .a) }
        if FieldParse.equals(v, "NODATA-IPv6") { return Answer(kind: .none, rcode: .noError, impliedType: .aaaa) }
        if FieldParse.equals(v, "SERVFAIL") { return Answer(kind: .none, rcode: .servFail) }
        if FieldParse.equals(v, "REFUSED") { return Answer(kind: .none, rcode: .refused) }
        if FieldParse.equals(v, "<CNAME>") { return Answer(kind: .cname, rcode: .noError) }
        if v.count >= 2, v.first == UInt8(ascii: "<"), v.last == UInt8(ascii: ">") {
            let t = FieldParse.recordType(v.slice(1..<(v.count - 1)))
            return Answer(kind: .text(t, ""), rcode: .noError)
        }
        if v.first == UInt8(ascii: "\"") {
            return Answer(kind: .text(.txt, String(decoding: v, as: UTF8.self)), rcode: .noError, impliedType: .txt)
        }
        return Answer(kind: .text(nil, String(decoding: v, as: UTF8.self)), rcode: .noError)
    }

    public mutating func finish(diagnostics: inout ReaderDiagnostics) -> [DNSEvent] {
        var out = [DNSEvent]()
        closeCurrent(&out)
        out += pending.drain()
        let unanswered = pending.expired
        if unanswered > 0 { diagnostics.skipped("query without a logged answer (reported alone)", count: unanswered) }
        if pending.evicted > 0 { diagnostics.skipped("query evicted from the full pairing table (reported alone)", count: pending.evicted) }
        if orphanAnswers > 0 { diagnostics.skipped("answer line without its query", count: orphanAnswers) }
        return out
    }
}
