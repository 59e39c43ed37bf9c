import DNSightCore

/// MISP events: a feed event file (`{"Event": {…}}`), a REST answer (`{"response": [{"Event": …}]}`), an array of
/// events, or an attribute search answer (`{"response": {"Attribute": […]}}`).
///
/// Attributes of type `domain` (subdomains covered), `hostname` (exact), `url`/`uri` (exact host), `domain|ip`,
/// `hostname|port`, `ip-dst`/`ip-src` (and `|port`) are taken, from the event and its objects; others (hashes,
/// file names, links, comments…) are skipped by type, as are attributes with `to_ids` false and deleted ones.
/// Event and attribute tags give the category (`circl:incident-classification="phishing"`,
/// `kill-chain:Command and Control`, `rsit:…`), the family (`misp-galaxy:malpedia="Emotet"`,
/// `misp-galaxy:ransomware=…`) and traits (`malware_classification:malware-category="Ransomware"`).
enum MISPParser {
    static func parse(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        let (root, lines) = try parseJSONFeed(bytes, format: .misp, context: context)
        var r = FeedParseResult(format: .misp, source: context.source ?? "misp")
        var events: [JSON] = []
        var looseAttributes: [JSON] = []
        if let e = root["Event"] {
            events = [e]
        } else if let resp = root["response"] {
            if let a = resp.array { events = a.map { $0["Event"] ?? $0 } } else if let attrs = resp["Attribute"]?.array { looseAttributes = attrs }
        } else if let a = root.array {
            events = a.map { $0["Event"] ?? $0 }
        } else if let m = root.members, !m.isEmpty, m.allSatisfy({ $0.value["info"] != nil && $0.value["Attribute"] == nil }) {
            throw IntelFeedsError(.notThisFormat(.misp, "this is a MISP feed manifest; import the event files it lists"), file: context.file, line: 1, offset: 0)
        } else {
            throw IntelFeedsError(.notThisFormat(.misp, "expected {\"Event\": …}, {\"response\": …} or an array of events"), file: context.file, line: 1, offset: 0)
        }
        for event in events {
            guard event.members != nil else {
                r.malformed("an event that is not an object", line: lines.line(at: event.offset), offset: event.offset, excerpt: "", file: context.file)
                continue
            }
            var t = Indicator.template(source: r.source)
            apply(tags: tagNames(event), galaxies: event["Galaxy"], to: &t)
            if r.defaults.category == nil { r.defaults.category = t.category }
            let uuid = event["uuid"]?.text ?? ""
            let info = event["info"]?.text ?? ""
            if !info.isEmpty { r.notes["info"] = info }
            if let org = event["Orgc"]?["name"]?.text { r.notes["org"] = org }
            t.reference = uuid.isEmpty ? (info.isEmpty ? nil : info) : "misp-event:\(uuid)" + (info.isEmpty ? "" : " (\(info))")
            t.firstSeen = (event["date"]?.text).flatMap { DateText.seconds($0) }
            var attributes = event["Attribute"]?.array ?? []
            for obj in event["Object"]?.array ?? [] { attributes += obj["Attribute"]?.array ?? [] }
            for a in attributes { add(attribute: a, template: t, to: &r, lines: lines, context: context) }
        }
        for a in looseAttributes {
            var t = Indicator.template(source: r.source)
            if let ev = a["Event"], let u = ev["uuid"]?.text { t.reference = "misp-event:\(u)" }
            add(attribute: a, template: t, to: &r, lines: lines, context: context)
        }
        try r.requireSomething(.misp, file: context.file)
        return r
    }

    static func tagNames(_ o: JSON) -> [String] { (o["Tag"]?.array ?? []).compactMap { $0["name"]?.text } }

    static let familyGalaxies: Set<String> = ["malpedia", "ransomware", "banker", "botnet", "rat", "stealer", "tool", "backdoor", "android", "exploit-kit", "mitre-malware", "mitre-tool"]

