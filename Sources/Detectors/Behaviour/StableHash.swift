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

    /// The hash of `bytes` (ASCII case is significant: callers hash the lower-cased form).
    @inline(__always)
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        var h = seed ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
        guard let base = bytes.baseAddress, n > 0 else { return fmix(h) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= n {
            let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = (h ^ fmix(w &* 0x87C3_7B91_1142_53D5)) &* 0x4CF5_AD43_2745_937F
            h = (h << 31) | (h >> 33)
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
            h = (h ^ fmix(w &* 0x87C3_7B91_1142_53D5)) &* 0x4CF5_AD43_2745_937F
        }
        return fmix(h)
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
