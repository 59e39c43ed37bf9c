import DNSWire
import DNSightCore
import Foundation

/// Prefix-preserving IP address anonymisation, Crypto-PAn (Xu, Fan, Ammar, Moon, 2002), for IPv4 and IPv6.
///
/// Keyed by 32 bytes as in the original: the first 16 are the AES-128 key, the last 16 are encrypted once to give
/// the pad. Bit i of the output is bit i of the input flipped by the first bit of AES(first i input bits, followed
/// by the pad's bits from i on). So two addresses that share exactly a k-bit prefix map to two addresses that share
/// exactly a k-bit prefix, and the mapping is a permutation. IPv4 addresses are the top 32 bits of the 128-bit
/// block, so the IPv4 and IPv6 outputs agree with other implementations of the same construction (yacryptopan).
///
/// The flips of the first 16 bits depend only on the first 15 bits, so they are computed once for every /16 at
/// creation (65,535 AES blocks, a few milliseconds, 128 KiB); an address then costs 16 AES blocks (IPv4) or 112
/// (IPv6). `CryptoPAnCache` adds per-address and per-prefix caches for streams where clients repeat.
public struct CryptoPAn: Sendable {
    private let aes: AES128
    private let pad: U128
    /// For each /16 `x`: the 16 flip bits of positions 0–15, in the high bits of a UInt16.
    private let top16: [UInt16]

    /// Creates an anonymiser from a 32-byte key.
    public init(key: some Collection<UInt8>) throws(AttributionError) {
        guard key.count == 32 else { throw AttributionError(.invalidArgument, "a Crypto-PAn key is 32 bytes, not \(key.count)") }
        let k = Array(key)
        let aes = try AES128(key: k[0..<16])
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(k[16 + i]); l = l << 8 | UInt64(k[24 + i]) }
        let p = aes.encrypt(high: h, low: l)
        self.aes = aes
        self.pad = U128(high: p.high, low: p.low)

