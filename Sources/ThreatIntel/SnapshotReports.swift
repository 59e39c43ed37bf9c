import DNSWire
import DNSightCore
import DomainMatcher
import Foundation

/// Counts over a snapshot, for `dnsight intel stats`.
public struct SnapshotStats: Sendable, Codable, Hashable {
    /// Name entries, address entries, distinct records and total bytes.
    public var names: Int, addresses: Int, records: Int, bytes: Int
    /// When it was built (Unix seconds).
    public var created: Int64
    /// Entries (names and addresses) by source feed, category (`unspecified` for none), family (`unattributed` for
    /// none), kind (`domain`, `ip`, `client-ip`, `nsdname`, `nsip`), scope and action.
    public var bySource: [String: Int], byCategory: [String: Int], byFamily: [String: Int]
    public var byKind: [String: Int], byScope: [String: Int], byAction: [String: Int]
    /// The import report stored in the snapshot, if any.
    public var report: ImportReport?

    /// Counts everything in `snapshot`.
    public init(_ snapshot: MatcherSnapshot) {
        names = snapshot.entryCount
        addresses = snapshot.addressCount
        records = snapshot.recordCount
        bytes = snapshot.byteCount
        created = snapshot.created
        bySource = [:]; byCategory = [:]; byFamily = [:]; byKind = [:]; byScope = [:]; byAction = [:]
        // Count per record first (cheap), then resolve each record's strings once.
        var perRecord = [Int](repeating: 0, count: snapshot.recordCount)
        for slot in 0..<snapshot.entryCount {
            guard let e = snapshot.entry(slot) else { continue }
            perRecord[e.record] += 1
            byKind[e.isNameServer ? "nsdname" : "domain", default: 0] += 1
            byScope[e.scope.rawValue, default: 0] += 1
        }
        for slot in 0..<snapshot.addressCount {
            guard let i = snapshot.addressIndicator(slot) else { continue }
            byKind[i.value.kindName, default: 0] += 1
            byScope["exact", default: 0] += 1
            byCategory[i.category?.rawValue ?? "unspecified", default: 0] += 1
            byFamily[i.family ?? "unattributed", default: 0] += 1
            bySource[i.source, default: 0] += 1
            byAction[i.action.name, default: 0] += 1
        }
        for (k, n) in perRecord.enumerated() where n > 0 {
            guard let r = snapshot.record(k) else { continue }
            byCategory[r.category?.rawValue ?? "unspecified", default: 0] += n
            byFamily[snapshot.string(r.family) ?? "unattributed", default: 0] += n
            bySource[snapshot.string(r.source) ?? "", default: 0] += n
            byAction[RecordLayoutNames.action(r.actionCode), default: 0] += n
        }
        report = ImportReport(snapshot: snapshot)
    }
}

enum RecordLayoutNames {
    static func action(_ code: UInt8) -> String {
        ["block", "allow", "nxdomain", "nodata", "drop", "tcp-only", "local-data"][Int(min(code, 6))]
    }
}

/// Why a name or address matched, for `dnsight intel lookup`.
public struct LookupExplanation: Sendable, Codable, Hashable {
    /// One matching entry.
    public struct Entry: Sendable, Codable, Hashable {
        /// The entry as written (`*.example.com` for wildcards), its kind and scope.
        public var entry: String, kind: String, scope: String
        /// The action (`block`, `allow`, `nxdomain`…), category, family and tags.
        public var action: String, category: String?, family: String?, tags: [String]
        /// The tier, the source's confidence, the feed, its reference, and the file and line it came from.
        public var tier: String, confidence: Int?, source: String, reference: String?, file: String?, line: Int?
        /// First and last seen, ISO 8601.
        public var firstSeen: String?, lastSeen: String?
    }

    /// What was asked.
    public var query: String
    /// `listed`, `allowed`, `no-match`, or `invalid` (not a name or address).
    public var verdict: String
    /// The entry that decided: the most specific listed entry, or the allowlist entry that won.
    public var decidedBy: Entry?
    /// Every matching entry, least specific first.
    public var matches: [Entry]

