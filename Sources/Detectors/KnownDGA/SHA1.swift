/// SHA-1 (FIPS 180-4) for the short keys of the QSnatch DGA. Not for security: QSnatch itself uses it as a mixer.
enum SHA1 {
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        // One allocation for the padded message (0x80, zeros to 56 mod 64, the bit length big-endian).
        let total = (message.count + 8) / 64 * 64 + 64
        var padded = [UInt8](repeating: 0, count: total)
        for i in message.indices { padded[i] = message[i] }
        padded[message.count] = 0x80
        let bitLength = UInt64(message.count) &* 8
        for i in 0..<8 { padded[total - 1 - i] = UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8)) }
        // Inline: a day's QSnatch names take some 6,000 digests, and a heap schedule per digest showed up in profiles.
        var w = InlineArray<80, UInt32>(repeating: 0)
        for chunk in stride(from: 0, to: padded.count, by: 64) {
            for t in 0..<16 {
                let o = chunk + t * 4
                w[t] = UInt32(padded[o]) << 24 | UInt32(padded[o + 1]) << 16 | UInt32(padded[o + 2]) << 8 | UInt32(padded[o + 3])
            }
            for t in 16..<80 {
                let x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
                w[t] = x << 1 | x >> 31
            }
            var (a, b, c, d, e) = h
            // Four loops, one per round function: a switch on the round inside one loop cost as much as the rounds.
            @inline(__always) func round(_ f: UInt32, _ k: UInt32, _ wt: UInt32) {
                let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ wt
                e = d
                d = c
                c = b << 30 | b >> 2
                b = a
                a = temp
            }
            for t in 0..<20 { round((b & c) | (~b & d), 0x5A82_7999, w[t]) }
            for t in 20..<40 { round(b ^ c ^ d, 0x6ED9_EBA1, w[t]) }
            for t in 40..<60 { round((b & c) | (b & d) | (c & d), 0x8F1B_BCDC, w[t]) }
            for t in 60..<80 { round(b ^ c ^ d, 0xCA62_C1D6, w[t]) }
            h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
        }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        func put(_ word: UInt32) {
            out.append(UInt8(truncatingIfNeeded: word >> 24))
            out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 8))
            out.append(UInt8(truncatingIfNeeded: word))
        }
        put(h.0); put(h.1); put(h.2); put(h.3); put(h.4)
        return out
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard Base64 (RFC 4648 §4) with `=` padding.
    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(base64Alphabet[Int(v >> 18 & 63)])
            out.append(base64Alphabet[Int(v >> 12 & 63)])
            out.append(i + 1 < bytes.count ? base64Alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? base64Alphabet[Int(v & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return out
    }
}
