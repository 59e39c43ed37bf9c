import Foundation

/// How many distinct devices query each registrable domain, estimated with a 64-bit linear-counting map per domain
/// (exact enough up to a few hundred devices, which is all the popularity test needs).
///
/// Popular domains — CDNs, vendor telemetry, the services everyone uses — are periodic and full of unique host
/// names for benign reasons; a C2 or tunnel domain is queried by the few devices that are infected. Bounded like
/// every detector state (``ExpiringTable``).
public struct DomainPrevalence: Sendable {
    var table: ExpiringTable<UInt64>
    static let estimates: [Int] = (0...64).map { set in
        let zero = 64 - set
        return zero == 0 ? 300 : Int((-64 * log(Double(zero) / 64)).rounded())
    }

    /// Creates the table.
    public init(maxDomains: Int, idleSeconds: Int64) {
        table = ExpiringTable(maxEntries: maxDomains, idleSeconds: idleSeconds, empty: 0)
    }

    /// Records that `device` queried `domain` at `now`; returns the estimated distinct devices so far.
    @inline(__always)
    public mutating func observe(domain: UInt64, device: UInt64, now: Int64) -> Int {
        let (slot, _) = table.upsert(domain, now: now)
        let bits = table[slot] | (1 << (StableHash.fmix(device) >> 58))
        table[slot] = bits
        return Self.estimates[bits.nonzeroBitCount]
    }

    /// Domains held, and the table's eviction and expiry counts.
    public var tracked: Int { table.count }
    public var evictions: Int { table.evictions }
    public var expirations: Int { table.expirations }
}
