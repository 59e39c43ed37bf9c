import DNSightCore

/// One entry per line: a name (`evil.example`, `*.evil.example`), an address or CIDR, or a URL (reduced to its host).
///
/// Comments start with `#`, `;`, `!` or `//` at the start of a line, or with ` #` after an entry. A name covers its
/// subdomains unless the context says otherwise (``FeedContext/scope``); URL hosts are exact.
enum PlainListParser {
    static func parse(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        var r = FeedParseResult(format: .list, source: context.source ?? context.baseName)
        let template = Indicator.template(source: r.source)
        let scope = context.scope ?? .subdomain
        for line in LineReader(bytes) {
            var t = line.trimmed
            if t.isEmpty || isComment(t) { continue }
            t = stripInlineComment(t)
            if t.contains(where: { $0 == 0x20 || $0 == 0x09 }) {
                r.malformed("more than one word; expected one entry per line", line: line.number, offset: line.offset, excerpt: t.string, file: context.file)
                continue
            }
            r.add(HostText.parse(bytes: t, allowWildcard: true), nameScope: scope, template: template,
                  line: line.number, offset: line.offset, excerpt: t.string, file: context.file)
        }
        try r.requireSomething(.list, file: context.file)
        return r
    }

    static func isComment(_ t: ArraySlice<UInt8>) -> Bool {
        guard let c = t.first else { return true }
        return c == UInt8(ascii: "#") || c == UInt8(ascii: ";") || c == UInt8(ascii: "!") || t.hasPrefixIgnoringCase("//")
    }

    /// The entry before a ` #` (or tab-`#`) comment, trimmed.
    static func stripInlineComment(_ t: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var i = t.startIndex
        while i < t.endIndex {
            if t[i] == UInt8(ascii: "#"), i > t.startIndex, t[i - 1] == 0x20 || t[i - 1] == 0x09 {
                var e = i
                while e > t.startIndex, t[e - 1] == 0x20 || t[e - 1] == 0x09 { e -= 1 }
                return t[t.startIndex..<e]
            }
            i += 1
        }
        return t
    }
}
