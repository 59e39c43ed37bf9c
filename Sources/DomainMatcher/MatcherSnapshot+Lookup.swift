import CPrefetch
import DNSWire
import DNSightCore

/// One entry that matched a query name.
public struct NameMatch: Sendable, Hashable {
    /// The entry's slot in the snapshot (see ``MatcherSnapshot/entry(_:)``).
    public let entry: Int
    /// The record holding what it means (see ``MatcherSnapshot/record(_:)``).
    public let record: Int
    /// How the entry covers names.
    public let scope: MatchScope
    /// Whether it is an allowlist entry.
    public let isAllow: Bool
    /// The number of labels of the entry's name: the larger, the more specific.
    public let labels: Int
}

/// The outcome of looking up a name.
public enum LookupResult: Sendable, Hashable {
    /// Nothing matched.
    case noMatch
    /// The most specific matching entry (an allowlist entry did not match).
    case listed(NameMatch)
    /// An allowlist entry matched; allowlist entries win over every listed entry.
    case allowed(NameMatch)

    /// The listed match, if the name is listed and not allowed.
    public var listed: NameMatch? { if case .listed(let m) = self { m } else { nil } }
}

/// An address entry that covers a looked-up address.
public struct AddressMatch: Sendable, Hashable {
    /// The record holding what it means.
    public let record: Int
    /// The prefix length of the matching entry (32 or 128 for a single host).
    public let prefixLength: Int
}

/// Which address table to search.
public enum AddressKind: UInt8, Sendable, CaseIterable {
    /// Addresses in answers and IOC addresses (RPZ `rpz-ip`).
    case answer = 0
    /// Client addresses (RPZ `rpz-client-ip`).
    case client = 1
    /// Name-server addresses (RPZ `rpz-nsip`).
    case nameServer = 2
}

extension MatcherSnapshot {
    /// Looks up a query name in uncompressed wire form (`DNSName.wire`, or the bytes
    /// `QuestionSummary.nameBytes(in:)` points at). Case-insensitive; allocation-free. Malformed wire bytes match
    /// nothing.
    public func lookup(wire: UnsafeRawBufferPointer) -> LookupResult {
        var best: NameMatch? = nil, bestHasCategory = false
        var allow: NameMatch? = nil
        scan(wire, nameServers: false) { m in
            if m.isAllow {
                if allow == nil || m.labels >= allow!.labels { allow = m }
                return
            }
            if let b = best {
                if m.labels > b.labels {
                    best = m; bestHasCategory = hasCategory(m.record)
                } else if m.labels == b.labels, !bestHasCategory, hasCategory(m.record) {
                    best = m; bestHasCategory = true
                }
            } else {
                best = m; bestHasCategory = hasCategory(m.record)
            }
        }
        if let allow { return .allowed(allow) }
        if let best { return .listed(best) }
        return .noMatch
    }

    /// Looks up a name in presentation form (`www.Example.com` or `www.example.com.`). Allocation-free for native
    /// Swift strings; `\.` and `\DDD` escapes are understood. Text that is not a valid name matches nothing.
    public func lookup(_ name: String) -> LookupResult {
        var name = name
        return name.withUTF8 { utf8 in
            withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { buf in
                guard let n = Self.presentationToWire(utf8, into: buf) else { return .noMatch }
                return lookup(wire: UnsafeRawBufferPointer(rebasing: buf[0..<n]))
            }
        }
    }

    /// Looks up a ``DNSName``.
    public func lookup(_ name: DNSName) -> LookupResult {
        name.wire.withUnsafeBytes { lookup(wire: $0) }
    }

    /// Calls `body` for every entry that matches the name, least specific first (allowlist entries included).
    public func forEachMatch(wire: UnsafeRawBufferPointer, _ body: (NameMatch) -> Void) {
        scan(wire, nameServers: false, body)
    }

