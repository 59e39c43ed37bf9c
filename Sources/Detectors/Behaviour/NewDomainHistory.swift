import Foundation

/// A Bloom filter over 64-bit hashes: membership with no false negatives and a chosen false-positive rate.
public struct BloomFilter: Sendable, Hashable {
    /// The bit array.
    public private(set) var words: [UInt64]
    /// Bits (a multiple of 64) and hash functions.
    public let bitCount: Int, hashCount: Int
    /// Insertions made (a key inserted twice counts twice).
    public private(set) var insertions = 0

    /// A filter sized for `capacity` keys at `falsePositiveRate`.
    public init(capacity: Int, falsePositiveRate: Double) {
        let n = Double(max(1, capacity))
        let p = min(max(falsePositiveRate, 1e-9), 0.5)
        let m = max(64.0, (-n * log(p) / (log(2.0) * log(2.0))).rounded(.up))
        let words = Int((m / 64).rounded(.up))
        bitCount = words * 64
        hashCount = max(1, min(30, Int((Double(bitCount) / n * log(2.0)).rounded())))
        self.words = Array(repeating: 0, count: words)
    }

    /// A filter from saved parts (checked by the caller).
    init(words: [UInt64], hashCount: Int, insertions: Int) {
        self.words = words
        bitCount = words.count * 64
        self.hashCount = hashCount
        self.insertions = insertions
    }

    @inline(__always)
    func probe(_ key: UInt64, _ i: Int) -> Int {
        // Kirsch–Mitzenmacher double hashing from the two halves of a re-mixed key.
        let h = StableHash.fmix(key ^ 0x5851_F42D_4C95_7F2D)
        let a = h & 0xFFFF_FFFF, b = (h >> 32) | 1
        return Int((a &+ UInt64(i) &* b) % UInt64(bitCount))
    }

    /// Adds a key.
    public mutating func insert(_ key: UInt64) {
        for i in 0..<hashCount {
            let p = probe(key, i)
            words[p >> 6] |= 1 << UInt64(p & 63)
        }
        insertions += 1
    }

    /// Whether the key may have been added (false means certainly not).
    public func contains(_ key: UInt64) -> Bool {
        for i in 0..<hashCount {
            let p = probe(key, i)
            if words[p >> 6] & (1 << UInt64(p & 63)) == 0 { return false }
        }
        return true
    }

    /// Adds every key of a filter of the same shape.
    public mutating func formUnion(_ o: BloomFilter) {
        guard o.bitCount == bitCount && o.hashCount == hashCount else { return }
        for i in words.indices { words[i] |= o.words[i] }
        insertions += o.insertions
    }

    /// The expected false-positive rate at the current fill.
    public var estimatedFalsePositiveRate: Double {
        let set = words.reduce(0) { $0 + $1.nonzeroBitCount }
        return pow(Double(set) / Double(bitCount), Double(hashCount))
    }
}

/// The newly-observed-domain seen-set: when each registrable domain was first seen, compactly and persistently.
///
/// Domains first seen within `windowSeconds` (60 days by default) are kept **exactly** — 64-bit hash → first-seen
/// time, in an open-addressed table; once older (or when the table is full, oldest first, counted) they move into a
/// **Bloom filter** that only answers "seen before". A lookup therefore says *new* (with the first-seen time),
/// *old*, or *never seen* (which records it). A Bloom false positive makes a never-seen domain look old: a missed
/// NOD at the filter's rate, never a false NOD. Times are event times, so a replay ages domains as live traffic
/// would. The set is saved to and loaded from one file (``save(to:)``, ``load(from:)``).
public struct NewDomainHistory: Sendable {
    /// A lookup's answer.
    public enum Status: Sendable, Hashable {
        /// First seen at this time, within the window: a newly observed domain.
        case new(firstSeen: Int64)
        /// Seen before the window (in the Bloom filter).
        case old
    }

    /// How long a domain stays new, in seconds.
    public let windowSeconds: Int64
    /// The most recent domains kept exactly.
    public let maxRecent: Int
    /// The older domains.
    public private(set) var bloom: BloomFilter
    /// The earliest event time recorded (nil for an empty history).
    public private(set) var historyStart: Int64?
    /// The latest event time recorded.
    public private(set) var clock: Int64 = .min
    /// Domains moved to the Bloom filter because their window ended, and because the exact table was full.
    public private(set) var agedOut = 0, evictedEarly = 0

    private var keys: [UInt64]
    private var firstSeen: [Int64]
    private var mask: Int
    /// Domains kept exactly.
    public private(set) var recentCount = 0
    /// Domains recorded as first seen by ``observe(_:at:)`` (never seen before) since this value was made or loaded.
    public private(set) var recorded = 0
    private var nextAging: Int64 = .min
    /// No exactly-kept domain was first seen before this (a lower bound): the hourly aging scan is skipped until its
    /// cutoff passes it, since in a history younger than the window nothing can age out.
    private var oldestFirstSeen: Int64 = .max

