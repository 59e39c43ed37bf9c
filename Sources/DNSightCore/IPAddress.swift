import DNSWire

/// An IPv4 or IPv6 address: a client, a server, or an address in an answer.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses IPv4 dotted-quad or IPv6 text; an IPv6 zone suffix (`%eth0`) is ignored.
    public init?(_ text: some StringProtocol) {
        if let v4 = IPv4Address(text) { self = .v4(v4); return }
        var s = Substring(text)
        if let pct = s.firstIndex(of: "%") { s = s[..<pct] }
        if s.hasPrefix("["), s.hasSuffix("]") { s = s.dropFirst().dropLast() }
        if let v6 = IPv6Address(s) { self = .v6(v6); return }
        return nil
    }

    /// Creates an address from 4 or 16 network-order bytes.
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4: self = .v4(IPv4Address(bytes: bytes))
        case 16: self = .v6(IPv6Address(bytes: bytes))
        default: return nil
        }
    }

    /// The address bytes in network order (4 or 16).
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): return a.bytes
        case .v6(let a): return a.bytes
        }
    }

    /// Whether this is an IPv4 address.
    public var isV4: Bool { if case .v4 = self { return true } else { return false } }

    public var description: String {
        switch self {
        case .v4(let a): return a.description
        case .v6(let a): return a.description
        }
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x < y
        case (.v6(let x), .v6(let y)): return x < y
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }
}
