import CPrefetch

/// Longest-prefix match as a flat, sorted list of disjoint address intervals.
///
/// Nested CIDR prefixes are flattened at build time into the intervals where the innermost covering prefix stays
/// the same, so a lookup is one search for "the last interval starting at or below the address" — no trie walk,
/// no pointers, plain arrays. Each family adds a 65,537-entry index on the top 16 bits, so that the binary search
/// runs only over the intervals inside one /16 (IPv4: a handful; IPv6: those of one /16, e.g. 2001::/16). IPv6
/// interval starts are kept as separate high and low halves so that the search touches 8 bytes per step.
///
/// Values are indices into the caller's table of entries; -1 means "no prefix covers this address".
struct PrefixTable: Sendable {
    /// IPv4 intervals, ascending: the start in the high 32 bits, the value in the low 32 (so that the value found
    /// is in the cache line the search already loaded); the first start is 0.
    private let v4Intervals: [UInt64]
    /// For each /16 `b`, the index of the interval that holds the address `b << 16` (low 32 bits; entry 65,536 is
    /// the last index) and, for a bucket with many intervals, 1 + the offset of its /24 index in `v4Sub` (high 32
    /// bits; 0 for none).
    private let v4Index: [UInt64]
    /// /24 indices of the dense /16 buckets, 257 entries each, like `v4Index` one level down: an inventory of many
    /// small prefixes packed into a few /16s (1,024 /26s in a /16) otherwise costs a binary search of ten steps,
    /// each a likely cache miss, per lookup.
    private let v4Sub: [UInt32]
    /// Buckets with more intervals than this get a /24 index.
    static let denseBucket = 16
    /// Interval starts for IPv6, ascending, as high and low halves; the first is 0.
    private let v6High: [UInt64]
    private let v6Low: [UInt64]
    private let v6Values: [Int32]
    /// As `v4Index`, over the top 16 bits of IPv6 addresses.
    private let v6Index: [UInt32]

    /// The number of intervals (IPv4, IPv6), a measure of the structure's size.
    var intervalCounts: (v4: Int, v6: Int) { (v4Intervals.count, v6Values.count) }

    /// For each 16-bit bucket, the index of the last interval starting at or below the bucket's first key.
    private static func bucketIndex(count: Int, top16: (Int) -> Int) -> [UInt32] {
        var index = [UInt32](repeating: 0, count: 65_537)
        var i = 0
        for b in 0..<65_536 {
            // Advance while the next interval starts at or before the bucket's first key, i.e. in an earlier bucket
            // or exactly at this bucket's start with all lower bits zero (checked by the caller's `startsAtOrBefore`).
            while i + 1 < count && top16(i + 1) <= b { i += 1 }
            index[b] = UInt32(i)
        }
        index[65_536] = UInt32(count - 1)
        return index
    }

    /// Builds the table. Prefixes must be distinct (the caller removes duplicates); any nesting is allowed.
    init(v4 prefixes4: [(prefix: CIDRPrefix, value: Int32)], v6 prefixes6: [(prefix: CIDRPrefix, value: Int32)]) {
        // IPv4, in 64-bit arithmetic so that "one past the top" is representable.
        let sorted4 = prefixes4.map { p -> (lo: UInt64, hi: UInt64, value: Int32) in
            let r = p.prefix.v4Range
            return (UInt64(r.lo), UInt64(r.hi), p.value)
        }.sorted { $0.lo != $1.lo ? $0.lo < $1.lo : $0.hi > $1.hi }
        let (s4, v4) = PrefixTable.flatten(sorted4, zero: 0, top: UInt64(UInt32.max), successor: { $0 + 1 })
        v4Intervals = zip(s4, v4).map { UInt64($0) << 32 | UInt64(UInt32(bitPattern: $1)) }
        let starts4 = s4.map { UInt32($0) }
        let top = PrefixTable.bucketIndex(count: starts4.count) { i in
            // An interval starting inside bucket b (not at its first address) does not hold b's first address.
            starts4[i] & 0xFFFF == 0 ? Int(starts4[i] >> 16) : Int(starts4[i] >> 16) + 1
        }
        var index = top.map { UInt64($0) }
        var sub = [UInt32]()
        for b in 0..<65_536 where Int(top[b + 1]) - Int(top[b]) > PrefixTable.denseBucket {
            index[b] |= UInt64(sub.count / 257 + 1) << 32
            // For each /24 s of the bucket, the last interval starting at or below its first address.
            var i = Int(top[b])
            for s in 0..<256 {
                let key = UInt32(b) << 16 | UInt32(s) << 8
                while i + 1 <= Int(top[b + 1]) && starts4[i + 1] <= key { i += 1 }
                sub.append(UInt32(i))
            }
            sub.append(top[b + 1])
        }
        v4Index = index
        v4Sub = sub

        let sorted6 = prefixes6.map { p -> (lo: U128, hi: U128, value: Int32) in
            let r = p.prefix.v6Range
            return (r.lo, r.hi, p.value)
        }.sorted { $0.lo != $1.lo ? $0.lo < $1.lo : $1.hi < $0.hi }
        let (s6, v6) = PrefixTable.flatten(sorted6, zero: .zero, top: .max, successor: { $0.successor })
        v6High = s6.map(\.high)
        v6Low = s6.map(\.low)
        v6Values = v6
        v6Index = PrefixTable.bucketIndex(count: s6.count) { i in
            s6[i].high & 0x0000_FFFF_FFFF_FFFF == 0 && s6[i].low == 0 ? Int(s6[i].high >> 48) : Int(s6[i].high >> 48) + 1
        }
    }

