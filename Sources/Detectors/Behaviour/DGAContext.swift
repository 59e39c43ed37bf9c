import CPrefetch
import Foundation
import DNSightCore
import PublicSuffix

/// A known-family DGA hit: which family's generator produces the name around the query's date.
public struct KnownDGAHit: Sendable, Hashable {
    /// The family, as the generator names it (`qsnatch`, `pykspa`).
    public var family: String
    /// The generators (variants) that produce it.
    public var variants: [KnownDGAVariant]
    /// True when only weak generators (QSnatch-A's short names, which collide with real domains) produce it.
    public var isWeak: Bool
}

/// The DGA side of the detector chain, one per worker: the bundled scorer (the chain caches scores per registrable
/// domain in its ``DomainTable``), and the known-family generators' names around the current day, hashed for
/// allocation-free lookups behind a 64 KB bit filter.
///
/// Value type: each worker owns its copy, so nothing is shared or locked on the hot path.
public struct DGAContext: Sendable {
    /// The scorer, or nil when DGA scoring is unavailable (every score is then 0).
    public var scorer: DGAScorer? { model.map { DGAScorer(model: $0.model, suffixes: $0.suffixes) } }
    /// Whether a scorer is present.
    public let hasScorer: Bool
    /// The scorer behind one reference: binding the optional struct (two dozen arrays) copied and released it on
    /// every score, several times the cost of a memo hit.
    private let model: ModelRef?
    /// Whether known-family lookups are made, and the margin in days either side of an event's day.
    public let knownFamilies: Bool
    public let marginDays: Int
    private var windowDay: Int64 = .min
    private var window = DayIndex(pairs: [])
    /// Scores computed (not counting those the memo answered).
    public private(set) var scored = 0
    /// Scores by label hash: the chain's ``DomainTable`` keeps a domain's score only once the domain is admitted (its
    /// second sighting) and until it expires, and a model evaluation costs far more than this probe (up to 4 MB).
    private var memo = RecentCache<Float>(maxBits: 18, empty: 0)
    /// Days whose generated names this context built (another worker may have built the others).
    public private(set) var daysBuilt = 0

    /// Creates a context.
    public init(scorer: DGAScorer?, knownFamilies: Bool = true, marginDays: Int = 1) {
        model = scorer.map { ModelRef(model: $0.model, suffixes: $0.suffixes) }
        hasScorer = scorer != nil
        self.knownFamilies = knownFamilies
        self.marginDays = max(0, min(marginDays, 30))
    }

    /// The DGA score of the query's registrable label: the chain's cached value when the facts carry one, else
    /// computed (0 without a scorer, a registrable domain, or under a platform whose labels are random by design).
    public mutating func score(_ f: QueryFacts) -> Double {
        if !f.dgaScore.isNaN { return Double(f.dgaScore) }
        return Double(computeScore(f))
    }

    /// Computes the score (single precision, as the chain caches it).
    mutating func computeScore(_ f: QueryFacts) -> Float {
        guard hasScorer, f.registrableStart >= 0, !f.randomByDesign else { return 0 }
        let label = f.registrableLabel
        let key = StableHash.hash(label)
        if let s = memo.get(key) { return s }
        // Bound only past the memo: binding the reference retained and released it on every hit too.
        guard let model else { return 0 }
        if let s = model.shared.get(key) {
            memo.set(key, s)
            return s
        }
        scored += 1
        let s = Float(model.score(label))
        memo.set(key, s)
        model.shared.set(key, s)
        return s
    }

    /// The known family whose generator produces the query name within the margin of its day, if any.
    public mutating func knownFamily(_ f: QueryFacts) -> KnownDGAHit? {
        guard knownFamilies else { return nil }
        let day = UTCDay(containing: f.seconds).daysSinceEpoch
        if day != windowDay { buildWindow(day) }
        let mask = window.lookup(f.nameHash)
        guard mask != 0 else { return nil }
        let variants = KnownDGAVariant.allCases.enumerated().filter { mask & (1 << UInt8($0.offset)) != 0 }.map(\.element)
        // A name produced by two families has not been seen; the first strong generator decides deterministically.
        let strong = variants.filter { !$0.isWeakEvidence }
        let family = (strong.first ?? variants[0]).family
        return KnownDGAHit(family: family, variants: variants, isWeak: strong.isEmpty)
    }

    /// Starts loading the filter word that ``knownFamily(_:)`` reads first for a name of this hash.
    func prefetchKnownFamily(_ nameHash: UInt64) {
        guard knownFamilies else { return }
        window.filter.withUnsafeBufferPointer { dnsight_prefetch($0.baseAddress! + DayIndex.filterWord(nameHash)) }
    }

    /// One table of every name generated on the days within the margin of `day` (one probe per query).
    private mutating func buildWindow(_ day: Int64) {
        var pairs: [(UInt64, UInt8)] = []
        for d in (day - Int64(marginDays))...(day + Int64(marginDays)) where d >= 0 { pairs += names(for: d) }
        window = DayIndex(pairs: pairs)
        windowDay = day
    }

    private mutating func names(for day: Int64) -> [(UInt64, UInt8)] {
        let (pairs, built) = KnownDGADays.shared.names(for: day)
        if built { daysBuilt += 1 }
        return pairs
    }

    /// The scorer's parts, shared by reference — with the scores every copy of this context (every worker of a
    /// run) has computed.
    final class ModelRef: Sendable {
        let model: DGAModel
        let suffixes: PublicSuffixList
        let shared = SharedScores()
        init(model: DGAModel, suffixes: PublicSuffixList) {
            self.model = model
            self.suffixes = suffixes
        }

