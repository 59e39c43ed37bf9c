/// An IPv4 address, as carried in A records, EDNS client-subnet options and SVCB hints.
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address as a big-endian-ordered integer (`1.2.3.4` is `0x01020304`).
    public var rawValue: UInt32
    /// Wraps an address given as an integer.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Creates an address from 4 network-order bytes. Inlinable: specialised in the readers' loops (unspecialised, its
    /// iterator showed in pcap profiles).
    @inlinable
    public init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 4)
        var v: UInt32 = 0
        for b in bytes { v = v << 8 | UInt32(b) }
        rawValue = v
    }

    /// Parses dotted-quad text (`192.0.2.1`); no leading zeros, no shorthand.
    public init?(_ text: some StringProtocol) {
        var v: UInt32 = 0, parts = 0, cur = -1, digits = 0
        for c in text.utf8 {
            if c == UInt8(ascii: ".") {
                guard cur >= 0, parts < 3 else { return nil }
                v = v << 8 | UInt32(cur); parts += 1; cur = -1; digits = 0
            } else if c &- 0x30 < 10 {
                if digits > 0 && cur == 0 { return nil }
                cur = (cur < 0 ? 0 : cur) * 10 + Int(c - 0x30); digits += 1
                guard cur <= 255 else { return nil }
            } else { return nil }
        }
        guard cur >= 0, parts == 3 else { return nil }
        rawValue = v << 8 | UInt32(cur)
    }

    /// The 4 bytes in network order.
    public var bytes: [UInt8] { [UInt8(rawValue >> 24), UInt8(truncatingIfNeeded: rawValue >> 16), UInt8(truncatingIfNeeded: rawValue >> 8), UInt8(truncatingIfNeeded: rawValue)] }

    public var description: String {
        "\(rawValue >> 24).\((rawValue >> 16) & 0xFF).\((rawValue >> 8) & 0xFF).\(rawValue & 0xFF)"
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.rawValue < b.rawValue }
}

/// An IPv6 address, as carried in AAAA records, EDNS client-subnet options and SVCB hints.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The high 64 bits.
    public var high: UInt64
    /// The low 64 bits.
    public var low: UInt64
    /// Creates an address from its two halves.
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    /// Creates an address from 16 network-order bytes.
    @inlinable
    public init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 16)
        var h: UInt64 = 0, l: UInt64 = 0, i = 0
        for b in bytes {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
            i += 1
        }
        high = h; low = l
    }

    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * i)); out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * i)) }
        return out
    }

    /// The eight 16-bit groups.
    public var groups: [UInt16] {
        (0..<8).map { i in i < 4 ? UInt16(truncatingIfNeeded: high >> (48 - 16 * i)) : UInt16(truncatingIfNeeded: low >> (48 - 16 * (i - 4))) }
    }

    /// Parses RFC 4291 text: `2001:db8::1`, `::`, `::ffff:192.0.2.1`.
    public init?(_ text: some StringProtocol) {
        var s = String(text)
        if let fast = s.withUTF8({ IPv6Address(plainText: UnsafeRawBufferPointer($0)) }) { self = fast; return }
        guard !s.isEmpty, s.utf8.count <= 45 else { return nil }
        var groups = [UInt16]()
        var gapAt: Int? = nil
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3 || (parts.count >= 2 && s.contains("::")) else { return nil }
        var i = 0
        while i < parts.count {
            let p = parts[i]
            if p.isEmpty {
                // "::" shows up as one or two empty parts (three for "::" alone).
                if gapAt == nil { gapAt = groups.count }
                else if !(i == 1 && parts[0].isEmpty) && !(i == parts.count - 1 && parts[i - 1].isEmpty) { return nil }
                i += 1
                continue
            }
            if i == parts.count - 1, p.contains("."), let v4 = IPv4Address(p) {
                groups.append(UInt16(v4.rawValue >> 16)); groups.append(UInt16(v4.rawValue & 0xFFFF))
            } else {
                guard p.utf8.count <= 4, let g = UInt16(p, radix: 16) else { return nil }
                groups.append(g)
            }
            i += 1
        }
        if let gap = gapAt {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: [UInt16](repeating: 0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for (k, g) in groups.enumerated() { if k < 4 { h = h << 16 | UInt64(g) } else { l = l << 16 | UInt64(g) } }
        high = h; low = l
    }

    /// RFC 5952 text: lower-case, the longest run of two or more zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`.
    public var description: String {
        let g = groups
        if high == 0 && (low >> 32) == 0xFFFF {
            return "::ffff:" + IPv4Address(rawValue: UInt32(truncatingIfNeeded: low)).description
        }
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        func hex(_ range: Range<Int>) -> String { range.map { String(g[$0], radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLen)..<8)
    }

    public static func < (a: IPv6Address, b: IPv6Address) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

extension IPv6Address {
    /// Parses the plain text form from its bytes without allocating: hex groups with at most one `::`. Nil for
    /// anything else — including an embedded IPv4 tail, which ``init(_:)`` (tried after this) accepts.
    public init?(plainText b: UnsafeRawBufferPointer) {
        guard b.count >= 2, b.count <= 39 else { return nil }
        var groups: (UInt64, UInt64) = (0, 0)   // the groups before the gap (head) …
        var head = 0, tail = 0, tailValue: (UInt64, UInt64) = (0, 0)
        var gap = false
        var i = 0
        let n = b.count
        if b[0] == UInt8(ascii: ":") {
            guard n >= 2, b[1] == UInt8(ascii: ":") else { return nil }
            gap = true
            i = 2
            if i == n { self.init(high: 0, low: 0); return }
        }
        @inline(__always) func push(_ v: UInt64, _ pair: inout (UInt64, UInt64)) {
            pair.0 = pair.0 << 16 | pair.1 >> 48
            pair.1 = pair.1 << 16 | v
        }
        while i < n {
            var v: UInt64 = 0, digits = 0
            while i < n {
                let c = b[i]
                let d: UInt8
                if c &- 0x30 < 10 { d = c &- 0x30 } else if c | 0x20 &- 0x61 < 6 { d = (c | 0x20) &- 0x61 &+ 10 } else { break }
                v = v << 4 | UInt64(d)
                digits += 1
                i += 1
                guard digits <= 4 else { return nil }
            }
            guard digits > 0 else { return nil }
            if gap { push(v, &tailValue); tail += 1 } else { push(v, &groups); head += 1 }
            guard head + tail <= 8 else { return nil }
            if i == n { break }
            guard b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            if i < n, b[i] == UInt8(ascii: ":") {
                guard !gap else { return nil }
                gap = true
                i += 1
                if i == n { break }
            } else if i == n {
                return nil
            }
        }
        guard gap ? head + tail < 8 : head == 8 else { return nil }
        // Shift the head groups to the top and put the tail groups at the bottom.
        var hi = groups.0, lo = groups.1
        let shift = 8 - head
        for _ in 0..<shift { hi = hi << 16 | lo >> 48; lo = lo << 16 }
        self.init(high: hi | tailValue.0, low: lo | tailValue.1)
    }
}
