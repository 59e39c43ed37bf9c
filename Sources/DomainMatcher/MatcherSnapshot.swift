import DNSWire
import DNSightCore

/// A compiled, immutable intel snapshot: domain names (exact, subdomain and wildcard entries, allowlist entries that
/// win) and addresses, with what each one means.
///
/// A snapshot is read in place from a memory-mapped file (``init(contentsOf:)``) or from an image in memory
/// (``init(image:)``); loading checks the header and the bucket directory and parses nothing else. Lookups are
/// case-insensitive, ignore a trailing dot, and do not allocate. Snapshots are immutable and `Sendable`: any number
/// of threads may look up in one at once, and ``MatcherStore`` swaps a new one in while they do.
public final class MatcherSnapshot: @unchecked Sendable {
    // Safety: every stored property is immutable and the region stays alive as long as the snapshot.
    private let region: MappedRegion
    @usableFromInline let base: UnsafeRawPointer
    /// The file it was loaded from, or `""`.
    public let path: String
    /// The number of name entries (domains and `rpz-nsdname` names).
    public let entryCount: Int
    /// The number of distinct records (meanings) the entries share.
    public let recordCount: Int
    /// The number of address entries.
    public let addressCount: Int
    /// When the snapshot was built, in Unix seconds (0 if unknown).
    public let created: Int64
    @usableFromInline let bucketCount: UInt64
    @usableFromInline let seed: UInt64
    @usableFromInline let labelMask: UInt64
    @usableFromInline let bucketsOffset: Int, entriesOffset: Int, extrasOffset: Int, namesOffset: Int, namesLength: Int
    let recordsOffset: Int, stringsOffset: Int, stringsLength: Int, addressesOffset: Int, metaOffset: Int, metaLength: Int
    /// For each address kind (answer, client, name server): bits for the prefix lengths present, as
    /// [IPv4 0…32, IPv6 0…63, IPv6 64…127 (bit p − 64), IPv6 /128 (1 or 0)].
    private let prefixMasks: [[UInt64]]

    func prefixMasksFor(_ kind: AddressKind) -> [UInt64] { prefixMasks[Int(kind.rawValue)] }
    /// The IPv4 prefix-length bits of ``prefixMasks``, one word per address kind, read without copying an array.
    let v4PrefixMasks: [UInt64]
    /// Where each /16's IPv4 entries start in the sorted address table, 65,537 positions per address kind (the
    /// last one the end of the kind's IPv4 entries), so that an IPv4 look-up searches only the entries of its /16:
    /// most answer addresses fall in a /16 without any, and a binary search over the whole table is a cache miss
    /// per step. Kinds without IPv4 entries take no room: `v4IndexBase[kind]` is -1 for them.
    let v4Slash16Index: [UInt32]
    let v4IndexBase: [Int]

    /// Maps a snapshot file.
    public convenience init(contentsOf path: String) throws(DomainMatcherError) {
        try self.init(region: MappedRegion(mapping: path), path: path)
    }

    /// Reads a snapshot from an image (the bytes ``SnapshotBuilder/build(meta:created:)`` returns), copied once.
    public convenience init(image: [UInt8]) throws(DomainMatcherError) {
        try self.init(region: MappedRegion(copying: image), path: "")
    }

    /// An empty snapshot: nothing matches.
    public static func empty() -> MatcherSnapshot {
        // A freshly built empty image always validates.
        try! MatcherSnapshot(image: try! SnapshotBuilder().build())
    }

