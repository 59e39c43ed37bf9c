import DNSWire
import DNSightCore

/// One name entry of a snapshot, read back.
public struct SnapshotEntry: Sendable, Hashable {
    /// The entry's slot.
    public let slot: Int
    /// The name (lower case).
    public let name: DNSName
    /// How it covers names.
    public let scope: MatchScope
    /// Whether it is an `rpz-nsdname` entry rather than a query-name entry.
    public let isNameServer: Bool
    /// Its record.
    public let record: Int
    /// First and last seen (Unix seconds), when known.
    public let firstSeen: Int64?, lastSeen: Int64?
    /// The line of the source file it was read from, when known.
    public let line: Int?
}

extension MatcherSnapshot {
    /// The name entry in a slot (allocates the name); `nil` for a slot out of range or a corrupt name.
    public func entry(_ slot: Int) -> SnapshotEntry? {
        guard slot >= 0, slot < entryCount else { return nil }
        let eo = entriesOffset + slot * SnapshotLayout.entrySize
        let xo = extrasOffset + slot * SnapshotLayout.extraSize
        let nameOffset = Int(u32(eo + 4)), info = u32(eo + 8)
        guard nameOffset < namesLength else { return nil }
        var k = nameOffset
        var wire: [UInt8] = []
        while k < namesLength {
            let len = Int(base.load(fromByteOffset: namesOffset + k, as: UInt8.self))
            guard len <= 63, k + len < namesLength, wire.count + len + 1 <= 255 else { return nil }
            wire += UnsafeRawBufferPointer(start: base + namesOffset + k, count: len + 1)
            if len == 0 { break }
            k += len + 1
        }
        guard wire.last == 0, let name = try? DNSName(wire: wire) else { return nil }
        let first = u32(xo), last = u32(xo + 4), line = u32(xo + 8)
        return SnapshotEntry(slot: slot, name: name, scope: SnapshotLayout.scope(code: (info >> SnapshotLayout.scopeShift) & 3),
                             isNameServer: info & SnapshotLayout.nsdnameBit != 0, record: Int(info & SnapshotLayout.recordMask),
                             firstSeen: first == 0 ? nil : Int64(first), lastSeen: last == 0 ? nil : Int64(last), line: line == 0 ? nil : Int(line))
    }

    /// Rebuilds the full indicator of a name entry (allocates).
    public func indicator(entry slot: Int) -> Indicator? {
        guard let e = entry(slot), let r = record(e.record) else { return nil }
        return indicator(value: e.isNameServer ? .nameServerName(e.name) : .domain(e.name), scope: e.scope, record: r,
                         firstSeen: e.firstSeen, lastSeen: e.lastSeen, line: e.line)
    }

    func indicator(value: IndicatorValue, scope: MatchScope, record r: MatchRecord, firstSeen: Int64?, lastSeen: Int64?, line: Int?) -> Indicator {
        let file = string(r.file)
        return Indicator(value, scope: scope, action: r.action(in: self), category: r.category, tier: r.tier,
                         family: string(r.family), tags: r.tags(in: self), confidence: r.confidence,
                         firstSeen: firstSeen, lastSeen: lastSeen, source: string(r.source) ?? "",
                         reference: string(r.reference), location: file.map { SourceLocation(file: $0, line: line ?? 0) })
    }

    /// The address entry in a slot, as an indicator (allocates).
    public func addressIndicator(_ slot: Int) -> Indicator? {
        guard slot >= 0, slot < addressCount else { return nil }
        let o = addressesOffset + slot * SnapshotLayout.addressSize
        let high = u64(o), low = u64(o + 8)
        let prefix = Int(base.load(fromByteOffset: o + 16, as: UInt8.self))
        let family = base.load(fromByteOffset: o + 17, as: UInt8.self)
        let kind = base.load(fromByteOffset: o + 18, as: UInt8.self)
        guard let r = record(Int(u32(o + 20))) else { return nil }
        let net: IPNetwork? = family == 4 ? IPNetwork(IPv4Address(rawValue: UInt32(truncatingIfNeeded: low)), prefixLength: prefix)
                                          : IPNetwork(IPv6Address(high: high, low: low), prefixLength: prefix)
        guard let net else { return nil }
        let value: IndicatorValue = kind == 1 ? .clientAddress(net) : (kind == 2 ? .nameServerAddress(net) : .address(net))
        return indicator(value: value, scope: .exact, record: r, firstSeen: nil, lastSeen: nil, line: nil)
    }