    /// Every entry that matches a name in presentation form, least specific first (allocates the array).
    public func matches(_ name: String) -> [NameMatch] {
        var out: [NameMatch] = []
        var name = name
        name.withUTF8 { utf8 in
            withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { buf in
                guard let n = Self.presentationToWire(utf8, into: buf) else { return }
                scan(UnsafeRawBufferPointer(rebasing: buf[0..<n]), nameServers: false) { out.append($0) }
            }
        }
        return out
    }

    /// Every `rpz-nsdname` entry that matches a name-server name in wire form.
    public func nameServerMatches(wire: UnsafeRawBufferPointer) -> [NameMatch] {
        var out: [NameMatch] = []
        scan(wire, nameServers: true) { out.append($0) }
        return out
    }

    @inline(__always)
    func hasCategory(_ record: Int) -> Bool {
        record < recordCount && base.load(fromByteOffset: recordsOffset + record * SnapshotLayout.recordSize, as: UInt8.self) != 0
    }

    /// Starts loading the table buckets that a look-up of the name will probe, without waiting for them: call it
    /// a little before `lookup(wire:)` (e.g. before other per-event work) so that its cache misses overlap that
    /// work. A hint only; it changes no result. Does nothing on a snapshot small enough to stay in cache, where
    /// hashing the name twice would cost more than it hides.
    @inline(__always)
    public func prefetch(wire: UnsafeRawBufferPointer) {
        guard prefetchPays else { return }
        _ = probedSuffixes(wire) { _, bucket, _, _, _, _ in dnsight_prefetch(base + bucket) }
    }

    /// Whether the bucket directory (8 bytes a bucket) outgrows about half of this machine's 2 MiB L2 cache, so that
    /// a look-up's probes are likely cache misses worth prefetching.
    var prefetchPays: Bool { bucketCount >= 1 << 17 }

    /// Prefetches the buckets of a ``DNSName`` (see ``prefetch(wire:)``).
    @inline(__always)
    public func prefetch(_ name: DNSName) {
        name.wire.withUnsafeBytes { prefetch(wire: $0) }
    }

    /// Walks the query's label-boundary suffixes from the TLD leftwards and calls `body` with (finished hash, bucket
    /// offset, suffix start, suffix labels, query labels, query wire length) for each whose label count some entry
    /// has. Returns false (nothing called) when the bytes are not a name.
    @inline(__always)
    func probedSuffixes(_ wire: UnsafeRawBufferPointer, _ body: (UInt64, Int, Int, Int, Int, Int) -> Void) -> Bool {
        guard let p = wire.baseAddress, wire.count > 0, entryCount > 0 else { return false }
        let total = min(wire.count, 255)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { starts -> Bool in
            var n = 0, i = 0
            while true {
                guard i < total else { return false }
                let len = Int(p.load(fromByteOffset: i, as: UInt8.self))
                if len == 0 { break }
                guard len <= 63 else { return false }
                starts[n] = UInt8(truncatingIfNeeded: i)
                n += 1
                i += len + 1
            }
            let nameLength = i + 1
            var h = seed
            var j = n - 1
            while j >= 0 {
                let s = Int(starts[j])
                h = NameHash.mixLabel(h, p, at: s, end: total)
                let labels = n - j
                if labelMask & (1 << UInt64(min(labels, 63))) != 0 {
                    let f = NameHash.finish(h)
                    body(f, bucketsOffset + 8 * Int(truncatingIfNeeded: f.multipliedFullWidth(by: bucketCount).high), s, labels, n, nameLength)
                }
                j -= 1
            }
            return true
        }
    }

    /// Walks the query's label-boundary suffixes from the TLD leftwards, probing the table once per suffix whose label
    /// count some entry has, and reports every entry whose name equals the suffix and whose scope covers the query.
    @inline(__always)
    func scan(_ wire: UnsafeRawBufferPointer, nameServers: Bool, _ visit: (NameMatch) -> Void) {
        guard let p = wire.baseAddress else { return }
        _ = probedSuffixes(wire) { f, d, s, labels, n, nameLength in
            probe(f, bucket: d, query: p + s, length: nameLength - s, queryLabels: n, entryLabels: labels, nameServers: nameServers, visit)
        }
    }

