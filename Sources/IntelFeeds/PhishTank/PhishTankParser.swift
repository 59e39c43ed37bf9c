import DNSightCore

/// PhishTank's `verified_online.csv` (`phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target`).
/// Each URL is reduced to its host (exact); `target` (unless `Other`) becomes the targeted brand; the detail URL is
/// the reference. Unverified rows are kept as suspected.
enum PhishTankParser {
    static func parse(_ bytes: [UInt8], context: FeedContext) throws(IntelFeedsError) -> FeedParseResult {
        var r = FeedParseResult(format: .phishtank, source: context.source ?? "phishtank", defaults: SourceDefaults(category: .phishing))
        let file = context.file
        let found = CSVTable.read(bytes, isHeader: { $0.contains("url") && ($0.contains("phish_id") || $0.contains("phish_detail_url")) },
            problem: { why, line, offset, ex in r.malformed(why, line: line, offset: offset, excerpt: ex, file: file) },
            row: { row in
                guard let url = r.urlCell(row, file: file) else { return }
                var i = Indicator.template(source: r.source)
                i.category = .phishing
                i.tags.addBrand(row["target"])
                let detail = row["phish_detail_url"]
                i.reference = detail.isEmpty ? nil : detail
                i.firstSeen = DateText.seconds(row["submission_time"])
                i.lastSeen = DateText.seconds(row["verification_time"]) ?? i.firstSeen
                if row["verified"].lowercased() == "no" { i.tier = .suspected }
                r.add(HostText.parse(url, allowWildcard: false), nameScope: .exact, template: i,
                      line: row.line, offset: row.offset, excerpt: url, file: file)
            })
        guard found else { throw IntelFeedsError(.missingColumn("phish_id"), file: file, line: 1, offset: 0) }
        r.mergeSameHost()
        try r.requireSomething(.phishtank, file: file)
        return r
    }
}
