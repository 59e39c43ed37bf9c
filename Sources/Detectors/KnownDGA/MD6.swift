/// MD6-256 (Rivest et al., 2008) with the default parameters for messages of at most 512 bytes: one call of the
/// compression function (the single leaf is also the root). Pykspa's improved DGA hashes its 4-byte period number.
enum MD6 {
    static let maxMessageBytes = 512

    private static let q: [UInt64] = [
        0x7311_c281_2425_cfa0, 0x6432_2864_34aa_c8e7, 0xb604_50e9_ef68_b7c1, 0xe8fb_2390_8d9f_06f1,
        0xdd2e_76cb_a691_e5bf, 0x0cd0_d63b_2c30_bc41, 0x1f8c_cf68_2305_8f8a, 0x54e5_ed5b_88e3_775d,
        0x4ad1_2aae_0a6d_6031, 0x3e7f_16bb_8822_2e0d, 0x8af8_671d_3fb5_0c2c, 0x995a_d117_8bd2_5c31,
        0xc878_c1dd_04c4_b633, 0x3b72_066c_7a15_52ac, 0x0d6f_3522_631e_ffcb,
    ]
    private static let rho: [Int] = [10, 5, 13, 10, 11, 12, 2, 7, 14, 15, 7, 13, 11, 7, 6, 12]
    private static let lambda: [Int] = [11, 24, 9, 16, 15, 9, 27, 15, 6, 2, 29, 8, 15, 5, 31, 9]

    /// The 32-byte MD6-256 digest of `message` (at most 512 bytes), or `nil` for a longer message.
    static func digest256(_ message: [UInt8]) -> [UInt8]? {
        guard message.count <= maxMessageBytes else { return nil }
        let d = 256, r = 104, l = 64
        let padBits = 4096 - 8 * message.count
        var a = [UInt64](repeating: 0, count: 89 + 16 * r)
        for i in 0..<15 { a[i] = q[i] }
        // words 15..22: the (empty) key
        a[23] = 0x0100_0000_0000_0000                                   // level 1, node index 0
        a[24] = UInt64(r) << 48 | UInt64(l) << 40 | 1 << 36 | UInt64(padBits) << 20 | UInt64(d)
        for (i, byte) in message.enumerated() {
            a[25 + i / 8] |= UInt64(byte) << UInt64(56 - 8 * (i % 8))
        }
        var s: UInt64 = 0x0123_4567_89ab_cdef
        let sMask: UInt64 = 0x7311_c281_2425_cfa0
        for j in 0..<(16 * r) {
            if j > 0 && j % 16 == 0 { s = (s << 1 | s >> 63) ^ (s & sMask) }
            let i = 89 + j
            var x = s ^ a[i - 89] ^ a[i - 17] ^ (a[i - 18] & a[i - 21]) ^ (a[i - 31] & a[i - 67])
            x ^= x >> UInt64(rho[j % 16])
            a[i] = x ^ (x << UInt64(lambda[j % 16]))
        }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for w in a[(89 + 16 * r - 4)...] {
            for k in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * k))) }
        }
        return out
    }
}
