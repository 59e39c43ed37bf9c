import DNSightCore

/// The abuse.ch URLhaus CSV dump (`# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter`,
/// older dumps without `last_online`), columns by header name. Each URL is reduced to its host (exact) or IP
/// address; a host listed by several URLs is kept once with the earliest date added. The URLhaus host file is a
/// hosts file (``FeedFormat/hosts``).
enum URLhausParser {
    static func parse(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        var r = FeedParseResult(format: .urlhausCSV, source: context.source ?? "urlhaus", defaults: SourceDefaults(category: .malware))
        let file = context.file
        let found = CSVTable.read(bytes, isHeader: { $0.contains("url") && ($0.contains("dateadded") || $0.contains("urlhaus_link") || $0.contains("url_status")) },
            comment: { text, _ in if text.lowercased().hasPrefix("last updated:") { r.notes["updated"] = text.components(after: "updated:").trimmingCharacters("#") } },
            problem: { why, line, offset, ex in r.malformed(why, line: line, offset: offset, excerpt: ex, file: file) },
            row: { row in
                guard let url = r.urlCell(row, file: file) else { return }
                var i = Indicator.template(source: r.source)
                let threat = row["threat"].lowercased()
                if threat == "malware_download" || threat.isEmpty { i.category = .malware } else { i.category = ThreatCategory(parsing: threat) ?? .malware }
                for t in row["tags"].split(separator: ",") { i.tags.add(parsing: String(t)) }
                i.firstSeen = DateText.seconds(row["dateadded"])
                i.lastSeen = DateText.seconds(row["last_online"]) ?? i.firstSeen
                let link = row["urlhaus_link"]
                if !link.isEmpty { i.reference = link }
                r.add(HostText.parse(url, allowWildcard: false), nameScope: .exact, template: i,
                      line: row.line, offset: row.offset, excerpt: url, file: file)
            })
        guard found else { throw IntelFeedsError(.missingColumn("url"), file: file, line: 1, offset: 0) }
        r.mergeSameHost()
        try r.requireSomething(.urlhausCSV, file: file)
        return r
    }
}