        /// The model's score of a label, asked from inside the reference: `ref.model.score(label:)` from outside
        /// copied the model (two dozen arrays, each retained and released) for every label scored.
        func score(_ label: UnsafeBufferPointer<UInt8>) -> Double { model.score(label: label) }
    }

    /// Generated names as hashes → variant bit mask.
    struct DayIndex: Sendable {
        var keys: [UInt64]
        var masks: [UInt8]
        var mask: Int
        /// One bit per hash prefix (2^19 bits, 64 KB; a window holds some 60,000 names, so about one bit in nine is
        /// set): most queries are answered here without touching the table.
        var filter: [UInt64]

        init(pairs: [(UInt64, UInt8)]) {
            filter = Array(repeating: 0, count: 8192)
            for (h, _) in pairs { filter[Int(h >> 51)] |= 1 << ((h >> 45) & 63) }
            var n = 64
            while n < pairs.count * 2 { n <<= 1 }
            keys = Array(repeating: 0, count: n)
            masks = Array(repeating: 0, count: n)
            mask = n - 1
            for (h, m) in pairs {
                let k = h | 1
                var i = Int(truncatingIfNeeded: k) & mask
                while keys[i] != 0 && keys[i] != k { i = (i + 1) & mask }
                keys[i] = k
                masks[i] |= m
            }
        }

        @inline(__always) static func filterWord(_ h: UInt64) -> Int { Int(h >> 51) }

        func lookup(_ h: UInt64) -> UInt8 {
            if filter[Self.filterWord(h)] & (1 << ((h >> 45) & 63)) == 0 { return 0 }
            let k = h | 1
            var i = Int(truncatingIfNeeded: k) & mask
            while true {
                let x = keys[i]
                if x == k { return masks[i] }
                if x == 0 { return 0 }
                i = (i + 1) & mask
            }
        }
    }

    /// The catalogue's view of a generator's family: canonical name, category and traits.
    static func catalogued(_ family: String) -> (name: String, category: ThreatCategory, traits: ThreatTraits, tags: ThreatTags) {
        if let f = FamilyCatalogue.builtIn.family(named: family) {
            return (f.name, f.category ?? .malware, f.tags.traits, f.tags)
        }
        return (family, .malware, .dga, .none)
    }
}

/// The known families' generated names of each day, hashed, built once per process: a pure function of the day that
/// costs some 130 million instructions, which every worker would otherwise repeat for the same days.
final class KnownDGADays: @unchecked Sendable {
    static let shared = KnownDGADays()
    /// Days kept (a replay moves forward a day at a time; a worker's window holds at most 61).
    static let capacity = 64
    private let lock = NSLock()
    private var days: [Int64: [(UInt64, UInt8)]] = [:]
    private var order: [Int64] = []

    /// The names of `day` as (name hash, variant bit) pairs, and whether this call built them. Built under the lock:
    /// a second worker asking for the same day waits for them instead of building them too.
    func names(for day: Int64) -> ([(UInt64, UInt8)], Bool) {
        lock.lock()
        defer { lock.unlock() }
        if let pairs = days[day] { return (pairs, false) }
        var pairs: [(UInt64, UInt8)] = []
        let d = UTCDay(daysSinceEpoch: day)
        for (bit, variant) in KnownDGAVariant.allCases.enumerated() {
            for g in KnownDGAIndex.generate(variant, days: d...d) {
                pairs.append((StableHash.hash(g.name), UInt8(1) << UInt8(bit)))
            }
        }
        if order.count >= Self.capacity { days[order.removeFirst()] = nil }
        days[day] = pairs
        order.append(day)
        return (pairs, true)
    }
}

/// DGA scores by label hash, shared by the workers of a run: a worker's own memo answers most lookups, and this one
/// spares each worker scoring the labels another has already scored (with two workers, every label the devices of
/// both query was scored twice). Direct-mapped like ``RecentCache``: the last value stored in a slot wins, a hit
/// compares 63 bits of the hash, and a score is a pure function of the label, so a hit is the value the model gives.
/// Lock-striped: a lookup takes one of 64 locks, once per label a worker has not memoised.
final class SharedScores: @unchecked Sendable {
    static let bits = 18
    private let keys: UnsafeMutablePointer<UInt64>
    private let values: UnsafeMutablePointer<Float>
    private let locks = (0..<64).map { _ in NSLock() }

    init() {
        let n = 1 << Self.bits
        keys = .allocate(capacity: n)
        keys.initialize(repeating: 0, count: n)
        values = .allocate(capacity: n)
        values.initialize(repeating: 0, count: n)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    @inline(__always)
    private func index(_ k: UInt64) -> Int { Int(truncatingIfNeeded: StableHash.fmix(k ^ 0x3C6E_F372_FE94_F82B) >> UInt64(64 - Self.bits)) }

    /// The score stored for `key`, if its slot holds it.
    func get(_ key: UInt64) -> Float? {
        let k = key | 1, i = index(k)
        let lock = locks[i & 63]
        lock.lock()
        defer { lock.unlock() }
        return keys[i] == k ? values[i] : nil
    }

    /// Stores a score (replacing whatever the slot held).
    func set(_ key: UInt64, _ value: Float) {
        let k = key | 1, i = index(k)
        let lock = locks[i & 63]
        lock.lock()
        keys[i] = k
        values[i] = value
        lock.unlock()
    }
}
