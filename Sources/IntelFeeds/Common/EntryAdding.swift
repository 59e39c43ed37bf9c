import DNSWire
import DNSightCore

extension FeedParseResult {
    /// Adds what one entry reduced to: a name with `nameScope` (or `urlScope` when it came from a URL or
    /// `host/path`, a wildcard when written `*.name`), an address, a skip or a malformed-entry diagnostic.
    /// `template` supplies everything but the value and scope. Returns whether something was kept.
    @discardableResult
    mutating func add(
        _ host: HostText, nameScope: MatchScope, urlScope: MatchScope = .exact, template: Indicator,
        line: Int, offset: Int, excerpt: some StringProtocol, file: String
    ) -> Bool {
        switch host {
        case .name(let n, let wildcard, let fromURL):
            var i = template
            i.value = .domain(n)
            i.scope = wildcard ? .wildcard : (fromURL ? urlScope : nameScope)
            i.location = SourceLocation(file: file, line: line)
            indicators.append(i)
            return true
        case .address(let a, _):
            var i = template
            i.value = .address(a)
            i.scope = .exact
            i.location = SourceLocation(file: file, line: line)
            indicators.append(i)
            return true
        case .skip(let why):
            skip(why)
            return false
        case .invalid(let why):
            malformed(why, line: line, offset: offset, excerpt: excerpt, file: file)
            return false
        }
    }

    /// Throws "not this format" when nothing at all could be read but something was malformed: the file is most
    /// likely in another format.
    func requireSomething(_ format: FeedFormat, file: String) throws(IntelFeedsError) {
        if indicators.isEmpty, let d = diagnostics.first, (skipped["malformed"] ?? 0) * 2 > skippedCount {
            throw IntelFeedsError(.notThisFormat(format, "no entry could be read; the first problem is \"\(d.message)\" in \"\(d.excerpt)\""), file: file, line: d.line, offset: d.offset)
        }
    }

    /// Merges entries with the same value and scope (URL feeds list one host many times), keeping the earliest
    /// first-seen, the latest last-seen and the union of tags; each merged entry is counted as skipped.
    mutating func mergeSameHost() {
        var seen: [Key: Int] = [:]
        var out: [Indicator] = []
        out.reserveCapacity(indicators.count)
        for i in indicators {
            let k = Key(value: i.value, scope: i.scope, action: i.action)
            if let j = seen[k] {
                var e = out[j]
                if let f = i.firstSeen { e.firstSeen = min(e.firstSeen ?? f, f) }
                if let l = i.lastSeen { e.lastSeen = max(e.lastSeen ?? l, l) }
                e.tags = e.tags.union(i.tags)
                if e.category == nil { e.category = i.category }
                if e.family == nil { e.family = i.family }
                if let c = i.confidence { e.confidence = max(e.confidence ?? c, c) }
                out[j] = e
                skip("same host as an earlier entry")
            } else {
                seen[k] = out.count
                out.append(i)
            }
        }
        indicators = out
    }

    private struct Key: Hashable {
        var value: IndicatorValue
        var scope: MatchScope
        var action: IndicatorAction
    }
}

extension Indicator {
    /// An indicator to copy fields from; its value is replaced by ``FeedParseResult/add(_:nameScope:urlScope:template:line:offset:excerpt:file:)``.
    static func template(source: String) -> Indicator { Indicator(.domain(.root), source: source) }
}
