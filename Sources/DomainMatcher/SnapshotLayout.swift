import DNSightCore

/// The on-disk layout of a snapshot (version 2). Everything is little-endian; every section starts on a 64-byte
/// boundary so that it can be read in place from a memory map.
///
/// ```
/// header (256 bytes)
///   0  magic "DNSIMTCH"         8  version u32        12 header size u32
///  16  entry count u32          20 bucket count u32   24 record count u32   28 address count u32
///  32  hash seed u64            40 label-count mask u64 (bit n: some entry name has n labels; bit 63: ≥ 63)
///  48  created (Unix seconds) i64
///  64  sections: 8 × (offset u64, length u64)
/// buckets    (bucket count + 1) × 8: start u32, filter u32. Entries of bucket b are entries[start[b] ..< start[b+1]];
///            the filter has bit (fingerprint >> 27) set for each of them, so most misses never read the entries
/// entries    entry count × 12: fingerprint u32, name offset u32, info u32 (record 26 bits | scope 2 | allow 1 | nsdname 1)
/// extras     entry count × 12: first seen u32, last seen u32 (Unix seconds, 0 = unknown), source line u32
/// names      lower-cased wire-format names, each once
/// records    record count × 48 (see ``RecordLayout``)
/// strings    u32 length + UTF-8 bytes, referenced by offset (0xFFFFFFFF = none)
/// addresses  address count × 24: high u64, low u64, prefix u8, family u8 (4/6), kind u8, pad u8, record u32
/// meta       opaque bytes the writer attached (dnsight stores its import report as JSON)
/// ```
enum SnapshotLayout {
    static let magic: [UInt8] = Array("DNSIMTCH".utf8)
    static let version: UInt32 = 2
    static let headerSize = 256
    static let sectionCount = 8
    static let directorySize = 8
    static let entrySize = 12
    static let extraSize = 12
    static let recordSize = 48
    static let addressSize = 24
    static let alignment = 64
    static let noString: UInt32 = 0xFFFF_FFFF
    static let maxRecords = 1 << 26

    /// The directory filter bit of an entry fingerprint.
    @inline(__always) static func filterBit(_ fp: UInt32) -> UInt32 { 1 << (fp >> 27) }

    enum Section: Int, CaseIterable {
        case buckets, entries, extras, names, records, strings, addresses, meta
    }

    // Entry info bits.
    static let recordMask: UInt32 = (1 << 26) - 1
    static let scopeShift: UInt32 = 26
    static let allowBit: UInt32 = 1 << 28
    static let nsdnameBit: UInt32 = 1 << 29

    static func scopeCode(_ s: MatchScope) -> UInt32 {
        switch s {
        case .exact: 0
        case .subdomain: 1
        case .wildcard: 2
        }
    }

    static func scope(code: UInt32) -> MatchScope {
        switch code {
        case 0: .exact
        case 1: .subdomain
        default: .wildcard
        }
    }
}

/// One 48-byte record: what a group of entries means. Entries that share all of it share one record.
///
/// ```
///  0 category u8 (0 none, else ThreatCategory.code)   1 tier u8 (0 known, 1 suspected)   2 action u8   3 confidence u8 (255 none)
///  4 device types u16   6 pad u16   8 traits u32
/// 12 family  16 source  20 reference  24 file  28 brands  32 industries  36 labels  40 local data  44 pad  (string offsets)
/// ```
enum RecordLayout {
    static let actionCodes: [String] = ["block", "allow", "nxdomain", "nodata", "drop", "tcp-only", "local-data"]

    static func actionCode(_ a: IndicatorAction) -> UInt8 {
        switch a {
        case .block: 0
        case .allow: 1
        case .nxdomain: 2
        case .nodata: 3
        case .drop: 4
        case .tcpOnly: 5
        case .localData: 6
        }
    }
}

/// Rounds up to the section alignment.
@inline(__always) func alignUp(_ n: Int, _ a: Int = SnapshotLayout.alignment) -> Int { (n + a - 1) / a * a }
