import DNSWire
import DNSightCore

/// Response Policy Zones (RPZ) in master-file syntax.
///
/// Every trigger is kept: QNAME (exact, or `*.name` for subdomains only), `rpz-client-ip`, `rpz-ip`, `rpz-nsdname`
/// and `rpz-nsip`, with its action: `CNAME .` NXDOMAIN, `CNAME *.` NODATA, `rpz-passthru.` (allow), `rpz-drop.`,
/// `rpz-tcp-only.`, and local data (any other records, several per trigger). `$ORIGIN`, `$TTL`, relative names,
/// `@`, blank owners and multi-line records are read as in any zone file. The zone apex is the SOA owner (or the
/// first `$ORIGIN`); policy names are taken relative to it.
enum RPZParser {
    static let knownTypes: Set<String> = [
        "A", "AAAA", "CNAME", "DNAME", "TXT", "MX", "NS", "SOA", "PTR", "SRV", "CAA", "HTTPS", "SVCB", "NAPTR", "DS",
        "DNSKEY", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "TLSA", "SSHFP", "LOC", "HINFO", "SPF", "URI", "ZONEMD",
    ]
    static let classes: Set<String> = ["IN", "CH", "HS", "CS", "ANY"]

    private struct TriggerKey: Hashable {
        var value: IndicatorValue
        var scope: MatchScope
    }

    static func parse(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        var r = FeedParseResult(format: .rpz, source: context.source ?? context.baseName)
        let template = Indicator.template(source: r.source)
        var origin: DNSName = .root
        var apex: DNSName? = nil
        var lastOwner: DNSName? = nil
        var index: [TriggerKey: Int] = [:]
        var records = 0
        var tokenizer = ZoneTokenizer(bytes)
        let file = context.file
        while let event = tokenizer.next() {
            let rec: ZoneTokenizer.Record
            switch event {
            case .problem(let why, let line, let offset):
                r.malformed(why, line: line, offset: offset, excerpt: excerpt(bytes, offset), file: file)
                continue
            case .record(let x): rec = x
            }
            let ex = excerpt(bytes, rec.offset)
            func bad(_ why: String) { r.malformed(why, line: rec.line, offset: rec.offset, excerpt: ex, file: file) }
            var toks = rec.tokens[...]
            // Directives.
            if !rec.blankOwner, let first = toks.first, first.hasPrefix("$") {
                switch first.uppercased() {
                case "$ORIGIN":
                    guard toks.count >= 2, let o = try? DNSName(parsing: toks[toks.startIndex + 1], origin: origin) else { bad("$ORIGIN needs a name"); continue }
                    origin = o
                case "$TTL":
                    guard toks.count >= 2, isTTL(toks[toks.startIndex + 1]) else { bad("$TTL needs a time value"); continue }
                case "$INCLUDE":
                    bad("$INCLUDE is not followed; import the included file on its own")
                default:
                    bad("unknown directive \(first)")
                }
                continue
            }
            // Owner.
            var owner: DNSName
            if rec.blankOwner {
                guard let o = lastOwner else { bad("a record with no owner name and none before it"); continue }
                owner = o
            } else {
                let text = toks.removeFirst()
                do { owner = try DNSName(parsing: text, origin: origin) } catch {
                    bad("bad owner name (\(error.kind))"); continue
                }
            }
            lastOwner = owner
            // TTL and class in either order, then the type.
            while let t = toks.first, isTTL(t) || classes.contains(t.uppercased()) { toks.removeFirst() }
            guard let typeText = toks.first?.uppercased() else { bad("no record type"); continue }
            toks.removeFirst()
            guard knownTypes.contains(typeText) || (typeText.hasPrefix("TYPE") && UInt16(typeText.dropFirst(4)) != nil) else {
                bad("unknown record type \(typeText)"); continue
            }
            records += 1
            if typeText == "SOA" {
                if apex == nil { apex = owner }
                r.skip("zone apex record")
                continue
            }
            let zone = apex ?? origin
            if owner == zone { r.skip("zone apex record"); continue }
            guard owner.isSubdomain(of: zone) else { bad("owner name is outside the zone \(zone)"); continue }
            // The policy name: the owner's labels above the zone apex.
            var labels = owner.labels
            labels.removeLast(zone.labels.count)
            let trigger: (IndicatorValue, MatchScope)
            switch classify(labels) {
            case .success(let t): trigger = t
            case .failure(let why): bad(why.message); continue
            }
            // The action.
            let rdata = Array(toks)
            let action: IndicatorAction
            if typeText == "CNAME" {
                guard rdata.count == 1 else { bad("CNAME needs exactly one target"); continue }
                let target = rdata[0].lowercased()
                switch target {
                case ".": action = .nxdomain
                case "*.": action = .nodata
                case "rpz-passthru.": action = .allow
                case "rpz-drop.": action = .drop
                case "rpz-tcp-only.": action = .tcpOnly
                default:
                    if let t = try? DNSName(parsing: rdata[0], origin: origin), case .domain(let qn) = trigger.0, t == qn {
                        action = .allow   // the older "CNAME to itself" form of PASSTHRU
                    } else {
                        action = .localData(["CNAME \(rdata[0])"])
                    }
                }
            } else {
                guard !rdata.isEmpty else { bad("\(typeText) record without data"); continue }
                if typeText == "A", rdata.count != 1 || IPv4Address(rdata[0]) == nil { bad("A record data is not an IPv4 address"); continue }
                if typeText == "AAAA", rdata.count != 1 || IPv6Address(rdata[0]) == nil { bad("AAAA record data is not an IPv6 address"); continue }
                action = .localData(["\(typeText) \(rdata.joined(separator: " "))"])
            }
            let key = TriggerKey(value: trigger.0, scope: trigger.1)
            if let i = index[key] {
                if case .localData(let old) = r.indicators[i].action, case .localData(let new) = action {
                    r.indicators[i].action = .localData(old + new)
                } else {
                    r.diagnostics.append(FeedDiagnostic(file: file, line: rec.line, offset: rec.offset,
                        message: "a second action for the same trigger; the first (\(r.indicators[i].action.name)) is kept", excerpt: ex))
                    r.skip("second action for a trigger")
                }
                continue
            }
            var i = template
            i.value = trigger.0
            i.scope = trigger.1
            i.action = action
            i.location = SourceLocation(file: file, line: rec.line)
            index[key] = r.indicators.count
            r.indicators.append(i)
        }
        if records == 0 && !r.diagnostics.isEmpty {
            let d = r.diagnostics[0]
            throw IntelFeedsError(.notThisFormat(.rpz, "no resource record could be read; the first problem is \"\(d.message)\""), file: file, line: d.line, offset: d.offset)
        }
        try r.requireSomething(.rpz, file: file)
        return r
    }