    private init(region: MappedRegion, path: String) throws(DomainMatcherError) {
        #if _endian(big)
        throw DomainMatcherError(.corrupt("snapshots are little-endian; this host is big-endian"), file: path)
        #else
        self.region = region
        self.path = path
        let p = region.base
        base = p
        let size = region.count
        guard size >= SnapshotLayout.headerSize else { throw DomainMatcherError(.notASnapshot, file: path, offset: 0) }
        for (k, m) in SnapshotLayout.magic.enumerated() where p.load(fromByteOffset: k, as: UInt8.self) != m {
            throw DomainMatcherError(.notASnapshot, file: path, offset: 0)
        }
        func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        let version = u32(8)
        guard version == SnapshotLayout.version else { throw DomainMatcherError(.unsupportedVersion(version), file: path, offset: 8) }
        guard u32(12) == UInt32(SnapshotLayout.headerSize) else { throw DomainMatcherError(.corrupt("header size"), file: path, offset: 12) }
        let n = Int(u32(16)), buckets = Int(u32(20)), records = Int(u32(24)), addresses = Int(u32(28))
        entryCount = n
        recordCount = records
        addressCount = addresses
        bucketCount = UInt64(buckets)
        seed = u64(32)
        labelMask = u64(40)
        created = Int64(bitPattern: u64(48))
        guard buckets >= 1 else { throw DomainMatcherError(.corrupt("no buckets"), file: path, offset: 20) }
        var sections: [(Int, Int)] = []
        for k in 0..<SnapshotLayout.sectionCount {
            let o = u64(64 + 16 * k), l = u64(72 + 16 * k)
            guard o % 8 == 0, o >= UInt64(SnapshotLayout.headerSize), o <= UInt64(size), l <= UInt64(size) - o else {
                throw DomainMatcherError(.corrupt("section \(k) lies outside the file"), file: path, offset: 64 + 16 * k)
            }
            sections.append((Int(o), Int(l)))
        }
        let expected = [(buckets + 1) * SnapshotLayout.directorySize, n * SnapshotLayout.entrySize, n * SnapshotLayout.extraSize, nil,
                        records * SnapshotLayout.recordSize, nil, addresses * SnapshotLayout.addressSize, nil]
        for (k, e) in expected.enumerated() {
            if let e, sections[k].1 != e {
                throw DomainMatcherError(.corrupt("section \(k) is \(sections[k].1) bytes, expected \(e)"), file: path, offset: 72 + 16 * k)
            }
        }
        bucketsOffset = sections[0].0
        entriesOffset = sections[1].0
        extrasOffset = sections[2].0
        (namesOffset, namesLength) = sections[3]
        recordsOffset = sections[4].0
        (stringsOffset, stringsLength) = sections[5]
        addressesOffset = sections[6].0
        (metaOffset, metaLength) = sections[7]
        // The bucket directory must run from 0 to n without going backwards, so that lookups stay in bounds.
        var prev: UInt32 = 0
        guard u32(bucketsOffset) == 0 else { throw DomainMatcherError(.corrupt("bucket directory does not start at 0"), file: path, offset: bucketsOffset) }
        for b in 1...buckets {
            let v = u32(bucketsOffset + SnapshotLayout.directorySize * b)
            guard v >= prev else { throw DomainMatcherError(.corrupt("bucket directory goes backwards"), file: path, offset: bucketsOffset + SnapshotLayout.directorySize * b) }
            prev = v
        }
        guard Int(prev) == n else { throw DomainMatcherError(.corrupt("bucket directory does not end at the entry count"), file: path, offset: bucketsOffset + SnapshotLayout.directorySize * buckets) }
        var masks = [[UInt64]](repeating: [0, 0, 0, 0], count: 3)
        for k in 0..<addresses {
            let o = sections[6].0 + k * SnapshotLayout.addressSize
            let prefix = p.load(fromByteOffset: o + 16, as: UInt8.self)
            let family = p.load(fromByteOffset: o + 17, as: UInt8.self)
            let kind = Int(p.load(fromByteOffset: o + 18, as: UInt8.self))
            guard kind < 3, family == 4 && prefix <= 32 || family == 6 && prefix <= 128 else {
                throw DomainMatcherError(.corrupt("bad address entry"), file: path, offset: o)
            }
            if family == 4 {
                masks[kind][0] |= 1 << UInt64(prefix)
            } else if prefix < 64 {
                masks[kind][1] |= 1 << UInt64(prefix)
            } else if prefix == 128 {
                masks[kind][3] = 1
            } else {
                masks[kind][2] |= 1 << UInt64(prefix - 64)
            }
        }
        prefixMasks = masks
        v4PrefixMasks = masks.map { $0[0] }
        (v4Slash16Index, v4IndexBase) = Self.slash16Index(p, table: sections[6].0, count: addresses)
        #endif
    }

