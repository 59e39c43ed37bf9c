import Foundation

/// What the chain remembers per registrable domain, in one bounded table so that one probe per query serves three
/// purposes: how many devices query the domain (popularity), its DGA score (computed once), and whether it is newly
/// observed (so the seen-set is asked once per domain, not per query).
///
/// Devices are counted with a 64-bit linear-counting map — exact enough up to a few hundred devices, which is all
/// the popularity test needs. Popular domains (CDNs, vendor telemetry, the services everyone uses) are periodic and
/// full of unique host names for benign reasons; a C2 or tunnel domain is queried by the few devices that are
/// infected. Bounded and expiring like every detector state (``ExpiringTable``).
public struct DomainTable: Sendable {
    struct Info: Sendable {
        var devices: UInt64 = 0
        var score: Float = .nan
        /// 0 unknown, 1 old, 2 new since `firstSeen`.
        var newState: UInt8 = 0
        var firstSeen: Int64 = 0
    }

    var table: ExpiringTable<Info>
    /// ``estimates`` held by the value: reading a static property checked its lazy initialisation on every query.
    let estimates = DomainTable.estimates
    static let estimates: [Int] = (0...64).map { set in
        let zero = 64 - set
        return zero == 0 ? 300 : Int((-64 * log(Double(zero) / 64)).rounded())
    }

    /// Creates the table.
    public init(maxDomains: Int, idleSeconds: Int64) {
        table = ExpiringTable(maxEntries: maxDomains, idleSeconds: idleSeconds, empty: Info())
    }

    /// The slot of a domain seen at `now`.
    @inline(__always)
    mutating func slot(_ domain: UInt64, now: Int64) -> Int { table.upsert(domain, now: now).slot }

    /// Records that `device` queried the domain in `slot`; returns the estimated distinct devices so far.
    @inline(__always)
    mutating func addDevice(_ slot: Int, device: UInt64) -> Int {
        let bits = table[slot].devices | (1 << (StableHash.fmix(device) >> 58))
        table[slot].devices = bits
        return estimates[bits.nonzeroBitCount]
    }

    /// Domains held, and the table's eviction and expiry counts.
    public var tracked: Int { table.count }
    public var evictions: Int { table.evictions }
    public var expirations: Int { table.expirations }
}