    static func excerpt(_ bytes: [UInt8], _ offset: Int) -> String {
        var e = offset
        while e < bytes.count, bytes[e] != 0x0A { e += 1 }
        return String(decoding: bytes[offset..<e], as: UTF8.self).trimmingSpaces()
    }

    static func isTTL(_ t: String) -> Bool {
        guard let f = t.first, f.isASCII, f.isNumber else { return false }
        return t.allSatisfy { $0.isASCII && ($0.isNumber || "smhdwSMHDW".contains($0)) }
    }

    /// What a policy name (labels relative to the zone apex) triggers on.
    static func classify(_ labels: [[UInt8]]) -> Result<(IndicatorValue, MatchScope), RPZError> {
        guard let last = labels.last else { return .failure(RPZError("empty policy name")) }
        let kind = String(decoding: last, as: UTF8.self).lowercased()
        func nameTrigger(_ ls: ArraySlice<[UInt8]>) -> Result<(DNSName, MatchScope), RPZError> {
            var ls = ls
            var scope = MatchScope.exact
            if ls.first == [UInt8(ascii: "*")] { scope = .wildcard; ls = ls.dropFirst() }
            guard !ls.isEmpty else { return .failure(RPZError("a bare '*' trigger would match every name")) }
            if ls.contains([UInt8(ascii: "*")]) { return .failure(RPZError("'*' is only allowed as the first label")) }
            let lowered = ls.map { $0.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 } }
            guard let n = try? DNSName(labels: Array(lowered)) else { return .failure(RPZError("bad policy name")) }
            return .success((n, scope))
        }
        switch kind {
        case "rpz-client-ip", "rpz-ip", "rpz-nsip":
            guard let net = address(labels.dropLast()) else { return .failure(RPZError("bad \(kind) trigger address (expected prefix-length then the address labels reversed)")) }
            switch kind {
            case "rpz-client-ip": return .success((.clientAddress(net), .exact))
            case "rpz-ip": return .success((.address(net), .exact))
            default: return .success((.nameServerAddress(net), .exact))
            }
        case "rpz-nsdname":
            switch nameTrigger(labels.dropLast()) {
            case .success(let (n, s)): return .success((.nameServerName(n), s))
            case .failure(let e): return .failure(e)
            }
        default:
            if kind.hasPrefix("rpz-") { return .failure(RPZError("unknown RPZ trigger .\(kind)")) }
            switch nameTrigger(labels[...]) {
            case .success(let (n, s)): return .success((.domain(n), s))
            case .failure(let e): return .failure(e)
            }
        }
    }

    /// `24.0.0.0.127` → 127.0.0.0/24; `128.1.zz.db8.2001` → 2001:db8::1/128.
    static func address(_ labels: ArraySlice<[UInt8]>) -> IPNetwork? {
        let parts = labels.map { String(decoding: $0, as: UTF8.self).lowercased() }
        guard parts.count >= 2, let prefix = Int(parts[0]) else { return nil }
        let rest = Array(parts.dropFirst().reversed())
        if rest.count == 4, let a = IPv4Address(rest.joined(separator: ".")) {
            guard prefix >= 1, prefix <= 32 else { return nil }
            return IPNetwork(a, prefixLength: prefix)
        }
        var text = rest.map { $0 == "zz" ? "" : $0 }.joined(separator: ":")
        if rest.first == "zz" { text = ":" + text }
        if rest.last == "zz" { text += ":" }
        guard let a = IPv6Address(text), prefix >= 1, prefix <= 128 else { return nil }
        return IPNetwork(a, prefixLength: prefix)
    }
}

struct RPZError: Error {
    var message: String
    init(_ m: String) { message = m }
}
