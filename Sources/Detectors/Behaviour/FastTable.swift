import CPrefetch

/// The detector chain's fast path: names found to be of no interest to any detector, until a time.
///
/// Four-way set-associative, each set one aligned 64-byte cache line of four 16-byte entries, so a probe is one
/// cache miss at most. A direct-mapped table of the same size kept about half of 200,000 popular names out (each name
/// whose slot another name shared evicted it and was evicted in turn, every time either went the full path): on the
/// ingest benchmark's 10M queries with 2 workers, 43% took the fast path; with the sets, 53.6%, of the about 56% a
/// worker can reach there (a name qualifies once 10 devices have queried it, and each worker reads half the queries).
///
/// Entries are never removed, only replaced, so a set's empty ways come after its used ones: a key is found, or
/// stored, before the first empty way, and never held twice.
///
/// A value with copy-on-write storage, like the chain that holds it.
struct FastTable: Sendable {
    /// A name of no interest to any detector, for a while (16 bytes).
    struct Entry: Sendable {
        var key: UInt64 = 0
        /// Seconds after the chain's first event until which the entry holds.
        var validUntil: UInt32 = 0
        /// The top 16 bits of the registrable domain's hash (for the tunnel detector's open-parent filter).
        var parentTop: UInt16 = 0
        /// The name's domain is newly observed (throughout the entry's validity).
        var newDomain = false
        /// No query for this name can interest a detector, whatever its type or response (internal, `.arpa`,
        /// single-label, benign-listed names).
        var anyQuery = false
    }

    /// Entries per set: four 16-byte entries fill a cache line.
    static let ways = 4

    private final class Storage: @unchecked Sendable {
        let sets: Int
        let entries: UnsafeMutablePointer<Entry>

        init(sets: Int) {
            self.sets = sets
            let raw = UnsafeMutableRawPointer.allocate(byteCount: sets * FastTable.ways * MemoryLayout<Entry>.stride, alignment: 64)
            entries = raw.bindMemory(to: Entry.self, capacity: sets * FastTable.ways)
            entries.initialize(repeating: Entry(), count: sets * FastTable.ways)
        }

        init(copying other: Storage) {
            sets = other.sets
            let raw = UnsafeMutableRawPointer.allocate(byteCount: sets * FastTable.ways * MemoryLayout<Entry>.stride, alignment: 64)
            entries = raw.bindMemory(to: Entry.self, capacity: sets * FastTable.ways)
            entries.initialize(from: other.entries, count: sets * FastTable.ways)
        }

        deinit {
            entries.deinitialize(count: sets * FastTable.ways)
            UnsafeMutableRawPointer(entries).deallocate()
        }
    }

    private var storage: Storage
    /// A key's set is its top `setBits` bits.
    private let shift: UInt64

    /// An empty table of `2^setBits` sets (`2^setBits × 64` bytes).
    init(setBits: Int) {
        storage = Storage(sets: 1 << setBits)
        shift = UInt64(64 - setBits)
    }

    @inline(__always)
    private func set(_ key: UInt64) -> UnsafeMutablePointer<Entry> {
        storage.entries + Int(truncatingIfNeeded: key >> shift) &* FastTable.ways
    }

    /// The entry for `key` (non-zero), if the table holds it.
    @inline(__always)
    func find(_ key: UInt64) -> Entry? {
        assert(key != 0, "the fast table's keys are non-zero")
        let s = set(key)
        for w in 0..<FastTable.ways where s[w].key == key { return s[w] }
        return nil
    }

    /// Starts loading the cache line `key`'s entry would be in.
    @inline(__always)
    func prefetch(_ key: UInt64) { dnsight_prefetch(set(key)) }

    /// Stores `entry` in its key's set: over the same key's entry, else an empty one, else the one that expires first
    /// (the first of those that expire together).
    mutating func insert(_ entry: Entry) {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
        let s = set(entry.key)
        var victim = 0
        for w in 0..<FastTable.ways {
            if s[w].key == entry.key || s[w].key == 0 {
                victim = w
                break
            }
            if s[w].validUntil < s[victim].validUntil { victim = w }
        }
        s[victim] = entry
    }

    /// Calls `body` with every stored key.
    func forEachKey(_ body: (UInt64) -> Void) {
        for i in 0..<(storage.sets * FastTable.ways) where storage.entries[i].key != 0 { body(storage.entries[i].key) }
    }
}
