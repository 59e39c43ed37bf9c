import DNSightCore

/// Adblock-style DNS rules (AdGuard Home, uBlock "hosts" lists): `||name^` blocks a name and its subdomains,
/// `||*.name^` only its subdomains, `|name^` the name alone, and `@@||name^` makes an exception (allow).
/// Hosts-style lines and bare names are accepted too.
///
/// Rules that cannot apply to DNS (paths, cosmetic `##` rules, regular expressions) are skipped, as are rules with
/// modifiers dnsight does not implement (`$client`, `$dnstype`, `$dnsrewrite`, `$denyallow`, `$ctag`, `$badfilter`).
enum AdblockParser {
    static let harmlessModifiers: Set<String> = ["important", "all", "document", "doc", "third-party", "3p", "popup", "first-party", "1p", "script", "subdocument"]

    static func parse(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        var r = FeedParseResult(format: .adblock, source: context.source ?? context.baseName)
        let template = Indicator.template(source: r.source)
        for line in LineReader(bytes) {
            var t = line.trimmed
            if t.isEmpty || t.first == UInt8(ascii: "!") || t.first == UInt8(ascii: "#") && !t.hasPrefixIgnoringCase("##") { continue }
            if t.first == UInt8(ascii: "[") { continue }  // [Adblock Plus 2.0]
            let excerpt = t.string
            if excerpt.contains("##") || excerpt.contains("#@#") || excerpt.contains("#?#") || excerpt.contains("#$#") { r.skip("cosmetic rule"); continue }
            var action = IndicatorAction.block
            if t.hasPrefixIgnoringCase("@@") { action = .allow; t = t.dropFirst(2) }
            if t.first == UInt8(ascii: "/") { r.skip("regular-expression or path rule"); continue }
            // Modifiers.
            if let dollar = t.lastIndex(of: UInt8(ascii: "$")) {
                let mods = t[(dollar + 1)...].string.split(separator: ",").map { $0.trimmingSpaces().lowercased() }
                if let bad = mods.first(where: { !harmlessModifiers.contains($0) && !$0.isEmpty }) {
                    r.skip("modifier $\(bad.split(separator: "=").first ?? "")")
                    continue
                }
                t = t[t.startIndex..<dollar]
            }
            var scope = MatchScope.subdomain
            var body = t
            if t.hasPrefixIgnoringCase("||") {
                body = t.dropFirst(2)
            } else if t.first == UInt8(ascii: "|") {
                body = t.dropFirst()
                scope = .exact
            } else if let sp = t.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }), IPv4Like.isAddress(t[t.startIndex..<sp].string) {
                // Hosts syntax inside an adblock list.
                body = t[sp...].drop(while: { $0 == 0x20 || $0 == 0x09 })
                scope = .exact
            }
            // The rule ends at `^` (separator) or `|` (end anchor); anything after `^` other than `|` is a path.
            if let caret = body.firstIndex(where: { $0 == UInt8(ascii: "^") || $0 == UInt8(ascii: "|") }) {
                let rest = body[(caret + 1)...]
                if !rest.isEmpty && rest != [UInt8(ascii: "|")][...] { r.skip("rule with a path"); continue }
                body = body[body.startIndex..<caret]
            }
            if body.contains(UInt8(ascii: "/")) {
                r.skip("rule with a path")
                continue
            }
            if body.contains(where: { $0 == UInt8(ascii: "*") }) && !(body.count > 2 && body.prefix(2).elementsEqual("*.".utf8) && !body.dropFirst(2).contains(UInt8(ascii: "*"))) {
                r.skip("wildcard inside a name")
                continue
            }
            var tpl = template
            tpl.action = action
            let h = HostText.parse(bytes: body, allowWildcard: true)
            if case .address = h, action == .allow { r.skip("address exception"); continue }
            r.add(h, nameScope: scope, urlScope: scope, template: tpl, line: line.number, offset: line.offset, excerpt: excerpt, file: context.file)
        }
        try r.requireSomething(.adblock, file: context.file)
        return r
    }
}
