import DNSWire
import DNSightCore

/// Collects indicators (and allowlist entries) and compiles them into a snapshot image: the bytes of a snapshot
/// file, which ``MatcherSnapshot`` reads in place.
///
/// Names are stored once, lower-cased, in wire form; entries that share a name, scope and meaning are merged
/// (earliest first-seen, latest last-seen). Entries are placed in a static hash table sorted by bucket, so the
/// table has no empty slots: per name entry it costs 12 bytes, 12 bytes of dates and source line, and about one
/// byte of bucket directory; what entries mean (category, family, tags, source, reference) is stored once per
/// distinct combination in 48-byte records.
public struct SnapshotBuilder: Sendable {
    /// The hash seed written into the snapshot.
    public let seed: UInt64

    struct PendingEntry {
        var hash: UInt64
        var nameOffset: UInt32
        var info: UInt32
        var firstSeen: UInt32
        var lastSeen: UInt32
        var line: UInt32
    }

    struct PendingAddress: Comparable {
        var high: UInt64, low: UInt64, prefix: UInt8, family: UInt8, kind: UInt8, record: UInt32
        static func < (a: PendingAddress, b: PendingAddress) -> Bool {
            (a.kind, a.family, a.high, a.low, a.prefix, a.record) < (b.kind, b.family, b.high, b.low, b.prefix, b.record)
        }
    }

    struct RecordKey: Hashable {
        var category: UInt8, tier: UInt8, action: UInt8, confidence: UInt8, devices: UInt16, traits: UInt32
        var family: String?, source: String, reference: String?, file: String?
        var brands: String, industries: String, labels: String, localData: String
    }

    private var names: [UInt8] = []
    /// Distinct names by their table hash: the offset of the first name with that hash, then any others (rare).
    private var nameIndex: [UInt64: UInt32] = [:]
    private var nameCollisions: [UInt64: [UInt32]] = [:]
    /// The metadata of the last indicator added and its record, to skip building record keys for runs of
    /// indicators that mean the same (a feed file's entries mostly do).
    private var lastMeta: Meta? = nil
    private var records: [RecordKey] = []
    private var recordIndex: [RecordKey: UInt32] = [:]
    private var lastRecord: (key: RecordKey, index: UInt32)? = nil
    private var entries: [PendingEntry] = []
    private var entryIndex: [UInt64: Int] = [:]
    private var addresses: [PendingAddress] = []
    private var labelMask: UInt64 = 0

    /// How many indicators were added, and how many of them merged into an existing entry.
    public private(set) var added = 0, merged = 0

    /// A builder; the seed only needs changing to defeat deliberately colliding feed content.
    public init(seed: UInt64 = 0x6463_6E73_6967_6874) {
        self.seed = seed
    }

    /// Adds many indicators.
    public mutating func add(contentsOf indicators: [Indicator]) throws(DomainMatcherError) {
        try indicators.withUnsafeBufferPointer { (buf) throws(DomainMatcherError) in
            for k in buf.indices { try add(buf[k]) }
        }
    }

