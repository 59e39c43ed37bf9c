import DNSightCore

/// One URL per line (OpenPhish's community feed; any URL list). Each URL is reduced to its host, which matches
/// exactly; a host listed by several URLs is kept once. OpenPhish entries are phishing.
enum URLListParser {
    static func parse(_ bytes: [UInt8], format: FeedFormat, context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        let phishing = format == .openphish
        var r = FeedParseResult(format: format, source: context.source ?? (phishing ? "openphish" : context.baseName),
                                defaults: SourceDefaults(category: phishing ? .phishing : nil))
        let template = Indicator.template(source: r.source)
        for line in LineReader(bytes) {
            let t = line.trimmed
            if t.isEmpty || t.first == UInt8(ascii: "#") { continue }
            guard HostText.findScheme(HostText.refang(t)) != nil else {
                r.malformed("not a URL (expected scheme://host/…)", line: line.number, offset: line.offset, excerpt: t.string, file: context.file)
                continue
            }
            r.add(HostText.parse(bytes: t, allowWildcard: false), nameScope: context.scope ?? .exact, urlScope: context.scope ?? .exact,
                  template: template, line: line.number, offset: line.offset, excerpt: t.string, file: context.file)
        }
        r.mergeSameHost()
        try r.requireSomething(format, file: context.file)
        return r
    }
}
