import CPrefetch

/// Per-key detector state with a hard cap on its size and expiry after inactivity.
///
/// Keys are 64-bit hashes (``StableHash``) of a device, a (device, name) or a (device, parent domain) pair; the
/// table is open-addressed with linear probing and grows by doubling up to the slots the cap needs, so memory is
/// bounded by `maxEntries` from the start. Time is event time in seconds, never the wall clock, so replaying a
/// month of logs expires state exactly as watching it live would.
///
/// - An entry idle for more than `idleSeconds` is **expired**: a lookup treats it as absent and an insert starts
///   it afresh; sweeps (every half idle period of event time, and before any eviction) drop expired entries.
/// - When the table is full, the least recently seen of the entries next to the new key's home slot is **evicted**
///   (an expired one counts as expired); ``evictions`` counts those entries so that a summary can say the cap was hit
///   and how often.
public struct ExpiringTable<Value> {
    /// The most entries kept at once.
    public let maxEntries: Int
    /// How long (event-time seconds) an entry lives without being touched.
    public let idleSeconds: Int64
    /// Entries held now.
    public private(set) var count = 0
    /// Entries dropped to make room because the table was full (the cap was hit).
    public private(set) var evictions = 0
    /// Entries dropped (or restarted) because they had been idle longer than `idleSeconds`.
    public private(set) var expirations = 0
    /// The latest event time seen.
    public private(set) var clock: Int64 = .min

    private var keys: [UInt64]
    private var stamps: [Int64]
    private var values: [Value]
    private let empty: Value
    private var mask: Int
    private let maxSlots: Int
    private var nextSweep: Int64 = .min

    /// Creates an empty table. `empty` is the state a new key starts with.
    public init(maxEntries: Int, idleSeconds: Int64, empty: Value) {
        self.maxEntries = max(1, maxEntries)
        self.idleSeconds = max(1, idleSeconds)
        self.empty = empty
        var slots = 16
        while slots < self.maxEntries * 2 { slots <<= 1 }
        maxSlots = slots
        let initial = min(slots, 256)
        keys = Array(repeating: 0, count: initial)
        stamps = Array(repeating: 0, count: initial)
        values = Array(repeating: empty, count: initial)
        mask = initial - 1
    }

    @inline(__always) static func normal(_ k: UInt64) -> UInt64 { k == 0 ? 0x9E37_79B9_7F4A_7C15 : k }
    @inline(__always) func home(_ k: UInt64) -> Int { Int(truncatingIfNeeded: k ^ (k >> 29)) & mask }
    @inline(__always) func isExpired(_ slot: Int, _ now: Int64) -> Bool { now &- stamps[slot] > idleSeconds }

    /// The slot of `key` if it is held and not expired at `now`.
    public func find(_ key: UInt64, now: Int64) -> Int? {
        let k = Self.normal(key)
        var i = home(k)
        while true {
            let x = keys[i]
            if x == 0 { return nil }
            if x == k { return isExpired(i, now) ? nil : i }
            i = (i &+ 1) & mask
        }
    }

    /// Starts loading the lines that a ``find(_:now:)`` or ``upsert(_:now:)`` of `key` reads first (its home
    /// slot's key, time and state), so that the look-up's likely cache misses overlap the caller's other work.
    @inline(__always)
    public func prefetch(_ key: UInt64) {
        let i = home(Self.normal(key))
        keys.withUnsafeBufferPointer { dnsight_prefetch($0.baseAddress! + i) }
        stamps.withUnsafeBufferPointer { dnsight_prefetch($0.baseAddress! + i) }
        values.withUnsafeBufferPointer { dnsight_prefetch($0.baseAddress! + i) }
    }

    /// The slot of `key`, inserting it (with the empty state) when absent or expired; `isNew` says which. Marks the
    /// entry as seen at `now`. The slot is valid until the next `upsert`.
    public mutating func upsert(_ key: UInt64, now: Int64) -> (slot: Int, isNew: Bool) {
        if now > clock {
            clock = now
            if clock >= nextSweep { sweep() }
        }
        let k = Self.normal(key)
        var i = home(k)
        while true {
            let x = keys[i]
            if x == k {
                if isExpired(i, now) {
                    values[i] = empty
                    stamps[i] = now
                    expirations += 1
                    return (i, true)
                }
                if now > stamps[i] { stamps[i] = now }
                return (i, false)
            }
            if x == 0 { break }
            i = (i &+ 1) & mask
        }
        if count >= maxEntries {
            evictNear(k)
            i = emptySlot(k)
        } else if (count + 1) * 2 > keys.count && keys.count < maxSlots {
            rebuild(slots: keys.count * 2) { _ in true }
            i = emptySlot(k)
        }
        keys[i] = k
        stamps[i] = now
        values[i] = empty
        count += 1
        return (i, true)
    }