    /// Adds one indicator. Domain and `rpz-nsdname` values go into the name table; addresses (answer, client and
    /// name-server IPs) into the address table.
    public mutating func add(_ indicator: Indicator) throws(DomainMatcherError) {
        added += 1
        let record = try recordNumber(for: indicator)
        switch indicator.value {
        case .domain(let n), .nameServerName(let n):
            var isNS = false
            if case .nameServerName = indicator.value { isNS = true }
            let wire = Self.isLowerCase(n.wire) ? n.wire : n.lowercased.wire
            let hash = NameHash.hash(wire: wire, seed: seed)
            let offset = try intern(wire, hash: hash, labels: n.labelCount)
            var info = record | SnapshotLayout.scopeCode(indicator.scope) << SnapshotLayout.scopeShift
            if indicator.action.isAllow { info |= SnapshotLayout.allowBit }
            if isNS { info |= SnapshotLayout.nsdnameBit }
            let first = UInt32(clamping: max(0, indicator.firstSeen ?? 0))
            let last = UInt32(clamping: max(0, indicator.lastSeen ?? 0))
            let key = UInt64(offset) << 32 | UInt64(info)
            if let j = entryIndex[key] {
                merged += 1
                if first != 0 { entries[j].firstSeen = entries[j].firstSeen == 0 ? first : min(entries[j].firstSeen, first) }
                if last != 0 { entries[j].lastSeen = max(entries[j].lastSeen, last) }
                return
            }
            entryIndex[key] = entries.count
            entries.append(PendingEntry(hash: hash, nameOffset: offset, info: info,
                                        firstSeen: first, lastSeen: last, line: UInt32(clamping: indicator.location?.line ?? 0)))
        case .address(let net), .clientAddress(let net), .nameServerAddress(let net):
            var kind: UInt8 = 0
            if case .clientAddress = indicator.value { kind = 1 }
            if case .nameServerAddress = indicator.value { kind = 2 }
            switch net {
            case .v4(let a, let p):
                addresses.append(PendingAddress(high: 0, low: UInt64(a.rawValue), prefix: p, family: 4, kind: kind, record: record))
            case .v6(let a, let p):
                addresses.append(PendingAddress(high: a.high, low: a.low, prefix: p, family: 6, kind: kind, record: record))
            }
        }
    }

    static func isLowerCase(_ w: [UInt8]) -> Bool { !w.contains { $0 &- 0x41 < 26 } }

    /// The offset of `wire` in the name buffer, adding it when new.
    private mutating func intern(_ wire: [UInt8], hash: UInt64, labels: Int) throws(DomainMatcherError) -> UInt32 {
        func same(_ o: UInt32) -> Bool {
            let start = Int(o)
            guard start + wire.count <= names.count else { return false }
            return names[start..<(start + wire.count)].elementsEqual(wire)
        }
        if let o = nameIndex[hash] {
            if same(o) { return o }
            for c in nameCollisions[hash] ?? [] where same(c) { return c }
        }
        guard names.count + wire.count < Int(UInt32.max) else { throw DomainMatcherError(.tooLarge("names over 4 GiB"), file: "") }
        let offset = UInt32(names.count)
        names += wire
        if nameIndex[hash] == nil { nameIndex[hash] = offset } else { nameCollisions[hash, default: []].append(offset) }
        labelMask |= 1 << UInt64(min(labels, 63))
        return offset
    }

    /// Everything a record holds, as the indicator has it; compared before building a ``RecordKey``.
    struct Meta: Equatable {
        var category: ThreatCategory?, tier: Tier, action: IndicatorAction, confidence: UInt8?, family: String?
        var tags: ThreatTags, source: String, reference: String?, file: String?
        init(_ i: Indicator) {
            category = i.category; tier = i.tier; action = i.action; confidence = i.confidence; family = i.family
            tags = i.tags; source = i.source; reference = i.reference; file = i.location?.file
        }

        /// Whether `i` has this metadata, compared in place (cheap when the strings and arrays share storage).
        func matches(_ i: borrowing Indicator) -> Bool {
            category == i.category && tier == i.tier && confidence == i.confidence && family == i.family && source == i.source
                && reference == i.reference && file == i.location?.file && action == i.action && tags == i.tags
        }
    }

    private mutating func recordNumber(for i: Indicator) throws(DomainMatcherError) -> UInt32 {
        if let m = lastMeta, let last = lastRecord, m.matches(i) { return last.index }
        let n = try recordNumber(building: i)
        lastMeta = Meta(i)
        return n
    }

