import DNSightCore

/// Maltrail static trail files (`trails/static/<folder>/<family>.txt`).
///
/// The family is the file name (`android_flubot.txt` → `android flubot`, resolved later against the family
/// catalogue; `generic_*` files name no family); the folder gives the category (`malware` → malware, `suspicious`
/// → suspected tier; `malicious` and others leave it to the catalogue). `# Reference:` lines are kept as the
/// reference of the entries under them, `# Aliases:` as a note. Names cover their subdomains as Maltrail matches
/// them; `host/path` trails match their host exactly; `ip:port` trails give the address; bare paths are skipped.
enum MaltrailParser {
    static func parse(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        var defaults = SourceDefaults()
        let base = context.baseName.lowercased()
        var familyName = base.replacingOccurrences("_", with: " ")
        if familyName.hasPrefix("generic") {
            for w in familyName.split(separator: " ").dropFirst() { if let t = ThreatTraits(parsing: w) { defaults.tags.traits.insert(t) } }
            familyName = ""
        }
        defaults.family = familyName.isEmpty ? nil : familyName
        switch context.folderName?.lowercased() {
        case "malware": defaults.category = .malware
        case "suspicious": defaults.tier = .suspected
        default: break
        }
        var r = FeedParseResult(format: .maltrail, source: context.source ?? "maltrail", defaults: defaults)
        var template = Indicator.template(source: r.source)
        template.family = defaults.family
        var references: [String] = []
        var referencesClosed = false
        for line in LineReader(bytes) {
            let t = line.trimmed
            if t.isEmpty { continue }
            if t.first == UInt8(ascii: "#") {
                let body = t.dropFirst().string.trimmingSpaces()
                let lower = body.lowercased()
                if lower.hasPrefix("ref"), let colon = body.firstIndex(of: ":"), body.distance(from: body.startIndex, to: colon) <= 10 {
                    if referencesClosed { references = []; referencesClosed = false }
                    let ref = String(body[body.index(after: colon)...]).trimmingSpaces()
                    if !ref.isEmpty { references.append(ref) }
                    template.reference = references.joined(separator: " ")
                } else if lower.hasPrefix("aliases:") {
                    r.notes["aliases"] = body.components(after: "aliases:")
                }
                continue
            }
            referencesClosed = true
            if t.first != UInt8(ascii: "/"), t.contains(where: { $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "^") }) {
                r.skip("regular expression")
                continue
            }
            r.add(HostText.parse(bytes: t, allowWildcard: false), nameScope: context.scope ?? .subdomain, urlScope: .exact,
                  template: template, line: line.number, offset: line.offset, excerpt: t.string, file: context.file)
        }
        r.mergeSameHost()
        try r.requireSomething(.maltrail, file: context.file)
        return r
    }
}

extension String {
    /// The text with every `target` replaced by `replacement` (no Foundation here).
    func replacingOccurrences(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
