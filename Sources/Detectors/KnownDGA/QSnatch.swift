/// The two domain generators of QSnatch (QNAP NAS malware), variants A and B, as described in
/// `shared/docs/dga-algorithms.md` §1. Both derive labels from a keyed SHA-1 string per (bucket, TLD).
public enum QSnatch {
    /// The fixed seed string of both variants.
    static let seed = Array("IbjGOEgnuD".utf8)

    /// Variant A's bucket lengths in seconds, in generation order (15 d, 5 d, 1 d, 8 h, 2 h, 1 h).
    public static let bucketLengthsA: [Int64] = [1_296_000, 432_000, 86_400, 28_800, 7_200, 3_600]
    /// Variant A's base label lengths, in generation order.
    public static let baseLengthsA = [5, 3, 4]
    /// Variant A: names per run (6 × 3 × 145).
    public static let countA = 2_610
    /// Variant B's bucket length in seconds (15 days).
    public static let bucketLengthB: Int64 = 1_296_000
    /// Variant B: names per bucket (30 × 5).
    public static let countB = 150

    /// Table A: the 145 TLD strings in order (entry 142, `.com.bn`, keeps its leading dot as the malware does).
    public static let tldsA: [String] = """
    cf tk com ml de rocks mx biz net cn ga gq org top nl men ws se info xyz \
    today ru ec co ee rs com.sv com.cy co.zw kg com.ge tl name tw lv bs li ng ae bt \
    tv pe uz me gy am kr by fr com.uy com.lb com.br vu hk in re ch af com.ps ug dz pro co.th \
    sg cd so mo co.id co.il com.do ke cx ro id pm hm vg az com.eg bz su com.ar gg com.lr pa \
    com.ve al fm to mu co.ck pk co.rs cw nr gd gl ac lk md fi sx lc es cc cm la co.za je cz \
    jp ai pw bg nu ag bm eu com.my sc ax wf ly qa vn aq mobi com.tr com.ua com.py hk.org \
    south.am com.kh co.zm ru.net com.km tt kn co.ls co.fk uy.com com.gu .com.bn com.pf com.fj
    """.split(separator: " ").map(String.init)

    /// Table B: the 30 TLDs in order.
    public static let tldsB: [String] = """
    cf tk ml ga gq com biz org de rocks mx cn top nl men ws se info xyz net \
    today ru fi name to in com.ua vg vn cd
    """.split(separator: " ").map(String.init)

    /// The 27-character label source `src(bucket, tld)` over `[a-z0-9]` (§1.1).
    public static func source(bucket: Int64, tld: String) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(24 + seed.count + tld.utf8.count)
        key += String(bucket).utf8
        key += seed
        key += tld.utf8
        key.append(0x0A)
        // Base64 of the 20-byte digest is 27 characters and one `=`; the mapping below drops the `=`.
        let encoded = SHA1.base64(SHA1.digest(key))
        return [UInt8](unsafeUninitializedCapacity: encoded.count) { out, n in
            n = 0
            for c in encoded {
                let m: UInt8
                switch c {
                case UInt8(ascii: "="): continue
                case UInt8(ascii: "+"): m = UInt8(ascii: "b")
                case UInt8(ascii: "/"): m = UInt8(ascii: "c")
                case UInt8(ascii: "-"): m = UInt8(ascii: "a")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): m = c | 0x20
                default: m = c
                }
                out[n] = m
                n += 1
            }
        }
    }

    /// The label length variant A uses for `tld` with base length `base` (one more for com, net, org).
    static func lengthA(base: Int, tld: String) -> Int {
        max(3, tld == "com" || tld == "net" || tld == "org" ? base + 1 : base)
    }

    /// Variant A's 435 names of one (bucket length, bucket) block, indexed as in a full run:
    /// `index = (intervalPos × 3 + lengthPos) × 145 + tldPos`.
    public static func blockA(intervalPos: Int, bucket: Int64) -> [(index: Int, domain: String)] {
        var out: [(Int, String)] = []
        out.reserveCapacity(3 * tldsA.count)
        var sources: [[UInt8]] = []
        sources.reserveCapacity(tldsA.count)
        for tld in tldsA { sources.append(source(bucket: bucket, tld: tld)) }
        for (lengthPos, base) in baseLengthsA.enumerated() {
            for (tldPos, tld) in tldsA.enumerated() {
                let n = lengthA(base: base, tld: tld)
                out.append(((intervalPos * 3 + lengthPos) * tldsA.count + tldPos, name(sources[tldPos][0..<n], tld)))
            }
        }
        return out
    }

    /// `label.tld` built in one go (concatenating strings cost more than the label's digest).
    static func name(_ label: ArraySlice<UInt8>, _ tld: String) -> String {
        let size = label.count + 1 + tld.utf8.count
        return String(unsafeUninitializedCapacity: size) { buf in
            var i = 0
            for b in label { buf[i] = b; i += 1 }
            buf[i] = UInt8(ascii: ".")
            i += 1
            for b in tld.utf8 { buf[i] = b; i += 1 }
            return i
        }
    }

    /// Variant A's 2,610 names for Unix time `unixTime`, in generation order.
    public static func domainsA(unixTime: Int64) -> [String] {
        var out: [String] = []
        out.reserveCapacity(countA)
        for (intervalPos, length) in bucketLengthsA.enumerated() {
            out += blockA(intervalPos: intervalPos, bucket: floorDiv(unixTime, length)).map(\.domain)
        }
        return out
    }

    /// Variant B's 150 names for Unix time `unixTime`, in generation order (`index = tldPos × 5 + (n − 6)`).
    public static func domainsB(unixTime: Int64) -> [String] {
        let bucket = floorDiv(unixTime, bucketLengthB)
        var out: [String] = []
        out.reserveCapacity(countB)
        for tld in tldsB {
            let src = source(bucket: bucket, tld: tld)
            for n in 6...10 { out.append(name(src[0..<n], tld)) }
        }
        return out
    }
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    a >= 0 ? a / b : -((-a + b - 1) / b)
}