    private mutating func recordNumber(building i: Indicator) throws(DomainMatcherError) -> UInt32 {
        var devices: UInt16 = 0
        for d in i.tags.deviceTypes { devices |= d.bit }
        var local = ""
        if case .localData(let rrs) = i.action { local = rrs.joined(separator: "\u{1F}") }
        let key = RecordKey(
            category: i.category?.code ?? 0, tier: i.tier == .suspected ? 1 : 0, action: RecordLayout.actionCode(i.action),
            confidence: i.confidence ?? 255, devices: devices, traits: i.tags.traits.rawValue,
            family: i.family, source: i.source, reference: i.reference, file: i.location?.file,
            brands: i.tags.brands.joined(separator: "\u{1F}"), industries: i.tags.industries.map(\.rawValue).joined(separator: "\u{1F}"),
            labels: i.tags.labels.joined(separator: "\u{1F}"), localData: local)
        if let last = lastRecord, last.key == key { return last.index }
        if let n = recordIndex[key] {
            lastRecord = (key, n)
            return n
        }
        guard records.count < SnapshotLayout.maxRecords else { throw DomainMatcherError(.tooLarge("more than \(SnapshotLayout.maxRecords) distinct records"), file: "") }
        let n = UInt32(records.count)
        records.append(key)
        recordIndex[key] = n
        lastRecord = (key, n)
        return n
    }

    /// The number of name entries and address entries so far.
    public var entryCount: Int { entries.count }
    /// The number of address entries so far.
    public var addressCount: Int { addresses.count }

