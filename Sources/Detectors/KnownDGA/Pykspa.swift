/// Pykspa's domain generators (`shared/docs/dga-algorithms.md` §2–3): the improved DGA with its real (C2) and noise
/// sets, seeded per period through MD6-256 and a stirring routine, and the faulty precursor DGA.
public enum Pykspa {
    /// The two interleaved name sets of the improved DGA.
    public enum NameSet: Int, Sendable, CaseIterable {
        /// Set 1, likely the C2 names; the seed changes every 20 days.
        case real = 1
        /// Set 2, noise; the seed changes every day.
        case noise = 2

        /// The period length in seconds.
        public var periodSeconds: Int64 { self == .real ? 1_728_000 : 86_400 }
    }

    /// The precursor's period length in seconds (two days).
    public static let precursorPeriodSeconds: Int64 = 172_800
    /// The precursor's names per period.
    public static let precursorCount = 5_000

    private static let improvedTLDs = ["com", "net", "org", "info"]
    private static let precursorTLDs = ["biz", "com", "net", "org", "info", "cc"]

    /// The period number N of `set` at `unixTime` (§2.1).
    public static func period(_ set: NameSet, unixTime: Int64) -> UInt32 {
        UInt32(truncatingIfNeeded: floorDiv(unixTime, set.periodSeconds))
    }

    /// The MD6-256 digest of N as 4 little-endian bytes, as 64 lower-case hex characters (Step 1).
    public static func periodHash(_ n: UInt32) -> String {
        let m: [UInt8] = [UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8),
                          UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 24)]
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        for b in MD6.digest256(m)! {            // 4 bytes is always within MD6.maxMessageBytes
            hex.append(hexDigits[Int(b >> 4)])
            hex.append(hexDigits[Int(b & 15)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The stirring state of §2.2 steps 2–4. Inline storage: a seed costs some 380,000 ticks, and an array's
    /// uniqueness check on every write made it the bulk of a day's generated names.
    private struct Stirrer {
        var w = InlineArray<128, UInt32>(repeating: 0)
        var r: UInt32 = 0

        @inline(__always) mutating func tick(_ j: Int) {
            w[j] = w[j] &* 22_695_477 &+ 1
            let t = (w[j] >> 16) & 0x7FFF
            let s = r & 15
            let v = t &+ r
            r = s == 0 ? v : (v << s | v >> (32 - s))
        }

        mutating func warmup() {
            r = 0
            for j in 0..<128 {
                for _ in 0...j { tick(j) }
            }
        }

        mutating func sweep(_ k: UInt8) -> UInt8 {
            for j in 0..<128 { tick(j) }
            let y = UInt8(truncatingIfNeeded: r)
            r = r &+ UInt32(k)
            w[127] = w[127] &+ UInt32(k)
            return y
        }
    }

    /// The 32-bit seed S(N) of the improved DGA (§2.2). Costs about 380,000 ticks; callers may cache it per N.
    public static func seed(period n: UInt32) -> UInt32 {
        let h = Array(periodHash(n).utf8)
        var st = Stirrer()
        for j in 0..<32 { st.w[j] = 256 * UInt32(h[2 * j]) + UInt32(h[2 * j + 1]) }
        var p = [UInt8](repeating: 0, count: 256)
        for i in 0..<64 { p[i] = h[i] }
        st.warmup()
        for i in 0..<256 { p[i] = st.sweep(p[i]) }
        for q in 0..<2_570 {
            let i = (255 + q) % 256
            p[i] = st.sweep(p[i])
        }
        for j in 0..<128 { st.w[j] = 256 * UInt32(p[2 * j]) + UInt32(p[2 * j + 1]) }
        st.warmup()
        let o = Int(n % 50)
        var seed: UInt32 = 0
        for b in 0..<4 {
            let c = h[o + b]
            let y = st.sweep(c)
            seed |= UInt32(c ^ y) << UInt32(8 * b)
        }
        return seed
    }

    /// The first `count` names of the improved DGA's stream for seed `seed` (§2.3), in order.
    public static func improvedDomains(seed: UInt32, count: Int) -> [String] {
        var s = UInt64(seed)
        var out: [String] = []
        out.reserveCapacity(max(0, count))
        var label: [UInt8] = []
        for k in 0..<UInt64(max(0, count)) {
            s = s + s % (k + 1) + 1
            let length = Int((s + k) % 7) + 6
            label.removeAll(keepingCapacity: true)
            let len = UInt64(length)
            var a = len * len
            let m = 541 * len + 4
            var v = s
            for i in 0..<len {
                let f = v % 5 + v % 123_456 + i * (v % 2 + v % 4_567)
                let letter = (a + (v &* f & 0xFFFF_FFFF)) % 26
                label.append(UInt8(ascii: "a") + UInt8(letter))
                a += len
                v += ((7_837_632 &* v &* len) & 0xFFFF_FFFF + 82_344) % m
            }
            out.append(String(decoding: label, as: UTF8.self) + "." + improvedTLDs[Int(s % 4)])
        }
        return out
    }

    /// The first `count` names of the improved DGA's `set` at `unixTime`.
    public static func improvedDomains(_ set: NameSet, unixTime: Int64, count: Int) -> [String] {
        improvedDomains(seed: seed(period: period(set, unixTime: unixTime)), count: count)
    }

    /// The precursor DGA's names for the two-day period holding `unixTime` (§3), 5,000 by default.
    public static func precursorDomains(unixTime: Int64, count: Int = precursorCount) -> [String] {
        var r = UInt32(truncatingIfNeeded: floorDiv(unixTime, precursorPeriodSeconds))
        var out: [String] = []
        out.reserveCapacity(max(0, count))
        var label: [UInt8] = []
        for k in 0..<UInt32(max(0, count)) {
            r = r &* r
            r = r &+ k
            let length = r % 10 + 6
            label.removeAll(keepingCapacity: true)
            var a = length &* length
            var v = r
            for i in 0..<length {
                let x = i &* (v % 4_567 &+ v % 19)
                let p = v &* (v % 5 &+ v % 123_456 &+ x)
                label.append(UInt8(ascii: "a") + UInt8((a &+ p) % 26))
                v = v &+ i
                v = v >> ((i &* i) % 32)
                a = a &+ length
            }
            out.append(String(decoding: label, as: UTF8.self) + "." + precursorTLDs[Int(r % 6)])
        }
        return out
    }
}
