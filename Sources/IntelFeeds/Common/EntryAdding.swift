import DNSWire
import DNSightCore

extension FeedParseResult {
    /// Adds what one entry reduced to: a name with `nameScope` (or `urlScope` when it came from a URL or
    /// `host/path`, a wildcard when written `*.name`), an address, a skip or a malformed-entry diagnostic.
    /// `template` supplies everything but the value and scope. Returns whether something was kept.
    @discardableResult
    mutating func add(
        _ host: HostText, nameScope: MatchScope, urlScope: MatchScope = .exact, template: Indicator,
        line: Int, offset: Int, excerpt: @autoclosure () -> String, file: String
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
            malformed(why, line: line, offset: offset, excerpt: excerpt(), file: file)
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
        var seen: [HostKey: Int] = [:]
        seen.reserveCapacity(indicators.count)
        var keep = [Bool](repeating: true, count: indicators.count)
        var merged = 0
        for k in indicators.indices {
            let key = HostKey(indicators[k])
            guard let j = seen[key] else { seen[key] = k; continue }
            keep[k] = false
            merged += 1
            let i = indicators[k]
            if let f = i.firstSeen { indicators[j].firstSeen = min(indicators[j].firstSeen ?? f, f) }
            if let l = i.lastSeen { indicators[j].lastSeen = max(indicators[j].lastSeen ?? l, l) }
            if !i.tags.isEmpty, i.tags != indicators[j].tags { indicators[j].tags = indicators[j].tags.union(i.tags) }
            if indicators[j].category == nil { indicators[j].category = i.category }
            if indicators[j].family == nil { indicators[j].family = i.family }
            if let c = i.confidence { indicators[j].confidence = max(indicators[j].confidence ?? c, c) }
        }
        guard merged > 0 else { return }
        var w = 0
        for k in indicators.indices where keep[k] {
            if w != k { indicators.swapAt(w, k) }
            w += 1
        }
        indicators.removeLast(indicators.count - w)
        skipped["same host as an earlier entry", default: 0] += merged
    }
}

/// What makes two parsed entries the same host: the value's kind and bytes (names from the parsers are already
/// lower-case wire form), the scope and the action. Hashes the bytes in one call rather than byte by byte.
struct HostKey: Hashable {
    var kind: UInt8
    var bytes: [UInt8]
    var net: IPNetwork?
    var scope: MatchScope
    var action: IndicatorAction

    init(_ i: Indicator) {
        switch i.value {
        case .domain(let n): kind = 0; bytes = n.wire; net = nil
        case .nameServerName(let n): kind = 1; bytes = n.wire; net = nil
        case .address(let a): kind = 2; bytes = []; net = a
        case .clientAddress(let a): kind = 3; bytes = []; net = a
        case .nameServerAddress(let a): kind = 4; bytes = []; net = a
        }
        scope = i.scope
        action = i.action
    }

    func hash(into h: inout Hasher) {
        h.combine(kind)
        bytes.withUnsafeBytes { h.combine(bytes: $0) }
        h.combine(net)
        h.combine(scope)
        h.combine(action)
    }
}

extension Indicator {
    /// An indicator to copy fields from; its value is replaced by ``FeedParseResult/add(_:nameScope:urlScope:template:line:offset:excerpt:file:)``.
    static func template(source: String) -> Indicator { Indicator(.domain(.root), source: source) }
}
