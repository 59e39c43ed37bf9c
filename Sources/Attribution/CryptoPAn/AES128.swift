/// AES-128 block encryption (FIPS-197), written here so that dnsight needs no crypto library for Crypto-PAn.
///
/// Encryption only, one 16-byte block at a time (Crypto-PAn uses AES as a pseudo-random function in ECB fashion).
/// The S-box is computed from its definition (multiplicative inverse in GF(2^8) followed by the affine map) rather
/// than pasted, and the rounds use the usual four 256-entry tables that fold SubBytes, ShiftRows and MixColumns.
/// Table look-ups depend on secret data, so this is not constant-time: fine for anonymising logs on the
/// operator's own machine, not for a service exposed to timing measurements by the key's adversary.
public struct AES128: Sendable {
    /// The 44 round-key words.
    private let roundKeys: [UInt32]

    /// Expands a 16-byte key.
    public init(key: some Collection<UInt8>) throws(AttributionError) {
        guard key.count == 16 else { throw AttributionError(.invalidArgument, "an AES-128 key is 16 bytes, not \(key.count)") }
        let k = Array(key)
        let sbox = AESTables.shared.sbox
        var w = [UInt32](repeating: 0, count: 44)
        for i in 0..<4 { w[i] = UInt32(k[4 * i]) << 24 | UInt32(k[4 * i + 1]) << 16 | UInt32(k[4 * i + 2]) << 8 | UInt32(k[4 * i + 3]) }
        var rcon: UInt32 = 0x01
        for i in 4..<44 {
            var t = w[i - 1]
            if i % 4 == 0 {
                t = (t << 8) | (t >> 24)   // RotWord
                t = UInt32(sbox[Int(t >> 24)]) << 24 | UInt32(sbox[Int((t >> 16) & 0xFF)]) << 16
                    | UInt32(sbox[Int((t >> 8) & 0xFF)]) << 8 | UInt32(sbox[Int(t & 0xFF)])
                t ^= rcon << 24
                rcon = UInt32(AESTables.xtime(UInt8(rcon)))
            }
            w[i] = w[i - 4] ^ t
        }
        roundKeys = w
    }

    /// Encrypts one block given as two big-endian 64-bit halves (bytes 0–7 and 8–15).
    @inline(__always)
    public func encrypt(high: UInt64, low: UInt64) -> (high: UInt64, low: UInt64) {
        let t = AESTables.shared
        return roundKeys.withUnsafeBufferPointer { rk in
            var s0 = UInt32(truncatingIfNeeded: high >> 32) ^ rk[0]
            var s1 = UInt32(truncatingIfNeeded: high) ^ rk[1]
            var s2 = UInt32(truncatingIfNeeded: low >> 32) ^ rk[2]
            var s3 = UInt32(truncatingIfNeeded: low) ^ rk[3]
            let te = t.te
            var r = 4
            for _ in 1..<10 {
                let n0 = te[Int(s0 >> 24)] ^ te[256 + Int((s1 >> 16) & 0xFF)] ^ te[512 + Int((s2 >> 8) & 0xFF)] ^ te[768 + Int(s3 & 0xFF)] ^ rk[r]
                let n1 = te[Int(s1 >> 24)] ^ te[256 + Int((s2 >> 16) & 0xFF)] ^ te[512 + Int((s3 >> 8) & 0xFF)] ^ te[768 + Int(s0 & 0xFF)] ^ rk[r + 1]
                let n2 = te[Int(s2 >> 24)] ^ te[256 + Int((s3 >> 16) & 0xFF)] ^ te[512 + Int((s0 >> 8) & 0xFF)] ^ te[768 + Int(s1 & 0xFF)] ^ rk[r + 2]
                let n3 = te[Int(s3 >> 24)] ^ te[256 + Int((s0 >> 16) & 0xFF)] ^ te[512 + Int((s1 >> 8) & 0xFF)] ^ te[768 + Int(s2 & 0xFF)] ^ rk[r + 3]
                s0 = n0; s1 = n1; s2 = n2; s3 = n3
                r += 4
            }
            let sb = t.sbox32
            @inline(__always) func last(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ k: UInt32) -> UInt32 {
                (sb[Int(a >> 24)] << 24 | sb[Int((b >> 16) & 0xFF)] << 16 | sb[Int((c >> 8) & 0xFF)] << 8 | sb[Int(d & 0xFF)]) ^ k
            }
            let o0 = last(s0, s1, s2, s3, rk[40]), o1 = last(s1, s2, s3, s0, rk[41])
            let o2 = last(s2, s3, s0, s1, rk[42]), o3 = last(s3, s0, s1, s2, rk[43])
            return (UInt64(o0) << 32 | UInt64(o1), UInt64(o2) << 32 | UInt64(o3))
        }
    }

    /// Encrypts one 16-byte block.
    public func encrypt(block: some Collection<UInt8>) throws(AttributionError) -> [UInt8] {
        guard block.count == 16 else { throw AttributionError(.invalidArgument, "an AES block is 16 bytes, not \(block.count)") }
        let b = Array(block)
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(b[i]); l = l << 8 | UInt64(b[8 + i]) }
        let (oh, ol) = encrypt(high: h, low: l)
        return (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? oh : ol) >> UInt64(56 - 8 * (i % 8))) }
    }
}

/// The S-box and round tables, computed once and never freed (so the raw pointers stay valid for the process).
final class AESTables: @unchecked Sendable {
    /// The S-box as bytes.
    let sbox: [UInt8]
    /// The S-box widened to 32 bits, for the last round.
    let sbox32: UnsafeMutablePointer<UInt32>
    /// Te0…Te3 back to back (4 × 256 words): S-box, ShiftRows and MixColumns folded per byte position.
    let te: UnsafeMutablePointer<UInt32>

    static let shared = AESTables()

    /// Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.
    static func xtime(_ a: UInt8) -> UInt8 { (a << 1) ^ ((a & 0x80) != 0 ? 0x1B : 0) }

    /// Multiplication in GF(2^8).
    static func mul(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a, b = b, p: UInt8 = 0
        while b != 0 {
            if b & 1 != 0 { p ^= a }
            a = xtime(a)
            b >>= 1
        }
        return p
    }

    private init() {
        // Multiplicative inverses by brute force (256 × 256 products, once), then the affine transformation.
        var inverse = [UInt8](repeating: 0, count: 256)
        for a in 1..<256 {
            for b in 1..<256 where AESTables.mul(UInt8(a), UInt8(b)) == 1 { inverse[a] = UInt8(b); break }
        }
        var s = [UInt8](repeating: 0, count: 256)
        for x in 0..<256 {
            let b = inverse[x]
            func rotl(_ v: UInt8, _ n: UInt8) -> UInt8 { (v << n) | (v >> (8 - n)) }
            s[x] = b ^ rotl(b, 1) ^ rotl(b, 2) ^ rotl(b, 3) ^ rotl(b, 4) ^ 0x63
        }
        sbox = s
        sbox32 = .allocate(capacity: 256)
        te = .allocate(capacity: 1024)
        for x in 0..<256 {
            let v = s[x]
            sbox32[x] = UInt32(v)
            let w = UInt32(AESTables.mul(v, 2)) << 24 | UInt32(v) << 16 | UInt32(v) << 8 | UInt32(AESTables.mul(v, 3))
            te[x] = w
            te[256 + x] = (w >> 8) | (w << 24)
            te[512 + x] = (w >> 16) | (w << 16)
            te[768 + x] = (w >> 24) | (w << 8)
        }
    }
}