    /// Reads MISP tags (`namespace:predicate="value"`) and galaxy clusters into category, family and traits.
    static func apply(tags: [String], galaxies: JSON?, to t: inout Indicator) {
        for tag in tags {
            let lower = tag.lowercased()
            if lower.hasPrefix("tlp:") || lower.hasPrefix("type:") || lower.hasPrefix("misp:") || lower.hasPrefix("workflow:") { continue }
            var ns = lower, pred = "", value = ""
            if let colon = tag.firstIndex(of: ":") {
                ns = String(tag[..<colon]).lowercased()
                let rest = tag[tag.index(after: colon)...]
                if let eq = rest.firstIndex(of: "=") {
                    pred = String(rest[..<eq]).lowercased()
                    value = String(rest[rest.index(after: eq)...]).trimmingCharacters("\"")
                } else {
                    value = String(rest).trimmingCharacters("\"")
                }
            } else {
                value = tag
            }
            if ns == "misp-galaxy" {
                if familyGalaxies.contains(pred), t.family == nil { t.family = stripGalaxySuffix(value) }
                if pred == "ransomware" { t.tags.traits.insert(.ransomware) }
                if pred == "threat-actor" { t.tags.addLabel("actor:" + value) }
                if let tr = ThreatTraits(parsing: pred) { t.tags.traits.insert(tr) }
                continue
            }
            let v = value.lowercased()
            if ns == "kill-chain" || pred.contains("kill-chain") {
                if v.contains("command") { t.category = .commandAndControl }
                continue
            }
            if v.contains("c2") || v.contains("c&c") || v.contains("command-and-control") || v == "botnet-drone" || v.contains("c2-server") {
                t.category = .commandAndControl
            } else if let c = ThreatCategory(parsing: v), t.category == nil || c != .malware {
                t.category = c
            }
            if let tr = ThreatTraits(parsing: v) { t.tags.traits.insert(tr) }
        }
        for g in galaxies?.array ?? [] {
            let type = (g["type"]?.text ?? "").lowercased()
            for cluster in g["GalaxyCluster"]?.array ?? [] {
                guard let v = cluster["value"]?.text else { continue }
                if familyGalaxies.contains(type), t.family == nil { t.family = stripGalaxySuffix(v) }
                if type == "ransomware" { t.tags.traits.insert(.ransomware) }
            }
        }
    }

    /// `Emotet - S0367` (MITRE galaxies) → `Emotet`.
    static func stripGalaxySuffix(_ v: String) -> String {
        let b = Array(v.utf8)
        var i = 0
        while i + 3 <= b.count {
            if b[i] == 0x20, b[i + 1] == UInt8(ascii: "-"), b[i + 2] == 0x20 { return String(decoding: b[..<i], as: UTF8.self) }
            i += 1
        }
        return v
    }

    static func add(attribute a: JSON, template: Indicator, to r: inout FeedParseResult, lines: LineIndex, context: FeedContext) {
        let line = lines.line(at: a.offset)
        guard let type = a["type"]?.text?.lowercased(), let value = a["value"]?.text else {
            r.malformed("attribute without a type or value", line: line, offset: a.offset, excerpt: a["uuid"]?.text ?? "", file: context.file)
            return
        }
        let networkTypes: Set<String> = ["domain", "hostname", "url", "uri", "domain|ip", "hostname|port", "ip-dst", "ip-src", "ip-dst|port", "ip-src|port"]
        guard networkTypes.contains(type) else { r.skip("attribute type \(type)"); return }
        if a["deleted"]?.bool == true { r.skip("deleted attribute"); return }
        if a["to_ids"]?.bool == false { r.skip("to_ids is false"); return }
        var t = template
        apply(tags: tagNames(a), galaxies: nil, to: &t)
        if let fs = (a["first_seen"]?.text).flatMap({ DateText.seconds($0) }) { t.firstSeen = fs }
        if let ls = (a["last_seen"]?.text).flatMap({ DateText.seconds($0) }) ?? (a["timestamp"]?.text).flatMap({ DateText.seconds($0) }) { t.lastSeen = ls }
        if let c = a["comment"]?.text, !c.isEmpty, c.count < 200 { t.tags.addLabel(c) }
        let parts = value.split(separator: "|", maxSplits: 1).map(String.init)
        switch type {
        case "domain|ip":
            r.add(HostText.parse(parts.first ?? ""), nameScope: .subdomain, template: t, line: line, offset: a.offset, excerpt: value, file: context.file)
            if parts.count == 2 { r.add(HostText.parse(parts[1]), nameScope: .exact, template: t, line: line, offset: a.offset, excerpt: value, file: context.file) }
        case "hostname|port", "ip-dst|port", "ip-src|port":
            r.add(HostText.parse(parts.first ?? ""), nameScope: .exact, template: t, line: line, offset: a.offset, excerpt: value, file: context.file)
        case "domain":
            r.add(HostText.parse(value), nameScope: .subdomain, template: t, line: line, offset: a.offset, excerpt: value, file: context.file)
        default:
            r.add(HostText.parse(value), nameScope: .exact, template: t, line: line, offset: a.offset, excerpt: value, file: context.file)
        }
    }
}
