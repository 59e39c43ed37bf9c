import CPrefetch

/// Admits a key to a bounded table only on its second sighting (TinyLFU's "doorkeeper"): one bit per key hash in a
/// 2^20-bit map (128 KB), cleared when a fifth of it is set. A stream of keys that never repeat — a scan, a random
/// sub-domain flood, a noisy benchmark — then costs one bit probe per key instead of churning the table it guards.
/// A false positive admits a key early; a clear makes a few keys wait for one more sighting.
public struct Doorkeeper: Sendable {
    private var words = [UInt64](repeating: 0, count: 1 << 14)
    private var set = 0
    /// Times the map was cleared.
    public private(set) var clears = 0

    /// Creates an empty doorkeeper.
    public init() {}

    /// Starts loading the word that ``seenBefore(_:)`` reads for `key`.
    @inline(__always)
    public func prefetch(_ key: UInt64) {
        let w = Int(truncatingIfNeeded: Self.mix(key) >> 50)
        words.withUnsafeBufferPointer { dnsight_prefetch($0.baseAddress! + w) }
    }

    @inline(__always)
    static func mix(_ key: UInt64) -> UInt64 { StableHash.fmix(key ^ 0xD6E8_FEB8_6659_FD93) }

    /// True when `key` was seen before (since the last clear); otherwise remembers it and returns false.
    @inline(__always)
    public mutating func seenBefore(_ key: UInt64) -> Bool {
        let h = Self.mix(key)
        let w = Int(truncatingIfNeeded: h >> 50), b = UInt64(1) << (h & 63)
        if words[w] & b != 0 { return true }
        words[w] |= b
        set += 1
        if set > (1 << 20) / 5 {
            for i in words.indices { words[i] = 0 }
            set = 0
            clears += 1
        }
        return false
    }
}
