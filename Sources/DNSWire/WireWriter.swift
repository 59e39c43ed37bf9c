/// Builds the bytes of a DNS message, with optional name compression (RFC 1035 §4.1.4).
///
/// Compression remembers where each written name suffix starts and, for a new name, replaces the longest suffix
/// already written (compared case-insensitively) with a pointer. Only offsets below 0x4000 can be pointed to.
public struct WireWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]
    /// Whether names written with `compress: true` may use pointers.
    public var compressionEnabled: Bool
    /// Offsets of name suffixes already written that later names may point to.
    var suffixOffsets: [UInt16] = []

    /// Creates an empty writer.
    public init(compression: Bool = true, capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
        compressionEnabled = compression
    }

    /// The number of bytes written.
    public var count: Int { bytes.count }

    /// Appends one byte.
    public mutating func write(_ v: UInt8) { bytes.append(v) }
    /// Appends a big-endian 16-bit integer.
    public mutating func write(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(truncatingIfNeeded: v)) }
    /// Appends a big-endian 32-bit integer.
    public mutating func write(_ v: UInt32) {
        bytes.append(UInt8(v >> 24)); bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8)); bytes.append(UInt8(truncatingIfNeeded: v))
    }
    /// Appends raw bytes.
    public mutating func write<C: Collection<UInt8>>(bytes b: C) { bytes.append(contentsOf: b) }

    /// Appends a `<character-string>` (length byte then bytes); fails above 255 bytes.
    public mutating func writeCharacterString(_ s: [UInt8]) throws(DNSWireError) {
        guard s.count <= 255 else { throw DNSWireError(.tooLarge("character-string of \(s.count) bytes (at most 255)"), at: bytes.count) }
        bytes.append(UInt8(s.count))
        bytes.append(contentsOf: s)
    }

    /// Overwrites a big-endian 16-bit integer at `offset` (used to fill in RDLENGTH after the RDATA is written).
    public mutating func patch(_ v: UInt16, at offset: Int) {
        bytes[offset] = UInt8(v >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: v)
    }

    /// Appends a name, compressing it against earlier names when `compress` is true and compression is enabled.
    /// Names written either way are remembered as targets for later names.
    public mutating func write(name: DNSName, compress: Bool) {
        let w = name.wire
        // Only suffixes of names already complete are candidates: this name's own labels are unfinished until its
        // terminator is written, and comparing against them would read past the end of `bytes`.
        let complete = suffixOffsets.count
        var i = 0
        while w[i] != 0 {
            if compress && compressionEnabled, let target = findSuffix(w, from: i, among: complete) {
                write(0xC000 | target)
                return
            }
            if bytes.count < 0x4000 { suffixOffsets.append(UInt16(bytes.count)) }
            let n = Int(w[i])
            bytes.append(contentsOf: w[i...(i + n)])
            i += n + 1
        }
        bytes.append(0)
    }

    /// Finds an earlier suffix equal (ignoring ASCII case) to the name suffix starting at `w[from]`, among the first
    /// `count` remembered offsets.
    private func findSuffix(_ w: [UInt8], from: Int, among count: Int) -> UInt16? {
        for candidate in suffixOffsets[..<count] where matches(w, from: from, at: Int(candidate)) {
            return candidate
        }
        return nil
    }

    /// Compares the name suffix `w[from...]` with the (possibly compressed) name written at `at`.
    private func matches(_ w: [UInt8], from: Int, at: Int) -> Bool {
        var i = from, p = at, hops = 0
        while true {
            var len = bytes[p]
            while len & 0xC0 == 0xC0 {
                p = Int(len & 0x3F) << 8 | Int(bytes[p + 1])
                hops += 1
                if hops > WireReader.maxPointerHops { return false }
                len = bytes[p]
            }
            if len != w[i] { return false }
            if len == 0 { return true }
            let n = Int(len)
            for k in 1...n {
                let x = w[i + k], y = bytes[p + k]
                if x != y && (x &- 0x41 < 26 ? x | 0x20 : x) != (y &- 0x41 < 26 ? y | 0x20 : y) { return false }
            }
            i += n + 1
            p += n + 1
        }
    }
}