    /// An empty history.
    public init(windowSeconds: Int64 = 60 * 86_400, maxRecent: Int = 2_000_000, bloomCapacity: Int = 4_000_000,
                bloomFalsePositiveRate: Double = 0.001) {
        self.windowSeconds = max(1, windowSeconds)
        self.maxRecent = max(1, maxRecent)
        bloom = BloomFilter(capacity: bloomCapacity, falsePositiveRate: bloomFalsePositiveRate)
        keys = Array(repeating: 0, count: 1024)
        firstSeen = Array(repeating: 0, count: 1024)
        mask = 1023
    }

    @inline(__always) static func normal(_ k: UInt64) -> UInt64 { k == 0 ? 0x2545_F491_4F6C_DD1D : k }

    private func slot(_ k: UInt64) -> (Int, Bool) {
        var i = Int(truncatingIfNeeded: k ^ (k >> 31)) & mask
        while true {
            let x = keys[i]
            if x == k { return (i, true) }
            if x == 0 { return (i, false) }
            i = (i &+ 1) & mask
        }
    }

    /// What is known of a domain at time `t`, without recording it: nil when never seen.
    public func status(_ hash: UInt64, at t: Int64) -> Status? {
        let k = Self.normal(hash)
        let (i, found) = slot(k)
        if found { return t - firstSeen[i] <= windowSeconds ? .new(firstSeen: firstSeen[i]) : .old }
        return bloom.contains(k) ? .old : nil
    }

    /// What is known of a domain seen at time `t`, recording it first seen now if it was never seen.
    public mutating func observe(_ hash: UInt64, at t: Int64) -> Status {
        if t > clock {
            clock = t
            if clock >= nextAging { age() }
        }
        if historyStart == nil || t < historyStart! { historyStart = t }
        let k = Self.normal(hash)
        let (i, found) = slot(k)
        if found {
            if t < firstSeen[i] {
                firstSeen[i] = t
                oldestFirstSeen = min(oldestFirstSeen, t)
            }
            return t - firstSeen[i] <= windowSeconds ? .new(firstSeen: firstSeen[i]) : .old
        }
        if bloom.contains(k) { return .old }
        insert(k, firstSeen: t)
        recorded += 1
        return .new(firstSeen: t)
    }

    private mutating func insert(_ k: UInt64, firstSeen t: Int64) {
        if recentCount >= maxRecent {
            age()
            if recentCount >= maxRecent { evictOldest() }
        }
        if (recentCount + 1) * 2 > keys.count { rebuild(slots: keys.count * 2) { _, _ in true } }
        let (i, _) = slot(k)
        keys[i] = k
        firstSeen[i] = t
        oldestFirstSeen = min(oldestFirstSeen, t)
        recentCount += 1
    }

    /// Records a domain as seen before any window (a seed list of popular domains): it will never be new.
    public mutating func markOld(_ hash: UInt64) {
        let k = Self.normal(hash)
        if !bloom.contains(k) { bloom.insert(k) }
    }

    /// Moves every domain whose window has ended (at the latest event time) into the Bloom filter.
    public mutating func age() {
        nextAging = clock &+ 3600
        let cutoff = clock &- windowSeconds
        guard oldestFirstSeen < cutoff else { return }
        var moved = 0
        for i in keys.indices where keys[i] != 0 && firstSeen[i] < cutoff {
            bloom.insert(keys[i])
            moved += 1
        }
        guard moved > 0 else { return }
        agedOut += moved
        rebuild(slots: keys.count) { _, t in t >= cutoff }
    }

    private mutating func evictOldest() {
        var sample = [Int64]()
        let step = max(1, keys.count / 1024)
        var i = 0
        while i < keys.count {
            if keys[i] != 0 { sample.append(firstSeen[i]) }
            i += step
        }
        guard !sample.isEmpty else { return }
        sample.sort()
        let cutoff = sample[sample.count / 8]
        let before = recentCount
        for j in keys.indices where keys[j] != 0 && firstSeen[j] <= cutoff { bloom.insert(keys[j]) }
        rebuild(slots: keys.count) { _, t in t > cutoff }
        evictedEarly += before - recentCount
    }

    private mutating func rebuild(slots: Int, keep: (UInt64, Int64) -> Bool) {
        let oldKeys = keys, oldSeen = firstSeen
        keys = Array(repeating: 0, count: slots)
        firstSeen = Array(repeating: 0, count: slots)
        mask = slots - 1
        recentCount = 0
        oldestFirstSeen = .max
        for j in oldKeys.indices where oldKeys[j] != 0 && keep(oldKeys[j], oldSeen[j]) {
            let (i, _) = slot(oldKeys[j])
            keys[i] = oldKeys[j]
            firstSeen[i] = oldSeen[j]
            oldestFirstSeen = min(oldestFirstSeen, oldSeen[j])
            recentCount += 1
        }
    }

    /// Every exactly-kept domain hash with its first-seen time.
    public var recent: [(hash: UInt64, firstSeen: Int64)] {
        keys.indices.compactMap { keys[$0] == 0 ? nil : (keys[$0], firstSeen[$0]) }
    }

