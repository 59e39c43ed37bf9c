import PublicSuffix

/// How the detector chain reads a query name: its Public Suffix List split, its hashes and its scope (internal,
/// benign, random by design, watched) under the settings' lists. Immutable and shared by reference by the copies of
/// a chain.
final class NameScope: Sendable {
    let suffixes: PublicSuffixList
    let benign: HashSet64
    let randomLabels: HashSet64
    let internalLabels: HashSet64

    init(suffixes: PublicSuffixList, common: DetectorSettings.Common) {
        self.suffixes = suffixes
        benign = HashSet64(common.benignDomains.map { StableHash.hash(DetectorChain.normalise($0)) })
        randomLabels = HashSet64(common.randomLabelSuffixes.map { StableHash.hash(DetectorChain.normalise($0)) })
        internalLabels = HashSet64(common.internalSuffixes.map { StableHash.hash(DetectorChain.normalise($0)) })
    }

    /// The facts about a lower-case name (`lastDot`: the offset of its last dot, or -1).
    func describe(_ name: UnsafeBufferPointer<UInt8>, lastDot: Int) -> NameFacts {
        var n = NameFacts()
        n.nameHash = StableHash.hash(name)
        if internalLabels.contains(StableHash.hash(UnsafeBufferPointer(rebasing: name[(lastDot + 1)...]))) {
            n.scope = .internalName
            return n
        }
        guard let split = suffixes.split(name), let r = split.registrableStart else { return n }
        n.suffixStart = Int16(split.suffixStart)
        n.registrableStart = Int16(r)
        n.registrableHash = StableHash.hash(UnsafeBufferPointer(rebasing: name[r...]))
        n.suffixHash = StableHash.hash(UnsafeBufferPointer(rebasing: name[split.suffixStart...]))
        // The benign and random-label lists hold registrable domains or platform suffixes (`googleapis.com`,
        // `cloudfront.net` are public suffixes of the list's private section): try the registrable domain and each
        // suffix of it down to the last two labels. The registrable label holds no dot: the walk starts at the dot
        // after it.
        var isBenign = benign.contains(n.registrableHash)
        n.randomByDesign = randomLabels.contains(n.registrableHash)
        var i = split.suffixStart - 1
        while i < lastDot {
            if name[i] == UInt8(ascii: ".") {
                let h = i + 1 == split.suffixStart ? n.suffixHash : StableHash.hash(UnsafeBufferPointer(rebasing: name[(i + 1)...]))
                if benign.contains(h) { isBenign = true }
                if randomLabels.contains(h) { n.randomByDesign = true }
            }
            i += 1
        }
        n.scope = isBenign ? .benign : .watched
        return n
    }
}

/// What the chain works out about a name: split, hashes, scope (and, for ``DetectorChain/prefetch(_:)``'s answer,
/// the key and length of the name it is about).
struct NameFacts: Sendable {
    var key: UInt64 = 0
    var length: Int16 = 0
    var nameHash: UInt64 = 0
    var registrableHash: UInt64 = 0
    var suffixHash: UInt64 = 0
    var suffixStart: Int16 = 0
    var registrableStart: Int16 = -1
    var scope: QueryFacts.Scope = .noRegistrableDomain
    var randomByDesign = false
}

/// A set of 64-bit hashes, open-addressed, built once.
struct HashSet64: Sendable {
    private var slots: [UInt64]
    private let mask: Int

    init(_ items: [UInt64]) {
        var n = 16
        while n < items.count * 4 { n <<= 1 }
        slots = Array(repeating: 0, count: n)
        mask = n - 1
        for h in items {
            let k = h | 1
            var i = Int(truncatingIfNeeded: k) & mask
            while slots[i] != 0 && slots[i] != k { i = (i + 1) & mask }
            slots[i] = k
        }
    }

    @inline(__always)
    func contains(_ h: UInt64) -> Bool {
        let k = h | 1
        var i = Int(truncatingIfNeeded: k) & mask
        while true {
            let x = slots[i]
            if x == k { return true }
            if x == 0 { return false }
            i = (i + 1) & mask
        }
    }
}
