/// A growable set of 64-bit hashes, open-addressed with linear probing (the hashes are already well mixed).
///
/// For the chain's per-query bookkeeping of newly observed domains: `Set<UInt64>` hashed every insert with
/// SipHash, which cost as much as the rest of a first sighting's bookkeeping.
struct UInt64Set: Sendable {
    private var slots = [UInt64](repeating: 0, count: 64)
    private var mask = 63
    /// Whether the hash 0 is held (0 marks an empty slot).
    private var hasZero = false
    /// Elements held.
    private(set) var count = 0

    /// Inserts `h`; returns whether it was absent.
    @discardableResult
    mutating func insert(_ h: UInt64) -> Bool {
        if h == 0 {
            if hasZero { return false }
            hasZero = true
            count += 1
            return true
        }
        var i = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        while true {
            let x = slots[i]
            if x == h { return false }
            if x == 0 { break }
            i = (i &+ 1) & mask
        }
        slots[i] = h
        count += 1
        if count * 2 > slots.count { grow() }
        return true
    }

    /// Whether `h` is held.
    func contains(_ h: UInt64) -> Bool {
        if h == 0 { return hasZero }
        var i = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        while true {
            let x = slots[i]
            if x == h { return true }
            if x == 0 { return false }
            i = (i &+ 1) & mask
        }
    }

    /// The elements, in no particular order.
    var elements: [UInt64] { slots.filter { $0 != 0 } + (hasZero ? [0] : []) }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for h in old where h != 0 {
            var i = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
            while slots[i] != 0 { i = (i &+ 1) & mask }
            slots[i] = h
        }
    }
}