    /// Every indicator in the snapshot, names first, then addresses (allocates each one).
    public func allIndicators() -> [Indicator] {
        var out: [Indicator] = []
        out.reserveCapacity(entryCount + addressCount)
        for s in 0..<entryCount { if let i = indicator(entry: s) { out.append(i) } }
        for s in 0..<addressCount { if let i = addressIndicator(s) { out.append(i) } }
        return out
    }

    // MARK: Addresses

    /// The most specific entry covering an IPv4 address in one of the address tables. Allocation-free.
    public func lookup(_ address: IPv4Address, kind: AddressKind = .answer) -> AddressMatch? {
        let k = Int(kind.rawValue)
        let indexBase = v4IndexBase[k]
        guard indexBase >= 0 else { return nil }
        // The prefix lengths present, longest first.
        var lengths = v4PrefixMasks[k]
        while lengths != 0 {
            let p = 63 - lengths.leadingZeroBitCount
            lengths &= ~(1 << UInt64(p))
            let m: UInt32 = p == 0 ? 0 : ~UInt32(0) << UInt32(32 - p)
            let network = address.rawValue & m
            let slot = indexBase + Int(network >> 16)
            let lo = Int(v4Slash16Index[slot]), hi = Int(v4Slash16Index[slot + 1])
            if lo < hi, let r = findAddress(kind: kind.rawValue, family: 4, high: 0, low: UInt64(network), prefix: UInt8(p), in: lo..<hi) {
                return AddressMatch(record: r, prefixLength: p)
            }
        }
        return nil
    }

    /// The most specific entry covering an IPv6 address in one of the address tables. Allocation-free.
    public func lookup(_ address: IPv6Address, kind: AddressKind = .answer) -> AddressMatch? {
        let masks = prefixMasksFor(kind)
        var p = 128
        while p >= 0 {
            let present = p == 128 ? masks[3] != 0 : (p < 64 ? masks[1] & (1 << UInt64(p)) != 0 : masks[2] & (1 << UInt64(p - 64)) != 0)
            if present {
                let h: UInt64 = p == 0 ? 0 : (p >= 64 ? ~0 : ~UInt64(0) << UInt64(64 - p))
                let l: UInt64 = p <= 64 ? 0 : (p == 128 ? ~0 : ~UInt64(0) << UInt64(128 - p))
                if let r = findAddress(kind: kind.rawValue, family: 6, high: address.high & h, low: address.low & l, prefix: UInt8(p), in: 0..<addressCount) {
                    return AddressMatch(record: r, prefixLength: p)
                }
            }
            p -= 1
        }
        return nil
    }

    /// Binary search of positions `range` of the sorted address table for an exact (kind, family, address, prefix)
    /// entry.
    private func findAddress(kind: UInt8, family: UInt8, high: UInt64, low: UInt64, prefix: UInt8, in range: Range<Int>) -> Int? {
        var lo = range.lowerBound, hi = range.upperBound
        let key = (kind, family, high, low, prefix)
        while lo < hi {
            let mid = (lo + hi) / 2
            let o = addressesOffset + mid * SnapshotLayout.addressSize
            let k = (base.load(fromByteOffset: o + 18, as: UInt8.self), base.load(fromByteOffset: o + 17, as: UInt8.self), u64(o), u64(o + 8),
                     base.load(fromByteOffset: o + 16, as: UInt8.self))
            if k < key { lo = mid + 1 } else { hi = mid }
        }
        guard lo < range.upperBound else { return nil }
        let o = addressesOffset + lo * SnapshotLayout.addressSize
        guard base.load(fromByteOffset: o + 18, as: UInt8.self) == kind, base.load(fromByteOffset: o + 17, as: UInt8.self) == family,
              u64(o) == high, u64(o + 8) == low, base.load(fromByteOffset: o + 16, as: UInt8.self) == prefix else { return nil }
        return Int(u32(o + 20))
    }
}