        // Flip bit of position i for every i-bit prefix, level by level, then composed per /16.
        var levels = [[UInt8]]()
        for i in 0..<16 {
            var level = [UInt8](repeating: 0, count: 1 << i)
            for v in 0..<(1 << i) {
                let prefixBits: UInt64 = i == 0 ? 0 : UInt64(v) << UInt64(64 - i)
                level[v] = CryptoPAn.flip(aes: aes, pad: U128(high: p.high, low: p.low), position: i,
                                          prefix: U128(high: prefixBits, low: 0))
            }
            levels.append(level)
        }
        var table = [UInt16](repeating: 0, count: 65_536)
        for x in 0..<65_536 {
            var otp: UInt16 = 0
            for i in 0..<16 { otp = otp << 1 | UInt16(levels[i][x >> (16 - i)]) }
            table[x] = otp
        }
        top16 = table
    }

    /// Creates an anonymiser from a key given as 64 hexadecimal digits.
    public init(hexKey: String) throws(AttributionError) {
        let digits = Array(hexKey.utf8).filter { $0 != UInt8(ascii: " ") }
        guard digits.count == 64 else { throw AttributionError(.invalidArgument, "a Crypto-PAn key is 64 hex digits (32 bytes)") }
        var bytes = [UInt8]()
        for i in stride(from: 0, to: 64, by: 2) {
            guard let b = UInt8(String(decoding: digits[i..<(i + 2)], as: UTF8.self), radix: 16) else {
                throw AttributionError(.invalidArgument, "a Crypto-PAn key is 64 hex digits (32 bytes)")
            }
            bytes.append(b)
        }
        try self.init(key: bytes)
    }

    /// Reads a key file: 32 raw bytes, or 64 hexadecimal digits (surrounding whitespace ignored). Keep it readable
    /// by the dnsight user only; whoever has it can undo nothing (Crypto-PAn is one-way per address) but can
    /// anonymise a guessed address and look for it.
    public init(keyFile path: String) throws(AttributionError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AttributionError(.io, file: path, "cannot read the Crypto-PAn key file")
        }
        let bytes = [UInt8](data)
        if bytes.count == 32 {
            try self.init(key: bytes)
            return
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace()
        do {
            try self.init(hexKey: String(text))
        } catch {
            throw AttributionError(.invalidArgument, file: path, "a Crypto-PAn key file holds 32 bytes or 64 hex digits (this one has \(bytes.count) bytes)")
        }
    }

    /// The flip bit for `position`: the first output bit of AES over the first `position` bits of `prefix`
    /// followed by the pad's remaining bits.
    @inline(__always)
    private static func flip(aes: AES128, pad: U128, position: Int, prefix: U128) -> UInt8 {
        let m = U128.mask(position)
        let block = (prefix & m) | (pad & ~m)
        return UInt8(truncatingIfNeeded: aes.encrypt(high: block.high, low: block.low).high >> 63)
    }

    /// The one-time pad of flips for positions `from..<to` of a 128-bit (extended) address, as bits placed at their
    /// positions.
    @inline(__always)
    func flips(_ ext: U128, from: Int, to: Int) -> U128 {
        var otp = U128.zero
        for i in from..<to {
            let bit = UInt64(CryptoPAn.flip(aes: aes, pad: pad, position: i, prefix: ext))
            if i < 64 { otp.high |= bit << UInt64(63 - i) } else { otp.low |= bit << UInt64(127 - i) }
        }
        return otp
    }

    /// The flips of positions 0–15, from the precomputed table.
    @inline(__always)
    func top16Flips(_ top: UInt16) -> UInt16 { top16.withUnsafeBufferPointer { $0[Int(top)] } }

    /// Anonymises an IPv4 address.
    public func anonymize(_ address: IPv4Address) -> IPv4Address {
        let a = address.rawValue
        let ext = U128(high: UInt64(a) << 32, low: 0)
        let low16 = flips(ext, from: 16, to: 32).high >> 32
        let otp = UInt32(top16Flips(UInt16(a >> 16))) << 16 | UInt32(truncatingIfNeeded: low16)
        return IPv4Address(rawValue: a ^ otp)
    }

    /// Anonymises an IPv6 address.
    public func anonymize(_ address: IPv6Address) -> IPv6Address {
        let ext = U128(address)
        var otp = flips(ext, from: 16, to: 128)
        otp.high |= UInt64(top16Flips(UInt16(truncatingIfNeeded: address.high >> 48))) << 48
        return IPv6Address(high: address.high ^ otp.high, low: address.low ^ otp.low)
    }

    /// Anonymises an address of either family. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are anonymised as
    /// IPv4 and stay IPv4-mapped, so that one client keeps one identity whichever way a source writes it.
    public func anonymize(_ address: IPAddress) -> IPAddress {
        switch address {
        case .v4(let a): return .v4(anonymize(a))
        case .v6(let a):
            if a.high == 0 && a.low >> 32 == 0xFFFF {
                let v4 = anonymize(IPv4Address(rawValue: UInt32(truncatingIfNeeded: a.low)))
                return .v6(IPv6Address(high: 0, low: 0xFFFF_0000_0000 | UInt64(v4.rawValue)))
            }
            return .v6(anonymize(a))
        }
    }

    /// The flips of positions 16–`to` for an address, used by the cache.
    func flips16(_ ext: U128, to: Int) -> U128 { flips(ext, from: 16, to: to) }
}

/// A Crypto-PAn anonymiser with caches, for streams in which the same clients and networks recur (every DNS log):
/// a direct-mapped cache of recent addresses, and of the flips of recent IPv4 /24s and IPv6 /64s, so that a new
/// address in a known network costs 8 AES blocks (IPv4) or 64 (IPv6) instead of 16 or 112.
///
/// A value type with mutating look-ups: give each thread its own copy.
public struct CryptoPAnCache: Sendable {
    /// The anonymiser.
    public let anonymiser: CryptoPAn
    private var v4Keys: [UInt64]     // address | 1 << 32 when valid
    private var v4Values: [UInt32]
    private var net24Keys: [UInt32]  // /24 + 1 (0 = empty)
    private var net24Flips: [UInt32] // flips of positions 16–23, at bits 15…8
    private var v6Keys: [U128]
    private var v6Values: [U128]
    private var v6Valid: [Bool]
    private var net64Keys: [UInt64]
    private var net64Flips: [UInt64]
    private var net64Valid: [Bool]
    private let mask4: Int, mask6: Int
    /// Look-ups answered from the address cache, and all look-ups.
    public private(set) var hits = 0, lookups = 0