    /// Adds what another history (for example another worker's copy of the same start) recorded: the earlier
    /// first-seen time wins, Bloom filters are united (same shape), counters add up.
    public mutating func merge(_ o: NewDomainHistory) {
        bloom.formUnion(o.bloom)
        if let s = o.historyStart, historyStart == nil || s < historyStart! { historyStart = s }
        clock = max(clock, o.clock)
        agedOut += o.agedOut
        evictedEarly += o.evictedEarly
        for (k, t) in o.recent {
            let (i, found) = slot(k)
            if found {
                if t < firstSeen[i] {
                    firstSeen[i] = t
                    oldestFirstSeen = min(oldestFirstSeen, t)
                }
            } else if !bloom.contains(k) {
                insert(k, firstSeen: t)
            }
        }
        age()
    }

    // MARK: persistence

    static let magic = Array("DNSNOD01".utf8)

    /// Writes the history to `path` (a temporary file renamed into place).
    public func save(to path: String) throws(DetectorsError) {
        var out = [UInt8]()
        let recent = self.recent
        out.reserveCapacity(80 + bloom.words.count * 8 + recent.count * 16)
        out += Self.magic
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        u32(StableHash.version); u32(0)
        i64(windowSeconds)
        i64(historyStart ?? .min)
        i64(clock)
        u64(UInt64(bloom.bitCount)); u32(UInt32(bloom.hashCount)); u32(0)
        u64(UInt64(bloom.insertions))
        u64(UInt64(recent.count))
        for w in bloom.words { u64(w) }
        for r in recent.sorted(by: { $0.hash < $1.hash }) { u64(r.hash); i64(r.firstSeen) }
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(out)) else {
            throw DetectorsError(.badArgument, file: path, detail: "cannot write the seen-set")
        }
        guard rename(tmp, path) == 0 else {
            let err = errno
            try? FileManager.default.removeItem(atPath: tmp)
            throw DetectorsError(.badArgument, file: path, detail: "cannot move the seen-set into place (errno \(err))")
        }
    }

    /// Reads a history written by ``save(to:)``. The window and recent cap are this run's settings; the Bloom
    /// filter keeps its saved shape.
    public static func load(from path: String, windowSeconds: Int64, maxRecent: Int) throws(DetectorsError) -> NewDomainHistory {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DetectorsError(.resourceMissing, file: path, detail: "cannot read the seen-set")
        }
        return try decode([UInt8](data), file: path, windowSeconds: windowSeconds, maxRecent: maxRecent)
    }

    /// Decodes a saved history, checking every length against the bytes there are.
    public static func decode(_ b: [UInt8], file: String, windowSeconds: Int64, maxRecent: Int) throws(DetectorsError) -> NewDomainHistory {
        func bad(_ offset: Int, _ what: String) -> DetectorsError { DetectorsError(.badModel, file: file, offset: offset, detail: what) }
        guard b.count >= 72, Array(b[0..<8]) == magic else { throw bad(0, "not a dnsight seen-set file (bad magic or too short)") }
        func u64(_ o: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(b[o + i]) << UInt64(8 * i) }
            return v
        }
        func u32(_ o: Int) -> UInt32 { UInt32(truncatingIfNeeded: u64(o) & 0xFFFF_FFFF) }
        guard u32(8) == StableHash.version else { throw bad(8, "seen-set hash version \(u32(8)), this build uses \(StableHash.version)") }
        let start = Int64(bitPattern: u64(24)), clock = Int64(bitPattern: u64(32))
        let bits = u64(40), k = Int(u32(48)), insertions = u64(56), count = u64(64)
        guard bits >= 64, bits % 64 == 0, bits <= 1 << 36 else { throw bad(40, "Bloom filter size \(bits) bits is not a multiple of 64 in range") }
        guard (1...30).contains(k) else { throw bad(48, "Bloom filter hash count \(k) out of 1...30") }
        let words = Int(bits / 64)
        guard count <= UInt64(b.count), 72 + words * 8 + Int(count) * 16 == b.count else {
            throw bad(64, "file length \(b.count) does not match \(words) Bloom words and \(count) recent entries")
        }
        var w = [UInt64](repeating: 0, count: words)
        for i in 0..<words { w[i] = u64(72 + i * 8) }
        var h = NewDomainHistory(windowSeconds: windowSeconds, maxRecent: max(maxRecent, Int(count)), bloomCapacity: 1, bloomFalsePositiveRate: 0.5)
        h.bloom = BloomFilter(words: w, hashCount: k, insertions: Int(min(insertions, UInt64(Int.max))))
        h.historyStart = start == .min ? nil : start
        h.clock = clock
        var o = 72 + words * 8
        for _ in 0..<Int(count) {
            let key = normal(u64(o)), t = Int64(bitPattern: u64(o + 8))
            o += 16
            if h.slot(key).1 { continue }
            if (h.recentCount + 1) * 2 > h.keys.count { h.rebuild(slots: h.keys.count * 2) { _, _ in true } }
            let (j, _) = h.slot(key)
            h.keys[j] = key
            h.firstSeen[j] = t
            h.oldestFirstSeen = min(h.oldestFirstSeen, t)
            h.recentCount += 1
        }
        return h
    }
}
