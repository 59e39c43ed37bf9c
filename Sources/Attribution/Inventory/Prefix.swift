import DNSWire
import DNSightCore

/// A 128-bit unsigned integer as two halves: the key space of IPv6 prefixes. (The standard library's `UInt128`
/// needs macOS 15, above the package's floor.)
struct U128: Hashable, Sendable, Comparable {
    var high: UInt64
    var low: UInt64

    static let zero = U128(high: 0, low: 0)
    static let max = U128(high: .max, low: .max)

    init(high: UInt64, low: UInt64) { self.high = high; self.low = low }
    init(_ a: IPv6Address) { high = a.high; low = a.low }

    @inline(__always)
    static func < (a: U128, b: U128) -> Bool { a.high < b.high || (a.high == b.high && a.low < b.low) }

    /// The value plus one (wrapping at the top).
    var successor: U128 { low == .max ? U128(high: high &+ 1, low: 0) : U128(high: high, low: low + 1) }

    /// A mask of the `length` leading bits.
    static func mask(_ length: Int) -> U128 {
        if length <= 0 { return .zero }
        if length >= 128 { return .max }
        if length <= 64 { return U128(high: length == 64 ? .max : ~(UInt64.max >> UInt64(length)), low: 0) }
        return U128(high: .max, low: ~(UInt64.max >> UInt64(length - 64)))
    }

    static func & (a: U128, b: U128) -> U128 { U128(high: a.high & b.high, low: a.low & b.low) }
    static func | (a: U128, b: U128) -> U128 { U128(high: a.high | b.high, low: a.low | b.low) }
    static prefix func ~ (a: U128) -> U128 { U128(high: ~a.high, low: ~a.low) }
}

/// A parsed CIDR prefix, IPv4 or IPv6, with its network address masked to the prefix length.
///
/// Internal: the public face of a prefix is DNSightCore's `IPNetwork` (`network`, `init(_:)`); this form keeps the
/// 128-bit arithmetic the prefix table is built with, and the parser reports what `IPNetwork(parsing:)` silently
/// fixes (host bits set).
struct CIDRPrefix: Hashable, Sendable, CustomStringConvertible {
    enum Family: Hashable, Sendable { case v4, v6 }
    /// The family.
    var family: Family
    /// The network address: for IPv4 in the low 32 bits of `bits.low`; for IPv6 all 128 bits.
    var bits: U128
    /// The prefix length (0…32 or 0…128).
    var length: Int

    /// Why a text is not a CIDR.
    enum ParseFailure: Error, Equatable {
        case bad(String)
    }

    /// The prefix as an `IPNetwork`.
    var network: IPNetwork {
        switch family {
        case .v4: return IPNetwork(IPv4Address(rawValue: UInt32(truncatingIfNeeded: bits.low)), prefixLength: length)!
        case .v6: return IPNetwork(IPv6Address(high: bits.high, low: bits.low), prefixLength: length)!
        }
    }

    /// The prefix of an `IPNetwork`.
    init(_ n: IPNetwork) {
        switch n {
        case .v4(let a, let p): self.init(family: .v4, bits: U128(high: 0, low: UInt64(a.rawValue)), length: Int(p))
        case .v6(let a, let p): self.init(family: .v6, bits: U128(a), length: Int(p))
        }
        self = masked
    }

    init(family: Family, bits: U128, length: Int) {
        self.family = family
        self.bits = bits
        self.length = length
    }

    /// The first and last address covered, as IPv4 integers.
    var v4Range: (lo: UInt32, hi: UInt32) {
        let base = UInt32(truncatingIfNeeded: bits.low)
        let hostMask: UInt32 = length == 0 ? .max : (length >= 32 ? 0 : UInt32.max >> UInt32(length))
        return (base, base | hostMask)
    }

    /// The first and last address covered, as 128-bit integers.
    var v6Range: (lo: U128, hi: U128) { (bits, bits | ~U128.mask(length)) }

    var description: String {
        switch family {
        case .v4: return "\(IPv4Address(rawValue: UInt32(truncatingIfNeeded: bits.low)))/\(length)"
        case .v6: return "\(IPv6Address(high: bits.high, low: bits.low))/\(length)"
        }
    }

    /// Parses `a.b.c.d/n`, an IPv6 prefix, or a bare address (a host route). IPv4-mapped IPv6 prefixes
    /// (`::ffff:10.0.0.0/104`) become IPv4 prefixes. Returns the prefix and whether host bits had to be cleared.
    static func parse(_ raw: some StringProtocol) -> Result<(CIDRPrefix, hostBitsCleared: Bool), ParseFailure> {
        let text = raw.trimmingASCIIWhitespace()
        guard !text.isEmpty else { return .failure(.bad("empty CIDR")) }
        let addrText: Substring, lenText: Substring?
        if let slash = text.firstIndex(of: "/") {
            addrText = text[..<slash]
            lenText = text[text.index(after: slash)...]
        } else {
            addrText = text[...]
            lenText = nil
        }
        guard !addrText.utf8.contains(UInt8(ascii: "%")), let address = IPAddress(addrText) else {
            return .failure(.bad("'\(text)' is not an IPv4 or IPv6 address or prefix"))
        }
        let maxLength = address.isV4 ? 32 : 128
        var length = maxLength
        if let lenText {
            guard !lenText.isEmpty, lenText.utf8.count <= 3, lenText.utf8.allSatisfy({ $0 &- 0x30 < 10 }),
                  let n = Int(lenText), n <= maxLength else {
                return .failure(.bad("'\(text)': prefix length must be 0…\(maxLength)"))
            }
            length = n
        }
        var prefix: CIDRPrefix
        switch address {
        case .v4(let a):
            prefix = CIDRPrefix(family: .v4, bits: U128(high: 0, low: UInt64(a.rawValue)), length: length)
        case .v6(let a):
            if a.high == 0, a.low >> 32 == 0xFFFF, length >= 96 {
                prefix = CIDRPrefix(family: .v4, bits: U128(high: 0, low: a.low & 0xFFFF_FFFF), length: length - 96)
            } else {
                prefix = CIDRPrefix(family: .v6, bits: U128(a), length: length)
            }
        }
        let masked = prefix.masked
        return .success((masked, masked.bits != prefix.bits))
    }

    /// The prefix with host bits cleared.
    var masked: CIDRPrefix {
        var p = self
        switch family {
        case .v4:
            let m: UInt64 = length == 0 ? 0 : UInt64(UInt32.max << UInt32(32 - length))
            p.bits = U128(high: 0, low: bits.low & m)
        case .v6:
            p.bits = bits & U128.mask(length)
        }
        return p
    }
}

extension StringProtocol {
    /// The text without leading and trailing ASCII spaces, tabs, CR and LF.
    func trimmingASCIIWhitespace() -> Substring {
        let s = Substring(self)
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
        let u = s.utf8
        guard let first = u.firstIndex(where: { !isSpace($0) }) else { return s[s.endIndex...] }
        let last = u.lastIndex(where: { !isSpace($0) })!
        return s[first...last]
    }
}