    @inline(__always)
    private func probe(_ f: UInt64, bucket d: Int, query: UnsafeRawPointer, length: Int, queryLabels: Int, entryLabels: Int,
                       nameServers: Bool, _ visit: (NameMatch) -> Void) {
        let fp = UInt32(truncatingIfNeeded: f)
        let slot = u64(d)   // start (low half) and filter (high half) in one load
        guard UInt32(truncatingIfNeeded: slot >> 32) & SnapshotLayout.filterBit(fp) != 0 else { return }
        let lo = Int(UInt32(truncatingIfNeeded: slot)), hi = Int(u32(d + 8))
        var e = lo
        while e < hi {
            let eo = entriesOffset + e * SnapshotLayout.entrySize
            if u32(eo) == fp {
                let info = u32(eo + 8)
                let scopeCode = (info >> SnapshotLayout.scopeShift) & 3
                let covers = scopeCode == 1 || (scopeCode == 0 ? queryLabels == entryLabels : queryLabels > entryLabels)
                if covers, (info & SnapshotLayout.nsdnameBit != 0) == nameServers, nameEquals(Int(u32(eo + 4)), query, length) {
                    visit(NameMatch(entry: e, record: Int(info & SnapshotLayout.recordMask), scope: SnapshotLayout.scope(code: scopeCode),
                                    isAllow: info & SnapshotLayout.allowBit != 0, labels: entryLabels))
                }
            }
            e += 1
        }
    }

    /// Whether the stored (lower-case) name at `offset` equals the `length` query bytes, ignoring the query's case.
    @inline(__always)
    private func nameEquals(_ offset: Int, _ q: UnsafeRawPointer, _ length: Int) -> Bool {
        guard offset <= namesLength - length else { return false }
        let s = base + namesOffset + offset
        var k = 0
        while length - k >= 8 {
            let a = s.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            let b = NameHash.lower8(q.loadUnaligned(fromByteOffset: k, as: UInt64.self))
            if a != b { return false }
            k += 8
        }
        while k < length {
            if s.load(fromByteOffset: k, as: UInt8.self) != NameHash.lower(q.load(fromByteOffset: k, as: UInt8.self)) { return false }
            k += 1
        }
        return true
    }

    /// Presentation text → wire bytes in `buf` (at most 255); `nil` when it is not a valid name.
    static func presentationToWire(_ t: UnsafeBufferPointer<UInt8>, into buf: UnsafeMutableRawBufferPointer) -> Int? {
        var n = t.count
        if n > 0, t[n - 1] == UInt8(ascii: "."), !(n >= 2 && t[n - 2] == UInt8(ascii: "\\")) { n -= 1 }
        if n == 0 { buf[0] = 0; return 1 }
        var out = 1, labelStart = 0
        var i = 0
        while i < n {
            var c = t[i]
            if c == UInt8(ascii: ".") {
                let len = out - labelStart - 1
                guard len > 0, len <= 63 else { return nil }
                buf[labelStart] = UInt8(len)
                labelStart = out
                out += 1
                guard out < 255 else { return nil }
                i += 1
                continue
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < n else { return nil }
                let d = t[i + 1]
                if d &- 0x30 < 10 {
                    guard i + 3 < n, t[i + 2] &- 0x30 < 10, t[i + 3] &- 0x30 < 10 else { return nil }
                    let v = Int(d - 0x30) * 100 + Int(t[i + 2] - 0x30) * 10 + Int(t[i + 3] - 0x30)
                    guard v <= 255 else { return nil }
                    c = UInt8(v)
                    i += 4
                } else {
                    c = d
                    i += 2
                }
            } else {
                i += 1
            }
            guard out < 254 else { return nil }
            buf[out] = c
            out += 1
        }
        let len = out - labelStart - 1
        guard len > 0, len <= 63 else { return nil }
        buf[labelStart] = UInt8(len)
        buf[out] = 0
        return out + 1
    }
}
