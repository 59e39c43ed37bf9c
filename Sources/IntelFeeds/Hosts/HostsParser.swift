import DNSightCore

/// Hosts files: an address, then one or more names (`0.0.0.0 a.example b.example # note`).
///
/// Every name is taken, whatever the address (`0.0.0.0`, `127.0.0.1`, `::` or a real one); the usual boilerplate
/// (`localhost`, `broadcasthost`, `ip6-…`) is skipped. Names are exact, as a hosts file means them, unless the
/// context says otherwise. The abuse.ch URLhaus host file is recognised by its header: source `urlhaus`, malware.
enum HostsParser {
    static let boilerplate: Set<String> = [
        "localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost", "ip6-loopback", "ip6-localnet",
        "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0",
    ]

    static func parse(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        var r = FeedParseResult(format: .hosts, source: context.source ?? context.baseName)
        var template = Indicator.template(source: r.source)
        let scope = context.scope ?? .exact
        var sawHeader = false
        for line in LineReader(bytes) {
            var t = line.trimmed
            if t.isEmpty { continue }
            if t.first == UInt8(ascii: "#") {
                if !sawHeader, t.string.lowercased().contains("urlhaus") {
                    sawHeader = true
                    if context.source == nil { r.source = "urlhaus"; template.source = "urlhaus" }
                    r.defaults.category = .malware
                    r.notes["title"] = t.dropFirst().string.trimmingSpaces().trimmingCharacters("#")
                } else if t.string.lowercased().contains("last updated:") {
                    r.notes["updated"] = t.string.components(after: "updated:").trimmingCharacters("#")
                }
                continue
            }
            if let hash = t.firstIndex(of: UInt8(ascii: "#")) { t = t[t.startIndex..<hash] }
            let words = t.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
            guard let first = words.first else { continue }
            guard IPv4Like.isAddress(first.string) else {
                r.malformed("expected an address followed by names", line: line.number, offset: line.offset, excerpt: line.trimmed.string, file: context.file)
                continue
            }
            if words.count == 1 {
                r.malformed("an address with no name", line: line.number, offset: line.offset, excerpt: line.trimmed.string, file: context.file)
                continue
            }
            for w in words.dropFirst() {
                if boilerplate.contains(w.string.lowercased()) { r.skip("hosts boilerplate"); continue }
                let h = HostText.parse(bytes: w, allowWildcard: false)
                if case .address = h {
                    r.malformed("an address where a name was expected", line: line.number, offset: line.offset, excerpt: line.trimmed.string, file: context.file)
                    continue
                }
                r.add(h, nameScope: scope, urlScope: scope, template: template, line: line.number, offset: line.offset, excerpt: line.trimmed.string, file: context.file)
            }
        }
        try r.requireSomething(.hosts, file: context.file)
        return r
    }
}

extension String {
    /// The text after the first occurrence of `marker` (case-insensitive), trimmed; empty when absent.
    func components(after marker: String) -> String {
        let hay = Array(lowercased().utf8), needle = Array(marker.lowercased().utf8)
        guard !needle.isEmpty, hay.count >= needle.count else { return "" }
        for i in 0...(hay.count - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) {
            return String(decoding: Array(utf8)[(i + needle.count)...], as: UTF8.self).trimmingSpaces()
        }
        return ""
    }

    /// The text without the given characters at either end, then trimmed of spaces.
    func trimmingCharacters(_ chars: Character) -> String {
        var s = Substring(self)
        while let f = s.first, f == chars || f == " " { s = s.dropFirst() }
        while let l = s.last, l == chars || l == " " { s = s.dropLast() }
        return String(s)
    }
}
