/// A 64-bit hash of bytes that is the same in every process and on every run (Swift's `Hasher` is seeded per
/// process), so that hashes can key bounded state tables and be written to the newly-observed-domain file.
///
/// Not cryptographic: a multiply–xorshift over 8-byte little-endian words with a MurmurHash3-style finaliser.
/// Changing it invalidates saved seen-sets, which record ``version``.
public enum StableHash {
    /// Stored in files that hold these hashes; bump when the function changes.
    public static let version: UInt32 = 1

    @inline(__always)
    static func fmix(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// Calls `body` with each 8-byte little-endian word of `bytes` and whether it is a zero-padded tail (shorter than
    /// 8 bytes).
    @inline(__always)
    static func forEachWord(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UInt64, _ tail: Bool) -> Void) {
        let n = bytes.count
        guard let base = bytes.baseAddress, n > 0 else { return }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= n {
            body(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)), false)
            i += 8
        }
        if i < n {
            // The last 1–7 bytes as a little-endian word, read 4, 2 and 1 bytes at a time (a byte loop was a third
            // of a short name's hash, and the chain hashes half a dozen names and suffixes per query).
            var w: UInt64 = 0
            var shift: UInt64 = 0
            if n - i >= 4 {
                w = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
                shift = 32
                i += 4
            }
            if n - i >= 2 {
                w |= UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt16.self))) << shift
                shift += 16
                i += 2
            }
            if i < n { w |= UInt64(base[i]) << shift }
            body(w, true)
        }
    }

    /// The hash of `bytes` (ASCII case is significant: callers hash the lower-cased form).
    @inline(__always)
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0) -> UInt64 {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        forEachWord(bytes) { w, tail in
            h = (h ^ fmix(w &* 0x87C3_7B91_1142_53D5)) &* 0x4CF5_AD43_2745_937F
            if !tail { h = (h << 31) | (h >> 33) }
        }
        return fmix(h)
    }

    /// A 128-bit hash of `bytes` in one pass, for keys where 64 bits could collide: each word is mixed once (a
    /// bijection, so distinct words stay distinct) and folded into two lanes with different multipliers and
    /// rotations; the lanes are independent, so this costs about one ``hash(_:seed:)``, not two. Not cryptographic.
    @inline(__always)
    public static func hash128(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        var a: UInt64 = 0x243F_6A88_85A3_08D3 ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var c: UInt64 = 0x1319_8A2E_0370_7344 ^ (UInt64(bytes.count) &* 0xC2B2_AE3D_27D4_EB4F)
        forEachWord(bytes) { w, _ in
            let m = fmix(w &* 0x87C3_7B91_1142_53D5)
            a = (a ^ m) &* 0x4CF5_AD43_2745_937F
            a = (a << 31) | (a >> 33)
            c = (c ^ m) &* 0x9FB2_1C65_1E98_DF25
            c = (c << 27) | (c >> 37)
        }
        return (fmix(a ^ (c >> 17)), fmix(c ^ (a << 13)))
    }

    /// The hash of a string's UTF-8 bytes.
    public static func hash(_ s: String, seed: UInt64 = 0) -> UInt64 {
        if let h = s.utf8.withContiguousStorageIfAvailable({ hash($0, seed: seed) }) { return h }
        var s = s
        return s.withUTF8 { hash($0, seed: seed) }
    }

    /// Combines two hashes into a key for a pair (device, name), order-sensitive.
    @inline(__always)
    public static func pair(_ a: UInt64, _ b: UInt64) -> UInt64 {
        fmix(a &* 0x9E37_79B9_7F4A_7C15 ^ (b &+ 0x632B_E59B_D9B4_E019))
    }
}
