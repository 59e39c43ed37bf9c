import DNSWire

/// An IPv4 or IPv6 address with a prefix length: a single host (`/32`, `/128`) or a CIDR block.
public enum IPNetwork: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// An IPv4 block; the prefix length is 0…32 and the host bits are zero.
    case v4(IPv4Address, prefixLength: UInt8)
    /// An IPv6 block; the prefix length is 0…128 and the host bits are zero.
    case v6(IPv6Address, prefixLength: UInt8)

    /// A single IPv4 host.
    public static func host(_ a: IPv4Address) -> IPNetwork { .v4(a, prefixLength: 32) }
    /// A single IPv6 host.
    public static func host(_ a: IPv6Address) -> IPNetwork { .v6(a, prefixLength: 128) }

    /// Creates a block, clearing the host bits; `nil` when the prefix length is too long for the family.
    public init?(_ address: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength) else { return nil }
        let mask: UInt32 = prefixLength == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefixLength)
        self = .v4(IPv4Address(rawValue: address.rawValue & mask), prefixLength: UInt8(prefixLength))
    }

    /// Creates a block, clearing the host bits; `nil` when the prefix length is too long for the family.
    public init?(_ address: IPv6Address, prefixLength: Int) {
        guard (0...128).contains(prefixLength) else { return nil }
        let (h, l) = IPNetwork.mask128(prefixLength)
        self = .v6(IPv6Address(high: address.high & h, low: address.low & l), prefixLength: UInt8(prefixLength))
    }

    /// Parses `192.0.2.1`, `192.0.2.0/24`, `2001:db8::1` or `2001:db8::/32`. A prefix with host bits set is
    /// accepted and the host bits are cleared.
    public init?(parsing text: some StringProtocol) {
        let s = String(text)
        var addr = Substring(s), len: Int? = nil
        if let slash = s.firstIndex(of: "/") {
            addr = s[..<slash]
            guard let l = Int(s[s.index(after: slash)...]) else { return nil }
            len = l
        }
        if let a = IPv4Address(addr) {
            self.init(a, prefixLength: len ?? 32)
        } else if let a = IPv6Address(addr) {
            self.init(a, prefixLength: len ?? 128)
        } else {
            return nil
        }
    }

    /// The prefix length.
    public var prefixLength: Int {
        switch self {
        case .v4(_, let p), .v6(_, let p): Int(p)
        }
    }

    /// Whether this is a single host address.
    public var isHost: Bool {
        switch self {
        case .v4(_, let p): p == 32
        case .v6(_, let p): p == 128
        }
    }

    /// Whether `address` lies inside this IPv4 block.
    public func contains(_ address: IPv4Address) -> Bool {
        guard case .v4(let net, let p) = self else { return false }
        let mask: UInt32 = p == 0 ? 0 : ~UInt32(0) << UInt32(32 - Int(p))
        return address.rawValue & mask == net.rawValue
    }

    /// Whether `address` lies inside this IPv6 block.
    public func contains(_ address: IPv6Address) -> Bool {
        guard case .v6(let net, let p) = self else { return false }
        let (h, l) = IPNetwork.mask128(Int(p))
        return address.high & h == net.high && address.low & l == net.low
    }

    static func mask128(_ p: Int) -> (UInt64, UInt64) {
        if p == 0 { return (0, 0) }
        if p <= 64 { return (~UInt64(0) << UInt64(64 - p), 0) }
        if p == 128 { return (~0, ~0) }
        return (~0, ~UInt64(0) << UInt64(128 - p))
    }

    public static func < (a: IPNetwork, b: IPNetwork) -> Bool {
        switch (a, b) {
        case (.v4(let x, let p), .v4(let y, let q)): return (x.rawValue, p) < (y.rawValue, q)
        case (.v6(let x, let p), .v6(let y, let q)): return (x.high, x.low, p) < (y.high, y.low, q)
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }

    /// `192.0.2.1` for a host, `192.0.2.0/24` for a block.
    public var description: String {
        switch self {
        case .v4(let a, let p): p == 32 ? a.description : "\(a)/\(p)"
        case .v6(let a, let p): p == 128 ? a.description : "\(a)/\(p)"
        }
    }
}
