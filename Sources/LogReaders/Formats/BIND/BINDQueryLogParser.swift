import DNSWire
import DNSightCore

/// BIND's query log (`querylog yes;`, category `queries`), in all the shapes BIND 9.9–9.20 print it:
///
/// ```
/// 28-Nov-2026 10:00:00.123 queries: info: client @0x7f… 192.0.2.1#53012 (example.com): view internal: query: example.com IN A +E(0)K (198.51.100.1)
/// client 192.0.2.1#53012: query: example.com IN A -EDC (198.51.100.1)
/// Nov 28 10:00:00 ns1 named[812]: client @0x7f… 192.0.2.1#53012 (example.com): query: example.com IN A + (198.51.100.1) [ECS 192.0.2.0/24/0]
/// ```
///
/// The leading timestamp (BIND's own, syslog's or ISO 8601) and the `category: severity:` prefix are optional; a
/// line without any timestamp gets time 0. Flags: `+`/`-` recursion desired, `S` signed, `E(n)` EDNS version,
/// `T` TCP, `D` DO, `C` CD, `V`/`K` cookies. The address in parentheses is the server's. Other lines of the
/// `queries` category (`query failed`, …) are skipped.
public struct BINDQueryLogParser: LineEventParser {
    public static let formatName = "BIND query log"
    var prefix: LogPrefix

    /// Creates a parser; zone-less timestamps are `timeZoneOffsetSeconds` east of UTC, syslog ones in `year`.
    public init(timeZoneOffsetSeconds: Int = 0, year: Int) {
        prefix = LogPrefix(offsetSeconds: timeZoneOffsetSeconds, year: year)
    }

    public mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome {
        let b = line.bytes
        if b.trimmed.isEmpty { return .skip(reason: nil) }
        let time = prefix.time(b)?.0
        guard let clientAt = FieldParse.find("client ", in: b) else { throw LineError("not a BIND query log line (no 'client')") }
        var i = clientAt + 7
        // Optional client object "@0x…".
        if i < b.count && b[i] == UInt8(ascii: "@") {
            guard let sp = FieldParse.index(of: UInt8(ascii: " "), in: b, from: i) else { throw LineError("truncated BIND line") }
            i = sp + 1
        }
        // ADDRESS#PORT, ended by a space or a colon.
        var end = i
        while end < b.count {
            let c = b[end]
            if c == UInt8(ascii: " ") || (c == UInt8(ascii: ":") && isEndOfClient(b, end)) { break }
            end += 1
        }
        let clientToken = b.slice(i..<end)
        guard let hash = clientToken.lastIndex(of: UInt8(ascii: "#")), let client = FieldParse.ipAddress(clientToken.slice(0..<hash)),
              let port = FieldParse.port(clientToken.slice(from: hash + 1)) else { throw LineError("bad client address#port") }
        guard let q = FieldParse.find("query: ", in: b, from: end) else {
            return .skip(reason: "BIND queries-category line that is not a query")
        }
        // "query: NAME CLASS TYPE FLAGS (SERVER)"
        let tokens = FieldParse.words(b, from: q + 7, limit: 6)
        guard tokens.count >= 4 else { throw LineError("truncated BIND query line") }
        guard let name = FieldParse.name(tokens[0]) else { throw LineError("bad query name") }
        guard let qclass = FieldParse.recordClass(tokens[1]) else { throw LineError("bad query class") }
        guard let qtype = FieldParse.recordType(tokens[2]) else { throw LineError("bad query type") }
        let f = tokens[3]
        guard let first = f.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") else { throw LineError("bad query flags") }
        var flags: UInt16 = first == UInt8(ascii: "+") ? 0x0100 : 0
        var tcp = false
        var k = 1
        while k < f.count {
            switch f[k] {
            case UInt8(ascii: "T"): tcp = true
            case UInt8(ascii: "C"): flags |= 0x0010
            case UInt8(ascii: "E"):
                // E(n)
                if k + 1 < f.count && f[k + 1] == UInt8(ascii: "(") {
                    guard let close = FieldParse.index(of: UInt8(ascii: ")"), in: f, from: k) else { throw LineError("bad query flags") }
                    k = close
                }
            case UInt8(ascii: "S"), UInt8(ascii: "D"), UInt8(ascii: "V"), UInt8(ascii: "K"): break
            default: throw LineError("bad query flags")
            }
            k += 1
        }
        var server: IPAddress? = nil
        if tokens.count >= 5, tokens[4].count >= 3, tokens[4].first == UInt8(ascii: "("), tokens[4].last == UInt8(ascii: ")") {
            server = FieldParse.ipAddress(tokens[4].slice(1..<(tokens[4].count - 1)))
            if server == nil { throw LineError("bad server address") }
        }
        return .event(DNSEvent(timeNanos: time ?? 0, clientAddress: client, clientPort: port, serverAddress: server,
                               transport: tcp ? .tcp : .udp, queryName: name, queryType: qtype, queryClass: qclass, flags: flags,
                               position: SourcePosition(file: file, line: line.number, byteOffset: line.byteOffset)))
    }

    /// Whether the colon at `i` ends the client token (`…#53311: view …`), rather than being part of an IPv6 address.
    func isEndOfClient(_ b: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        i + 1 >= b.count || b[i + 1] == UInt8(ascii: " ")
    }
}
