/// One answer record of a simulated response. The owner is implicit: the query name for the first record, the
/// previous CNAME's target after a CNAME.
struct SimRecord: Sendable {
    /// Record types the simulator answers with.
    enum Kind: UInt8, Sendable { case a, aaaa, cname, txt }
    var kind: Kind
    var ttl: UInt32
    /// A: the address; CNAME: the target's name id; TXT: offset << 16 | length in the text blob; AAAA: index of the address.
    var data: Int64
}

/// Every answer set of the simulation (static ones built with the world, dynamic ones added as names are first
/// answered), as flat arrays.
struct AnswerStore: Sendable {
    private(set) var records: [SimRecord] = []
    private(set) var starts: [Int32] = []
    private(set) var counts: [UInt8] = []
    private(set) var v6: [(hi: UInt64, lo: UInt64)] = []
    private(set) var text: [UInt8] = []

    /// Adds a set and returns its id.
    mutating func add(_ rs: [SimRecord]) -> Int32 {
        let id = Int32(starts.count)
        starts.append(Int32(records.count))
        counts.append(UInt8(min(rs.count, 255)))
        records.append(contentsOf: rs.prefix(255))
        return id
    }

    /// An AAAA address, stored once.
    mutating func addV6(hi: UInt64, lo: UInt64) -> Int64 {
        v6.append((hi, lo))
        return Int64(v6.count - 1)
    }

    /// A TXT string, stored once.
    mutating func addText(_ bytes: [UInt8]) -> Int64 {
        let o = text.count
        text.append(contentsOf: bytes)
        return Int64(o) << 16 | Int64(bytes.count)
    }

    /// The records of a set.
    @inline(__always) func set(_ id: Int32) -> ArraySlice<SimRecord> {
        let s = Int(starts[Int(id)])
        return records[s..<(s + Int(counts[Int(id)]))]
    }

    @inline(__always) func count(_ id: Int32) -> Int { Int(counts[Int(id)]) }

    /// The positions in ``records`` of a set (no slice, so no reference counting in hot loops).
    @inline(__always) func range(_ id: Int32) -> Range<Int> {
        let s = Int(starts[Int(id)])
        return s..<(s + Int(counts[Int(id)]))
    }

    /// The bytes of a TXT record's data.
    @inline(__always) func withText<R>(_ data: Int64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let o = Int(data >> 16), n = Int(data & 0xFFFF)
        return text.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[o..<(o + n)])) }
    }

    @inline(__always) func address6(_ data: Int64) -> (hi: UInt64, lo: UInt64) { v6[Int(data)] }
}

/// Address plans for answers: which public blocks a provider's addresses come from.
enum AddressPlan {
    /// /16 (or wider) IPv4 blocks per provider, as (first octet, second octet range).
    static func v4(provider: Provider, hash h: UInt64) -> UInt32 {
        let blocks: [(UInt32, ClosedRange<UInt32>)]
        switch provider {
        case .akamai: blocks = [(23, 32...67), (104, 64...127), (184, 24...31)]
        case .cloudfront: blocks = [(13, 32...35), (18, 64...68), (54, 230...240)]
        case .fastly: blocks = [(151, 101...101), (199, 232...232)]
        case .cloudflare: blocks = [(104, 16...31), (172, 64...71)]
        case .google: blocks = [(142, 250...251), (172, 217...217), (216, 58...58)]
        case .azure: blocks = [(13, 64...107), (20, 36...60), (40, 76...126)]
        case .hosting: blocks = [(185, 10...250), (45, 33...90), (51, 15...91), (91, 134...240), (193, 0...255), (62, 210...220)]
        case .shady: blocks = [(45, 141...155), (185, 100...230), (194, 26...180), (103, 10...250), (91, 92...243), (5, 188...255)]
        case .enterprise: return 0x0A00_0000 | UInt32(truncatingIfNeeded: h) & 0x00FF_FFFF
        }
        let b = blocks[Int(h % UInt64(blocks.count))]
        let second = b.1.lowerBound + UInt32((h >> 8) % UInt64(b.1.count))
        var low = UInt32(truncatingIfNeeded: h >> 24) & 0xFFFF
        if low & 0xFF == 0 || low & 0xFF == 255 { low ^= 1 }
        return b.0 << 24 | second << 16 | low
    }

    /// IPv6 /32 prefixes per provider.
    static func v6(provider: Provider, hash h: UInt64) -> (UInt64, UInt64) {
        let prefix: UInt64
        switch provider {
        case .akamai: prefix = 0x2600_1400
        case .cloudfront: prefix = 0x2600_9000
        case .fastly: prefix = 0x2a04_4e42
        case .cloudflare: prefix = 0x2606_4700
        case .google: prefix = 0x2607_f8b0
        case .azure: prefix = 0x2603_1030
        case .hosting, .enterprise: prefix = 0x2a01_04f8
        case .shady: prefix = 0x2a0e_b107
        }
        return (prefix << 32 | (h >> 40) << 16, SimRandom.mix(h) & 0x0000_0000_FFFF_FFFF | 0x1)
    }

    enum Provider: UInt8, Sendable { case akamai, cloudfront, fastly, cloudflare, google, azure, hosting, shady, enterprise }
}