    /// The state in a slot returned by ``find(_:now:)`` or ``upsert(_:now:)``.
    public subscript(slot: Int) -> Value {
        _read { yield values[slot] }
        _modify { yield &values[slot] }
    }

    /// When the entry in `slot` was last seen.
    public func lastSeen(_ slot: Int) -> Int64 { stamps[slot] }

    /// Drops the entry in `slot` (for example when its alert has been raised and its state is no longer needed).
    public mutating func remove(slot: Int) {
        guard keys[slot] != 0 else { return }
        // Backward-shift deletion keeps every probe chain unbroken.
        var hole = slot
        var j = slot
        values[hole] = empty
        keys[hole] = 0
        count -= 1
        while true {
            j = (j &+ 1) & mask
            let k = keys[j]
            if k == 0 { return }
            let h = home(k)
            // Move j into the hole if its home lies cyclically outside (hole, j].
            let inRange = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !inRange {
                keys[hole] = k
                stamps[hole] = stamps[j]
                values.swapAt(hole, j)
                keys[j] = 0
                values[j] = empty
                hole = j
            }
        }
    }

    /// Every live entry's key, last-seen time and state (order unspecified).
    public func entries() -> [(key: UInt64, lastSeen: Int64, value: Value)] {
        keys.indices.compactMap { keys[$0] == 0 ? nil : (keys[$0], stamps[$0], values[$0]) }
    }

    private func emptySlot(_ k: UInt64) -> Int {
        var i = home(k)
        while keys[i] != 0 { i = (i &+ 1) & mask }
        return i
    }

    /// Drops every entry idle longer than `idleSeconds` at the latest event time (in place: no reallocation).
    public mutating func sweep() {
        nextSweep = clock &+ max(1, idleSeconds / 2)
        guard count > 0 else { return }
        let now = clock, idle = idleSeconds
        expirations += removeAll { now &- $0 > idle }
    }

    /// Removes, in place, every entry whose last-seen time matches; returns how many.
    private mutating func removeAll(where drop: (Int64) -> Bool) -> Int {
        var removed = 0
        var i = 0
        // Backward-shift deletion moves a later entry into the freed slot: look at the same slot again. An entry
        // that wraps around from the start was already kept, so it is never looked at twice to its harm.
        while i < keys.count {
            if keys[i] != 0 && drop(stamps[i]) {
                remove(slot: i)
                removed += 1
            } else {
                i += 1
            }
        }
        return removed
    }

    /// Makes room for one entry in O(1): the least recently seen of the entries near the new key's home slot (the
    /// next occupied ones from there, up to 8) is removed — an approximation of least-recently-used that costs no
    /// scan of the table, so that a stream of never-repeated keys at the cap stays cheap. Expired entries go first.
    private mutating func evictNear(_ k: UInt64) {
        var i = home(k)
        var victim = -1
        var oldest = Int64.max
        var seen = 0
        var steps = 0
        while seen < 8 && steps < keys.count {
            if keys[i] != 0 {
                seen += 1
                if stamps[i] < oldest {
                    oldest = stamps[i]
                    victim = i
                }
            }
            i = (i &+ 1) & mask
            steps += 1
        }
        guard victim >= 0 else { return }
        if clock &- oldest > idleSeconds { expirations += 1 } else { evictions += 1 }
        remove(slot: victim)
    }

    private mutating func rebuild(slots: Int, keep: (Int64) -> Bool) {
        let oldKeys = keys, oldStamps = stamps
        var oldValues = values
        keys = Array(repeating: 0, count: slots)
        stamps = Array(repeating: 0, count: slots)
        values = Array(repeating: empty, count: slots)
        mask = slots - 1
        count = 0
        for j in oldKeys.indices where oldKeys[j] != 0 && keep(oldStamps[j]) {
            let s = emptySlot(oldKeys[j])
            keys[s] = oldKeys[j]
            stamps[s] = oldStamps[j]
            swap(&values[s], &oldValues[j])
            count += 1
        }
    }
}

extension ExpiringTable: Sendable where Value: Sendable {}
