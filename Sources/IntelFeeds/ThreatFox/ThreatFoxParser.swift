import DNSightCore

/// abuse.ch ThreatFox IOCs.
///
/// JSON: the full export (`{"<id>": [{"ioc_value", "ioc_type", "threat_type", "malware_printable", …}]}`), the API
/// answer (`{"query_status": "ok", "data": [{"ioc", …}]}`), a slimmed `{"iocs": [{"ioc", "type", "malware", …}]}`
/// list, or a bare array of IOC objects. CSV: the export, with columns found by header name (both the old and the
/// current column layouts). Values may be defanged (`[.]`, `hxxp`).
///
/// `domain` IOCs cover subdomains, `url` IOCs their exact host, `ip:port` IOCs the address; file hashes are skipped.
/// `threat_type` gives the category (`botnet_cc` → C2, `payload_delivery` → malware), `malware_printable` (or
/// `malware`) the family, `tags` the tags, `confidence_level` the confidence, `reference` the reference.
enum ThreatFoxParser {
    struct Fields {
        var value = "", type = "", threatType = "", family = "", alias = "", firstSeen = "", lastSeen = ""
        var confidence = "", reference = "", tags: [String] = [], id = ""
    }

    static func parseJSON(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        let (root, lines) = try parseJSONFeed(bytes, format: .threatfoxJSON, context: context)
        var r = FeedParseResult(format: .threatfoxJSON, source: context.source ?? "threatfox")
        var objects: [JSON] = []
        if let a = root.array {
            objects = a
        } else if let data = root["data"]?.array {
            objects = data
        } else if let iocs = root["iocs"]?.array {
            objects = iocs
            if let u = root["updated"]?.text { r.notes["updated"] = u }
        } else if let status = root["query_status"]?.text, status != "ok" {
            throw IntelFeedsError(.notThisFormat(.threatfoxJSON, "the API answered query_status \"\(status)\""), file: context.file, line: 1, offset: 0)
        } else if let members = root.members, !members.isEmpty, members.allSatisfy({ $0.value.array != nil }) {
            // The export: id → [ioc].
            for m in members { objects += m.value.array! }
        } else {
            throw IntelFeedsError(.notThisFormat(.threatfoxJSON, "expected an IOC array, a \"data\" or \"iocs\" array, or the id-keyed export"), file: context.file, line: 1, offset: 0)
        }
        for o in objects {
            let line = lines.line(at: o.offset)
            guard o.members != nil else {
                r.malformed("an IOC entry that is not an object", line: line, offset: o.offset, excerpt: "", file: context.file)
                continue
            }
            var f = Fields()
            f.value = o.first("ioc_value", "ioc")?.text ?? ""
            f.type = o.first("ioc_type", "type")?.text ?? ""
            f.threatType = o.first("threat_type")?.text ?? ""
            f.family = o.first("malware_printable")?.text ?? o.first("malware")?.text ?? ""
            f.alias = o.first("malware_alias")?.text ?? ""
            f.firstSeen = o.first("first_seen_utc", "first_seen")?.text ?? ""
            f.lastSeen = o.first("last_seen_utc", "last_seen")?.text ?? ""
            f.confidence = o.first("confidence_level", "confidence")?.text ?? ""
            f.reference = o.first("reference")?.text ?? ""
            f.tags = o["tags"]?.stringList ?? []
            f.id = o.first("id", "ioc_id")?.text ?? ""
            add(f, to: &r, line: line, offset: o.offset, context: context)
        }
        try r.requireSomething(.threatfoxJSON, file: context.file)
        return r
    }

    static func parseCSV(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        var r = FeedParseResult(format: .threatfoxCSV, source: context.source ?? "threatfox")
        let file = context.file
        let found = CSVTable.read(bytes, isHeader: { $0.contains("ioc_value") || ($0.contains("ioc") && $0.contains("ioc_type")) },
            comment: { text, _ in if text.lowercased().hasPrefix("last updated:") { r.notes["updated"] = text.components(after: "updated:").trimmingCharacters("#") } },
            problem: { why, line, offset, ex in r.malformed(why, line: line, offset: offset, excerpt: ex, file: file) },
            row: { row in
                var f = Fields()
                f.value = row.first("ioc_value", "ioc")
                f.type = row["ioc_type"]
                f.threatType = row["threat_type"]
                f.family = row.first("malware_printable", "fk_malware", "malware")
                f.alias = row["malware_alias"]
                f.firstSeen = row.first("first_seen_utc", "first_seen", "dateadded")
                f.lastSeen = row.first("last_seen_utc", "last_seen")
                f.confidence = row.first("confidence_level", "confidence")
                f.reference = row["reference"]
                f.tags = row["tags"].split(separator: ",").map { $0.trimmingSpaces() }
                f.id = row.first("ioc_id", "id")
                add(f, to: &r, line: row.line, offset: row.offset, excerpt: row.excerpt, context: context)
            })
        guard found else {
            throw IntelFeedsError(.missingColumn("ioc_value"), file: file, line: 1, offset: 0)
        }
        try r.requireSomething(.threatfoxCSV, file: file)
        return r
    }

    static func add(_ f: Fields, to r: inout FeedParseResult, line: Int, offset: Int, excerpt: String? = nil, context: FeedContext) {
        let ex = excerpt ?? f.value
        let type = f.type.lowercased()
        guard !f.value.isEmpty else { r.malformed("IOC without a value", line: line, offset: offset, excerpt: ex, file: context.file); return }
        if type.contains("hash") || type.hasPrefix("md5") || type.hasPrefix("sha") { r.skip("file hash"); return }
        var i = Indicator.template(source: r.source)
        let tt = f.threatType.lowercased()
        switch tt {
        case "botnet_cc", "c2", "cc": i.category = .commandAndControl
        case "payload_delivery", "payload": i.category = .malware
        case "cc_skimming": i.category = .malware; i.tags.addLabel("cc_skimming")
        case "": break
        default: i.category = ThreatCategory(parsing: tt)
        }
        let fam = f.family.trimmingSpaces()
        if !fam.isEmpty {
            if fam.lowercased().hasPrefix("unknown") {
                // "Unknown malware", "Unknown Stealer": no family, but the word after may be a trait.
                for w in fam.split(separator: " ").dropFirst() { if let t = ThreatTraits(parsing: w) { i.tags.traits.insert(t) } }
            } else {
                i.family = fam
            }
        }
        for t in f.tags { i.tags.add(parsing: t) }
        if let c = Double(f.confidence) { i.confidence = UInt8(max(0, min(100, c))) }
        i.firstSeen = DateText.seconds(f.firstSeen)
        i.lastSeen = DateText.seconds(f.lastSeen)
        let ref = f.reference.trimmingSpaces()
        if !ref.isEmpty, ref.lowercased() != "none", ref.lowercased() != "null" {
            i.reference = ref
        } else if !f.id.isEmpty {
            i.reference = "https://threatfox.abuse.ch/ioc/\(f.id)/"
        }
        let h = HostText.parse(f.value, allowWildcard: false)
        if type == "domain", case .address = h {
            r.malformed("a domain IOC that is an address", line: line, offset: offset, excerpt: ex, file: context.file)
            return
        }
        r.add(h, nameScope: type == "url" ? .exact : .subdomain, template: i, line: line, offset: offset, excerpt: ex, file: context.file)
    }
}