    /// Builds ``v4Slash16Index`` from the address table (sorted by kind, family, address, prefix). Positions stay
    /// within the table even if a corrupt file is not sorted, so look-ups cannot read out of bounds.
    private static func slash16Index(_ p: UnsafeRawPointer, table: Int, count: Int) -> ([UInt32], [Int]) {
        var first = [Int](repeating: -1, count: 3), counts = [[UInt32]](repeating: [], count: 3)
        for k in 0..<count {
            let o = table + k * SnapshotLayout.addressSize
            guard p.load(fromByteOffset: o + 17, as: UInt8.self) == 4 else { continue }
            let kind = Int(p.load(fromByteOffset: o + 18, as: UInt8.self))
            if first[kind] < 0 { first[kind] = k; counts[kind] = [UInt32](repeating: 0, count: 1 << 16) }
            let low = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o + 8, as: UInt64.self))
            counts[kind][Int(truncatingIfNeeded: low >> 16) & 0xFFFF] += 1
        }
        var index: [UInt32] = [], base = [Int](repeating: -1, count: 3)
        for kind in 0..<3 where first[kind] >= 0 {
            base[kind] = index.count
            var position = UInt32(first[kind])
            for c in counts[kind] { index.append(position); position += c }
            index.append(position)
        }
        return (index, base)
    }

    /// The total size of the snapshot's bytes.
    public var byteCount: Int { region.count }

    /// The bytes taken by the names themselves (lower-case wire form, each distinct name once).
    public var nameByteCount: Int { namesLength }

    /// The bytes taken by the attached meta data (the import report).
    public var metaByteCount: Int { metaLength }

    /// The bytes the writer attached (dnsight's import report).
    public var meta: [UInt8] { Array(UnsafeRawBufferPointer(start: base + metaOffset, count: metaLength)) }

    /// Writes a snapshot image to `path` atomically (see ``MatcherStore`` for swapping it into a running process).
    public static func write(image: [UInt8], to path: String) throws(DomainMatcherError) {
        try AtomicFile.write(image, to: path)
    }

    // MARK: Raw reads

    @inlinable @inline(__always) func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    @inlinable @inline(__always) func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }

    // MARK: Records and strings

    /// What a record says, without allocating: the classifier's view.
    public func record(_ index: Int) -> MatchRecord? {
        guard index >= 0, index < recordCount else { return nil }
        let o = recordsOffset + index * SnapshotLayout.recordSize
        let tierCode = base.load(fromByteOffset: o + 1, as: UInt8.self)
        let confidence = base.load(fromByteOffset: o + 3, as: UInt8.self)
        return MatchRecord(
            index: index,
            category: ThreatCategory(code: base.load(fromByteOffset: o, as: UInt8.self)),
            tier: tierCode == 1 ? .suspected : .known,
            actionCode: base.load(fromByteOffset: o + 2, as: UInt8.self),
            confidence: confidence == 255 ? nil : confidence,
            deviceTypes: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: o + 4, as: UInt16.self)),
            traits: ThreatTraits(rawValue: u32(o + 8)),
            family: StringRef(u32(o + 12)), source: StringRef(u32(o + 16)), reference: StringRef(u32(o + 20)),
            file: StringRef(u32(o + 24)), brands: StringRef(u32(o + 28)), industries: StringRef(u32(o + 32)),
            labels: StringRef(u32(o + 36)), localData: StringRef(u32(o + 40)))
    }

    /// The text of a string reference (allocates); `nil` for none or an out-of-range reference.
    public func string(_ ref: StringRef) -> String? {
        let o = Int(ref.offset)
        guard ref.offset != SnapshotLayout.noString, o + 4 <= stringsLength else { return nil }
        let len = Int(u32(stringsOffset + o))
        guard len <= stringsLength - o - 4 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: base + stringsOffset + o + 4, count: len), as: UTF8.self)
    }
}

/// A reference to a string stored in a snapshot; resolve it with ``MatcherSnapshot/string(_:)``.
public struct StringRef: Sendable, Hashable {
    /// The offset in the string section, or `0xFFFFFFFF` for none.
    public let offset: UInt32
    init(_ o: UInt32) { offset = o }
    /// Whether there is no string.
    public var isNone: Bool { offset == SnapshotLayout.noString }
}

/// What an entry means, as stored in the snapshot, readable without allocating.
public struct MatchRecord: Sendable, Hashable {
    /// The record's number.
    public let index: Int
    /// The category, if the source (or catalogue) gave one.
    public let category: ThreatCategory?
    /// Known or suspected.
    public let tier: Tier
    /// The action code (see ``action(in:)``).
    public let actionCode: UInt8
    /// The source's confidence, 0…100.
    public let confidence: UInt8?
    /// The targeted device types as a bit set (``DeviceType/bit``).
    public let deviceTypes: UInt16
    /// Traits: IAB, ransomware, banking…
    public let traits: ThreatTraits
    /// Family, source feed, reference, source file, brands, industries, labels and local data (RPZ).
    public let family: StringRef, source: StringRef, reference: StringRef, file: StringRef
    public let brands: StringRef, industries: StringRef, labels: StringRef, localData: StringRef

    /// Whether this is an allowlist (PASSTHRU) record.
    public var isAllow: Bool { actionCode == 1 }

    /// The action, with local data resolved (allocates for local data).
    public func action(in snapshot: MatcherSnapshot) -> IndicatorAction {
        switch actionCode {
        case 1: return .allow
        case 2: return .nxdomain
        case 3: return .nodata
        case 4: return .drop
        case 5: return .tcpOnly
        case 6: return .localData((snapshot.string(localData) ?? "").split(separator: "\u{1F}").map(String.init))
        default: return .block
        }
    }

    /// The tags, resolved (allocates).
    public func tags(in snapshot: MatcherSnapshot) -> ThreatTags {
        func list(_ r: StringRef) -> [String] { (snapshot.string(r) ?? "").split(separator: "\u{1F}").map(String.init) }
        return ThreatTags(traits: traits, industries: list(industries).map { Industry(rawValue: $0) }, brands: list(brands),
                          deviceTypes: DeviceType.from(bits: deviceTypes), labels: list(labels))
    }
}
