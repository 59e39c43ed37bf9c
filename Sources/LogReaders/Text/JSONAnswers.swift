import DNSWire
import DNSightCore

/// Reads the answer objects that JSON logs carry (`{"rrname":…,"rrtype":…,"ttl":…,"rdata":…}` and the like).
struct JSONAnswerKeys {
    var name: StaticString
    var type: StaticString
    var ttl: StaticString
    var data: StaticString

    static let eve = JSONAnswerKeys(name: "rrname", type: "rrtype", ttl: "ttl", data: "rdata")
    static let route53 = JSONAnswerKeys(name: "Name", type: "Type", ttl: "TTL", data: "Rdata")
    static let cloudflare = JSONAnswerKeys(name: "name", type: "type", ttl: "ttl", data: "rdata")

    /// Parses one answer object; `owner` is used when the object has no name.
    func answer(_ object: JSONValue, owner: DNSName, queryType: RecordType) throws(LineError) -> DNSAnswer? {
        guard object.kind == .object else { throw LineError("bad answer (expected an object)") }
        var name: DNSName? = nil
        var type: RecordType? = nil
        var ttl: UInt32? = nil
        var data: JSONValue? = nil
        try JSONScan.object(object.raw) { (k, v) throws(LineError) in
            if FieldParse.equals(k.raw, self.name) {
                if v.kind == .string { name = v.withText { FieldParse.name($0) } }
            } else if FieldParse.equals(k.raw, self.type) {
                type = v.withText { FieldParse.recordType($0) }
                if type == nil && !v.isNull { throw LineError("bad answer type") }
            } else if FieldParse.equals(k.raw, self.ttl) {
                if let x = v.withText({ FieldParse.unsigned($0, max: UInt64(UInt32.max)) }) { ttl = UInt32(x) }
                else if !v.isNull { throw LineError("bad answer ttl") }
            } else if FieldParse.equals(k.raw, self.data) {
                data = v
            }
        }
        guard let data, !data.isNull else { return nil }
        let owner = name ?? owner
        let result: DNSAnswer? = data.withText { bytes in
            if let type { return AnswerText.typed(owner: owner, type: type, ttl: ttl, rdata: bytes) }
            return AnswerText.untyped(owner: owner, queryType: queryType, ttl: ttl, rdata: bytes)
        }
        guard let result else { throw LineError("bad answer data") }
        return result
    }
}
