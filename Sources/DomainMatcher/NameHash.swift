/// The hash that places names in the snapshot's table.
///
/// A name is hashed label by label from the right (the TLD) to the left, so that one pass over a query name
/// gives the hash of every one of its label-boundary suffixes: `com`, `example.com`, `www.example.com`. Label
/// bytes are lower-cased eight at a time (SWAR), so the hash is case-insensitive without copying the name.
/// Snapshots store the seed they were built with; the hash is defined on little-endian hosts.
@usableFromInline
enum NameHash {
    @usableFromInline static let k1: UInt64 = 0x9E37_79B9_7F4A_7C15
    @usableFromInline static let k2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    /// ASCII upper case → lower case in all eight bytes at once; other bytes are unchanged.
    @inlinable @inline(__always)
    static func lower8(_ x: UInt64) -> UInt64 {
        let heptets = x & 0x7F7F_7F7F_7F7F_7F7F
        let geA = heptets &+ 0x3F3F_3F3F_3F3F_3F3F
        let gtZ = heptets &+ 0x2525_2525_2525_2525
        let upper = geA & ~gtZ & ~x & 0x8080_8080_8080_8080
        return x | (upper >> 2)
    }

    /// ASCII lower case of one byte.
    @inlinable @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 { c &- 0x41 < 26 ? c | 0x20 : c }

    /// Mixes one label (its length byte at `at`, its bytes after) into the hash of the name to its right.
    /// `end` is the number of readable bytes at `p`; loads never go past it.
    @inlinable @inline(__always)
    static func mixLabel(_ h: UInt64, _ p: UnsafeRawPointer, at: Int, end: Int) -> UInt64 {
        let len = Int(p.load(fromByteOffset: at, as: UInt8.self))
        var x = (h ^ (UInt64(len) &* k1)) &* k2
        var i = at + 1
        let stop = i + len
        while stop - i >= 8 {
            let chunk = lower8(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            x = (x ^ chunk) &* k1
            x ^= x >> 29
            i += 8
        }
        let rest = stop - i
        if rest > 0 {
            var chunk: UInt64
            if end - i >= 8 {
                chunk = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) & ((1 << UInt64(rest * 8)) &- 1)
            } else {
                chunk = 0
                for k in 0..<rest { chunk |= UInt64(p.load(fromByteOffset: i + k, as: UInt8.self)) << UInt64(k * 8) }
            }
            x = (x ^ lower8(chunk)) &* k1
            x ^= x >> 29
        }
        return x
    }

    /// The final avalanche applied before a hash picks a bucket and a fingerprint (MurmurHash3's fmix64).
    @inlinable @inline(__always)
    static func finish(_ h: UInt64) -> UInt64 {
        var x = h
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }

    /// The hash of a whole wire-format name (lower-case or not), as the builder stores it.
    static func hash(wire: [UInt8], seed: UInt64) -> UInt64 {
        wire.withUnsafeBytes { buf -> UInt64 in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { starts in
                var n = 0, i = 0
                while i < buf.count, buf[i] != 0, n < 128 { starts[n] = i; n += 1; i += Int(buf[i]) + 1 }
                var h = seed
                while n > 0 { n -= 1; h = mixLabel(h, buf.baseAddress!, at: starts[n], end: buf.count) }
                return h
            }
        }
    }
}