    /// Explains `query` (a name, or an IPv4/IPv6 address looked up among answer addresses).
    public init(query: String, snapshot s: MatcherSnapshot) {
        self.query = query
        matches = []
        decidedBy = nil
        verdict = "no-match"
        if let v4 = IPv4Address(query) {
            explainAddress(s.lookup(v4), s)
            return
        }
        if let v6 = IPv6Address(query) {
            explainAddress(s.lookup(v6), s)
            return
        }
        guard (try? DNSName(parsing: query)) != nil else { verdict = "invalid"; return }
        let all = s.matches(query)
        matches = all.compactMap { Self.entry(slot: $0.entry, s) }
        switch s.lookup(query) {
        case .noMatch: verdict = "no-match"
        case .listed(let m): verdict = "listed"; decidedBy = Self.entry(slot: m.entry, s)
        case .allowed(let m): verdict = "allowed"; decidedBy = Self.entry(slot: m.entry, s)
        }
    }

    private mutating func explainAddress(_ m: AddressMatch?, _ s: MatcherSnapshot) {
        guard let m, let r = s.record(m.record) else { verdict = "no-match"; return }
        let prefix = m.prefixLength
        var e = Self.describe(record: r, s)
        e.kind = "ip"
        e.entry = prefix == 32 || prefix == 128 ? query : "\(query)/\(prefix)"
        verdict = r.isAllow ? "allowed" : "listed"
        decidedBy = e
        matches = [e]
    }

    static func entry(slot: Int, _ s: MatcherSnapshot) -> Entry? {
        guard let i = s.indicator(entry: slot), let e = s.entry(slot), let r = s.record(e.record) else { return nil }
        var out = describe(record: r, s)
        out.entry = i.pattern
        out.kind = i.value.kindName
        out.scope = i.scope.rawValue
        out.line = e.line
        out.firstSeen = e.firstSeen.map(iso)
        out.lastSeen = e.lastSeen.map(iso)
        return out
    }

    static func describe(record r: MatchRecord, _ s: MatcherSnapshot) -> Entry {
        Entry(entry: "", kind: "", scope: "exact", action: r.action(in: s).description, category: r.category?.rawValue,
              family: s.string(r.family), tags: r.tags(in: s).words, tier: r.tier.rawValue, confidence: r.confidence.map(Int.init),
              source: s.string(r.source) ?? "", reference: s.string(r.reference), file: s.string(r.file), line: nil,
              firstSeen: nil, lastSeen: nil)
    }

    /// A Unix time as ISO 8601 (UTC).
    public static func isoDate(_ t: Int64) -> String { iso(t) }

    static func iso(_ t: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }
}

/// What changed between two snapshots, for `dnsight intel diff`.
public struct SnapshotDiff: Sendable, Codable, Hashable {
    /// One entry as compared: what it matches and what it says.
    public struct Line: Sendable, Codable, Hashable, Comparable {
        /// `domain`, `ip`, …; the entry as written; its scope, action and source.
        public var kind: String, entry: String, scope: String, action: String, source: String
        /// Category and family.
        public var category: String?, family: String?

        var key: String { "\(kind)\u{1F}\(entry)\u{1F}\(scope)\u{1F}\(action)\u{1F}\(source)" }
        public static func < (a: Line, b: Line) -> Bool { (a.entry, a.key) < (b.entry, b.key) }
    }

    /// A changed entry: the same entry with another category or family.
    public struct Change: Sendable, Codable, Hashable {
        public var before: Line, after: Line
    }

    /// Entries only in the new snapshot, only in the old one, and in both with a different meaning.
    public var added: [Line], removed: [Line], changed: [Change]

    /// Compares two snapshots entry by entry.
    public init(old: MatcherSnapshot, new: MatcherSnapshot) {
        func lines(_ s: MatcherSnapshot) -> [String: Line] {
            var out: [String: Line] = [:]
            for i in s.allIndicators() {
                let l = Line(kind: i.value.kindName, entry: i.pattern, scope: i.scope.rawValue, action: i.action.name, source: i.source,
                             category: i.category?.rawValue, family: i.family)
                out[l.key] = l
            }
            return out
        }
        let a = lines(old), b = lines(new)
        added = b.filter { a[$0.key] == nil }.map(\.value).sorted()
        removed = a.filter { b[$0.key] == nil }.map(\.value).sorted()
        changed = b.compactMap { k, v in
            guard let o = a[k], o != v else { return nil }
            return Change(before: o, after: v)
        }.sorted { $0.after < $1.after }
    }
}
