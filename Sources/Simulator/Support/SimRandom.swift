/// A small, fast, deterministic random number generator (SplitMix64) for the simulator.
///
/// Every stream is seeded from the scenario seed and the identity of what it drives (a device and a day, an
/// infection, a campaign), so that the output does not depend on the order in which things are generated.
public struct SimRandom: RandomNumberGenerator, Sendable {
    /// The generator state.
    public var state: UInt64

    /// A generator with the given state.
    public init(state: UInt64) { self.state = state }

    /// A generator for one stream: the seed mixed with the parts that name the stream.
    public init(seed: UInt64, _ parts: UInt64...) {
        var s = Self.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        for p in parts { s = Self.mix(s ^ Self.mix(p &+ 0xD1B5_4A32_D192_ED03)) }
        state = s
    }

    /// A strong 64-bit mixer (the SplitMix64 finaliser).
    @inline(__always) public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A stable 64-bit hash of a string (FNV-1a then mixed), for naming streams by text.
    public static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return mix(h)
    }

    @inline(__always) public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform double in [0, 1).
    @inline(__always) public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform integer in `0..<n` (n > 0), without modulo bias worth speaking of for the small n used here.
    @inline(__always) public mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// A uniform integer in a closed range.
    @inline(__always) public mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + below(r.count) }

    /// True with probability `p`.
    @inline(__always) public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An exponential variate with the given mean.
    public mutating func exponential(mean: Double) -> Double {
        -mean * log1pNeg(unit())
    }

    /// A Poisson variate (Knuth for small means, a rounded normal approximation above 30).
    public mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean < 30 {
            let l = expNeg(mean)
            var k = 0
            var p = unit()
            while p > l { k += 1; p *= unit() }
            return k
        }
        let n = mean + mean.squareRoot() * normal()
        return max(0, Int(n.rounded()))
    }

    /// A standard normal variate (Box–Muller).
    public mutating func normal() -> Double {
        let u = max(unit(), 1e-300), v = unit()
        return (-2 * logNatural(u)).squareRoot() * cosine(2 * Double.pi * v)
    }

    /// An index drawn with probability proportional to `weights` (at least one positive).
    public mutating func weighted(_ weights: [Double]) -> Int {
        var total = 0.0
        for w in weights { total += w }
        var x = unit() * total
        for (i, w) in weights.enumerated() {
            x -= w
            if x < 0 { return i }
        }
        return weights.lastIndex(where: { $0 > 0 }) ?? 0
    }

    /// `k` distinct indices of `0..<n`, in increasing order (partial Fisher–Yates).
    public mutating func sample(_ k: Int, of n: Int) -> [Int] {
        guard k < n else { return Array(0..<n) }
        var idx = Array(0..<n)
        for i in 0..<k { idx.swapAt(i, i + below(n - i)) }
        return idx[0..<k].sorted()
    }
}

// Plain math without Foundation on the hot path.
#if canImport(Glibc)
import Glibc
@inline(__always) func logNatural(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func log1pNeg(_ u: Double) -> Double { Glibc.log1p(-u) }
@inline(__always) func expNeg(_ x: Double) -> Double { Glibc.exp(-x) }
@inline(__always) func cosine(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func power(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func logNatural(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func log1pNeg(_ u: Double) -> Double { Darwin.log1p(-u) }
@inline(__always) func expNeg(_ x: Double) -> Double { Darwin.exp(-x) }
@inline(__always) func cosine(_ x: Double) -> Double { Darwin.cos(x) }
@inline(__always) func power(_ x: Double, _ y: Double) -> Double { Darwin.pow(x, y) }
#endif

/// Walker's alias table: O(1) draws from a fixed discrete distribution (the Zipf popularity of the domain universe).
struct AliasTable: Sendable {
    private var probability: [Double]
    private var alias: [Int32]

    /// Builds the table for weights (not all zero).
    init(weights: [Double]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(n) / total }
        probability = [Double](repeating: 1, count: n)
        alias = [Int32](repeating: 0, count: n)
        var small: [Int] = [], large: [Int] = []
        for (i, p) in scaled.enumerated() { if p < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast() {
            guard let l = large.popLast() else { probability[s] = 1; continue }
            probability[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] = scaled[l] + scaled[s] - 1
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
        for l in large { probability[l] = 1 }
    }

    var count: Int { probability.count }

    /// One draw.
    @inline(__always) func draw(_ r: inout SimRandom) -> Int {
        let i = r.below(probability.count)
        return r.unit() < probability[i] ? i : Int(alias[i])
    }
}