    /// Creates a cache of `capacity` recent addresses per family (rounded up to a power of two).
    public init(_ anonymiser: CryptoPAn, capacity: Int = 16_384) {
        self.anonymiser = anonymiser
        var n = 1
        while n < max(capacity, 16) { n <<= 1 }
        let n6 = max(16, n / 4)
        mask4 = n - 1
        mask6 = n6 - 1
        v4Keys = [UInt64](repeating: 0, count: n)
        v4Values = [UInt32](repeating: 0, count: n)
        net24Keys = [UInt32](repeating: 0, count: n)
        net24Flips = [UInt32](repeating: 0, count: n)
        v6Keys = [U128](repeating: .zero, count: n6)
        v6Values = [U128](repeating: .zero, count: n6)
        v6Valid = [Bool](repeating: false, count: n6)
        net64Keys = [UInt64](repeating: 0, count: n6)
        net64Flips = [UInt64](repeating: 0, count: n6)
        net64Valid = [Bool](repeating: false, count: n6)
    }

    @inline(__always)
    private static func hash(_ x: UInt64) -> Int {
        Int(truncatingIfNeeded: (x &* 0x9E37_79B9_7F4A_7C15) >> 32)
    }

    /// Anonymises an IPv4 address.
    public mutating func anonymize(_ address: IPv4Address) -> IPv4Address {
        lookups += 1
        let a = address.rawValue
        let slot = CryptoPAnCache.hash(UInt64(a)) & mask4
        if v4Keys[slot] == UInt64(a) | 1 << 32 { hits += 1; return IPv4Address(rawValue: v4Values[slot]) }
        let net = a >> 8
        let nslot = CryptoPAnCache.hash(UInt64(net) | 1 << 40) & mask4
        var flips1623: UInt32
        if net24Keys[nslot] == net &+ 1 {
            flips1623 = net24Flips[nslot]
        } else {
            flips1623 = UInt32(truncatingIfNeeded: anonymiser.flips16(U128(high: UInt64(a) << 32, low: 0), to: 24).high >> 32)
            net24Keys[nslot] = net &+ 1
            net24Flips[nslot] = flips1623
        }
        let ext = U128(high: UInt64(a) << 32, low: 0)
        let low8 = UInt32(truncatingIfNeeded: anonymiser.flips(ext, from: 24, to: 32).high >> 32)
        let otp = UInt32(anonymiser.top16Flips(UInt16(a >> 16))) << 16 | flips1623 | low8
        let out = a ^ otp
        v4Keys[slot] = UInt64(a) | 1 << 32
        v4Values[slot] = out
        return IPv4Address(rawValue: out)
    }

    /// Anonymises an IPv6 address.
    public mutating func anonymize(_ address: IPv6Address) -> IPv6Address {
        lookups += 1
        let key = U128(address)
        let slot = CryptoPAnCache.hash(address.high ^ (address.low &* 0xC2B2_AE3D_27D4_EB4F)) & mask6
        if v6Valid[slot] && v6Keys[slot] == key {
            hits += 1
            return IPv6Address(high: v6Values[slot].high, low: v6Values[slot].low)
        }
        let nslot = CryptoPAnCache.hash(address.high) & mask6
        var highFlips: UInt64
        if net64Valid[nslot] && net64Keys[nslot] == address.high {
            highFlips = net64Flips[nslot]
        } else {
            highFlips = anonymiser.flips16(key, to: 64).high
                | UInt64(anonymiser.top16Flips(UInt16(truncatingIfNeeded: address.high >> 48))) << 48
            net64Keys[nslot] = address.high
            net64Flips[nslot] = highFlips
            net64Valid[nslot] = true
        }
        let lowFlips = anonymiser.flips(key, from: 64, to: 128).low
        let out = U128(high: address.high ^ highFlips, low: address.low ^ lowFlips)
        v6Keys[slot] = key
        v6Values[slot] = out
        v6Valid[slot] = true
        return IPv6Address(high: out.high, low: out.low)
    }

    /// Anonymises an address of either family (IPv4-mapped IPv6 as IPv4, staying mapped).
    public mutating func anonymize(_ address: IPAddress) -> IPAddress {
        switch address {
        case .v4(let a): return .v4(anonymize(a))
        case .v6(let a):
            if a.high == 0 && a.low >> 32 == 0xFFFF {
                let v4 = anonymize(IPv4Address(rawValue: UInt32(truncatingIfNeeded: a.low)))
                return .v6(IPv6Address(high: 0, low: 0xFFFF_0000_0000 | UInt64(v4.rawValue)))
            }
            return .v6(anonymize(a))
        }
    }
}
