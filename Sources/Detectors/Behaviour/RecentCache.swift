/// A direct-mapped cache of values by 64-bit hash: the last value stored in a slot wins, nothing expires.
///
/// For values that are a pure function of the hashed bytes (a label's DGA score),
/// so a hit is exact as far as the hash is (63 of its bits are compared) and a miss only costs the recomputation
/// the cache exists to spare. It grows with use up to `2^maxBits` slots, so a worker that sees few keys stays small.
struct RecentCache<Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var key: UInt64
        var value: Value
    }

    private var slots: [Entry]
    private var shift: UInt64
    private var stored = 0
    private let maxBits: Int
    private let empty: Value

    /// An empty cache of at most `2^maxBits` slots; `empty` fills unused ones.
    init(maxBits: Int, empty: Value) {
        self.maxBits = max(10, maxBits)
        self.empty = empty
        slots = [Entry](repeating: Entry(key: 0, value: empty), count: 1 << 10)
        shift = UInt64(64 - 10)
    }

    @inline(__always)
    private func index(_ k: UInt64) -> Int { Int(truncatingIfNeeded: StableHash.fmix(k) >> shift) }

    /// The value stored for `key`, if its slot still holds it.
    @inline(__always)
    func get(_ key: UInt64) -> Value? {
        let k = key | 1
        let i = index(k)
        return slots[i].key == k ? slots[i].value : nil
    }

    /// Stores a value (replacing whatever the slot held).
    mutating func set(_ key: UInt64, _ value: Value) {
        let k = key | 1
        let i = index(k)
        if slots[i].key == 0 {
            stored += 1
            if stored * 2 > slots.count && slots.count < 1 << maxBits {
                grow()
                set(key, value)
                return
            }
        }
        slots[i] = Entry(key: k, value: value)
    }

    private mutating func grow() {
        let old = slots
        slots = [Entry](repeating: Entry(key: 0, value: empty), count: old.count * 2)
        shift -= 1
        stored = 0
        for e in old where e.key != 0 {
            let i = index(e.key)
            if slots[i].key == 0 { stored += 1 }
            slots[i] = e
        }
    }
}
