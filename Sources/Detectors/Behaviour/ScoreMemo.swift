/// Recently computed DGA scores by label hash, direct-mapped: the last score stored in a slot wins.
///
/// The chain's ``DomainTable`` keeps a domain's score only once the domain is admitted (its second sighting), and
/// forgets it when the domain expires or is evicted; without this memo those domains' labels would be scored
/// again — a model evaluation costs far more than the one probe here. Keys are 63 bits of the label hash, so a hit is the
/// label's own score. Grows with use up to 2^18 slots (4 MB), so a worker that sees few domains stays small.
struct ScoreMemo: Sendable {
    private struct Entry: Sendable {
        var key: UInt64 = 0
        var score: Float = 0
    }

    private var slots = [Entry](repeating: Entry(), count: 1 << 10)
    private var shift = UInt64(64 - 10)
    private var stored = 0
    static let maxBits = 18

    @inline(__always)
    private func index(_ k: UInt64) -> Int { Int(truncatingIfNeeded: StableHash.fmix(k) >> shift) }

    /// The score stored for `key`, if its slot still holds it.
    @inline(__always)
    func get(_ key: UInt64) -> Float? {
        let k = key | 1
        let e = slots[index(k)]
        return e.key == k ? e.score : nil
    }

    /// Stores a score (replacing whatever the slot held).
    mutating func set(_ key: UInt64, _ score: Float) {
        let k = key | 1
        let i = index(k)
        if slots[i].key == 0 {
            stored += 1
            if stored * 2 > slots.count && slots.count < 1 << Self.maxBits {
                grow()
                set(key, score)
                return
            }
        }
        slots[i] = Entry(key: k, score: score)
    }

    private mutating func grow() {
        let old = slots
        slots = [Entry](repeating: Entry(), count: old.count * 2)
        shift -= 1
        stored = 0
        for e in old where e.key != 0 {
            let i = index(e.key)
            if slots[i].key == 0 { stored += 1 }
            slots[i] = e
        }
    }
}