    /// Turns prefixes sorted by (start ascending, end descending) into interval starts and values covering the whole
    /// key space. Each prefix is entered at its start and left one past its end, where the enclosing prefix (or
    /// nothing) takes over again; a later start at the same point overrides, and equal neighbours merge.
    private static func flatten<K: Comparable>(_ prefixes: [(lo: K, hi: K, value: Int32)], zero: K, top: K,
                                               successor: (K) -> K) -> ([K], [Int32]) {
        var starts = [K](), values = [Int32]()
        starts.reserveCapacity(prefixes.count * 2 + 1)
        values.reserveCapacity(prefixes.count * 2 + 1)
        func emit(_ start: K, _ value: Int32) {
            if let last = starts.last, last == start {
                values[values.count - 1] = value
                if values.count >= 2 && values[values.count - 2] == value { starts.removeLast(); values.removeLast() }
            } else if values.last != value {
                starts.append(start); values.append(value)
            }
        }
        emit(zero, -1)
        var stack = [(hi: K, value: Int32)]()
        func leave() {
            let t = stack.removeLast()
            if t.hi != top { emit(successor(t.hi), stack.last?.value ?? -1) }
        }
        for p in prefixes {
            while let top = stack.last, top.hi < p.lo { leave() }
            emit(p.lo, p.value)
            stack.append((p.hi, p.value))
        }
        while !stack.isEmpty { leave() }
        return (starts, values)
    }

    /// Starts loading the first-level index word that `lookup(v4:)` reads first (a likely cache miss), without
    /// waiting for it.
    @inline(__always)
    func prefetch(v4 address: UInt32) {
        v4Index.withUnsafeBufferPointer { dnsight_prefetch($0.baseAddress! + Int(address >> 16)) }
    }

    /// The value of the longest prefix covering an IPv4 address, or -1.
    @inline(__always)
    func lookup(v4 address: UInt32) -> Int32 {
        v4Index.withUnsafeBufferPointer { index in
            v4Intervals.withUnsafeBufferPointer { intervals in
                let b = Int(address >> 16)
                let entry = index[b]
                var lo: Int, hi: Int
                if entry >> 32 == 0 {
                    lo = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF)
                    hi = Int(truncatingIfNeeded: index[b + 1] & 0xFFFF_FFFF)
                } else {
                    let j = Int(truncatingIfNeeded: (entry >> 32) - 1) * 257 + Int((address >> 8) & 0xFF)
                    (lo, hi) = v4Sub.withUnsafeBufferPointer { (Int($0[j]), Int($0[j + 1])) }
                }
                // Invariant: start(lo) <= address; the answer is in lo...hi. An interval starts at or below the
                // address exactly when its packed word is at most (address, all-ones).
                let key = UInt64(address) << 32 | 0xFFFF_FFFF
                while lo < hi {
                    let mid = (lo + hi + 1) >> 1
                    if intervals[mid] <= key { lo = mid } else { hi = mid - 1 }
                }
                return Int32(truncatingIfNeeded: intervals[lo])
            }
        }
    }

    /// The value of the longest prefix covering an IPv6 address, or -1.
    @inline(__always)
    func lookup(v6 address: U128) -> Int32 {
        v6Index.withUnsafeBufferPointer { index in
            v6High.withUnsafeBufferPointer { highs in
                v6Low.withUnsafeBufferPointer { lows in
                    let b = Int(address.high >> 48)
                    var lo = Int(index[b]), hi = Int(index[b + 1])
                    let h = address.high, l = address.low
                    while lo < hi {
                        let mid = (lo + hi + 1) >> 1
                        let mh = highs[mid]
                        if mh < h || (mh == h && lows[mid] <= l) { lo = mid } else { hi = mid - 1 }
                    }
                    return v6Values.withUnsafeBufferPointer { $0[lo] }
                }
            }
        }
    }
}
