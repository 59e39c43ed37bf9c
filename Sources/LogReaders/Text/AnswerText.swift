import DNSWire
import DNSightCore

/// Builds ``DNSAnswer``s from the textual answers that logs print.
public enum AnswerText {
    /// Types whose RDATA is (or starts with) a domain name that logs print alone.
    static func carriesName(_ t: RecordType) -> Bool {
        switch t {
        case .cname, .dname, .ns, .ptr, .mx, .srv, .svcb, .https: return true
        default: return false
        }
    }

    /// An answer whose type the log states (`rrtype` + `rdata`, as EVE, Route 53 and Cloudflare give them).
    public static func typed(owner: DNSName, type: RecordType, ttl: UInt32?, rdata: UnsafeRawBufferPointer) -> DNSAnswer {
        var a = DNSAnswer(name: owner, type: type, ttl: ttl)
        switch type {
        case .a, .aaaa:
            if let ip = FieldParse.ipAddress(rdata.trimmed) { a.address = ip } else { a.text = String(decoding: rdata, as: UTF8.self) }
        case .cname, .dname, .ns, .ptr:
            if let n = FieldParse.name(rdata.trimmed) { a.target = n } else { a.text = String(decoding: rdata, as: UTF8.self) }
        case .mx, .srv, .svcb, .https:
            // "10 mail.example.com." / "0 5 443 host." / "1 svc.example.com. alpn=h2": the target is the last name-like
            // token before any key=value parameters.
            let text = String(decoding: rdata, as: UTF8.self)
            let tokens = text.split(separator: " ")
            let nameToken = tokens.last { !$0.contains("=") && !$0.allSatisfy(\.isNumber) }
            if let t = nameToken, let n = try? DNSName(parsing: String(t)) { a.target = n.lowercased }
            if a.target == nil || tokens.count > 1 { a.text = text }
        default:
            a.text = String(decoding: rdata, as: UTF8.self)
        }
        return a
    }

    /// An answer from bare RDATA text when the log does not say the type (Zeek's `answers`, dnsmasq's `is …`):
    /// addresses become A/AAAA; a name becomes the query type's target if that type carries a name, else a CNAME;
    /// anything else is kept as text under the query type.
    public static func untyped(owner: DNSName, queryType: RecordType, ttl: UInt32?, rdata: UnsafeRawBufferPointer) -> DNSAnswer {
        if let v4 = FieldParse.ipv4(rdata) { return DNSAnswer(name: owner, type: .a, ttl: ttl, address: .v4(v4)) }
        if rdata.contains(UInt8(ascii: ":")), let ip = FieldParse.ipAddress(rdata) {
            return DNSAnswer(name: owner, type: ip.isV4 ? .a : .aaaa, ttl: ttl, address: ip)
        }
        if !rdata.contains(UInt8(ascii: " ")), rdata.contains(UInt8(ascii: ".")), let n = FieldParse.name(rdata) {
            return DNSAnswer(name: owner, type: carriesName(queryType) ? queryType : .cname, ttl: ttl, target: n)
        }
        // Zeek prints TXT answers as "TXT <length> <text>".
        if FieldParse.hasPrefix(rdata, "TXT ") {
            return DNSAnswer(name: owner, type: .txt, ttl: ttl, text: String(decoding: rdata.slice(from: 4), as: UTF8.self))
        }
        return DNSAnswer(name: owner, type: queryType, ttl: ttl, text: String(decoding: rdata, as: UTF8.self))
    }
}
