import DNSightCore

/// STIX 2.1: a bundle (or a bare array, or a single object) whose `indicator` objects carry STIX patterns.
///
/// From each pattern the `=` and `IN` comparisons on `domain-name:value` (subdomains covered), `url:value` (exact
/// host), `ipv4-addr:value`/`ipv6-addr:value`, `network-traffic:dst_ref.value` and
/// `domain-name:resolves_to_refs[*].value` are taken, also when `OR`ed or `AND`ed; `domain-name:value LIKE '%.x'`
/// becomes a wildcard. Negated comparisons, `MATCHES` and other object types are skipped. Labels and
/// indicator types become tags, kill-chain phases (`command-and-control`, `exfiltration`, `delivery`…) and
/// linked attack patterns the category, and the `malware` an indicator `indicates` its family (with the malware
/// types as traits). Indicators typed `benign` are allowlist entries; `anomalous-activity` ones are suspected.
enum STIXParser {
    static func parse(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        let (root, lines) = try parseJSONFeed(bytes, format: .stix, context: context)
        var r = FeedParseResult(format: .stix, source: context.source ?? "stix")
        let objects: [JSON]
        if root["type"]?.text == "bundle" {
            guard let o = root["objects"]?.array else {
                throw IntelFeedsError(.notThisFormat(.stix, "a bundle without an \"objects\" array"), file: context.file, line: 1, offset: 0)
            }
            objects = o
        } else if let a = root.array {
            objects = a
        } else if root["type"]?.text != nil, root["id"]?.text != nil {
            objects = [root]
        } else {
            throw IntelFeedsError(.notThisFormat(.stix, "expected a bundle, an array of objects or a STIX object"), file: context.file, line: 1, offset: 0)
        }
        // Objects by id, and what each indicator indicates.
        var byID: [String: JSON] = [:]
        var indicates: [String: [String]] = [:]
        for o in objects {
            guard let id = o["id"]?.text else { continue }
            byID[id] = o
            if o["type"]?.text == "relationship", o["relationship_type"]?.text == "indicates",
               let s = o["source_ref"]?.text, let t = o["target_ref"]?.text {
                indicates[s, default: []].append(t)
            }
        }
        var sawIndicator = false
        for o in objects {
            guard o["type"]?.text == "indicator" else { continue }
            sawIndicator = true
            let line = lines.line(at: o.offset)
            let id = o["id"]?.text ?? ""
            if o["revoked"]?.bool == true { r.skip("revoked indicator"); continue }
            if let pt = o["pattern_type"]?.text, pt.lowercased() != "stix" { r.skip("pattern type \(pt)"); continue }
            guard let patternText = o["pattern"]?.text else {
                r.malformed("indicator without a pattern", line: line, offset: o.offset, excerpt: id, file: context.file)
                continue
            }
            let pattern: STIXPattern
            do { pattern = try STIXPattern(patternText) } catch {
                r.malformed("pattern could not be read: \(error.message)", line: line, offset: o.offset, excerpt: patternText, file: context.file)
                continue
            }
            var t = Indicator.template(source: r.source)
            let types = (o["indicator_types"]?.stringList ?? []) + (o["labels"]?.stringList ?? [])
            for word in types {
                let w = word.lowercased()
                switch w {
                case "benign": t.action = .allow
                case "anomalous-activity": t.tier = .suspected
                case "malicious-activity", "attribution", "unknown": break
                default:
                    if let c = ThreatCategory(parsing: w), t.category == nil { t.category = c }
                    t.tags.add(parsing: word)
                }
            }
            for phase in o["kill_chain_phases"]?.array ?? [] {
                let p = (phase["phase_name"]?.text ?? "").lowercased()
                if !p.isEmpty { t.tags.addLabel("kill-chain:" + p) }
                if p.contains("command") && p.contains("control") { t.category = .commandAndControl }
                else if p.contains("exfiltration") { t.category = t.category ?? .exfiltration }
                else if ["delivery", "installation", "exploitation"].contains(p) { t.category = t.category ?? .malware }
            }
            for target in indicates[id] ?? [] {
                guard let obj = byID[target] else { continue }
                let name = obj["name"]?.text ?? ""
                switch obj["type"]?.text {
                case "malware":
                    if t.family == nil, !name.isEmpty { t.family = name }
                    for mt in obj["malware_types"]?.stringList ?? [] {
                        switch mt.lowercased() {
                        case "bot": t.tags.traits.insert(.botnet)
                        case "remote-access-trojan": t.tags.traits.insert(.remoteAccess)
                        case "spyware", "keylogger": t.tags.traits.insert(.stealer)
                        case "downloader", "dropper": t.tags.traits.insert(.loader)
                        default: t.tags.add(parsing: mt)
                        }
                    }
                case "attack-pattern":
                    let n = name.lowercased()
                    if n.contains("phishing") { t.category = t.category ?? .phishing }
                    if n.contains("exfiltration") { t.category = t.category ?? .exfiltration }
                    if n.contains("command and control") || n.contains("command-and-control") { t.category = t.category ?? .commandAndControl }
                case "threat-actor", "intrusion-set", "campaign":
                    if !name.isEmpty { t.tags.addLabel("actor:" + name) }
                default: break
                }
            }
            if let c = o["confidence"]?.number { t.confidence = UInt8(max(0, min(100, c))) }
            t.firstSeen = (o["valid_from"]?.text).flatMap { DateText.seconds($0) }
            t.lastSeen = (o["modified"]?.text).flatMap { DateText.seconds($0) }
            if let ref = o["external_references"]?.array?.compactMap({ $0["url"]?.text }).first { t.reference = ref } else if !id.isEmpty { t.reference = id }
            var kept = 0
            for c in pattern.comparisons {
                if c.negated { r.skip("negated comparison"); continue }
                let path = c.path.lowercased()
                let isName = path == "domain-name:value"
                let isURL = path == "url:value"
                let isIP = path == "ipv4-addr:value" || path == "ipv6-addr:value" || path.hasSuffix("_refs[*].value") || path.hasSuffix("_ref.value") && path.hasPrefix("network-traffic:")
                guard isName || isURL || isIP else { r.skip("STIX object path \(c.path)"); continue }
                switch c.op {
                case "=", "IN":
                    for v in c.values {
                        let h = HostText.parse(v, allowWildcard: false)
                        if r.add(h, nameScope: isURL ? .exact : .subdomain, template: t, line: line, offset: o.offset, excerpt: v, file: context.file) { kept += 1 }
                    }
                case "LIKE" where isName:
                    for v in c.values {
                        if v.hasPrefix("%."), !v.dropFirst(2).contains("%"), !v.dropFirst(2).contains("_") {
                            if r.add(HostText.parse("*." + v.dropFirst(2), allowWildcard: true), nameScope: .wildcard, template: t, line: line, offset: o.offset, excerpt: v, file: context.file) { kept += 1 }
                        } else {
                            r.skip("LIKE pattern other than '%.name'")
                        }
                    }
                default:
                    r.skip("comparison operator \(c.op)")
                }
            }
            _ = kept
        }
        if !sawIndicator && !objects.isEmpty { r.notes["warning"] = "no indicator objects" }
        return r
    }
}
