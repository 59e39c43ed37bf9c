import DNSWire

/// Content sniffing for ``FeedFormat/detect(_:fileName:)``: looks at the first 64 KiB.
enum FormatDetector {
    static func detect(_ all: [UInt8], fileName: String) -> Result<FeedFormat, IntelFeedsError> {
        let head = Array(all.prefix(65536))
        var first = head.startIndex
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { first = 3 }
        while first < head.count, HostText.isSpace(head[first]) { first += 1 }
        guard first < head.count else { return .failure(IntelFeedsError(.unrecognised("the file is empty"), file: fileName)) }
        let text = String(decoding: head, as: UTF8.self)
        let lower = text.lowercased()
        if head[first] == UInt8(ascii: "{") || head[first] == UInt8(ascii: "[") {
            let compact = lower.filter { !$0.isWhitespace }
            if compact.contains("\"type\":\"bundle\"") || compact.contains("\"spec_version\":\"2.") || compact.contains("\"pattern_type\":") || compact.contains("\"type\":\"indicator\"") {
                return .success(.stix)
            }
            if compact.contains("\"event\":{") || compact.contains("\"attribute\":[") || compact.contains("\"event\":") {
                return .success(.misp)
            }
            if compact.contains("\"ioc_value\"") || compact.contains("\"iocs\"") || compact.contains("\"ioc\"") || compact.contains("\"malware_printable\"") || compact.contains("\"threat_type\"") {
                return .success(.threatfoxJSON)
            }
            return .failure(IntelFeedsError(.unrecognised("JSON, but not STIX, MISP or ThreatFox"), file: fileName))
        }
        // Text formats: look at comments and the first data lines.
        var comments: [String] = []
        var data: [ArraySlice<UInt8>] = []
        for line in LineReader(head) {
            let t = line.trimmed
            if t.isEmpty { continue }
            if t.first == UInt8(ascii: "#") || t.first == UInt8(ascii: ";") || t.first == UInt8(ascii: "!") {
                if comments.count < 200 { comments.append(t.string.lowercased()) }
                continue
            }
            if data.count < 200 { data.append(t) }
        }
        let commentText = comments.joined(separator: "\n")
        if commentText.contains("maltrail") || commentText.contains("# reference:") && !data.contains(where: { $0.hasPrefixIgnoringCase("||") }) {
            return .success(.maltrail)
        }
        // CSV headers, commented or not.
        let headerCandidates = comments.suffix(3) + data.prefix(1).map { $0.string.lowercased() }
        for h in headerCandidates {
            let c = h.replacingSpacesAndQuotes()
            if c.contains("ioc_value") || (c.contains("ioc_type") && c.contains("first_seen")) { return .success(.threatfoxCSV) }
            if c.contains("urlhaus_link") || (c.contains("url_status") && c.contains("threat")) { return .success(.urlhausCSV) }
            if c.hasPrefix("phish_id,") || (c.contains("phish_detail_url") && c.contains("url")) { return .success(.phishtank) }
        }
        if commentText.contains("urlhaus") && commentText.contains("csv") { return .success(.urlhausCSV) }
        if commentText.contains("threatfox") && commentText.contains("csv") { return .success(.threatfoxCSV) }
        guard !data.isEmpty else { return .failure(IntelFeedsError(.unrecognised("only comments"), file: fileName)) }
        var rpz = 0, adblock = 0, hosts = 0, urls = 0
        for d in data {
            let s = d.string
            let u = s.uppercased()
            if s.hasPrefix("$ORIGIN") || s.hasPrefix("$TTL") || u.contains(" SOA ") || u.hasSuffix(" CNAME .") || u.contains(" CNAME *.") || u.contains(" CNAME RPZ-") || s.contains(".rpz-") {
                rpz += 1
            }
            if d.hasPrefixIgnoringCase("||") || d.hasPrefixIgnoringCase("@@||") || d.hasPrefixIgnoringCase("[adblock") { adblock += 1 }
            if d.hasPrefixIgnoringCase("http://") || d.hasPrefixIgnoringCase("https://") { urls += 1 }
            if let sp = d.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) {
                let addr = d[d.startIndex..<sp].string
                if IPv4Like.isAddress(addr) { hosts += 1 }
            }
        }
        let n = data.count
        if rpz > 0 { return .success(.rpz) }
        if adblock * 2 >= n { return .success(.adblock) }
        if hosts * 2 >= n { return .success(.hosts) }
        if urls * 2 >= n { return .success(fileName.lowercased().contains("openphish") ? .openphish : .urls) }
        return .success(.list)
    }
}

enum IPv4Like {
    static func isAddress(_ s: String) -> Bool { HostText.ipv4(Array(s.utf8)[...]) != nil || (s.contains(":") && IPv6Address(s) != nil) }
}

extension String {
    func replacingSpacesAndQuotes() -> String { filter { $0 != " " && $0 != "\"" && $0 != "#" } }
}
