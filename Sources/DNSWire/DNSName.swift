/// A domain name, stored in uncompressed wire form (length-prefixed labels ending with the root label).
///
/// Names keep the case they were read with, compare and hash case-insensitively (ASCII only, as RFC 4343 says),
/// and print in escaped presentation form (`\.`, `\DDD`). IDNA A-labels (`xn--…`) are ordinary ASCII labels and
/// pass through untouched.
public struct DNSName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The uncompressed wire form, including the final zero byte. At most 255 bytes.
    public let wire: [UInt8]

    /// The root name `.`.
    public static let root = DNSName(uncheckedWire: [0])

    /// Wraps wire bytes that are already known to be a valid uncompressed name.
    @usableFromInline
    init(uncheckedWire: [UInt8]) { self.wire = uncheckedWire }

    /// Creates a name from uncompressed wire bytes, checking every label and the total length.
    public init(wire: [UInt8]) throws(DNSWireError) {
        self = try withWireBytes(wire) { (buf) throws(DNSWireError) -> DNSName in
            var r = WireReader(buf)
            let name = try r.readName()
            if r.offset != buf.count { throw DNSWireError(.trailingBytes(count: buf.count - r.offset), at: r.offset) }
            if name.wire.count != buf.count { throw DNSWireError(.invalidField("compressed name where an uncompressed one was expected"), at: 0) }
            return name
        }
    }

    /// Creates a name from labels (raw bytes, no escaping), checking the lengths.
    public init(labels: [[UInt8]]) throws(DNSWireError) {
        var w = [UInt8]()
        for label in labels {
            guard !label.isEmpty, label.count <= 63 else { throw DNSWireError(.badLabel(length: UInt8(truncatingIfNeeded: label.count)), at: w.count) }
            w.append(UInt8(label.count))
            w.append(contentsOf: label)
        }
        w.append(0)
        guard w.count <= 255 else { throw DNSWireError(.nameTooLong, at: 0) }
        self.wire = w
    }

    /// The number of labels, not counting the root label.
    public var labelCount: Int {
        var n = 0, i = 0
        while wire[i] != 0 { n += 1; i += Int(wire[i]) + 1 }
        return n
    }

    /// The labels as raw bytes, leftmost first, without the root label.
    public var labels: [[UInt8]] {
        var out = [[UInt8]]()
        var i = 0
        while wire[i] != 0 {
            let n = Int(wire[i])
            out.append(Array(wire[(i + 1)..<(i + 1 + n)]))
            i += n + 1
        }
        return out
    }

    /// Whether this is the root name.
    public var isRoot: Bool { wire.count == 1 }

    /// The name with ASCII letters lower-cased; the canonical form used for comparison, hashing and matching.
    public var lowercased: DNSName {
        // Length bytes are ≤ 63, below "A" (0x41), so lower-casing every byte touches only label characters. Most
        // names are lower case already: look before copying (this runs for every name a reader keeps).
        guard wire.withUnsafeBytes(Self.hasUpperCase) else { return self }
        var w = wire
        w.withUnsafeMutableBytes { b in
            for i in b.indices where b[i] &- 0x41 < 26 { b[i] |= 0x20 }
        }
        return DNSName(uncheckedWire: w)
    }

    /// The parent name (one label fewer); the root's parent is the root.
    public var parent: DNSName {
        if isRoot { return self }
        return DNSName(uncheckedWire: Array(wire[(Int(wire[0]) + 1)...]))
    }

    /// Whether `self` equals `other` or lies beneath it, case-insensitively.
    public func isSubdomain(of other: DNSName) -> Bool {
        guard other.wire.count <= wire.count else { return false }
        // Walk to the label boundary that leaves exactly other.wire.count bytes.
        var i = 0
        while wire.count - i > other.wire.count { i += Int(wire[i]) + 1 }
        guard wire.count - i == other.wire.count else { return false }
        return DNSName.equalIgnoringCase(wire[i...], other.wire[...])
    }

    @inlinable
    static func equalIgnoringCase(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var i = a.startIndex, j = b.startIndex
        while i < a.endIndex {
            let x = a[i], y = b[j]
            if x != y {
                let lx = x &- 0x41 < 26 ? x | 0x20 : x
                let ly = y &- 0x41 < 26 ? y | 0x20 : y
                if lx != ly { return false }
            }
            i += 1; j += 1
        }
        return true
    }

    public static func == (a: DNSName, b: DNSName) -> Bool {
        equalIgnoringCase(a.wire[...], b.wire[...])
    }

    public func hash(into hasher: inout Hasher) {
        // Eight bytes at a time, ASCII upper case folded to lower case with a SWAR test (as `==` ignores ASCII
        // case): a byte-by-byte `combine` was a tenth of pcap and dnstap reading, where queries are paired by name.
        wire.withUnsafeBytes { b in
            let n = b.count
            var i = 0
            while i + 8 <= n {
                hasher.combine(Self.foldCase(b.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
            if i < n {
                var last: UInt64 = 0
                for k in 0..<(n - i) { last |= UInt64(b[i + k]) << UInt64(8 * k) }
                hasher.combine(Self.foldCase(last))
            }
            hasher.combine(n)
        }
    }

    /// A 64-bit hash of the name that ignores ASCII case as `==` does (FNV-1a over eight bytes at a time), for a
    /// caller that folds a name into a hash of its own rather than feeding a `Hasher`.
    public var caseFoldedHash: UInt64 {
        wire.withUnsafeBytes { b in
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            let n = b.count
            var i = 0
            while i + 8 <= n {
                h = (h ^ Self.foldCase(b.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* 0x0000_0100_0000_01B3
                i += 8
            }
            var last: UInt64 = 0
            for k in 0..<(n - i) { last |= UInt64(b[i + k]) << UInt64(8 * k) }
            // At most seven bytes are left, so the top byte is free for the length.
            return (h ^ (Self.foldCase(last) | UInt64(n & 0xFF) << 56)) &* 0x0000_0100_0000_01B3
        }
    }

    /// Every byte of `w` that is an ASCII upper-case letter, made lower case.
    @inline(__always) static func foldCase(_ w: UInt64) -> UInt64 {
        w | (upperCaseBits(w) >> 2)
    }

    /// The high bit of every byte of `w` that is an ASCII upper-case letter ("A" to "Z"), the other bits clear.
    @inline(__always) static func upperCaseBits(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let seven = w & (0x7F &* ones)
        let atLeastA = seven &+ (0x80 - 0x41) &* ones      // high bit set where the byte is >= "A"
        let aboveZ = seven &+ (0x80 - 0x5B) &* ones        // high bit set where the byte is > "Z"
        return atLeastA & ~aboveZ & ~w & (0x80 &* ones)
    }

    /// Whether any byte is an ASCII upper-case letter, looked at eight bytes at a time: every name a reader keeps
    /// is checked (most are lower case already and are not copied), where a byte-by-byte look cost ~8 instructions a
    /// byte.
    static func hasUpperCase(_ b: UnsafeRawBufferPointer) -> Bool {
        let n = b.count
        guard n >= 8 else { return b.contains { $0 &- 0x41 < 26 } }
        var i = 0
        while i + 8 <= n {
            if upperCaseBits(b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) != 0 { return true }
            i += 8
        }
        // The tail as the last eight bytes, overlapping bytes already looked at (a yes/no answer does not mind).
        return i < n && upperCaseBits(b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) != 0
    }

    /// DNSSEC canonical ordering (RFC 4034 §6.1): compare label by label from the right, case-insensitively.
    public static func < (a: DNSName, b: DNSName) -> Bool {
        let la = a.lowercased.labels, lb = b.lowercased.labels
        var i = la.count - 1, j = lb.count - 1
        while i >= 0 && j >= 0 {
            if la[i] != lb[j] { return la[i].lexicographicallyPrecedes(lb[j]) }
            i -= 1; j -= 1
        }
        return la.count < lb.count
    }

    /// The escaped presentation form, always absolute (ending with a dot).
    public var description: String { presentation }
}