    /// Compiles everything added into snapshot bytes. `meta` is stored as is (dnsight keeps its import report there).
    public func build(meta: [UInt8] = [], created: Int64 = 0) throws(DomainMatcherError) -> [UInt8] {
        let n = entries.count
        let bucketCount = max(1, (n + 3) / 4)
        // Counting sort of entries by bucket.
        var bucketOf = [UInt32](repeating: 0, count: n)
        var counts = [UInt32](repeating: 0, count: bucketCount + 1)
        var fingerprints = [UInt32](repeating: 0, count: n)
        var filters = [UInt32](repeating: 0, count: bucketCount + 1)
        for (k, e) in entries.enumerated() {
            let f = NameHash.finish(e.hash)
            let b = UInt32(truncatingIfNeeded: f.multipliedFullWidth(by: UInt64(bucketCount)).high)
            bucketOf[k] = b
            let fp = UInt32(truncatingIfNeeded: f)
            fingerprints[k] = fp
            filters[Int(b)] |= SnapshotLayout.filterBit(fp)
            counts[Int(b) + 1] += 1
        }
        for b in 0..<bucketCount { counts[b + 1] += counts[b] }
        var order = [Int](repeating: 0, count: n)
        var next = counts
        for k in 0..<n {
            let b = Int(bucketOf[k])
            order[Int(next[b])] = k
            next[b] += 1
        }
        // Strings.
        var strings: [UInt8] = []
        var stringIndex: [String: UInt32] = [:]
        func intern(_ s: String?) -> UInt32 {
            guard let s, !s.isEmpty else { return SnapshotLayout.noString }
            if let o = stringIndex[s] { return o }
            let o = UInt32(strings.count)
            let b = Array(s.utf8)
            withUnsafeBytes(of: UInt32(b.count).littleEndian) { strings += $0 }
            strings += b
            stringIndex[s] = o
            return o
        }
        var recordBytes = [UInt8](repeating: 0, count: records.count * SnapshotLayout.recordSize)
        recordBytes.withUnsafeMutableBytes { rb in
            for (k, r) in records.enumerated() {
                let o = k * SnapshotLayout.recordSize
                rb.storeBytes(of: r.category, toByteOffset: o, as: UInt8.self)
                rb.storeBytes(of: r.tier, toByteOffset: o + 1, as: UInt8.self)
                rb.storeBytes(of: r.action, toByteOffset: o + 2, as: UInt8.self)
                rb.storeBytes(of: r.confidence, toByteOffset: o + 3, as: UInt8.self)
                rb.storeBytes(of: r.devices.littleEndian, toByteOffset: o + 4, as: UInt16.self)
                rb.storeBytes(of: r.traits.littleEndian, toByteOffset: o + 8, as: UInt32.self)
                let ids = [intern(r.family), intern(r.source), intern(r.reference), intern(r.file), intern(r.brands),
                           intern(r.industries), intern(r.labels), intern(r.localData)]
                for (j, id) in ids.enumerated() { rb.storeBytes(of: id.littleEndian, toByteOffset: o + 12 + 4 * j, as: UInt32.self) }
            }
        }
        guard strings.count < Int(UInt32.max) else { throw DomainMatcherError(.tooLarge("strings over 4 GiB"), file: "") }
        let sortedAddresses = addresses.sorted()
        // Section sizes and offsets.
        let sizes = [
            (bucketCount + 1) * SnapshotLayout.directorySize, n * SnapshotLayout.entrySize, n * SnapshotLayout.extraSize, names.count,
            recordBytes.count, strings.count, sortedAddresses.count * SnapshotLayout.addressSize, meta.count,
        ]
        var offsets: [Int] = []
        var pos = SnapshotLayout.headerSize
        for s in sizes {
            pos = alignUp(pos)
            offsets.append(pos)
            pos += s
        }
        var image = [UInt8](repeating: 0, count: alignUp(pos))
        image.withUnsafeMutableBytes { out in
            SnapshotLayout.magic.withUnsafeBytes { m in UnsafeMutableRawBufferPointer(rebasing: out[0..<8]).copyMemory(from: m) }
            func u32(_ v: UInt32, _ o: Int) { out.storeBytes(of: v.littleEndian, toByteOffset: o, as: UInt32.self) }
            func u64(_ v: UInt64, _ o: Int) { out.storeBytes(of: v.littleEndian, toByteOffset: o, as: UInt64.self) }
            u32(SnapshotLayout.version, 8)
            u32(UInt32(SnapshotLayout.headerSize), 12)
            u32(UInt32(n), 16)
            u32(UInt32(bucketCount), 20)
            u32(UInt32(records.count), 24)
            u32(UInt32(sortedAddresses.count), 28)
            u64(seed, 32)
            u64(labelMask, 40)
            u64(UInt64(bitPattern: created), 48)
            for (k, (o, s)) in zip(offsets, sizes).enumerated() {
                u64(UInt64(o), 64 + 16 * k)
                u64(UInt64(s), 72 + 16 * k)
            }
            let bo = offsets[0]
            for b in 0...bucketCount {
                u32(counts[b], bo + SnapshotLayout.directorySize * b)
                u32(filters[b], bo + SnapshotLayout.directorySize * b + 4)
            }
            let eo = offsets[1], xo = offsets[2]
            for (slot, k) in order.enumerated() {
                let e = entries[k]
                u32(fingerprints[k], eo + slot * 12)
                u32(e.nameOffset, eo + slot * 12 + 4)
                u32(e.info, eo + slot * 12 + 8)
                u32(e.firstSeen, xo + slot * 12)
                u32(e.lastSeen, xo + slot * 12 + 4)
                u32(e.line, xo + slot * 12 + 8)
            }
            func copy(_ bytes: [UInt8], _ o: Int) {
                bytes.withUnsafeBytes { src in
                    if let base = src.baseAddress { UnsafeMutableRawBufferPointer(rebasing: out[o..<(o + src.count)]).copyMemory(from: UnsafeRawBufferPointer(start: base, count: src.count)) }
                }
            }
            copy(names, offsets[3])
            copy(recordBytes, offsets[4])
            copy(strings, offsets[5])
            let ao = offsets[6]
            for (k, a) in sortedAddresses.enumerated() {
                let o = ao + k * SnapshotLayout.addressSize
                u64(a.high, o)
                u64(a.low, o + 8)
                out.storeBytes(of: a.prefix, toByteOffset: o + 16, as: UInt8.self)
                out.storeBytes(of: a.family, toByteOffset: o + 17, as: UInt8.self)
                out.storeBytes(of: a.kind, toByteOffset: o + 18, as: UInt8.self)
                u32(a.record, o + 20)
            }
            copy(meta, offsets[7])
        }
        return image
    }
}
